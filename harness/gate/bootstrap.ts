/**
 * The gate's two statistics and their bootstrap intervals.
 *
 * A latency comparison is tested twice, on the same resamples:
 * - the **shift** of the distribution's body: the mean, over the quantiles p50, p55 .. p80, of
 *   log(head q / base q). Seven quantiles share the evidence and none sits in the few slowest requests, so a
 *   spike of interference (or a bootstrap resample that draws it three times) barely moves it, while a slowdown
 *   of the whole distribution moves it fully. Measured on spiky noise (test/perf/gate-power.ts, A/B, 20
 *   requests a side, +25%): p50..p95 detected 68%, p50..p80 97.5%, p25..p75 100%; p50..p80 keeps to the
 *   upper half, where latency complaints live;
 * - the **quantile** itself (p95, p99, median tok/s): the figure people read, and the only one to see a
 *   change of the tail alone.
 * Both are log ratios head/base; intervals are percentile bootstraps of them, each at its own level (in A/B a
 * randomisation test over the blocks' orientations must agree before a change counts, gate/permutation.ts).
 *
 * How a resample is drawn depends on where the base came from:
 * - measured alongside (A/B): whole ABBA blocks, so drift between blocks moves both sides of a resample alike;
 * - stored (a baseline's runs, another results file): each run's samples within that run, plus a between-run
 *   drift term (a normal of the given sd, the same draw for both statistics), because a run measured another
 *   day moves as a whole in a way no within-run resample sees.
 */
import { centralInterval, harrellDavisSorted, normalFrom, quantileSorted, seededRandom, sortAscending } from '../evaluate/stats.ts';
import { Tally } from './tally.ts';
import type { Interval, QuantileEstimator, Verdict } from '../types.ts';

/** The quantiles whose mean log ratio is the body's shift. */
export const SHIFT_QUANTILES = [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8] as const;

/** How messages and reports name the shift. */
export const SHIFT_LABEL = 'p50-p80';

/** Mean log of the shift's quantiles of sorted positive values: the location the shift compares. */
export function bodyLevel(sorted: ArrayLike<number>): number {
  let sum = 0;
  for (const q of SHIFT_QUANTILES) sum += Math.log(Math.max(quantileSorted(sorted, q), Number.MIN_VALUE));
  return sum / SHIFT_QUANTILES.length;
}

/** The two statistics' intervals, as ratios head/base; `shift` is null for a metric tested on its quantile alone. */
export interface ContrastIntervals {
  shift: Interval | null;
  quantile: Interval;
}

export interface BootstrapSettings {
  /** The metric's quantile. */
  q: number;
  /** Also test the body's shift. */
  shift: boolean;
  estimator: QuantileEstimator;
  /** Confidence of each statistic's interval (the run's alpha split between them). */
  levels: { shift: number; quantile: number };
  resamples: number;
  seed: number;
  /** The verdict intervals give: resampling may stop early once no likely error in their ends could change it. */
  decide?: (ci: ContrastIntervals) => Verdict;
}

/** One resample's two log ratios, written to `out[0]` (shift) and `out[1]` (quantile). */
type Draw = (out: Float64Array) => void;

/**
 * Early looks at the bootstrap: after `resamples` draws, the intervals' ends are taken as uncertain by `margin` of
 * their width: about four standard errors of a 2.5% percentile estimated from that many draws, two and a half of
 * a 0.5% one.
 */
const EARLY_LOOKS = [
  { resamples: 100, margin: 1 / 4 },
  { resamples: 400, margin: 1 / 8 },
] as const;

const toRatio = ({ lo, hi }: Interval): Interval => ({ lo: Math.exp(lo), hi: Math.exp(hi) });

/** Log intervals as the ratio intervals a verdict is decided on; the shift's dropped when it is not tested. */
function asRatios(shift: Interval, quantile: Interval, tested: boolean): ContrastIntervals {
  return { shift: tested ? toRatio(shift) : null, quantile: toRatio(quantile) };
}

/** The four intervals with each end of `i` moved by +-margin of its width. */
function moved(i: Interval, margin: number): Interval[] {
  const m = (i.hi - i.lo) * margin;
  return [-m, m].flatMap((a) => [-m, m].map((b) => ({ lo: i.lo + a, hi: i.hi + b })));
}

/**
 * Percentile intervals of `draw()`'s log ratios. At 100 and at 400 resamples, when every pair of intervals within the
 * margin of the ones so far (each end moved either way) gives the same verdict, more resamples cannot change it and
 * resampling stops: a clear case (most, the plainly inconclusive ones included) costs a twentieth or a fifth. The
 * verdict rules are monotone in each end, so the corners bound every interval in between. Same seed, same draws,
 * same answer.
 */
