/**
 * Live progress of the running case (and of a model download), from a spec
 * worker to the console: throttled events, sent between requests (never
 * inside a timed one) as test annotations (see results/progress.ts).
 */
import type { TestContext } from 'vitest';
import { quantile } from '../evaluate/stats.ts';
import { encodeProgress, PROGRESS_ANNOTATION } from '../results/progress.ts';
import type { ProgressEvent, RequestSample } from '../types.ts';

const INTERVAL_MS = 250;

/** Where progress events go. */
export type ProgressSink = (event: ProgressEvent) => void;

/** Progress as annotations of the running test; the reporter draws them, nothing prints them. */
export function annotationSink(context: Pick<TestContext, 'annotate'>): ProgressSink {
  return (event) => {
    // vitest awaits pending annotations at the end of the test; the request loop does not wait for them.
    void context.annotate(encodeProgress(event), PROGRESS_ANNOTATION).catch(() => {});
  };
}

/**
 * Returns a callback for the runner that reports at most every 250 ms (and
 * at the end of each phase). `warmup` and `iterations` are the planned counts
 * of the case's own arm; `arms` is how many arms alternate (2 in A/B).
 */
export function progressReporter(name: string, warmup: number, iterations: number, send: ProgressSink, arms = 1) {
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
      // Every arm's request takes about as long as this one's: an A/B case sends two per step.
      etaMs: requests > 0 ? (spent / requests) * remaining * arms : null,
    };
    send(event);
  };
}

/**
 * A callback for a model download's percentages: throttled like request
 * progress, with MB from the catalog's size and an ETA from the rate so far
 * (restarted when an attempt restarts).
 */
export function downloadProgressReporter(name: string, totalMb: number | null, send: ProgressSink) {
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
    send(event);
  };
}
