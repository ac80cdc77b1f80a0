/**
 * A permutation test of a change in a paired (A/B) measurement: what decides whether an A/B change is real.
 *
 * Under no change, base and head requests of one ABBA block are exchangeable, so relabelling them within blocks
 * gives the statistic's null distribution exactly, spikes, warm-up and drift between blocks included: the p-value
 * holds its level whatever the noise. The bootstrap's percentile interval does not, on a few dozen requests of
 * which a few are spikes (a resample's p95 is one of the few largest values; 15 blocks are few to resample):
 * measured under no change at nominal one-sided 2% (body) and 0.5% (p95), it said "slower" in 1.5-4.0% and
 * 0.5-1.5% of trials, the permutation test in at most 0.5% (test/perf/gate-power.ts, calibration).
 */
import { seededRandom, sortAscending } from '../evaluate/stats.ts';
import type { Blocked } from './bootstrap.ts';

export interface PermutationSettings {
  /** The statistic of sorted base and head values, e.g. the log ratio of their p95s. */
  statistic: (base: Float64Array, head: Float64Array) => number;
  /** One-sided level: the test stops as soon as the p-value cannot fall below it. */
  alpha: number;
  seed: number;
}

/**
 * One-sided p-value that head's statistic is this large (`direction` 1) or this small (-1) by chance: the share of
 * within-block relabellings whose statistic is at least as extreme as the observed one.
 */
export function pairedPermutationP(base: readonly Blocked[], head: readonly Blocked[], direction: 1 | -1, settings: PermutationSettings): number {
  const pooled = sortAscending([...base, ...head].map((v) => v.value));
  const rankOf = (value: number) => {
    let lo = 0;
    let hi = pooled.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((pooled[mid] as number) < value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const ids = [...new Set([...base, ...head].map((v) => v.block))];
  const blocks = ids.map((id) => {
    const baseRanks = base.filter((v) => v.block === id).map((v) => rankOf(v.value));
    const headRanks = head.filter((v) => v.block === id).map((v) => rankOf(v.value));
    return { ranks: Uint32Array.from([...baseRanks, ...headRanks]), nBase: baseRanks.length };
  });
  const baseCounts = new Uint32Array(pooled.length);
  const headCounts = new Uint32Array(pooled.length);
  const b = new Float64Array(base.length);
  const h = new Float64Array(head.length);
  const expand = (counts: Uint32Array, into: Float64Array) => {
    let at = 0;
    for (let i = 0; i < counts.length; i++) for (let c = counts[i] as number; c > 0; c--) into[at++] = pooled[i] as number;
    return into;
  };
  const observed = direction * settings.statistic(expand(countsOf(blocks, baseCounts, headCounts, null), b), expand(headCounts, h));
  const permutations = Math.min(50_000, Math.ceil(20 / settings.alpha));
  // Past this many as-extreme relabellings the p-value cannot fall below alpha: stop (most unchanged cases here).
  const enough = settings.alpha * (permutations + 1) - 1;
  const random = seededRandom(settings.seed);
  let extreme = 0;
  let done = 0;
  for (; done < permutations && extreme <= enough; done++) {
    countsOf(blocks, baseCounts, headCounts, random);
    if (direction * settings.statistic(expand(baseCounts, b), expand(headCounts, h)) >= observed - 1e-12) extreme++;
  }
  return (1 + extreme) / (1 + done);
}

/** Fills the counts of each side's ranks: as measured (`random` null) or relabelled at random within each block. */
function countsOf(blocks: readonly { ranks: Uint32Array; nBase: number }[], baseCounts: Uint32Array, headCounts: Uint32Array, random: (() => number) | null) {
  baseCounts.fill(0);
  headCounts.fill(0);
  for (const { ranks, nBase } of blocks) {
    if (random) {
      // Fisher-Yates: the first nBase of a uniformly shuffled block go to the base.
      for (let i = ranks.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        const t = ranks[i] as number;
        ranks[i] = ranks[j] as number;
        ranks[j] = t;
      }
    }
    for (let i = 0; i < ranks.length; i++) {
      const counts = i < nBase ? baseCounts : headCounts;
      const rank = ranks[i] as number;
      counts[rank] = (counts[rank] as number) + 1;
    }
  }
  return baseCounts;
}
