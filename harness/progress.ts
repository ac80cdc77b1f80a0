/**
 * Live progress from a spec worker to the console reporter. The worker writes
 * a marked line to stdout; vitest forwards it to reporters as a console log,
 * and the console reporter draws it instead of printing it. Lines are
 * throttled, and written between requests, never inside a timed one.
 */
import { quantile } from './stats.ts';
import type { RequestSample } from './types.ts';

const MARKER = '@@foundry-bench:progress@@ ';
const INTERVAL_MS = 250;

export interface ProgressEvent {
  name: string;
  phase: 'warmup' | 'run';
  done: number;
  planned: number;
  /** p95 of successful e2e so far in the timed phase. */
  runningP95Ms: number | null;
  /** Estimated time left in this case. */
  etaMs: number | null;
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
