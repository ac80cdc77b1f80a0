/**
 * Adaptive sampling's statistics: when to look again, and at what level, so
 * that looking at the verdict after every added block does not inflate the
 * false-alarm rate.
 *
 * The run's alpha (1 - confidence, two-sided) is spent across the looks with
 * a Pocock-type spending function, alpha(t) = alpha ln(1 + (e - 1) t), where t
 * is the information fraction n / maxIterations (Lan & DeMets 1983; Kim &
 * DeMets 1987). Look k is tested at the increment alpha(t_k) - alpha(t_k-1);
 * the last look (the budget is spent) gets whatever is left. By the union
 * bound the chance of a false "regressed" over all looks is then at most
 * alpha/2, whatever the correlation between looks: conservative, but it needs
 * no assumption about the bootstrap's distribution. Pocock's shape spends
 * early, so a clear regression stops at the first looks.
 */
import type { AdaptiveOptions, GateResult, Verdict } from '../types.ts';

/** Adaptive sampling as a case runs it. */
export interface AdaptivePlan {
  /** Timed requests per side at most. */
  maxIterations: number;
  /** Time the added requests may take, ms. */
  maxTimeMs: number;
  /** Requests per side added between looks (whole ABBA blocks). */
  step: number;
}

export const DEFAULT_ADAPTIVE = { maxIterations: 100, maxTimeMs: 120_000 } as const;

/** The cumulative alpha spent by information fraction t in [0, 1]. */
export function spentAlpha(alpha: number, t: number): number {
  return alpha * Math.log(1 + (Math.E - 1) * Math.min(1, Math.max(0, t)));
}

/** The alpha of one look, given what the earlier looks spent; the last look spends the rest. */
export function lookAlpha(alpha: number, spent: number, iterations: number, maxIterations: number, last: boolean): number {
  return Math.max(0, (last ? alpha : spentAlpha(alpha, iterations / maxIterations)) - spent);
}

/** A verdict that ends adaptive sampling: the change (or its absence) is established. */
export function isDecisive(verdict: Verdict): boolean {
  return verdict === 'regressed' || verdict === 'improved' || verdict === 'unchanged';
}

/**
 * The plan for a case: null when sampling is fixed. `setting` is the spec's (or config's) `regression.adaptive`;
 * unset means on for A/B, off against stored runs. Steps are whole ABBA blocks, at least 10 requests a side.
 */
export function adaptivePlan(setting: boolean | AdaptiveOptions | undefined, paired: boolean, iterations: number): AdaptivePlan | null {
  const on = setting === undefined ? paired : setting !== false;
  if (!on) return null;
  const options = typeof setting === 'object' ? setting : {};
  const maxIterations = options.maxIterations ?? DEFAULT_ADAPTIVE.maxIterations;
  const maxTimeMs = options.maxTimeMs ?? DEFAULT_ADAPTIVE.maxTimeMs;
  if (!(Number.isInteger(maxIterations) && maxIterations >= 1))
    throw new Error(`regression.adaptive.maxIterations must be an integer >= 1, got ${maxIterations}`);
  if (!(maxTimeMs >= 0)) throw new Error(`regression.adaptive.maxTimeMs must be >= 0, got ${maxTimeMs}`);
  if (maxIterations <= iterations) return null;
  return { maxIterations, maxTimeMs, step: Math.max(10, 2 * Math.ceil(iterations / 4)) };
}

/** What sampling until decisive needs of a measurement of type M. */
export interface Sampler<M> {
  /** Timed requests per side so far. */
  iterations(measurement: M): number;
  /** True when a side has no successful request: more of the same will not decide anything. */
  failing(measurement: M): boolean;
  /** The verdict at a look's confidence (1 - its alpha). */
  verdict(measurement: M, confidence: number): Verdict;
  /** The measurement with `count` more requests per side. */
  more(measurement: M, count: number): Promise<M>;
  /** Milliseconds since sampling began (the first batch excluded). */
  elapsedMs(): number;
}

/**
 * Looks at the verdict of the first batch and adds `plan.step` requests per side until it is decisive, a side
 * fails throughout, or the budget is spent; each look is tested at its share of `alpha`. Returns the last
 * measurement, the confidence its verdict is to be given at, and how sampling went.
 */
export async function sampleUntilDecisive<M>(
  first: M,
  plan: AdaptivePlan,
  alpha: number,
  sampler: Sampler<M>,
): Promise<{ measurement: M; confidence: number; sampling: NonNullable<GateResult['sampling']> }> {
  let measurement = first;
  let spent = 0;
  for (let looks = 1; ; looks++) {
    const n = sampler.iterations(measurement);
    const outOfTime = sampler.elapsedMs() >= plan.maxTimeMs;
    const full = n >= plan.maxIterations;
    const level = lookAlpha(alpha, spent, n, plan.maxIterations, full || outOfTime);
    spent += level;
    const verdict = sampler.verdict(measurement, 1 - level);
    const stoppedBecause = isDecisive(verdict)
      ? 'decisive'
      : sampler.failing(measurement)
        ? 'failing'
        : full
          ? 'max-iterations'
          : outOfTime
            ? 'max-time'
            : null;
    if (stoppedBecause) return { measurement, confidence: 1 - level, sampling: { looks, iterations: n, stoppedBecause, alpha: level } };
    measurement = await sampler.more(measurement, Math.min(plan.step, plan.maxIterations - n));
  }
}
