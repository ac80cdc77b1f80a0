/** Latency samples with multiplicative lognormal noise, for tests and the gate's power benchmark. */
import { normalFrom, seededRandom } from '../../harness/evaluate/stats.ts';

/** n latencies of `median` ms, each multiplied by exp(sigma * Z), from a seeded stream. */
export function lognormalLatencies(n: number, median: number, sigma: number, seed: number): number[] {
  const normal = normalFrom(seededRandom(seed));
  return Array.from({ length: n }, () => median * Math.exp(sigma * normal()));
}
