/**
 * Warming a model up until its latency is stable, once before its first
 * case. A model that was just started or loaded answers slowly for a while
 * (on the embedded engine: 78, 86, 190, 173, 142, 111, 91 ms, then about
 * 55 ms); a fixed number of warmup requests either wastes time or leaves the
 * transient in the first case's samples, where a gate reads it as a
 * regression. So requests go on until the median of the last window of
 * requests moved less than the tolerance from the window before, bounded in
 * requests and time. None of them is a sample.
 */
import { quantile } from '../evaluate/stats.ts';
import { measureRequest } from '../measure/request.ts';
import type { Arm } from '../measure/runner.ts';
import type { StabilizeOptions, WarmUp } from '../types.ts';

export const DEFAULT_STABILIZE: StabilizeOptions = { window: 3, tolerance: 0.1, maxRequests: 30, maxMs: 60_000 };

/** The spec's `stabilize` option as settings; null when it is off. */
export function stabilizeOptions(option: boolean | Partial<StabilizeOptions> | undefined): StabilizeOptions | null {
  if (option === false) return null;
  const options = { ...DEFAULT_STABILIZE, ...(typeof option === 'object' ? option : {}) };
  const valid =
    Number.isInteger(options.window) && options.window >= 1 && options.tolerance >= 0 && Number.isInteger(options.maxRequests) && options.maxMs >= 0;
  if (!valid) throw new Error(`option stabilize has an invalid value: ${JSON.stringify(option)}`);
  return options;
}

/** True when the last window's median moved less than the tolerance from the window before it. */
export function isStable(latencies: readonly number[], { window, tolerance }: Pick<StabilizeOptions, 'window' | 'tolerance'>): boolean {
  if (latencies.length < 2 * window) return false;
  const last = quantile(latencies.slice(-window), 0.5);
  const before = quantile(latencies.slice(-2 * window, -window), 0.5);
  return Math.abs(last / before - 1) <= tolerance;
}

export async function warmUntilStable(arm: Arm, options: StabilizeOptions, signal?: AbortSignal): Promise<WarmUp> {
  const started = performance.now();
  const latencies: number[] = [];
  let requests = 0;
  while (requests < options.maxRequests && performance.now() - started < options.maxMs && !signal?.aborted) {
    const { sample } = await measureRequest(arm.client, arm.request, signal);
    requests++;
    // A failed request says nothing about speed; the limits still bound how many are sent.
    if (sample.ok) latencies.push(sample.e2eMs);
    if (isStable(latencies, options)) break;
  }
  const last = latencies.slice(-options.window);
  return {
    requests,
    stable: isStable(latencies, options),
    ms: performance.now() - started,
    medianMs: last.length > 0 ? quantile(last, 0.5) : null,
  };
}
