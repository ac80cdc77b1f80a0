/**
 * The console view of a bench run: live progress of the running case on a
 * terminal (file f/F, case i/n, iteration j/m, running p95, ETA), one line
 * per finished case, and the final coloured table. Progress travels from the
 * spec worker as a marked console line (see harness/progress.ts) and is never
 * echoed as output.
 */
import { styleText } from 'node:util';
import type { UserConsoleLog } from 'vitest';
import type { TestCase, TestModule, TestSpecification } from 'vitest/node';
import { parseProgress, type ProgressEvent } from '../harness/run/progress.ts';
import type { CaseMeta, RunResults } from '../harness/types.ts';
import { ResultsReporter } from './results-reporter.ts';
import { formatBytes, formatMs, modelLabel } from './format.ts';
import { renderTable } from './table.ts';

type Style = Parameters<typeof styleText>[0];

export default class ConsoleReporter extends ResultsReporter {
  private files = 0;
  private fileIndex = 0;
  private casesInFile = 0;
  private caseIndex = 0;
  private progressShown = false;
  private readonly downloadQuarter = new Map<string, number>();
  private readonly modelsShown = new Set<string>();
  private readonly tty = process.stdout.isTTY === true;
  private readonly color = this.tty && !process.env.NO_COLOR;

  override onTestRunStart(specifications?: ReadonlyArray<TestSpecification>): void {
    super.onTestRunStart();
    this.files = specifications?.length ?? 0;
  }

  onTestModuleCollected(module: TestModule): void {
    this.fileIndex++;
    this.casesInFile = Array.from(module.children.allTests()).length;
    this.caseIndex = 0;
    this.write(this.paint('bold', `\n${module.relativeModuleId}`) + this.paint('gray', ` (file ${this.fileIndex}/${this.files}, ${this.casesInFile} cases)`));
  }

  onTestCaseReady(): void {
    this.caseIndex++;
  }

  onUserConsoleLog(log: UserConsoleLog): void {
    const progress = parseProgress(log.content);
    if (progress) return this.showProgress(progress);
    this.clearProgress();
    (log.type === 'stderr' ? process.stderr : process.stdout).write(log.content);
  }

  onTestCaseResult(test: TestCase): void {
    this.clearProgress();
    const meta = test.meta().bench;
    const result = test.result();
    const name = test.fullName;
    if (result.state === 'skipped') {
      this.write(this.paint('yellow', `  ↓ ${name}`) + this.paint('gray', meta?.skipReason ? ` (skipped: ${meta.skipReason})` : ' (skipped)'));
      return;
    }
    this.showModelReady(meta);
    const e2e = meta?.stats.e2eMs;
    const figures = e2e ? `n=${e2e.n} p50 ${formatMs(e2e.p50)} ms  p95 ${formatMs(e2e.p95)} ms  TTFT p95 ${formatMs(meta?.stats.ttftMs?.p95)} ms` : 'no successful request';
    const verdict = meta?.gate && meta.gate.verdict !== 'new' ? `  ${meta.gate.verdict}` : '';
    if (result.state === 'passed') {
      this.write(`  ${this.paint('green', '✓')} ${name}  ${this.paint('gray', figures)}${verdict}`);
    } else {
      this.write(`  ${this.paint('red', '×')} ${name}  ${this.paint('gray', figures)}${this.paint('red', verdict)}`);
      const reasons = meta?.failures.length ? meta.failures : result.state === 'failed' ? result.errors.map((e) => e.message) : [];
      for (const line of reasons) this.write(this.paint('red', `      ${line}`));
    }
  }

  /** Once per Foundry Local model: the variant it resolved to, its load, cold first request, memory and disk. */
  private showModelReady(meta: CaseMeta | undefined): void {
    const life = meta?.modelInfo?.lifecycle;
    // Only once the model is ready: a failed download or load is the case's failure line.
    const ready = life && (life.alreadyLoaded || meta?.modelInfo?.loadMs != null);
    if (!meta?.variant || !life || !ready || this.modelsShown.has(modelLabel(meta))) return;
    this.modelsShown.add(modelLabel(meta));
    const parts = [
      life.downloadMs === null ? null : `downloaded in ${formatDuration(life.downloadMs)}${life.downloadAttempts > 1 ? ` (${life.downloadAttempts} attempts)` : ''}`,
      life.alreadyLoaded ? 'already loaded' : `loaded in ${formatMs(meta.modelInfo?.loadMs)} ms`,
      life.cold ? (life.cold.ok ? `first request TTFT ${formatMs(life.cold.ttftMs)} ms, e2e ${formatMs(life.cold.e2eMs)} ms` : `first request failed: ${life.cold.error}`) : null,
      meta.modelInfo?.rssGrowthBytes == null ? null : `service memory +${formatBytes(meta.modelInfo.rssGrowthBytes)}`,
      life.diskBytes === null ? null : `disk ${formatBytes(life.diskBytes)}`,
    ].filter(Boolean);
    this.write(this.paint('gray', `  ▸ ${modelLabel(meta)}: ${parts.join(' · ')}`));
  }

  protected report(results: RunResults): void {
    this.clearProgress();
    process.stdout.write(`\n${renderTable(results, { color: this.color })}\n`);
  }

  private showProgress(event: ProgressEvent): void {
    if (event.phase === 'download') return this.showDownload(event);
    // Progress only helps a person watching; CI logs get the per-case lines.
    if (!this.tty) return;
    const phase = event.phase === 'warmup' ? 'warmup' : 'iteration';
    const p95 = event.runningP95Ms === null ? '' : `  p95 ${formatMs(event.runningP95Ms)} ms`;
    const eta = event.etaMs === null ? '' : `  ETA ${formatDuration(event.etaMs)}`;
    const line = `  … ${event.name}  case ${this.caseIndex}/${this.casesInFile}  ${phase} ${event.done}/${event.planned}${p95}${eta}`;
    process.stdout.write(`\r\x1b[K${this.paint('gray', line)}`);
    this.progressShown = true;
  }

  /** Downloads take minutes: a bar on a terminal, a line per quarter in CI logs. */
  private showDownload(event: ProgressEvent): void {
    const size = event.download?.totalMb ? `  ${Math.round(event.download.mb ?? 0)}/${Math.round(event.download.totalMb)} MB` : '';
    const eta = event.etaMs === null ? '' : `  ETA ${formatDuration(event.etaMs)}`;
    const attempt = event.download && event.download.attempt > 1 ? `  (attempt ${event.download.attempt})` : '';
    const filled = Math.round(event.done / 5);
    const line = `  ↓ downloading ${event.name}  [${'#'.repeat(filled)}${'.'.repeat(20 - filled)}] ${event.done}%${size}${eta}${attempt}`;
    if (this.tty) {
      process.stdout.write(`\r\x1b[K${this.paint('gray', line)}`);
      this.progressShown = true;
      return;
    }
    const quarter = Math.floor(event.done / 25);
    if (quarter === this.downloadQuarter.get(event.name)) return;
    this.downloadQuarter.set(event.name, quarter);
    this.write(line);
  }

  private clearProgress(): void {
    if (!this.progressShown) return;
    process.stdout.write('\r\x1b[K');
    this.progressShown = false;
  }

  private write(line: string): void {
    process.stdout.write(`${line}\n`);
  }

  private paint(style: Style, text: string): string {
    return this.color ? styleText(style, text) : text;
  }
}

function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds >= 60 ? `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
}
