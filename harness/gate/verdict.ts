/**
 * The regression gate: compares a case's samples with its reference's and
 * decides, per gated metric, whether latency really changed.
 *
 * For each metric the statistic (e.g. p95 of e2e) is estimated on both sides
 * and their ratio head/base is taken, with a confidence interval from a seeded
 * bootstrap. How the bootstrap resamples depends on where the base came from:
 * - measured alongside (A/B): whole ABBA blocks, so drift hits both sides alike;
 * - stored (a baseline's runs, another results file): each run's samples within
 *   that run, plus a between-run drift term, because a run measured another day
 *   moves as a whole (load, heat, other jobs) in a way no within-run resample sees.
 * Then:
 * - `not-gated`    fewer than `minSamples` successful samples on a side;
 * - `regressed`    the ratio is worse than the tolerance allows and the CI lies wholly on the worse side of 1;
 * - `improved`     the mirror image;
 * - `unchanged`    the whole CI lies inside the tolerance band (equivalence), or the change is smaller than the
 *                  noise floor (ms);
 * - `inconclusive` anything else: the CI is too wide to tell;
 * - `new`          no reference.
 * The seed is fixed, so the same samples always give the same verdict.
 */
import { formatMs, formatPercent } from '../evaluate/numbers.ts';
import { centralInterval, harrellDavisSorted, normalFrom, quantileSorted, quantileUnsorted, seededRandom, sortAscending } from '../evaluate/stats.ts';
import { adaptivePlan } from './sequential.ts';
import type { AdaptiveOptions, FailOn, GatedMetric, GateSample, Interval, MetricVerdict, QuantileEstimator, RegressionOptions, Verdict } from '../types.ts';

interface MetricDefinition {
  label: string;
  unit: 'ms' | 'tok/s';
  quantile: number;
  /** Throughput: a smaller value is the regression. */
  higherIsBetter: boolean;
  values(samples: readonly GateSample[]): number[];
}

const okValues = (samples: readonly GateSample[], pick: (s: GateSample) => number | null) =>
  samples
    .filter((s) => s.ok)
    .map(pick)
    .filter((v): v is number => v !== null);

export const METRICS: Record<GatedMetric, MetricDefinition> = {
  e2eP95: { label: 'e2e p95', unit: 'ms', quantile: 0.95, higherIsBetter: false, values: (s) => okValues(s, (x) => x.e2eMs) },
  e2eP99: { label: 'e2e p99', unit: 'ms', quantile: 0.99, higherIsBetter: false, values: (s) => okValues(s, (x) => x.e2eMs) },
  ttftP95: { label: 'TTFT p95', unit: 'ms', quantile: 0.95, higherIsBetter: false, values: (s) => okValues(s, (x) => x.ttftMs) },
  tokensPerSec: { label: 'median tok/s', unit: 'tok/s', quantile: 0.5, higherIsBetter: true, values: (s) => okValues(s, (x) => x.e2eTokPerSec) },
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
  /** A changed input is still compared (`compare`) or makes the case new (`new`). */
  onInputChange: 'compare' | 'new';
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
  onInputChange: 'compare',
  drift: 0.2,
  adaptive: undefined,
  confidence: 0.95,
  resamples: 2000,
  seed: 0x5eed,
};

const SEVERITY: Record<Verdict, number> = { regressed: 5, inconclusive: 4, improved: 3, 'not-gated': 2, unchanged: 1, new: 0 };

/** The options at another confidence (a look of adaptive sampling); rarer tails need more resamples to place a percentile. */
export function atConfidence(options: GateOptions, confidence: number): GateOptions {
  const alpha = 1 - confidence;
  const resamples = alpha > 0 ? Math.min(20_000, Math.max(options.resamples, Math.ceil(40 / alpha))) : options.resamples;
  return { ...options, confidence, resamples };
}

/** The verdict of a case: its most severe metric verdict. */
export function worstVerdict(verdicts: readonly Verdict[]): Verdict {
  return verdicts.reduce<Verdict>((worst, v) => (SEVERITY[v] > SEVERITY[worst] ? v : worst), 'new');
}

