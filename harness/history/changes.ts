/**
 * Change points in a case's history: steps in its level from one commit on, found over the whole series and then
 * confirmed by the gate itself.
 *
 * 1. **Find** (binary segmentation over a permutation-calibrated CUSUM, as E-Divisive means does it in
 *    Apache Otava/Hunter and MongoDB's signal processing, with the mean-shift statistic of Matteson & James 2014's
 *    alpha = 2 case): each run is one point, the log of its body level (the mean log of its p50..p80, the gate's
 *    shift statistic, which one spiky request does not move). The split that maximises the standardised CUSUM is
 *    significant when fewer than `alpha` of the series' random reorderings reach it; each side is then searched
 *    again. A run's own drift is part of the noise the reorderings see, so a slow day is not a step.
 * 2. **Keep** a split only with at least `minRuns` runs on each side (persistent: one slow run is not a step).
 * 3. **Confirm** by the raw samples, run against run: each run's level is the gate's shift statistic of its own
 *    samples; the runs after (up to `window`, to the next change point) against those before (as many, back to
 *    the previous one) by Welch's interval, so drift between runs is measured, not assumed. A change counts when
 *    its interval excludes no change and its size is beyond the tolerance, as a gate verdict requires.
 */
import { bodyLevel, SHIFT_LABEL } from '../gate/bootstrap.ts';
import { formatPercent } from '../evaluate/numbers.ts';
import { mean, quantile, seededRandom, sortAscending, standardDeviation, studentTQuantile } from '../evaluate/stats.ts';
import type { GatedMetric, HistoryMark, HistoryRecord, Interval } from '../types.ts';
import { seriesKey } from './record.ts';

/** The metrics a history is searched on: the gate's latency metrics. */
export const HISTORY_METRICS = ['e2eP95', 'ttftP95'] as const satisfies readonly GatedMetric[];
export type HistoryMetric = (typeof HISTORY_METRICS)[number];

export interface ChangeOptions {
  /** A change within this relative size is no change (the gate's tolerance). */
  tolerance: number;
  /** Runs a step must last, and precede it. */
  minRuns: number;
  /** Significance of a split: the share of reorderings allowed to reach it. */
  alpha: number;
  /** Reorderings per split tested. */
  permutations: number;
  /** Runs before a split that confirm it (back to the previous change point); after it, up to as many. */
  window: number;
  /** Confidence of the confirming interval. */
  confidence: number;
}

export const DEFAULT_CHANGES: ChangeOptions = { tolerance: 0.1, minRuns: 3, alpha: 0.01, permutations: 199, window: 20, confidence: 0.95 };

/** One run in a series, as a change point names it. */
export interface RunRef {
  gitSha: string | null;
  time: string;
}

export interface ChangePoint {
  case: string;
  testbed: string;
  machine: string;
  metric: HistoryMetric;
  /** The last run before the change and the first after: the change is in the commits between. */
  before: RunRef;
  after: RunRef;
  /** The first run after the change, 0-based in the series. */
  index: number;
  /** Series length. */
  runs: number;
  /** regressed or improved, as the gate judged it. */
  direction: 'regressed' | 'improved';
  /** Size of the shift of the distribution's body (ratio - 1) and its interval, as the gate measured it. */
  size: number;
  ci: Interval;
  /** The metric's own quantile (p95) before and after, ms. */
  from: number | null;
  to: number | null;
  /** The gate's message on the confirming comparison. */
  message: string;
  /** The permutation p-value of the split. */
  p: number;
  /** A mark that says this change was meant; such a change is shown, not raised. */
  intended: HistoryMark | null;
  /** What else changed between the two runs besides the code, when something did: the server's version, the Foundry Local build. */
  alsoChanged: string[];
}

/** Series of one case on one testbed and input, each in push order. */
export function seriesOf(records: readonly HistoryRecord[]): HistoryRecord[][] {
  const series = new Map<string, HistoryRecord[]>();
  for (const record of records) {
    const key = seriesKey(record);
    const list = series.get(key) ?? [];
    list.push(record);
    series.set(key, list);
  }
  return [...series.values()];
}

