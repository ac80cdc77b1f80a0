/**
 * A randomisation test of a change in a paired (A/B) measurement: what decides whether an A/B change is real.
 *
 * The test follows the design. Each ABBA block was sent in one of two orientations (A B B A or B A A B, drawn at
 * random, run/schedule.ts); under no change (each request would have taken as long had the other arm sent it), the
 * measured values are fixed and only the orientations were random. Flipping a block's orientation swaps all its
 * labels, base for head, so the statistic over every flip of every block is its exact null distribution, whatever
 * the noise did: a neighbour's burst over the middle of a block, which hits one arm twice (B B in A B B A), is as
 * likely to have hit the other. (Relabelling freely within a block, as this test first did, treats the four
 * positions as exchangeable, which such a burst is not: beside a bursty neighbour it called an unchanged case
 * regressed, test/perf/ab-bursty.sh.) The bootstrap's percentile interval does not hold its level either, on a few
 * dozen requests of which a few are spikes (test/perf/gate-power.ts, calibration); a change counts when both agree.
 * With n blocks the smallest p-value is 2^-n: a change needs enough blocks to be told, which adaptive sampling adds.
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
  // Both sides draw from the pooled values: a flip moves a block's values from one side's tally to the other's.
  const pooled = [...base, ...head].map((v) => v.value);
  const baseTally = new Tally(pooled, pooled.length);
  const headTally = new Tally(pooled, pooled.length);
  const ids = [...new Set([...base, ...head].map((v) => v.block))];
  const blocks = ids.map((id) => ({
    base: baseTally.ranks(base.filter((v) => v.block === id).map((v) => v.value)),
    head: baseTally.ranks(head.filter((v) => v.block === id).map((v) => v.value)),
  }));
  const statistic = (flipped: (block: number) => boolean) => {
    tallyBlocks(blocks, baseTally, headTally, flipped);
    return direction * settings.statistic(baseTally.expand(), headTally.expand());
  };
  const observed = statistic(() => false) - 1e-12;
  const draws = Math.min(50_000, Math.ceil(20 / settings.alpha));
  // Few blocks: every flip, an exact p-value (the observed orientation is one of them).
  if (blocks.length <= 30 && 2 ** blocks.length <= draws) {
    let extreme = 0;
    for (let mask = 0; mask < 2 ** blocks.length; mask++) if (statistic((b) => ((mask >>> b) & 1) === 1) >= observed) extreme++;
    return extreme / 2 ** blocks.length;
  }
  // Past this many as-extreme flips the p-value cannot fall below alpha: stop (most unchanged cases here).
  const enough = settings.alpha * (draws + 1) - 1;
  const random = seededRandom(settings.seed);
  let extreme = 0;
  let done = 0;
  for (; done < draws && extreme <= enough; done++) if (statistic(() => random() < 0.5) >= observed) extreme++;
  return (1 + extreme) / (1 + done);
}

/** Tallies each side's ranks, the blocks `flipped` says with their labels swapped. */
function tallyBlocks(
  blocks: readonly { base: Uint32Array; head: Uint32Array }[],
  baseTally: Tally,
  headTally: Tally,
  flipped: (block: number) => boolean,
): void {
  baseTally.clear();
  headTally.clear();
  blocks.forEach((block, b) => {
    const [toBase, toHead] = flipped(b) ? [block.head, block.base] : [block.base, block.head];
    for (const rank of toBase) baseTally.add(rank);
    for (const rank of toHead) headTally.add(rank);
  });
}