function bootstrap(draw: Draw, settings: BootstrapSettings): ContrastIntervals {
  const n = settings.resamples;
  const shifts = new Float64Array(n);
  const quantiles = new Float64Array(n);
  const out = new Float64Array(2);
  let drawn = 0;
  const drawUntil = (count: number) => {
    for (; drawn < count; drawn++) {
      draw(out);
      shifts[drawn] = out[0] as number;
      quantiles[drawn] = out[1] as number;
    }
  };
  const intervalsOf = (count: number) => ({
    shift: centralInterval(shifts.slice(0, count), settings.levels.shift),
    quantile: centralInterval(quantiles.slice(0, count), settings.levels.quantile),
  });
  const { decide } = settings;
  // Early looks only at the usual levels: a rarer tail (adaptive sampling's looks) needs every resample.
  const looks = decide && Math.max(settings.levels.shift, settings.levels.quantile) <= 0.99 ? EARLY_LOOKS : [];
  for (const look of looks) {
    if (look.resamples >= n) break;
    drawUntil(look.resamples);
    const { shift, quantile } = intervalsOf(drawn);
    const verdict = decide?.(asRatios(shift, quantile, settings.shift));
    const nearShifts = settings.shift ? moved(shift, look.margin) : [shift];
    const nearQuantiles = moved(quantile, look.margin);
    const stable = nearShifts.every((s) => nearQuantiles.every((q) => decide?.(asRatios(s, q, settings.shift)) === verdict));
    if (stable) return asRatios(shift, quantile, settings.shift);
  }
  drawUntil(n);
  const { shift, quantile } = intervalsOf(n);
  return asRatios(shift, quantile, settings.shift);
}

/** The estimator of the metric's quantile, on sorted values. */
export function quantileOf(estimator: QuantileEstimator): (sorted: ArrayLike<number>, q: number) => number {
  return estimator === 'harrell-davis' ? harrellDavisSorted : quantileSorted;
}

/** The two statistics of sorted base and head values, each a log ratio head/base (> 0: head slower). */
export interface LogRatios {
  /** The body's shift: mean log ratio of the SHIFT_QUANTILES. */
  shift(base: Float64Array, head: Float64Array): number;
  /** The metric's quantile, by the estimator. */
  quantile(base: Float64Array, head: Float64Array): number;
}

/** The statistics the gate tests, for a metric's quantile and estimator: one definition for the bootstrap and the permutation test. */
export function logRatios(settings: Pick<BootstrapSettings, 'q' | 'estimator'>): LogRatios {
  const est = quantileOf(settings.estimator);
  const floor = Number.MIN_VALUE;
  return {
    shift: (base, head) => bodyLevel(head) - bodyLevel(base),
    quantile: (base, head) => Math.log(Math.max(est(head, settings.q), floor) / Math.max(est(base, settings.q), floor)),
  };
}

/** Writes the log ratios of sorted base and head values into `out`, each moved by `offset` (a drift draw). */
function contrast(
  settings: Pick<BootstrapSettings, 'q' | 'shift' | 'estimator'>,
): (base: Float64Array, head: Float64Array, out: Float64Array, offset: number) => void {
  const ratios = logRatios(settings);
  return (base, head, out, offset) => {
    out[0] = settings.shift ? ratios.shift(base, head) + offset : 0;
    out[1] = ratios.quantile(base, head) + offset;
  };
}

/** The two statistics' point values (log ratios) on the whole samples. */
export function pointContrast(
  base: readonly number[],
  head: readonly number[],
  settings: Pick<BootstrapSettings, 'q' | 'shift' | 'estimator'>,
): { shift: number; quantile: number } {
  const out = new Float64Array(2);
  contrast(settings)(sortAscending(base), sortAscending(head), out, 0);
  return { shift: out[0] as number, quantile: out[1] as number };
}

/** A value with the block its request was sent in. */
export interface Blocked {
  value: number;
  block: number;
}

/**
 * Block-bootstrap intervals for a paired measurement: whole blocks are resampled, each with its base and head
 * requests together. Drift between blocks (load, heat, warm-up) then moves both sides of a resample alike instead of
 * widening the interval, and drift within a block cancels in the ABBA order.
 */
