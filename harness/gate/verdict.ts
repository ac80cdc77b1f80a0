/**
 * The regression gate: compares a case's samples with its reference's and
 * decides, per gated metric, whether latency really changed.
 *
 * A latency metric (p95, p99) is tested twice on the same bootstrap resamples
 * (gate/bootstrap.ts), the run's alpha split between the two tests:
 * - the shift of the distribution's body (the mean log ratio of p50 .. p80), which a
 *   few slow requests barely move and a slowdown of the whole distribution moves fully;
 * - the quantile itself, the figure every report shows, for a change of the tail alone
 *   (paired: a randomisation test over the ABBA blocks' orientations must agree, gate/permutation.ts).
 * Then:
 * - `not-gated`    fewer than `minSamples` successful samples on a side;
 * - `regressed`    either statistic is worse than the band allows (the tolerance, or the noise floor
 *                  where that is wider) and its CI lies wholly on the worse side of 1;
 * - `improved`     the mirror image, the other statistic not worse beyond its band;
 * - `unchanged`    the shift's whole CI lies inside the band (equivalence), and the quantile moved less than it;
 * - `inconclusive` anything else: the CIs are too wide to tell;
 * - `new`          no reference.
 * The seed is fixed, so the same samples always give the same verdict.
 */
import { formatMs, formatPercent } from '../evaluate/numbers.ts';
import { sortAscending } from '../evaluate/stats.ts';
import {
  type Blocked,
  bodyLevel,
  type ContrastIntervals,
  type LogRatios,
  logRatios,
  pairedIntervals,
  pointContrast,
  quantileOf,
  runDrift,
  SHIFT_LABEL,
  storedIntervals,
} from './bootstrap.ts';
import { pairedPermutationP } from './permutation.ts';
import { adaptivePlan } from './sequential.ts';
import type {
  AdaptiveOptions,
  DecidedBy,
  FailOn,
  GatedMetric,
  GateSample,
  Interval,
  MetricVerdict,
  QuantileEstimator,
  RegressionOptions,
  Verdict,
} from '../types.ts';

interface MetricDefinition {
  label: string;
  unit: 'ms' | 'tok/s';
  quantile: number;
  /** Throughput: a smaller value is the regression. */
  higherIsBetter: boolean;
  /** Also test the body's shift (latency); a median of throughput is robust on its own. */
  shift: boolean;
  values(samples: readonly GateSample[]): number[];
}

const okValues = (samples: readonly GateSample[], pick: (s: GateSample) => number | null) =>
  samples
    .filter((s) => s.ok)
    .map(pick)
    .filter((v): v is number => v !== null);

export const METRICS: Record<GatedMetric, MetricDefinition> = {
  e2eP95: { label: 'e2e p95', unit: 'ms', quantile: 0.95, higherIsBetter: false, shift: true, values: (s) => okValues(s, (x) => x.e2eMs) },
  e2eP99: { label: 'e2e p99', unit: 'ms', quantile: 0.99, higherIsBetter: false, shift: true, values: (s) => okValues(s, (x) => x.e2eMs) },
  ttftP95: { label: 'TTFT p95', unit: 'ms', quantile: 0.95, higherIsBetter: false, shift: true, values: (s) => okValues(s, (x) => x.ttftMs) },
  tokensPerSec: { label: 'median tok/s', unit: 'tok/s', quantile: 0.5, higherIsBetter: true, shift: false, values: (s) => okValues(s, (x) => x.e2eTokPerSec) },
};

export interface GateOptions {
  /** Metrics to gate. Default `['e2eP95']`. */
  metrics: GatedMetric[];
  /** Allowed relative change before a change counts, e.g. 0.10 for 10%. */
  tolerance: number;
  /** Absolute changes below this many ms are ignored (ms metrics only). */
  noiseFloorMs: number;
  /** Which verdict fails a case: `regressed` (default) or also `inconclusive`. */
  failOn: FailOn;
  /** Quantile estimator for the gate. `linear` (default) is the one every report shows. */
  estimator: QuantileEstimator;
  /** Fewer successful samples than this on a side: `not-gated`. */
  minSamples: number;
  /** A changed input is replayed alongside (`replay`), compared with the stored runs (`compare`) or made new (`new`). */
  onInputChange: 'replay' | 'compare' | 'new';
  /** Between-run drift assumed for a stored reference (log-sd of a run's speed). */
  drift: number;
  /** `regression.adaptive` as given: unset is on for A/B, off against stored runs (gate/sequential.ts). */
  adaptive: boolean | AdaptiveOptions | undefined;
  confidence: number;
  resamples: number;
  seed: number;
}

