/**
 * A noise model of a small local model on a shared machine, for the gate's tests and its power benchmark
 * (test/perf/gate-power.ts): a request is a TTFT of 30 ms plus 16 gaps of 2 ms, each lognormal; a share of whole
 * requests hit interference; a run's first requests are slower (warm-up); each run drifts as a whole. Arms of a
 * run alternate in randomised ABBA blocks, as the runner sends them.
 */
import { normalFrom, quantileSorted, seededRandom, sortAscending } from '../../harness/evaluate/stats.ts';
import { abbaOrder, blockOf } from '../../harness/run/schedule.ts';
import type { GateSample } from '../../harness/types.ts';

export interface Noise {
  /** Lognormal sigma of the TTFT and of each gap. */
  sigma: number;
  spikes: boolean;
  /** Log-sd of a run's speed. */
  runDrift: number;
  transient: boolean;
}

export const REALISTIC: Noise = { sigma: 0.12, spikes: true, runDrift: 0.05, transient: true };
export const NO_SPIKES: Noise = { ...REALISTIC, spikes: false };
/** The simulated server of the tests: jitter 0.08 per delay, no drift, no spikes. */
export const STEADY: Noise = { sigma: 0.08, spikes: false, runDrift: 0, transient: false };

export type Change = { kind: 'none' } | { kind: 'uniform'; factor: number } | { kind: 'tail'; share: number; factor: number };
export const NONE: Change = { kind: 'none' };
export const UNIFORM: Change = { kind: 'uniform', factor: 1.25 };
export const TAIL: Change = { kind: 'tail', share: 0.1, factor: 1.4 };

/** One request's own latency: TTFT plus 16 gaps, before drift, warm-up and interference. */
function intrinsic(normal: () => number, sigma: number): number {
  let ms = 30 * Math.exp(sigma * normal());
  for (let i = 0; i < 16; i++) ms += 2 * Math.exp(sigma * normal());
  return ms;
}

/** The latency above which a request is among the slowest `share` of them (for the tail-only change). */
const tailThreshold = (() => {
  const cache = new Map<string, number>();
  return (sigma: number, share: number) => {
    const key = `${sigma}:${share}`;
    let threshold = cache.get(key);
    if (threshold === undefined) {
      const normal = normalFrom(seededRandom(0x7a11));
      threshold = quantileSorted(sortAscending(Array.from({ length: 100_000 }, () => intrinsic(normal, sigma))), 1 - share);
      cache.set(key, threshold);
    }
    return threshold;
  };
})();

function changed(ms: number, change: Change, sigma: number): number {
  if (change.kind === 'uniform') return ms * change.factor;
  if (change.kind === 'tail' && ms > tailThreshold(sigma, change.share)) return ms * change.factor;
  return ms;
}

export interface Arm {
  samples: GateSample[];
  blocks: number[];
}

/** One run: `changes.length` arms alternating in randomised ABBA blocks, n timed requests each, after `warmup` untimed ones each. */
export function simulateRun(n: number, changes: readonly Change[], seed: number, noise: Noise, warmup = 2): Arm[] {
  const random = seededRandom(seed);
  const normal = normalFrom(random);
  const drift = Math.exp(noise.runDrift * normal());
  const arms = changes.length;
  const order = abbaOrder(arms, seed);
  const out = changes.map(() => ({ samples: [] as GateSample[], blocks: [] as number[] }));
  const total = (warmup + n) * arms;
  for (let request = 0; request < total; request++) {
    const timed = request >= warmup * arms;
    const position = timed ? request - warmup * arms : request;
    const arm = order(position);
    const transient = noise.transient && request < 10 ? 1 + 0.5 * (1 - request / 10) : 1;
    const spike = noise.spikes && random() < 0.02 ? 3 : 1;
    const latency = changed(intrinsic(normal, noise.sigma), changes[arm] as Change, noise.sigma) * drift * transient * spike;
    if (!timed) continue;
    out[arm]?.samples.push({ ok: true, e2eMs: latency, ttftMs: null, e2eTokPerSec: null });
    out[arm]?.blocks.push(blockOf(position, arms));
  }
  return out;
}
