/**
 * What a case under load amounts to: the rate it achieved against the one asked for, how many requests were in
 * flight on average (sum of e2e over wall time), output tokens per second of the whole run, queue time apart from
 * latency, whether the server kept up, and how the service-level objectives were met.
 *
 * Objectives, as vLLM's goodput and guidellm's SLOs define them: a request is good when it succeeded and met every
 * objective given. TTFT and e2e count from when the request was due (the queue is what a user waits through too);
 * TPOT is undefined for an answer of one token and then not judged. Attainment is good / sent, with a Wilson 95%
 * interval: met when the interval lies above the target, missed when below, uncertain when it straddles it.
 */
import { loadLabel } from '../files/case-id.ts';
import type { CaseParams, Interval, LoadProfile, LoadResult, Objective, RequestSample, SloResult } from '../types.ts';
import { summarize } from './stats.ts';

/** The load a case achieved, from its timed requests. */
export function loadResult(
  profile: LoadProfile,
  run: { samples: readonly RequestSample[]; notSent: number; wallMs: number },
  slo: CaseParams['slo'],
): LoadResult {
  const { samples, wallMs } = run;
  const seconds = Math.max(wallMs, 1e-9) / 1000;
  const ok = samples.filter((s) => s.ok);
  const queue = samples.map((s) => s.queueMs ?? 0);
  const targetRate = profile.kind === 'open' ? profile.rate : null;
  const achievedRate = samples.length / seconds;
  return {
    label: loadLabel(profile),
    profile,
    wallMs,
    sent: samples.length,
    notSent: run.notSent,
    targetRate,
    achievedRate,
    effectiveConcurrency: samples.reduce((sum, s) => sum + s.e2eMs, 0) / Math.max(wallMs, 1e-9),
    outputTokensPerSec: ok.reduce((sum, s) => sum + s.outputTokens, 0) / seconds,
    queueMs: summarize(queue),
    e2eWithQueueMs: summarize(samples.map((s) => s.e2eMs + (s.queueMs ?? 0))),
    saturated: targetRate !== null && (achievedRate < 0.98 * targetRate || queueGrows(queue)),
    slo: slo ? sloResult(samples, slo, seconds) : null,
  };
}

/** Queue time growing over the run: the last third's mean well above the first third's (and above a millisecond). */
function queueGrows(queue: readonly number[]): boolean {
  if (queue.length < 6) return false;
  const third = Math.floor(queue.length / 3);
  const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const first = mean(queue.slice(0, third));
  const last = mean(queue.slice(-third));
  return last > 1 && last > 2 * first + 1;
}

/** A request's value for an objective, from when it was due; null when the objective does not apply to it. */
export function sinceDue(sample: RequestSample, objective: Objective): number | null {
  const queue = sample.queueMs ?? 0;
  if (objective === 'ttftMs') return sample.ttftMs === null ? null : sample.ttftMs + queue;
  if (objective === 'e2eMs') return sample.e2eMs + queue;
  return sample.outputTokens > 1 ? sample.tpotMs : null;
}

export function sloResult(samples: readonly RequestSample[], slo: NonNullable<CaseParams['slo']>, seconds: number): SloResult {
  const { attainment: target, ...limits } = slo;
  const objectives = Object.entries(limits).filter((e): e is [Objective, number] => typeof e[1] === 'number');
  const perObjective = objectives.map(([objective, limit]) => {
    const values = samples.filter((s) => s.ok).map((s) => sinceDue(s, objective));
    const judged = values.filter((v) => v !== null).length;
    const passed = values.filter((v) => v !== null && v <= limit).length;
    return { objective, limit, passed, judged, rate: judged > 0 ? passed / judged : 1 };
  });
  const goodOnes = samples.filter((s) => s.ok && objectives.every(([objective, limit]) => (sinceDue(s, objective) ?? 0) <= limit));
  const good = goodOnes.length;
  const judged = samples.length;
  const attainment = judged > 0 ? good / judged : 0;
  const interval = wilson(good, judged);
  const errors = samples.filter((s) => !s.ok).length;
  // What kept most requests from being good: the objective failed by the most requests, or errors.
  const missedBy = perObjective.map((o) => ({ what: o.objective as Objective | 'errors', count: o.judged - o.passed }));
  missedBy.push({ what: 'errors', count: errors });
  const worst = missedBy.sort((a, b) => b.count - a.count)[0];
  return {
    objectives: Object.fromEntries(objectives),
    target,
    judged,
    good,
    attainment,
    interval,
    verdict: interval.lo >= target ? 'met' : interval.hi < target ? 'missed' : 'uncertain',
    perObjective,
    binding: worst && worst.count > 0 ? worst.what : null,
    goodputRps: good / seconds,
    goodTokensPerSec: goodOnes.reduce((sum, s) => sum + s.outputTokens, 0) / seconds,
  };
}

/** Wilson score interval of a proportion, 95%. */
export function wilson(successes: number, n: number, z = 1.959964): Interval {
  if (n === 0) return { lo: 0, hi: 1 };
  const p = successes / n;
  const denominator = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denominator;
  return { lo: Math.max(0, centre - half), hi: Math.min(1, centre + half) };
}

/** The fewest requests, all good, whose Wilson interval lies above `target`: below it no run can show the target met. */
export function requestsToShow(target: number): number {
  let n = 1;
  while (wilson(n, n).lo < target && n < 100_000) n++;
  return n;
}