export const DEFAULT_GATE: GateOptions = {
  metrics: ['e2eP95'],
  tolerance: 0.1,
  noiseFloorMs: 1,
  failOn: 'regressed',
  estimator: 'linear',
  minSamples: 20,
  onInputChange: 'replay',
  drift: 0.2,
  adaptive: undefined,
  confidence: 0.95,
  resamples: 2000,
  seed: 0x5eed,
};

const SEVERITY: Record<Verdict, number> = { regressed: 5, inconclusive: 4, improved: 3, 'not-gated': 2, unchanged: 1, new: 0 };

/**
 * The share of alpha the body's shift is tested at; the quantile gets the rest. The shift carries most
 * verdicts (a slowdown of the whole distribution); the quantile's test stays for a change of the tail alone, and
 * for the figure people read. By the union bound the two together keep the false-alarm rate at alpha.
 */
export const SHIFT_SHARE = 0.8;

/**
 * The gate's options for one of `cases` gated cases of a run: the run's alpha shared among them (Bonferroni). A pull
 * request fails when any case regresses, so the false-alarm rate that matters is the run's: at 5% a case, a run of 9
 * unchanged cases would fail up to one time in five (beside a bursty neighbour it failed one run in six).
 */
export function forRun(options: GateOptions, cases: number): GateOptions {
  const m = Math.max(1, Math.floor(cases));
  return m === 1 ? options : { ...options, confidence: 1 - (1 - options.confidence) / m };
}

/** Each statistic's confidence at an overall confidence: the shift tested at its share of alpha, the quantile at the rest. */
export function splitLevels(confidence: number, shift: boolean): { shift: number; quantile: number } {
  const alpha = 1 - confidence;
  return shift ? { shift: 1 - alpha * SHIFT_SHARE, quantile: 1 - alpha * (1 - SHIFT_SHARE) } : { shift: confidence, quantile: confidence };
}

/**
 * The options at another confidence (a look of adaptive sampling); rarer tails need more resamples to place a
 * percentile: about 5 beyond each end of the rarer of the two intervals (a paired change must also pass the
 * permutation test, which sizes itself).
 */
export function atConfidence(options: GateOptions, confidence: number): GateOptions {
  const alpha = (1 - confidence) * Math.min(SHIFT_SHARE, 1 - SHIFT_SHARE);
  const resamples = alpha > 0 ? Math.min(20_000, Math.max(options.resamples, Math.ceil(10 / alpha))) : options.resamples;
  return { ...options, confidence, resamples };
}

/** The verdict of a case: its most severe metric verdict. */
export function worstVerdict(verdicts: readonly Verdict[]): Verdict {
  return verdicts.reduce<Verdict>((worst, v) => (SEVERITY[v] > SEVERITY[worst] ? v : worst), 'new');
}

export function failsGate(verdict: Verdict, failOn: GateOptions['failOn']): boolean {
  return verdict === 'regressed' || (failOn === 'inconclusive' && verdict === 'inconclusive');
}

/**
 * One statistic's verdict. `point` and `ci` are ratios oriented so that > 1 is worse; `band` is how far a change
 * may go before it counts (the tolerance, or the noise floor where that is wider).
 * - regressed: beyond the band and significant: the CI lies wholly on the worse side of 1 and, where `significant`
 *   is given (A/B: a randomisation test over the blocks' orientations, exact where the interval is not), that
 *   test agrees; so a report never shows a regression whose interval includes no change;
 * - improved: the mirror image;
 * - unchanged: the whole CI inside the band (equivalence: a CI that merely includes 1 is not enough);
 * - inconclusive: anything else.
 */
