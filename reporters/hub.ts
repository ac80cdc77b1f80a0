/**
 * The bench run's one vitest reporter. While the run goes it drives the live
 * console view; at the end it builds the results document once and hands it
 * to every output the run asked for, each a pure renderer plus an atomic
 * write: the console table, results.json, report.html, junit.xml, report.md, results.csv,
 * GitHub's job summary and annotations, and the baseline under
 * --update-baseline. One output's failure is reported and does not stop the
 * others.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import type { UserConsoleLog } from 'vitest';
import type { Reporter, SerializedError, TestCase, TestModule, TestRunEndReason, TestSpecification } from 'vitest/node';
import type { TestAnnotation } from 'vitest';
import { writeFileAtomic, writeJsonAtomic } from '../harness/files/atomic.ts';
import { baselinePath, updateBaseline } from '../harness/gate/baseline.ts';
import { runSanitizer } from '../harness/files/sanitize.ts';
import { collectResults } from '../harness/results/collect.ts';
import { parseProgress } from '../harness/results/progress.ts';
import { outputFileName } from '../harness/results/results-file.ts';
import type { ReporterName, RunOptions, RunResults } from '../harness/types.ts';
import { ConsoleView } from './console.ts';
import { renderCsv } from './csv.ts';
import { annotations } from './github.ts';
import { renderHtml } from './html.ts';
import { renderJUnit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';

/** Where a command and the reporter write: the process's streams, or a caller's (tests capture them). */
export interface Io {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable;
  /** Where intended GitHub workflow commands go when stdout neutralises them; stdout when absent. */
  commands?: Writable;
  /** Secrets learnt after the streams were made (a config file's target URL): never printed from then on. */
  conceal?: (secrets: readonly string[]) => void;
}

export default class BenchReporter implements Reporter {
  /** The results document, once the run has ended. */
  results: RunResults | null = null;
  private startedAt = new Date();
  private readonly view: ConsoleView | null;
  private readonly outputs: ReadonlySet<ReporterName>;

  constructor(
    private readonly options: RunOptions,
    private readonly io: Io,
  ) {
    // results.json and report.html are always written.
    this.outputs = new Set<ReporterName>([...options.reporters, 'json', 'html']);
    this.view = this.outputs.has('console') ? new ConsoleView(io.stdout, io.stderr, options.output.noColor) : null;
  }

  onTestRunStart(specifications: ReadonlyArray<TestSpecification>): void {
    this.startedAt = new Date();
    this.view?.runStart(specifications.length);
  }

  onTestModuleCollected(module: TestModule): void {
    this.view?.moduleCollected(module);
  }

  onTestCaseReady(): void {
    this.view?.caseReady();
  }

  onTestCaseAnnotate(_test: TestCase, annotation: TestAnnotation): void {
    const progress = parseProgress(annotation);
    if (progress) this.view?.progress(progress);
  }

  onUserConsoleLog(log: UserConsoleLog): void {
    this.view?.userLog(log);
  }

  onTestCaseResult(test: TestCase): void {
    this.view?.caseResult(test);
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>, errors: ReadonlyArray<SerializedError>, reason: TestRunEndReason): void {
    const { options } = this;
    // Every string of the document sanitised once, before any output sees it (vitest's own error texts included).
    const collected = collectResults(modules, errors, reason, {
      startedAt: this.startedAt,
      root: options.root,
      profile: options.profile,
      shard: options.shard,
    });
    const sanitizer = runSanitizer(options);
    const results = { ...sanitizer.deep({ ...collected, cases: [] }), cases: collected.cases.map((c) => sanitizer.record(c)) };
    this.results = results;
    // A filter (-t, --models) that selected nothing: the previous run's results and reports stay as they were.
    if (results.cases.length === 0 && results.run.errors.length === 0) {
      this.io.stderr.write('foundry-bench: no case matched the filters; nothing was written\n');
      return;
    }
    // A shard's files carry its number: shards sharing a folder keep their own.
    const file = (name: string) => join(options.outputDir, outputFileName(name, options.shard));
    // report.md and the job summary are the same Markdown: rendered once, when first needed.
    let markdown: string | undefined;
    const report = () => (markdown ??= renderMarkdown(results));
    const steps: Array<[ReporterName | 'baseline', () => void]> = [
      ['console', () => this.view?.table(results)],
      ['json', () => this.writeResults(results)],
      ['junit', () => writeFileAtomic(file('junit.xml'), renderJUnit(results))],
      ['markdown', () => writeFileAtomic(file('report.md'), report())],
      ['csv', () => writeFileAtomic(file('results.csv'), renderCsv(results))],
      ['html', () => writeFileAtomic(file('report.html'), renderHtml(results))],
      ['github', () => this.github(results, report)],
      ['baseline', () => this.baseline(results, reason)],
    ];
    for (const [name, step] of steps) {
      if (name !== 'baseline' && !this.outputs.has(name)) continue;
      try {
        step();
      } catch (error) {
        this.io.stderr.write(`foundry-bench: the ${name} output failed: ${(error as Error).message}\n`);
        process.exitCode = 1;
      }
    }
  }

  private writeResults(results: RunResults): void {
    const path = join(this.options.outputDir, outputFileName('results.json', this.options.shard));
    writeJsonAtomic(path, results);
    this.io.stdout.write(`foundry-bench: wrote ${path} (${results.summary.cases} cases)\n`);
  }

  /** Under GitHub Actions: the Markdown report in the job summary, and annotations in the log. */
  private github(results: RunResults, report: () => string): void {
    const { githubActions, stepSummary } = this.options.output;
    if (!githubActions && !stepSummary) return;
    if (stepSummary) appendFileSync(stepSummary, `${report()}\n`);
    // Workflow commands on purpose: written past the sanitising stream, from a sanitised document, data escaped.
    for (const line of annotations(results)) (this.io.commands ?? this.io.stdout).write(`${line}\n`);
  }

  /** --update-baseline: this run's figures into the baseline, atomically; cases that did not run keep their entry. */
  private baseline(results: RunResults, reason: TestRunEndReason): void {
    if (!this.options.updateBaseline) return;
    if (reason === 'interrupted') {
      this.io.stderr.write('foundry-bench: run interrupted; baseline left unchanged\n');
      return;
    }
    const path = baselinePath(this.options.baselineDir, this.options.profile);
    const { written, kept, replaced, dropped, setAside } = updateBaseline(path, results, this.options.profile, this.options.baselineRuns);
    if (replaced) this.io.stderr.write(`foundry-bench: the previous baseline was replaced, not merged: ${replaced}\n`);
    if (dropped.length > 0) {
      const listed = dropped.slice(0, 5).map(({ id, problem }) => `${id} (${problem})`);
      const more = dropped.length > 5 ? `, and ${dropped.length - 5} more` : '';
      this.io.stderr.write(
        `foundry-bench: ${dropped.length} invalid baseline entr${dropped.length === 1 ? 'y' : 'ies'} dropped, set aside in ${setAside}: ${listed.join('; ')}${more}\n`,
      );
    }
    this.io.stdout.write(`foundry-bench: baseline ${path}: ${written.length} case(s) written, ${kept} kept from before\n`);
  }
}