/** Confirmed change points of every series, oldest first within a series. */
export function findChanges(records: readonly HistoryRecord[], marks: readonly HistoryMark[] = [], options: Partial<ChangeOptions> = {}): ChangePoint[] {
  const settings = { ...DEFAULT_CHANGES, ...options };
  const found: ChangePoint[] = [];
  for (const series of seriesOf(records)) for (const metric of HISTORY_METRICS) found.push(...seriesChanges(series, metric, marks, settings));
  return found;
}

/** The change points of one series and metric. */
export function seriesChanges(series: readonly HistoryRecord[], metric: HistoryMetric, marks: readonly HistoryMark[], options: ChangeOptions): ChangePoint[] {
  const levels = series.map((record) => level(record, metric));
  const usable = levels.flatMap((value, i) => (value === null ? [] : [i]));
  const values = usable.map((i) => levels[i] as number);
  const random = seededRandom(hashSeed(`${seriesKey(series[0] as HistoryRecord)} ${metric}`));
  const splits = segment(values, 0, values.length, options, random)
    .map(({ at, p }) => ({ index: usable[at] as number, p }))
    .sort((a, b) => a.index - b.index);
  const points: ChangePoint[] = [];
  for (const [k, split] of splits.entries()) {
    const start = Math.max(splits[k - 1]?.index ?? 0, split.index - options.window);
    const end = Math.min(splits[k + 1]?.index ?? series.length, split.index + options.window);
    const confirmed = confirm(series.slice(start, split.index), series.slice(split.index, end), metric, options);
    if (!confirmed) continue;
    const before = series[split.index - 1] as HistoryRecord;
    const after = series[split.index] as HistoryRecord;
    points.push({
      case: after.case,
      testbed: after.testbed,
      machine: after.machine,
      metric,
      before: { gitSha: before.gitSha, time: before.time },
      after: { gitSha: after.gitSha, time: after.time },
      index: split.index,
      runs: series.length,
      ...confirmed,
      p: split.p,
      intended: markFor(marks, after),
      alsoChanged: besidesCode(before, after),
    });
  }
  return points;
}

/** A run's level for the search: the log of its body (p50..p80) of the metric's samples; null without samples. */
export function level(record: HistoryRecord, metric: HistoryMetric): number | null {
  const values = (metric === 'e2eP95' ? record.samples.e2eMs : record.samples.ttftMs).filter((v): v is number => v !== null && v > 0);
  return values.length >= 2 ? bodyLevel(sortAscending(values)) : null;
}

/** Binary segmentation: the significant split of [from, to), then each side searched again. */
function segment(values: readonly number[], from: number, to: number, options: ChangeOptions, random: () => number): Array<{ at: number; p: number }> {
  const slice = values.slice(from, to);
  if (slice.length < 2 * options.minRuns) return [];
  const observed = bestSplit(slice, options.minRuns);
  if (observed.statistic <= 0) return [];
  let reached = 0;
  const shuffled = [...slice];
  for (let b = 0; b < options.permutations; b++) {
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j] as number, shuffled[i] as number];
    }
    if (bestSplit(shuffled, options.minRuns).statistic >= observed.statistic) reached++;
  }
  const p = (reached + 1) / (options.permutations + 1);
  if (p > options.alpha) return [];
  const at = from + observed.at;
  return [...segment(values, from, at, options, random), { at, p }, ...segment(values, at, to, options, random)];
}

/**
 * The split maximising the standardised CUSUM |S_k - k/n S_n| / sqrt(k (n - k) / n): the difference of the two
 * sides' means, weighted by how much data each side has (the likelihood-ratio statistic for one shift in a mean).
 */