export function failsGate(verdict: Verdict, failOn: GateOptions['failOn']): boolean {
  return verdict === 'regressed' || (failOn === 'inconclusive' && verdict === 'inconclusive');
}

/** What a bootstrap of the ratio needs to know. */
type BootstrapSettings = Pick<GateOptions, 'estimator' | 'confidence' | 'resamples' | 'seed'> & {
  /** The verdict an interval gives: resampling may stop early once no likely error in the interval's ends could change it. */
  decide?: (ci: Interval) => Verdict;
};

function estimate(estimator: QuantileEstimator): (sorted: ArrayLike<number>, q: number) => number {
  return estimator === 'harrell-davis' ? harrellDavisSorted : quantileSorted;
}

/** The estimator on a scratch buffer it may reorder. */
function estimateInPlace(estimator: QuantileEstimator): (values: Float64Array, q: number) => number {
  return estimator === 'harrell-davis' ? (values, q) => harrellDavisSorted(values.sort(), q) : quantileUnsorted;
}

/**
 * Early looks at the bootstrap: after `resamples` draws, the interval's ends are taken as uncertain by `margin` of
 * its width, about four standard errors of a 2.5% percentile estimated from that many draws.
 */
const EARLY_LOOKS = [
  { resamples: 100, margin: 1 / 4 },
  { resamples: 400, margin: 1 / 8 },
] as const;

/**
 * Percentile interval of `draw()`'s ratios. At 100 and at 400 resamples, when every interval within the margin
 * of the one so far (each end moved either way) gives the same verdict, more resamples cannot change it and
 * resampling stops: a clear case (most, the plainly inconclusive ones included) costs a twentieth or a fifth.
 * Same seed, same draws, same answer.
 */
function bootstrapRatios(draw: () => number, options: BootstrapSettings): Interval {
  const ratios = new Float64Array(options.resamples);
  const { decide } = options;
  // Early looks only at the usual levels: a rarer tail (adaptive sampling's looks) needs every resample.
  const looks = decide && options.confidence <= 0.95 ? EARLY_LOOKS : [];
  let drawn = 0;
  for (const look of looks) {
    if (look.resamples >= options.resamples) break;
    for (; drawn < look.resamples; drawn++) ratios[drawn] = draw();
    const { lo, hi } = centralInterval(ratios.slice(0, drawn), options.confidence);
    const m = (hi - lo) * look.margin;
    const verdict = decide?.({ lo, hi });
    // The verdict rules are monotone in each end, so the four corners bound every interval in between.
    const corners = [
      decide?.({ lo: lo - m, hi: hi - m }),
      decide?.({ lo: lo - m, hi: hi + m }),
      decide?.({ lo: lo + m, hi: hi - m }),
      decide?.({ lo: lo + m, hi: hi + m }),
    ];
    if (corners.every((v) => v === verdict)) return { lo, hi };
  }
  for (; drawn < options.resamples; drawn++) ratios[drawn] = draw();
  return centralInterval(ratios, options.confidence);
}

/**
 * Which block of a paired measurement each sample was sent in, aligned with the samples (failed ones included).
 * Requests of one block were sent close together, base and head interleaved (see run/schedule.ts).
 */
export interface Pairing {
  baseBlocks: readonly number[];
  headBlocks: readonly number[];
}

/**
 * Block-bootstrap CI of est(head)/est(base) for a paired measurement: whole blocks are resampled, each with
 * its base and head requests together. Drift between blocks (load, heat, warm-up) then moves both sides of
 * a resample alike instead of widening the interval, and drift within a block cancels in the ABBA order.
 */