function judge(point: number, ci: Interval, band: number, significant?: Significance): Verdict {
  if (point > band && ci.lo > 1 && (significant?.worse ?? true)) return 'regressed';
  if (point < 1 / band && ci.hi < 1 && (significant?.better ?? true)) return 'improved';
  if (ci.lo >= 1 / band && ci.hi <= band) return 'unchanged';
  return 'inconclusive';
}

/** Both statistics' verdicts combined, and which one decided. */
function combine(
  shift: { verdict: Verdict; point: number; band: number } | null,
  quantile: { verdict: Verdict; point: number; band: number },
): { verdict: Verdict; decidedBy: DecidedBy } {
  if (!shift) return { verdict: quantile.verdict, decidedBy: 'quantile' };
  const within = (s: { point: number; band: number }) => s.point <= s.band && s.point >= 1 / s.band;
  if (shift.verdict === 'regressed') return { verdict: 'regressed', decidedBy: 'shift' };
  if (quantile.verdict === 'regressed') return { verdict: 'regressed', decidedBy: 'quantile' };
  // An improvement of one statistic counts when the other did not get worse beyond its band.
  if (shift.verdict === 'improved' && quantile.point <= quantile.band) return { verdict: 'improved', decidedBy: 'shift' };
  if (quantile.verdict === 'improved' && shift.point <= shift.band) return { verdict: 'improved', decidedBy: 'quantile' };
  // Unchanged: the body is shown equivalent and the quantile did not move beyond its band (if it did, only
  // more requests can tell a tail change from a spike: inconclusive, so adaptive sampling adds them).
  if (shift.verdict === 'unchanged' && within(quantile)) return { verdict: 'unchanged', decidedBy: 'shift' };
  return { verdict: 'inconclusive', decidedBy: quantile.verdict === 'inconclusive' && shift.verdict !== 'inconclusive' ? 'quantile' : 'shift' };
}

const fmt = (value: number, unit: string) => (unit === 'ms' ? `${formatMs(value)} ms` : `${value.toFixed(1)} ${unit}`);

/** The metric's values of the successful samples, each with its block. */
function blockedValues(def: MetricDefinition, samples: readonly GateSample[], blocks: readonly number[]): Blocked[] {
  return samples.flatMap((sample, i) => def.values([sample]).map((value) => ({ value, block: blocks[i] ?? i })));
}

/**
 * Which block of a paired measurement each sample was sent in, aligned with the samples (failed ones included).
 * Requests of one block were sent close together, base and head interleaved (see run/schedule.ts).
 */
export interface Pairing {
  baseBlocks: readonly number[];
  headBlocks: readonly number[];
}

/** The base side of a comparison. */
export interface BaseSide {
  /**
   * Its runs' samples, newest first: one run for another results file or an A/B base, up to `--baseline-runs`
   * for a stored baseline.
   */
  runs: readonly (readonly GateSample[])[];
  /** Set when the base was measured alongside the case in interleaved blocks (A/B): no between-run drift then. */
  pairing?: Pairing | undefined;
  /** What the stored runs are, in words, when known ("the last 12 runs on this machine since a1b2c3d"). */
  basis?: string | undefined;
}

/** A ratio oriented so that > 1 is worse, for a metric where higher may be better. */
const orient = (def: MetricDefinition) => (r: number) => (def.higherIsBetter ? 1 / r : r);
const orientInterval = (def: MetricDefinition) => (ci: Interval) => (def.higherIsBetter ? { lo: 1 / ci.hi, hi: 1 / ci.lo } : ci);