function bestSplit(values: readonly number[], minRuns: number): { at: number; statistic: number } {
  const n = values.length;
  let total = 0;
  for (const v of values) total += v;
  let sum = 0;
  let best = { at: 0, statistic: 0 };
  for (let k = 1; k < n; k++) {
    sum += values[k - 1] as number;
    if (k < minRuns || n - k < minRuns) continue;
    const statistic = Math.abs(sum - (k / n) * total) / Math.sqrt((k * (n - k)) / n);
    if (statistic > best.statistic) best = { at: k, statistic };
  }
  return best;
}

/**
 * The runs after against the runs before, run by run: each run's level is the gate's shift statistic of its own
 * samples (so its within-run noise and its drift are both in the spread), compared by Welch's t interval on the
 * log levels. A change counts when the interval excludes no change and the estimate is beyond the tolerance, as
 * the gate's verdicts require.
 */
function confirm(
  before: readonly HistoryRecord[],
  after: readonly HistoryRecord[],
  metric: HistoryMetric,
  options: ChangeOptions,
): Pick<ChangePoint, 'direction' | 'size' | 'ci' | 'from' | 'to' | 'message'> | null {
  const a = before.map((r) => level(r, metric)).filter((v): v is number => v !== null);
  const b = after.map((r) => level(r, metric)).filter((v): v is number => v !== null);
  if (a.length < 2 || b.length < 2) return null;
  const diff = mean(b) - mean(a);
  const va = standardDeviation(a) ** 2 / a.length;
  const vb = standardDeviation(b) ** 2 / b.length;
  const se = Math.sqrt(va + vb);
  const df = se === 0 ? 1e6 : (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  const half = studentTQuantile(1 - (1 - options.confidence) / 2, Math.max(1, df)) * se;
  const band = Math.log(1 + options.tolerance);
  const direction = diff > band && diff - half > 0 ? 'regressed' : diff < -band && diff + half < 0 ? 'improved' : null;
  if (!direction) return null;
  const p95 = (runs: readonly HistoryRecord[]) => {
    const values = runs.map((r) => (metric === 'e2eP95' ? r.e2eMs?.p95 : r.ttftMs?.p95)).filter((v): v is number => v !== undefined);
    return values.length > 0 ? quantile(values, 0.5) : null;
  };
  const size = Math.exp(diff) - 1;
  const ci = { lo: Math.exp(diff - half) - 1, hi: Math.exp(diff + half) - 1 };
  const confidence = `${(options.confidence * 100).toFixed(0)}% CI`;
  return {
    direction,
    size,
    ci,
    from: p95(before),
    to: p95(after),
    message: `${SHIFT_LABEL} ${formatPercent(1 + size)} (${confidence} ${formatPercent(1 + ci.lo)} .. ${formatPercent(1 + ci.hi)}), ${b.length} runs after against ${a.length} before`,
  };
}

/** What differs between two runs besides the commit: a step there may be the server's, not the code's. */
function besidesCode(before: HistoryRecord, after: HistoryRecord): string[] {
  const changed: string[] = [];
  if (before.server.version !== after.server.version) changed.push(`server ${before.server.version ?? 'unknown'} -> ${after.server.version ?? 'unknown'}`);
  if (before.variant?.id !== after.variant?.id || before.variant?.executionProvider !== after.variant?.executionProvider) {
    const build = (r: HistoryRecord) => (r.variant ? `${r.variant.id} (${r.variant.executionProvider ?? 'unknown'})` : 'none');
    changed.push(`build ${build(before)} -> ${build(after)}`);
  }
  if (before.profile !== after.profile) changed.push(`profile ${before.profile} -> ${after.profile}`);
  return changed;
}

/** The mark for the run's commit (a mark's sha may be abbreviated), for this case or every case. */
function markFor(marks: readonly HistoryMark[], run: HistoryRecord): HistoryMark | null {
  const sha = run.gitSha;
  if (!sha) return null;
  return marks.find((mark) => sha.startsWith(mark.gitSha) && (mark.case === undefined || mark.case === run.case)) ?? null;
}

function hashSeed(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}
