/**
 * `foundry-bench [run]`: checks every input file, then runs the specs under
 * vitest in this process with the run's options and the bench reporter.
 * Callable in-process (tests do), with output streams of the caller's choice.
 */
import BenchReporter, { type Io } from '../../reporters/hub.ts';
import { DataFileError } from '../files/data-file.ts';
import { preflight } from '../files/preflight.ts';
import { baselinePath, parseBaseline, readBaseline } from '../gate/baseline.ts';
import { selects } from '../run/selection.ts';
import { checkSpecs } from './spec-preflight.ts';
import { fileAtRef } from '../results/git.ts';
import type { RunOptions, RunResults } from '../types.ts';
import { UsageError } from './errors.ts';
import { INVALID_SPEC_OPTIONS } from '../run/spec-options.ts';
import { benchVitestOptions } from './vitest-options.ts';

export type { Io };

export interface BenchRun {
  /** 0 passed, 1 a case failed or regressed (or vitest failed). */
  code: number;
  /** The results document; null when the run ended before reporting. */
  results: RunResults | null;
}

export async function runBench(options: RunOptions, io: Io): Promise<BenchRun> {
  // Every file a user wrote is checked before any request: all problems at once, exit 2.
  const problems = preflight(options.config, options.root);
  if (problems.length > 0) throw new DataFileError(problems);
  // The specs' options and prompt sets, and filters that select nothing: before the target is resolved (which may
  // start an engine or load a model).
  const specs = await checkSpecs(options.root, options.specs, options.filters);
  if (specs.problems.length > 0) throw new DataFileError(specs.problems);
  const pattern = namePattern(options.testNamePattern);
  if ((options.filters.length > 0 && specs.files.length === 0) || (specs.cases && !specs.cases.some((c) => selects(options, pattern, c)))) {
    throw new UsageError(`no case matches ${describeFilters(options)}: nothing was run`);
  }
  // --base-ref names a commit: one it cannot read the baseline at is bad input, said once, before any request.
  const ref = options.baseReplay?.ref;
  if (ref) checkBaselineAtRef(ref, baselinePath(options.baselineDir, options.profile), options.root);
  // A baseline the gate would read but cannot is bad input too. Under --update-baseline it is repaired instead,
  // unless it is too large to read: rewriting what was never read would lose it.
  if (!ref && !options.baseTarget) {
    try {
      readBaseline(baselinePath(options.baselineDir, options.profile));
    } catch (error) {
      const tooLarge = (error as { code?: string }).code === 'too-large';
      if (!options.updateBaseline) throw new DataFileError((error as Error).message.split('\n'));
      if (tooLarge)
        throw new DataFileError([`${(error as Error).message}: refusing to rewrite a baseline it cannot read; trim it, or write to another --baseline-dir`]);
    }
  }
  const reporter = new BenchReporter(options, io);
  // Loaded here, not at the top: the other commands start without vitest.
  const { startVitest } = await import('vitest/node');
  // vitest reports its verdict by setting process.exitCode; read it, then leave the caller's as it was.
  const callerExitCode = process.exitCode;
  process.exitCode = undefined;
  try {
    const vitest = await startVitest('test', options.filters, await benchVitestOptions(options, [reporter], specs.byFile), undefined, {
      stdout: io.stdout,
      stderr: io.stderr,
    });
    await vitest.close();
    // Nothing selected is a usage error (the reporter wrote nothing, so earlier results stand).
    if (reporter.results?.cases.length === 0 && reporter.results.run.errors.length === 0) {
      throw new UsageError(`no case matches ${describeFilters(options)}: nothing was run`);
    }
    // A spec with misspelt options is bad input: exit 2, as for any other file a user wrote.
    if (reporter.results?.run.errors.some((e) => e.message.includes(INVALID_SPEC_OPTIONS))) return { code: 2, results: reporter.results };
    const code = Number(process.exitCode ?? 0);
    return { code: code === 0 && reporter.results?.run.outcome === 'failed' ? 1 : code, results: reporter.results };
  } finally {
    process.exitCode = callerExitCode;
  }
}

/** -t as vitest reads it: a regular expression (a malformed one is a usage error). */
function namePattern(source: string | null | undefined): RegExp | null {
  if (!source) return null;
  try {
    return new RegExp(source);
  } catch (error) {
    throw new UsageError(`-t "${source}" is not a regular expression: ${(error as Error).message}`);
  }
}

function describeFilters(options: RunOptions): string {
  const parts = [
    options.testNamePattern ? `-t "${options.testNamePattern}"` : null,
    options.models ? `--models ${options.models.join(',')}` : null,
    options.filters.length > 0 ? `the file filter(s) ${options.filters.join(' ')}` : null,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(' and ') : `the specs ${options.specs}`;
}

/**
 * Throws (bad input, exit 2) unless `file` at git `ref` is a valid baseline. Checked before the run, not per case: a
 * ref that holds no valid baseline (`{}`, another file) would otherwise start the run and then fail every case.
 */
export function checkBaselineAtRef(ref: string, file: string, root: string): void {
  const what = (problem: string) =>
    new DataFileError([`${problem}; record one there first (--update-baseline on that commit), or compare with the baseline here (--base-replay)`]);
  let document: unknown;
  try {
    document = JSON.parse(fileAtRef(ref, file, root));
  } catch (error) {
    throw what((error as Error).message.startsWith('--base-ref') ? (error as Error).message : `--base-ref ${ref}: ${file} is not JSON there`);
  }
  try {
    parseBaseline(document, `${file}@${ref}`);
  } catch (error) {
    const problems = (error as Error).message
      .split('\n')
      .slice(1, 3)
      .map((line) => line.trim());
    throw what(`--base-ref ${ref}: ${file} there holds no valid baseline (${problems.join('; ')})`);
  }
}