/** Compares one metric of a case with its reference: stored runs, or a paired base measured alongside. */
export function compareMetric(
  metric: GatedMetric,
  baseSide: BaseSide | null,
  headSamples: readonly GateSample[],
  options: GateOptions = DEFAULT_GATE,
): MetricVerdict {
  const def = METRICS[metric];
  const head = def.values(headSamples);
  const baseRuns = (baseSide?.runs ?? []).map((run) => def.values(run));
  const base = baseRuns.flat();
  const est = quantileOf(options.estimator);
  const headValue = head.length > 0 ? est(sortAscending(head), def.quantile) : null;
  const result: MetricVerdict = {
    metric,
    verdict: 'new',
    base: null,
    head: headValue,
    ratio: null,
    ci: null,
    baseSamples: base.length,
    headSamples: head.length,
    message: '',
  };
  if (base.length === 0) {
    result.message = `${def.label}: no baseline samples`;
    return result;
  }
  result.base = est(sortAscending(base), def.quantile);
  const minimum = Math.max(2, options.minSamples);
  if (head.length < minimum || base.length < minimum || headValue === null) {
    result.verdict = 'not-gated';
    result.message = `${def.label}: not gated: too few samples (base ${base.length}, head ${head.length}; the gate needs ${minimum} successful samples a side)`;
    return result;
  }
  const pairing = baseSide?.pairing;
  const tested = def.shift;
  const settings = { q: def.quantile, shift: tested, estimator: options.estimator };
  const point = pointContrast(base, head, settings);
  const ratio = Math.exp(point.quantile);
  const shiftRatio = Math.exp(point.shift);
  // A change smaller than the noise floor (ms) is no change: the band widens to it where the floor is the wider.
  const bandAt = (level: number) => Math.max(1 + options.tolerance, def.unit === 'ms' && level > 0 ? 1 + options.noiseFloorMs / level : 0);
  const quantileBand = bandAt(result.base);
  const shiftBand = bandAt(Math.exp(bodyLevel(sortAscending(base))));
  const worse = orient(def);
  const worseCI = orientInterval(def);
  const levels = splitLevels(options.confidence, tested);
  const sides = pairing
    ? { base: blockedValues(def, baseSide?.runs[0] ?? [], pairing.baseBlocks), head: blockedValues(def, headSamples, pairing.headBlocks) }
    : null;
  // Paired, a change is significant when its interval excludes no change and a randomisation test over the blocks'
  // orientations agrees: the test is exact under no change, spikes and bursts and all, where the bootstrap interval
  // on a few dozen spiky requests does not hold its level (measured in test/perf/gate-power.ts, calibration).
  const ratios = logRatios(settings);
  const oneSided = (level: number) => (1 - level) / 2;
  const significance = (statistic: LogRatios['shift'], point: number, band: number, level: number): Significance | undefined =>
    sides ? pairedSignificance(statistic, def, sides, point, band, oneSided(level), options.seed) : undefined;
  const quantileSignificant = significance(ratios.quantile, worse(ratio), quantileBand, levels.quantile);
  const shiftSignificant = tested ? significance(ratios.shift, shiftRatio, shiftBand, levels.shift) : undefined;
  const decisionOf = (ci: ContrastIntervals) =>
    combine(tested && ci.shift ? { verdict: judge(shiftRatio, ci.shift, shiftBand, shiftSignificant), point: shiftRatio, band: shiftBand } : null, {
      verdict: judge(worse(ratio), worseCI(ci.quantile), quantileBand, quantileSignificant),
      point: worse(ratio),
      band: quantileBand,
    });
  const bootstrapSettings = {
    ...settings,
    levels,
    resamples: options.resamples,
    seed: options.seed,
    decide: (ci: ContrastIntervals) => decisionOf(ci).verdict,
  };
  const drift = pairing ? null : runDrift(baseRuns, options.drift);
  const intervals = sides ? pairedIntervals(sides.base, sides.head, bootstrapSettings) : storedIntervals(baseRuns, head, drift ?? 0, bootstrapSettings);
  const decision = decisionOf(intervals);
  result.ratio = ratio;
  result.ci = intervals.quantile;
  result.verdict = decision.verdict;
  result.decidedBy = decision.decidedBy;
  if (intervals.shift) result.shift = { ratio: shiftRatio, ci: intervals.shift };
  const main = intervals.shift ?? intervals.quantile;
  // What this comparison can tell from noise: a change must clear half its interval's width (log scale) and the band.
  result.detectable = Math.max(tested ? shiftBand : quantileBand, Math.exp(Math.log(main.hi / main.lo) / 2)) - 1;
  const band = decision.decidedBy === 'shift' ? shiftBand : quantileBand;
  const said = metricMessage(def, result, { options, pairing, drift, runs: baseRuns.filter((r) => r.length > 0).length, band, basis: baseSide?.basis });
  result.message = said.message;
  result.reason = said.reason;
  return result;
}