export function pairedRatioInterval(base: readonly Blocked[], head: readonly Blocked[], q: number, options: BootstrapSettings): Interval {
  const est = estimateInPlace(options.estimator);
  const blocks = new Map<number, { base: number[]; head: number[] }>();
  const block = (id: number) => {
    const known = blocks.get(id);
    if (known) return known;
    const entry = { base: [] as number[], head: [] as number[] };
    blocks.set(id, entry);
    return entry;
  };
  for (const { value, block: id } of base) block(id).base.push(value);
  for (const { value, block: id } of head) block(id).head.push(value);
  const all = [...blocks.values()];
  const largest = (side: 'base' | 'head') => all.reduce((n, b) => Math.max(n, b[side].length), 0) * all.length;
  const b = new Float64Array(largest('base'));
  const h = new Float64Array(largest('head'));
  const random = seededRandom(options.seed);
  return bootstrapRatios(() => {
    let nb = 0;
    let nh = 0;
    for (let i = 0; i < all.length; i++) {
      const drawn = all[Math.floor(random() * all.length)] as { base: number[]; head: number[] };
      for (const v of drawn.base) b[nb++] = v;
      for (const v of drawn.head) h[nh++] = v;
    }
    // A resample that drew no successful request on one side carries no ratio: count it as no change.
    return nb > 0 && nh > 0 ? est(h.subarray(0, nh), q) / est(b.subarray(0, nb), q) : 1;
  }, options);
}

/** A value with the block its request was sent in. */
interface Blocked {
  value: number;
  block: number;
}

/**
 * How many stored runs count as the prior's worth of evidence about drift: with one stored run the assumed drift
 * is all there is; with many, the runs' own spread dominates.
 */
const DRIFT_PRIOR_RUNS = 2;

/**
 * Between-run drift of a stored reference, as a log-sd: the assumed `prior`, pooled with the spread of the runs'
 * log medians once more than one run is stored (less the part of that spread within-run noise explains). The median
 * is used because drift moves the whole distribution, and it is the steadiest statistic of a run.
 */
export function runDrift(runs: readonly (readonly number[])[], prior: number): number {
  const usable = runs.filter((r) => r.length >= 2);
  const k = usable.length;
  if (k < 2) return prior;
  const logMedians = usable.map((r) => Math.log(quantileSorted(sortAscending(r), 0.5)));
  const mean = logMedians.reduce((a, b) => a + b, 0) / k;
  const spread = logMedians.reduce((a, b) => a + (b - mean) ** 2, 0) / (k - 1);
  // Sampling variance of a log median: (pi/2) var(log x) / n, averaged over the runs.
  const withinRun =
    usable.reduce((acc, r) => {
      const logs = r.map(Math.log);
      const m = logs.reduce((a, b) => a + b, 0) / logs.length;
      return acc + ((Math.PI / 2) * (logs.reduce((a, b) => a + (b - m) ** 2, 0) / (logs.length - 1))) / logs.length;
    }, 0) / k;
  const observed = Math.max(0, spread - withinRun);
  return Math.sqrt((DRIFT_PRIOR_RUNS * prior ** 2 + (k - 1) * observed) / (DRIFT_PRIOR_RUNS + k - 1));
}

/**
 * CI of est(head)/est(base) against stored runs: each resample draws every stored run's samples within that run and
 * the head's, then multiplies the ratio by a drift draw: the head is one more run, and the base's runs average to
 * a level known to within drift/sqrt(k), so the log ratio gains a normal term of variance drift^2 (1 + 1/k).
 */
export function storedRatioInterval(
  baseRuns: readonly (readonly number[])[],
  head: readonly number[],
  q: number,
  drift: number,
  options: BootstrapSettings,
): Interval {
  const est = estimateInPlace(options.estimator);
  const random = seededRandom(options.seed);
  const normal = normalFrom(seededRandom(options.seed ^ 0x9e3779b9));
  const runs = baseRuns.filter((r) => r.length > 0).map((r) => Float64Array.from(r));
  const headValues = Float64Array.from(head);
  const b = new Float64Array(runs.reduce((n, r) => n + r.length, 0));
  const h = new Float64Array(head.length);
  const driftSd = drift * Math.sqrt(1 + 1 / Math.max(1, runs.length));
  return bootstrapRatios(() => {
    let at = 0;
    for (const run of runs) for (let i = 0; i < run.length; i++) b[at++] = run[(random() * run.length) | 0] as number;
    for (let i = 0; i < h.length; i++) h[i] = headValues[(random() * h.length) | 0] as number;
    return (est(h, q) / est(b, q)) * Math.exp(driftSd * normal());
  }, options);
}

