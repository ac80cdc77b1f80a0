/**
 * Live progress from a spec worker to the console reporter. The worker writes
 * a marked line to stdout; vitest forwards it to reporters as a console log,
 * and the console reporter draws it instead of printing it. Lines are
 * throttled, and written between requests, never inside a timed one.
 */
import { quantile } from '../evaluate/stats.ts';
import type { RequestSample } from '../types.ts';

const MARKER = '@@foundry-bench:progress@@ ';
const INTERVAL_MS = 250;

export interface ProgressEvent {
  name: string;
  /** `download`: `done` is the percent, `planned` 100. */
  phase: 'warmup' | 'run' | 'download';
  done: number;
  planned: number;
  /** p95 of successful e2e so far in the timed phase. */
  runningP95Ms: number | null;
  /** Estimated time left in this case (or download). */
  etaMs: number | null;
  /** Downloads: MB done and in all (from the catalog's size), and which attempt this is. */
  download?: { mb: number | null; totalMb: number | null; attempt: number };
}

export function parseProgress(line: string): ProgressEvent | null {
  if (!line.startsWith(MARKER)) return null;
  try {
    return JSON.parse(line.slice(MARKER.length)) as ProgressEvent;
  } catch {
    return null;
  }
}

/**
 * Returns a callback for the runner that reports at most every 250 ms (and
 * at the end of each phase). `warmup` and `iterations` are the planned counts.
 */
export function progressReporter(name: string, warmup: number, iterations: number, write: (line: string) => void = (line) => console.log(line)) {
  let lastWrite = 0;
  const timed: number[] = [];
  let spent = 0;
  let requests = 0;
  return ({ phase, done, sample }: { phase: 'warmup' | 'run'; done: number; sample: RequestSample }) => {
    requests++;
    spent += sample.e2eMs;
    if (phase === 'run' && sample.ok) timed.push(sample.e2eMs);
    const planned = phase === 'warmup' ? warmup : iterations;
    const now = performance.now();
    if (now - lastWrite < INTERVAL_MS && done < planned) return;
    lastWrite = now;
    const remaining = phase === 'warmup' ? warmup - done + iterations : Math.max(0, iterations - done);
    const event: ProgressEvent = {
      name,
      phase,
      done,
      planned,
      runningP95Ms: timed.length > 0 ? quantile(timed, 0.95) : null,
      etaMs: requests > 0 ? (spent / requests) * remaining : null,
    };
    write(`${MARKER}${JSON.stringify(event)}`);
  };
}

/**
 * A callback for a model download's percentages: throttled like request
 * progress, with MB from the catalog's size and an ETA from the rate so far
 * (restarted when an attempt restarts).
 */
export function downloadProgressReporter(name: string, totalMb: number | null, write: (line: string) => void = (line) => console.log(line)) {
  let lastWrite = 0;
  let attemptStart = performance.now();
  let startPercent = 0;
  let currentAttempt = 0;
  return ({ percent, attempt }: { percent: number; attempt: number }) => {
    const now = performance.now();
    if (attempt !== currentAttempt) {
      currentAttempt = attempt;
      attemptStart = now;
      startPercent = percent;
    }
    if (now - lastWrite < INTERVAL_MS && percent < 100) return;
    lastWrite = now;
    const rate = (percent - startPercent) / (now - attemptStart);
    const event: ProgressEvent = {
      name,
      phase: 'download',
      done: Math.floor(percent),
      planned: 100,
      runningP95Ms: null,
      etaMs: rate > 0 ? (100 - percent) / rate : null,
      download: { mb: totalMb === null ? null : (totalMb * percent) / 100, totalMb, attempt },
    };
    write(`${MARKER}${JSON.stringify(event)}`);
  };
}