/** A paired statistic's significance each way: whether its change beyond the band would not be chance. */
type Significance = { worse: boolean; better: boolean };

/**
 * Whether a paired change beyond the band is significant at one-sided `alpha`, each way, by flipping the blocks'
 * orientations (gate/permutation.ts). `statistic` is a log ratio head/base of sorted values, `worse` the
 * point ratio oriented so that > 1 is worse. Within the band nothing is tested: no verdict needs it.
 */
function pairedSignificance(
  statistic: (base: Float64Array, head: Float64Array) => number,
  def: MetricDefinition,
  sides: { base: readonly Blocked[]; head: readonly Blocked[] },
  worse: number,
  band: number,
  alpha: number,
  seed: number,
): Significance {
  // Oriented: for throughput a smaller value is worse.
  const up: 1 | -1 = def.higherIsBetter ? -1 : 1;
  const test = (direction: 1 | -1) => pairedPermutationP(sides.base, sides.head, direction, { statistic, alpha, seed }) < alpha;
  return { worse: worse > band && test(up), better: worse < 1 / band && test(up === 1 ? -1 : 1) };
}

/** A confidence level as a percentage with as many decimals as it takes not to read 100: 99, 99.8, 99.996. */
export function levelPercent(level: number): string {
  let decimals = 1;
  while (decimals < 6 && Number((level * 100).toFixed(decimals)) >= 100) decimals++;
  return String(Number((level * 100).toFixed(decimals)));
}

/** The line a person reads (the quantile's change with its CI, the body's shift, the verdict and its reason), and the reason alone. */
function metricMessage(
  def: MetricDefinition,
  m: MetricVerdict,
  context: { options: GateOptions; pairing: Pairing | undefined; drift: number | null; runs: number; band: number; basis?: string | undefined },
): { message: string; reason: string } {
  const { options, pairing, drift, runs } = context;
  // Drift is learned from two stored runs or more; with one it is assumed, whatever the runs are called.
  const stored = runs > 1 ? (context.basis ?? `${runs} stored runs`) : null;
  const levels = splitLevels(options.confidence, m.shift !== undefined);
  const pct = (level: number) => `${levelPercent(level)}% CI`;
  const range = (ci: Interval) => `${formatPercent(ci.lo)} .. ${formatPercent(ci.hi)}`;
  const basis = pairing
    ? `paired over ${new Set(pairing.headBlocks).size} blocks`
    : `run-to-run drift ±${((drift ?? 0) * 100).toFixed(0)}% ${stored ? `from ${stored}` : `assumed (1 stored run${context.basis ? `: ${context.basis}` : ''})`}`;
  const quantile = `${fmt(m.base ?? 0, def.unit)} -> ${fmt(m.head ?? 0, def.unit)} (${formatPercent(m.ratio ?? 1)}, ${pct(levels.quantile)} ${range(m.ci ?? { lo: 1, hi: 1 })})`;
  const shift = m.shift ? `; ${SHIFT_LABEL} ${formatPercent(m.shift.ratio)} (${pct(levels.shift)} ${range(m.shift.ci)})` : '';
  const band = `${((context.band - 1) * 100).toFixed(0)}%`;
  const tolerance = context.band > 1 + options.tolerance + 1e-9 ? `${band} band (the ${options.noiseFloorMs} ms noise floor)` : `tolerance ${band}`;
  const name = m.decidedBy === 'shift' && m.shift ? SHIFT_LABEL : (def.label.split(' ').at(-1) ?? def.label);
  const more = `rerun with more iterations${pairing ? '' : ', or compare A/B (--base-replay)'}`;
  const quantileName = def.label.split(' ').at(-1);
  const reasons: Partial<Record<Verdict, string>> = {
    regressed: `${name} moved beyond the ${tolerance}, and the change is significant`,
    improved: `${name} moved beyond the ${tolerance}, and the change is significant`,
    unchanged: m.shift ? `the ${SHIFT_LABEL} CI lies within the ${tolerance}, and ${quantileName} moved less than that` : `the CI lies within the ${tolerance}`,
    inconclusive:
      m.decidedBy === 'quantile' && m.shift
        ? `${name} moved beyond the ${tolerance}, not significantly, and ${SHIFT_LABEL} does not settle it: only more requests can tell a tail change from a spike: ${more}`
        : `the ${name} CI reaches beyond the ${tolerance}, so neither a change nor its absence can be claimed: ${more}`,
  };
  return { message: `${def.label} ${quantile}${shift}; ${basis}: ${m.verdict}: ${reasons[m.verdict] ?? ''}`, reason: reasons[m.verdict] ?? '' };
}

