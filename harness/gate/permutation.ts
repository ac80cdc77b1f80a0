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
import { seededRandom } from '../evaluate/stats.ts';
import { Tally } from './tally.ts';
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
  // Both sides draw from the pooled values: a relabelling moves a value's count from one side's tally to the other's.
  const pooled = [...base, ...head].map((v) => v.value);
  const baseTally = new Tally(pooled, base.length);
  const headTally = new Tally(pooled, head.length);
  const ids = [...new Set([...base, ...head].map((v) => v.block))];
  const blocks = ids.map((id) => {
    const baseRanks = baseTally.ranks(base.filter((v) => v.block === id).map((v) => v.value));
    const headRanks = baseTally.ranks(head.filter((v) => v.block === id).map((v) => v.value));
    return { ranks: Uint32Array.from([...baseRanks, ...headRanks]), nBase: baseRanks.length };
  });
  const statistic = () => direction * settings.statistic(baseTally.expand(), headTally.expand());
  tallyBlocks(blocks, baseTally, headTally, null);
  const observed = statistic();
  const permutations = Math.min(50_000, Math.ceil(20 / settings.alpha));
  // Past this many as-extreme relabellings the p-value cannot fall below alpha: stop (most unchanged cases here).
  const enough = settings.alpha * (permutations + 1) - 1;
  const random = seededRandom(settings.seed);
  let extreme = 0;
  let done = 0;
  for (; done < permutations && extreme <= enough; done++) {
    tallyBlocks(blocks, baseTally, headTally, random);
    if (statistic() >= observed - 1e-12) extreme++;
  }
  return (1 + extreme) / (1 + done);
}

/** Tallies each side's ranks: as measured (`random` null) or relabelled at random within each block. */
function tallyBlocks(blocks: readonly { ranks: Uint32Array; nBase: number }[], baseTally: Tally, headTally: Tally, random: (() => number) | null): void {
  baseTally.clear();
  headTally.clear();
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
    for (let i = 0; i < ranks.length; i++) (i < nBase ? baseTally : headTally).add(ranks[i] as number);
  }
}
