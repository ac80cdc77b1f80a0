/**
 * Descriptive statistics and bootstrap confidence intervals.
 *
 * Percentiles use linear interpolation between closest ranks, the definition
 * numpy's `percentile` uses by default (Hyndman & Fan type 7): for sorted
 * values x[0..n-1] and q in [0, 1], h = (n - 1) q and
 * P(q) = x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h]).
 * Confidence intervals are percentile bootstraps driven by a seeded PRNG, so
 * the same samples always give the same interval.
 */
import type { Interval, Summary, SummaryWithCI } from '../types.ts';

/** mulberry32: a small, fast, well-distributed 32-bit PRNG; returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal deviates from a uniform source (Box-Muller). */
export function normalFrom(random: () => number): () => number {
  return () => {
    const u = 1 - random(); // (0, 1], keeps log finite
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
}

/** A sorted copy; typed-array sort is numeric, unlike Array#sort's default. */
export function sortAscending(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}

/** Quantile q in [0, 1] of already sorted values, numpy's linear method. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError('quantile of an empty sample');
  if (q < 0 || q > 1) throw new RangeError(`quantile ${q} outside [0, 1]`);
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const below = sorted[lo] as number;
  if (lo + 1 >= n) return below;
  return below + (h - lo) * ((sorted[lo + 1] as number) - below);
}

/**
 * Quantile q of unsorted values, numpy's linear method, reordering `values`. An upper quantile (p95, p99 of a few
 * dozen values) needs only the few largest values, found in one pass; anything else is sorted. The bootstrap calls
 * this thousands of times per case, so the pass matters.
 */
export function quantileUnsorted(values: Float64Array, q: number): number {
  const n = values.length;
  if (n === 0) throw new RangeError('quantile of an empty sample');
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const fromTop = n - 1 - lo;
  if (fromTop > 3) return quantileSorted(values.sort(), q);
  // The fromTop + 1 largest values, largest first.
  const top = [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
  const k = fromTop + 1;
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    if (v <= (top[k - 1] as number)) continue;
    let j = k - 1;
    while (j > 0 && v > (top[j - 1] as number)) {
      top[j] = top[j - 1] as number;
      j--;
    }
    top[j] = v;
  }
  const below = top[fromTop] as number;
  return fromTop === 0 ? below : below + (h - lo) * ((top[fromTop - 1] as number) - below);
}

export function quantile(values: readonly number[], q: number): number {
  return quantileSorted(sortAscending(values), q);
}

/** ln Γ(x) for x > 0 (Lanczos approximation, g = 7, 9 terms; ~15 significant digits). */
export function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
    9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const z = x - 1;
  let sum = c[0] as number;
  for (let i = 1; i < 9; i++) sum += (c[i] as number) / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Regularised incomplete beta function I_x(a, b), by its continued fraction (modified Lentz). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  // The continued fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry otherwise.
  if (x > (a + 1) / (a + b + 2)) return 1 - incompleteBeta(1 - x, b, a);
  const front = Math.exp(a * Math.log(x) + b * Math.log(1 - x) - (lnGamma(a) + lnGamma(b) - lnGamma(a + b))) / a;
  const tiny = 1e-300;
  let f = 1;
  let c = 1;
  let d = 0;
  for (let i = 0; i <= 400; i++) {
    const m = i >> 1;
    let numerator: number;
    if (i === 0) numerator = 1;
    else if (i % 2 === 0) numerator = (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
    else numerator = -((a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
    d = 1 + numerator * d;
    if (Math.abs(d) < tiny) d = tiny;
    d = 1 / d;
    c = 1 + numerator / c;
    if (Math.abs(c) < tiny) c = tiny;
    const step = c * d;
    f *= step;
    if (Math.abs(1 - step) < 1e-15) break;
  }
  return front * (f - 1);
}

/** The quantile of Student's t distribution with `df` degrees of freedom (p in (0, 1)), by bisection on its CDF. */
export function studentTQuantile(p: number, df: number): number {
  const cdf = (t: number) => {
    const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
    return t >= 0 ? 1 - tail : tail;
  };
  let lo = -1e3;
  let hi = 1e3;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (cdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

const hdWeightCache = new Map<string, Float64Array>();

/** Harrell-Davis weights of the order statistics for sample size n and quantile q. */
export function harrellDavisWeights(n: number, q: number): Float64Array {
  const key = `${n}:${q}`;
  let weights = hdWeightCache.get(key);
  if (weights) return weights;
  const a = q * (n + 1);
  const b = (1 - q) * (n + 1);
  weights = new Float64Array(n);
  let previous = 0;
  for (let i = 1; i <= n; i++) {
    const current = incompleteBeta(i / n, a, b);
    weights[i - 1] = current - previous;
    previous = current;
  }
  hdWeightCache.set(key, weights);
  return weights;
}

/**
 * Harrell-Davis quantile estimate of sorted values: a Beta-weighted average of
 * all order statistics. In the tails of small samples it has a clearly lower
 * variance than the interpolated sample quantile, which rests on two values.
 */
export function harrellDavisSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError('quantile of an empty sample');
  if (n === 1) return sorted[0] as number;
  const weights = harrellDavisWeights(n, q);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += (weights[i] as number) * (sorted[i] as number);
  return sum;
}

export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] as number;
  return sum / values.length;
}

/** Sample standard deviation (n - 1 in the denominator); 0 for a single value. */
export function standardDeviation(values: ArrayLike<number>): number {
  const n = values.length;
  if (n < 2) return 0;
  const m = mean(values);
  let squares = 0;
  for (let i = 0; i < n; i++) squares += ((values[i] as number) - m) ** 2;
  return Math.sqrt(squares / (n - 1));
}

/** n, mean, sd, min, max and p50/p90/p95/p99; null for an empty sample. */
export function summarize(values: readonly number[]): Summary | null {
  if (values.length === 0) return null;
  const sorted = sortAscending(values);
  return {
    n: sorted.length,
    mean: mean(sorted),
    sd: standardDeviation(sorted),
    min: sorted[0] as number,
    max: sorted[sorted.length - 1] as number,
    p50: quantileSorted(sorted, 0.5),
    p90: quantileSorted(sorted, 0.9),
    p95: quantileSorted(sorted, 0.95),
    p99: quantileSorted(sorted, 0.99),
  };
}

export interface BootstrapOptions {
  /** Number of resamples. Default 2000. */
  resamples?: number;
  /** Confidence level. Default 0.95. */
  level?: number;
  /** PRNG seed. Default 0x5eed. */
  seed?: number;
}

/**
 * Percentile-bootstrap confidence interval of a statistic: resample with
 * replacement, compute the statistic on each resample, take the central
 * `level` share of the results.
 */
export function bootstrapInterval(
  values: readonly number[],
  statistic: (resample: Float64Array) => number,
  { resamples = 2000, level = 0.95, seed = 0x5eed }: BootstrapOptions = {},
): Interval {
  const n = values.length;
  if (n === 0) throw new RangeError('bootstrap of an empty sample');
  const random = seededRandom(seed);
  const resample = new Float64Array(n);
  const estimates = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) resample[i] = values[Math.floor(random() * n)] as number;
    estimates[r] = statistic(resample);
  }
  return centralInterval(estimates, level);
}

/** The central `level` share of bootstrap estimates (sorted in place): a percentile-bootstrap interval. */
export function centralInterval(estimates: Float64Array, level: number): Interval {
  estimates.sort();
  const tail = (1 - level) / 2;
  return { lo: quantileSorted(estimates, tail), hi: quantileSorted(estimates, 1 - tail) };
}

/** Bootstrap CI of the q-quantile. */
export function quantileInterval(values: readonly number[], q: number, options?: BootstrapOptions): Interval {
  return bootstrapInterval(values, (resample) => quantileSorted(resample.sort(), q), options);
}

/** `summarize` plus bootstrap 95% CIs of p50 and p95. */
export function summarizeWithIntervals(values: readonly number[], options?: BootstrapOptions): SummaryWithCI | null {
  const summary = summarize(values);
  if (!summary) return null;
  return {
    ...summary,
    p50CI: quantileInterval(values, 0.5, options),
    p95CI: quantileInterval(values, 0.95, options),
  };
}