export function pairedIntervals(base: readonly Blocked[], head: readonly Blocked[], settings: BootstrapSettings): ContrastIntervals {
  const ids = [...new Set([...base, ...head].map((v) => v.block))];
  const capacity = (side: readonly Blocked[]) => {
    const perBlock = new Map<number, number>();
    for (const v of side) perBlock.set(v.block, (perBlock.get(v.block) ?? 0) + 1);
    return Math.max(0, ...perBlock.values()) * ids.length;
  };
  const baseTally = new Tally(
    base.map((v) => v.value),
    capacity(base),
  );
  const headTally = new Tally(
    head.map((v) => v.value),
    capacity(head),
  );
  const baseRanks = baseTally.ranks(base.map((v) => v.value));
  const headRanks = headTally.ranks(head.map((v) => v.value));
  const blocks = ids.map((id) => ({
    base: base.flatMap((v, i) => (v.block === id ? [baseRanks[i] as number] : [])),
    head: head.flatMap((v, i) => (v.block === id ? [headRanks[i] as number] : [])),
  }));
  const random = seededRandom(settings.seed);
  const write = contrast(settings);
  return bootstrap((out) => {
    baseTally.clear();
    headTally.clear();
    for (let i = 0; i < blocks.length; i++) {
      const drawn = blocks[Math.floor(random() * blocks.length)] as { base: number[]; head: number[] };
      for (const rank of drawn.base) baseTally.add(rank);
      for (const rank of drawn.head) headTally.add(rank);
    }
    // A resample that drew no successful request on one side carries no ratio: count it as no change.
    if (baseTally.empty || headTally.empty) out.fill(0);
    else write(baseTally.expand(), headTally.expand(), out, 0);
  }, settings);
}

/**
 * Intervals against stored runs: each resample draws every stored run's samples within that run and the head's,
 * then adds a drift draw to both log ratios: the head is one more run, and the base's runs average to a level
 * known to within drift/sqrt(k), so the log ratio gains a normal term of variance drift^2 (1 + 1/k).
 */
export function storedIntervals(
  baseRuns: readonly (readonly number[])[],
  head: readonly number[],
  drift: number,
  settings: BootstrapSettings,
): ContrastIntervals {
  const random = seededRandom(settings.seed);
  const normal = normalFrom(seededRandom(settings.seed ^ 0x9e3779b9));
  const runs = baseRuns.filter((r) => r.length > 0);
  const all = runs.flat();
  const baseTally = new Tally(all, all.length);
  const headTally = new Tally(head, head.length);
  const runRanks = runs.map((run) => baseTally.ranks(run));
  const headRanks = headTally.ranks(head);
  const driftSd = drift * Math.sqrt(1 + 1 / Math.max(1, runs.length));
  const write = contrast(settings);
  return bootstrap((out) => {
    baseTally.clear();
    headTally.clear();
    for (const ranks of runRanks) for (let i = 0; i < ranks.length; i++) baseTally.add(ranks[(random() * ranks.length) | 0] as number);
    for (let i = 0; i < headRanks.length; i++) headTally.add(headRanks[(random() * headRanks.length) | 0] as number);
    write(baseTally.expand(), headTally.expand(), out, driftSd * normal());
  }, settings);
}

/**
 * How many stored runs the drift prior counts as: with one stored run the assumed drift is all there is; with
 * k runs the prior weighs 1 / (4 (k - 1)) against the runs' own spread, so a few runs mostly speak for themselves.
 * Measured (test/perf/gate-power.ts noise, 30 requests, 5 stored runs, real drift 0.05): a weight of 0.5 detected
 * +25% in 64% of trials, 0.25 in 80%, 0.1 in 87%, the last with the first false alarms (0.7%); with real drift
 * 0.2 all three raised 1.7-2.3%, within the 2.5% a 95% two-sided test allows.
 */
const DRIFT_PRIOR_RUNS = 0.25;

/** Resamples per run to estimate how much of the runs' spread their own sampling explains. */
const WITHIN_RUN_RESAMPLES = 200;

/**
 * Between-run drift of a stored reference, as a log-sd: the assumed `prior`, pooled with the spread of the runs'
 * upper-half levels (the shift statistic's location) once more than one run is stored, less the part of that
 * spread each run's own sampling explains (a seeded bootstrap of its level).
 */
export function runDrift(runs: readonly (readonly number[])[], prior: number): number {
  const usable = runs.filter((r) => r.length >= 2);
  const k = usable.length;
  if (k < 2) return prior;
  const random = seededRandom(0xd21f7);
  let withinRun = 0;
  const levels = usable.map((run) => {
    const values = Float64Array.from(run);
    const level = bodyLevel(sortAscending(values));
    const resample = new Float64Array(values.length);
    let squares = 0;
    for (let r = 0; r < WITHIN_RUN_RESAMPLES; r++) {
      for (let i = 0; i < values.length; i++) resample[i] = values[(random() * values.length) | 0] as number;
      squares += (bodyLevel(resample.sort()) - level) ** 2;
    }
    withinRun += squares / WITHIN_RUN_RESAMPLES / k;
    return level;
  });
  const mean = levels.reduce((a, b) => a + b, 0) / k;
  const spread = levels.reduce((a, b) => a + (b - mean) ** 2, 0) / (k - 1);
  const observed = Math.max(0, spread - withinRun);
  return Math.sqrt((DRIFT_PRIOR_RUNS * prior ** 2 + (k - 1) * observed) / (DRIFT_PRIOR_RUNS + k - 1));
}