const fmt = (value: number, unit: string) => (unit === 'ms' ? `${formatMs(value)} ms` : `${value.toFixed(1)} ${unit}`);

/** The metric's values of the successful samples, each with its block. */
function blockedValues(def: MetricDefinition, samples: readonly GateSample[], blocks: readonly number[]): Blocked[] {
  return samples.flatMap((sample, i) => def.values([sample]).map((value) => ({ value, block: blocks[i] ?? i })));
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
}

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
  const est = estimate(options.estimator);
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
  const ratio = headValue / result.base;
  const pairing = baseSide?.pairing;
  const limit = 1 + options.tolerance;
  const belowNoise = def.unit === 'ms' && Math.abs(headValue - result.base) < options.noiseFloorMs;
  // Orient so that > 1 means worse, whatever the metric's direction.
  const worse = def.higherIsBetter ? 1 / ratio : ratio;
  const decide = (ci: Interval): Verdict => {
    const worseCI = def.higherIsBetter ? { lo: 1 / ci.hi, hi: 1 / ci.lo } : ci;
    if (belowNoise) return 'unchanged';
    if (worse > limit && worseCI.lo > 1) return 'regressed';
    if (worse < 1 / limit && worseCI.hi < 1) return 'improved';
    // Equivalence: "unchanged" needs the whole CI inside the tolerance band, not merely a CI that includes 1.
    if (worseCI.lo >= 1 / limit && worseCI.hi <= limit) return 'unchanged';
    return 'inconclusive';
  };
  const bootstrap = { ...options, decide };
  const drift = pairing ? null : runDrift(baseRuns, options.drift);
  const ci =
    pairing && baseSide
      ? pairedRatioInterval(
          blockedValues(def, baseSide.runs[0] ?? [], pairing.baseBlocks),
          blockedValues(def, headSamples, pairing.headBlocks),
          def.quantile,
          bootstrap,
        )
      : storedRatioInterval(baseRuns, head, def.quantile, drift ?? 0, bootstrap);
  result.ratio = ratio;
  result.ci = ci;
  result.verdict = decide(ci);

  const level = `${Math.round(options.confidence * 1000) / 10}% CI`;
  const runs = baseRuns.filter((r) => r.length > 0).length;
  const basis = pairing
    ? `; paired over ${new Set(pairing.headBlocks).size} blocks`
    : `; run-to-run drift ±${((drift ?? 0) * 100).toFixed(0)}% ${runs > 1 ? `from ${runs} stored runs` : 'assumed (1 stored run)'}`;
  const change = `${fmt(result.base, def.unit)} -> ${fmt(headValue, def.unit)} (${formatPercent(ratio)}, ${level} ${formatPercent(ci.lo)} .. ${formatPercent(ci.hi)}${basis})`;
  const tolerance = `tolerance ${(options.tolerance * 100).toFixed(0)}%`;
  const reason: Record<Verdict, string> = {
    regressed: `regressed beyond the ${tolerance}; the CI excludes no change`,
    inconclusive:
      worse > limit
        ? `beyond the ${tolerance}, but the CI includes no change: rerun with more iterations${pairing ? '' : ', or compare A/B (--base-replay)'}`
        : `the CI reaches beyond the ${tolerance}, so no change cannot be claimed: rerun with more iterations${pairing ? '' : ', or compare A/B (--base-replay)'}`,
    improved: `improved beyond the ${tolerance}`,
    unchanged: belowNoise ? `within the ${options.noiseFloorMs} ms noise floor` : `the CI lies within the ${tolerance}`,
    new: '',
    'not-gated': '',
  };
  result.message = `${def.label} ${change}: ${reason[result.verdict]}`;
  return result;
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
  if (!['compare', 'new'].includes(options.onInputChange))
    throw new Error(`regression.onInputChange must be "compare" or "new", got "${options.onInputChange}"`);
  if (!(options.drift >= 0 && options.drift < 2)) throw new Error(`regression.drift must be between 0 and 2, got ${options.drift}`);
  adaptivePlan(options.adaptive, true, 0); // throws on a bad budget
  return options;
}