export interface CaseComparison {
  verdict: Verdict;
  metrics: MetricVerdict[];
}

export function compareCase(baseSide: BaseSide | null, headSamples: readonly GateSample[], options: GateOptions = DEFAULT_GATE): CaseComparison {
  const metrics = options.metrics.map((metric) => compareMetric(metric, baseSide, headSamples, options));
  return { verdict: worstVerdict(metrics.map((m) => m.verdict)), metrics };
}

const METRIC_ALIASES: Record<string, GatedMetric> = {
  p95: 'e2eP95',
  p99: 'e2eP99',
  e2eP95: 'e2eP95',
  e2eP99: 'e2eP99',
  ttftP95: 'ttftP95',
  tokensPerSec: 'tokensPerSec',
};

/**
 * Gate options, validated: the spec's `regression` block, else the run's
 * `--fail-on` (for failOn), else the config file's `regression`, else the defaults.
 */
export function gateOptions(spec: RegressionOptions = {}, runFailOn: FailOn | null = null, config: RegressionOptions = {}): GateOptions {
  const regression: RegressionOptions = { ...config, ...(runFailOn ? { failOn: runFailOn } : {}), ...spec };
  const requested = regression.metric === undefined ? DEFAULT_GATE.metrics : Array.isArray(regression.metric) ? regression.metric : [regression.metric];
  const metrics = requested.map((name) => {
    const metric = METRIC_ALIASES[name];
    if (!metric) throw new Error(`regression.metric "${name}" is not one of ${Object.keys(METRIC_ALIASES).join(', ')}`);
    return metric;
  });
  const options: GateOptions = {
    ...DEFAULT_GATE,
    metrics: [...new Set(metrics)],
    tolerance: regression.tolerance ?? DEFAULT_GATE.tolerance,
    noiseFloorMs: regression.noiseFloorMs ?? DEFAULT_GATE.noiseFloorMs,
    failOn: regression.failOn ?? DEFAULT_GATE.failOn,
    estimator: regression.estimator ?? DEFAULT_GATE.estimator,
    minSamples: regression.minSamples ?? DEFAULT_GATE.minSamples,
    onInputChange: regression.onInputChange ?? DEFAULT_GATE.onInputChange,
    drift: regression.drift ?? DEFAULT_GATE.drift,
    adaptive: regression.adaptive,
  };
  if (!(options.tolerance >= 0 && options.tolerance < 10)) throw new Error(`regression.tolerance must be between 0 and 10, got ${options.tolerance}`);
  if (!(options.noiseFloorMs >= 0)) throw new Error(`regression.noiseFloorMs must be >= 0, got ${options.noiseFloorMs}`);
  if (!['regressed', 'inconclusive'].includes(options.failOn)) {
    throw new Error(`regression.failOn must be "regressed" or "inconclusive", got "${options.failOn}"`);
  }
  if (!['linear', 'harrell-davis'].includes(options.estimator)) throw new Error(`regression.estimator must be "linear" or "harrell-davis"`);
  if (!(Number.isInteger(options.minSamples) && options.minSamples >= 2))
    throw new Error(`regression.minSamples must be an integer >= 2, got ${options.minSamples}`);
  if (!['replay', 'compare', 'new'].includes(options.onInputChange))
    throw new Error(`regression.onInputChange must be "replay", "compare" or "new", got "${options.onInputChange}"`);
  if (!(options.drift >= 0 && options.drift < 2)) throw new Error(`regression.drift must be between 0 and 2, got ${options.drift}`);
  adaptivePlan(options.adaptive, true, 0); // throws on a bad budget
  return options;
}
