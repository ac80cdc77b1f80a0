/**
 * The console view of a bench run: live progress of the running case on a
 * terminal (file f/F, case i/n, iteration j/m, running p95, ETA), one line
 * per finished case, and the final coloured table. The bench reporter feeds
 * it vitest's events; progress arrives as test annotations (see
 * harness/results/progress.ts).
 */
import type { Writable } from 'node:stream';
import { styleText } from 'node:util';
import type { UserConsoleLog } from 'vitest';
import type { TestCase, TestModule } from 'vitest/node';
import type { CaseMeta, ProgressEvent, RunResults } from '../harness/types.ts';
import { caseCount, formatBytes, formatMs, modelLabel, SkipReasons } from './format.ts';
import { renderTable } from './table.ts';

type Style = Parameters<typeof styleText>[0];

export class ConsoleView {
  private files = 0;
  private fileIndex = 0;
  private casesInFile = 0;
  private caseIndex = 0;
  private progressShown = false;
  private readonly downloadQuarter = new Map<string, number>();
  private readonly modelsShown = new Set<string>();
  /** The current file's header, written before its first line (a file whose cases are all filtered out shows none). */
  private pendingHeader: string | null = null;
  /** Consecutive skipped cases of one model for one reason, written as one line when the run moves on. */
  private pendingSkip: { model: string; reason: string; count: number } | null = null;
  /** Skip reasons already written, each once. */
  private readonly skipReasons = new SkipReasons();
  private readonly tty: boolean;
  private readonly color: boolean;

  constructor(
    private readonly out: Writable & { isTTY?: boolean },
    private readonly err: Writable,
    noColor: boolean,
  ) {
    this.tty = out.isTTY === true;
    this.color = this.tty && !noColor;
  }

  runStart(files: number): void {
    this.files = files;
  }

  moduleCollected(module: TestModule): void {
    this.flushSkips();
    this.fileIndex++;
    // Cases --models or benchModel.skip left out are not counted: they never run.
    this.casesInFile = Array.from(module.children.allTests()).filter((t) => t.options.mode === 'run' || t.options.mode === 'only').length;
    this.caseIndex = 0;
    this.pendingHeader =
      this.paint('bold', `\n${module.relativeModuleId}`) + this.paint('gray', ` (file ${this.fileIndex}/${this.files}, ${this.casesInFile} cases)`);
  }

  caseReady(): void {
    this.caseIndex++;
  }

  /** What a spec worker printed, passed through. */
  userLog(log: UserConsoleLog): void {
    this.flushSkips();
    this.clearProgress();
    (log.type === 'stderr' ? this.err : this.out).write(log.content);
  }

  caseResult(test: TestCase): void {
    this.clearProgress();
    const meta = test.meta().bench;
    const result = test.result();
    const name = test.fullName;
    if (result.state === 'skipped') {
      // Left out by --models or benchModel.skip: nothing to say live (the table counts them).
      if (!meta?.skipReason) return;
      const model = modelLabel(meta);
      if (this.pendingSkip?.model === model && this.pendingSkip.reason === meta.skipReason) this.pendingSkip.count++;
      else {
        this.flushSkips();
        this.pendingSkip = { model, reason: meta.skipReason, count: 1 };
      }
      return;
    }
    this.flushSkips();
    this.showModelReady(meta);
    const e2e = meta?.stats.e2eMs;
    const figures = e2e
      ? `n=${e2e.n} p50 ${formatMs(e2e.p50)} ms  p95 ${formatMs(e2e.p95)} ms  TTFT p95 ${formatMs(meta?.stats.ttftMs?.p95)} ms`
      : 'no successful request';
    const changed = meta?.gate?.inputChanges?.length ? ` (input changed: ${meta.gate.inputChanges.join('; ')})` : '';
    const verdict = meta?.gate && meta.gate.verdict !== 'new' ? `  ${meta.gate.verdict}${changed}` : '';
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
      life.downloadMs === null
        ? null
        : `downloaded in ${formatDuration(life.downloadMs)}${life.downloadAttempts > 1 ? ` (${life.downloadAttempts} attempts)` : ''}`,
      life.alreadyLoaded ? 'already loaded' : `loaded in ${formatMs(meta.modelInfo?.loadMs)} ms`,
      life.cold
        ? life.cold.ok
          ? `first request TTFT ${formatMs(life.cold.ttftMs)} ms, e2e ${formatMs(life.cold.e2eMs)} ms`
          : `first request failed: ${life.cold.error}`
        : null,
      meta.modelInfo?.rssGrowthBytes == null ? null : `service memory +${formatBytes(meta.modelInfo.rssGrowthBytes)}`,
      life.diskBytes === null ? null : `disk ${formatBytes(life.diskBytes)}`,
    ].filter(Boolean);
    this.write(this.paint('gray', `  ▸ ${modelLabel(meta)}: ${parts.join(' · ')}`));
  }

  /** One line for a model's skipped cases; a reason already given for another model is not repeated. */
  private flushSkips(): void {
    const skip = this.pendingSkip;
    if (!skip) return;
    this.pendingSkip = null;
    const why = this.skipReasons.say(skip.model, skip.reason);
    this.write(this.paint('yellow', `  ↓ ${skip.model} (${caseCount(skip.count)}) skipped`) + this.paint('gray', `: ${why}`));
  }

  table(results: RunResults): void {
    this.flushSkips();
    this.clearProgress();
    this.out.write(`\n${renderTable(results, { color: this.color })}\n`);
  }

  progress(event: ProgressEvent): void {
    if (event.phase === 'download') {
      this.showDownload(event);
      return;
    }
    // Progress only helps a person watching; CI logs get the per-case lines.
    if (!this.tty) return;
    const phase = event.phase === 'warmup' ? 'warmup' : 'iteration';
    const p95 = event.runningP95Ms === null ? '' : `  p95 ${formatMs(event.runningP95Ms)} ms`;
    const eta = event.etaMs === null ? '' : `  ETA ${formatDuration(event.etaMs)}`;
    const line = `  … ${event.name}  case ${this.caseIndex}/${this.casesInFile}  ${phase} ${event.done}/${event.planned}${p95}${eta}`;
    this.flushSkips();
    this.writeHeader();
    this.out.write(`\r\x1b[K${this.paint('gray', line)}`);
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
      this.flushSkips();
      this.writeHeader();
      this.out.write(`\r\x1b[K${this.paint('gray', line)}`);
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
    this.out.write('\r\x1b[K');
    this.progressShown = false;
  }

  private write(line: string): void {
    this.writeHeader();
    this.out.write(`${line}\n`);
  }

  /** The current file's header, once, before the first thing shown for it (a line or live progress). */
  private writeHeader(): void {
    if (this.pendingHeader === null) return;
    this.out.write(`${this.pendingHeader}\n`);
    this.pendingHeader = null;
  }

  private paint(style: Style, text: string): string {
    return this.color ? styleText(style, text) : text;
  }
}

function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds >= 60 ? `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
}
