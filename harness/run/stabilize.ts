/**
 * Warming a model up until its latency is stable, once before its first
 * case. A model that was just started or loaded answers slowly for a while,
 * and not smoothly: on the embedded engine tiny-1m answered in a median of 46
 * ms over its first 10 requests, 40 ms over the next 20, then 28-30 ms from
 * the 30th on. A fixed number of warmup requests either wastes time or leaves
 * the transient in the first case's samples, where a gate reads it as a
 * regression; and comparing two neighbouring windows stops on the plateau.
 * Warm-up only ever makes a server slower, so the rule looks for the floor:
 * requests go on, in windows, until two windows in a row set no new low (by
 * more than the tolerance) against every window before them, bounded in
 * requests and time. None of these requests is a sample.
 */
import { quantile } from '../evaluate/stats.ts';
import { measureRequest } from '../measure/request.ts';
import type { Arm } from '../measure/runner.ts';
import type { StabilizeOptions, WarmUp } from '../types.ts';

export const DEFAULT_STABILIZE: StabilizeOptions = { window: 10, tolerance: 0.05, maxRequests: 100, maxMs: 60_000 };

/** The spec's `stabilize` option as settings; null when it is off. */
export function stabilizeOptions(option: boolean | Partial<StabilizeOptions> | undefined): StabilizeOptions | null {
  if (option === false) return null;
  const options = { ...DEFAULT_STABILIZE, ...(typeof option === 'object' ? option : {}) };
  const valid =
    Number.isInteger(options.window) && options.window >= 1 && options.tolerance >= 0 && Number.isInteger(options.maxRequests) && options.maxMs >= 0;
  if (!valid) throw new Error(`option stabilize has an invalid value: ${JSON.stringify(option)}`);
  return options;
}

/**
 * True when, of the medians of consecutive windows (from the first request), neither of the last two is a new
 * low by more than the tolerance against all windows before it. Needs at least three whole windows.
 */
export function isStable(latencies: readonly number[], { window, tolerance }: Pick<StabilizeOptions, 'window' | 'tolerance'>): boolean {
  const medians = windowMedians(latencies, window);
  const windows = medians.length;
  if (windows < 3) return false;
  const newLow = (w: number) => (medians[w] as number) < (1 - tolerance) * Math.min(...medians.slice(0, w));
  return !newLow(windows - 1) && !newLow(windows - 2);
}

/** Medians of consecutive whole windows, from the first request; a partial last window is left out. */
function windowMedians(latencies: readonly number[], window: number): number[] {
  return Array.from({ length: Math.floor(latencies.length / window) }, (_, w) => quantile(latencies.slice(w * window, (w + 1) * window), 0.5));
}

export async function warmUntilStable(arm: Arm, options: StabilizeOptions, signal?: AbortSignal): Promise<WarmUp> {
  const started = performance.now();
  const latencies: number[] = [];
  const sent: Array<number | null> = [];
  let requests = 0;
  while (requests < options.maxRequests && performance.now() - started < options.maxMs && !signal?.aborted) {
    const { sample } = await measureRequest(arm.client, arm.request, signal);
    requests++;
    sent.push(sample.ok ? sample.e2eMs : null);
    // A failed request says nothing about speed; the limits still bound how many are sent.
    if (sample.ok) latencies.push(sample.e2eMs);
    if (isStable(latencies, options)) break;
  }
  return {
    requests,
    stable: isStable(latencies, options),
    ms: performance.now() - started,
    // The last whole window's median; with less than a window, all of them.
    medianMs: windowMedians(latencies, options.window).at(-1) ?? (latencies.length > 0 ? quantile(latencies, 0.5) : null),
    e2eMs: sent,
  };
}
