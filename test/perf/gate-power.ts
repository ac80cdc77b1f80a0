/**
 * Power and false-alarm rates of the p95 regression gate (`npm run bench:gate-power`).
 *
 * Each trial draws a baseline and a head sample set of n requests whose
 * latency is 100 ms times lognormal noise (sigma 0.15 per whole request),
 * the head slowed by +25% or not at all, and asks the gate for a verdict on
 * e2e p95. Rates over TRIALS seeded trials, for each estimator, next to the
 * naive method of simple scripts: 3 rounds, p95 by Python's
 * statistics.quantiles(n=20), a fixed 10% threshold.
 *
 * Then a machine like a real shared one: the same per-request noise, a drift
 * of the whole run (lognormal sigma 0.05, new every run), a warm-up transient
 * (the run's first 10 requests x1.5 fading linearly to x1; 2 warmup requests
 * absorb part of it) and interference spikes (2% of requests x3). Two ways to
 * gate on it: a stored baseline (base and head are separate runs) and A/B
 * (`--base-target`: one run, base and head alternating in randomised ABBA
 * blocks, the CI from resampling whole blocks).
 */
import { compareMetric, DEFAULT_GATE } from '../../harness/gate/verdict.ts';
import { normalFrom, seededRandom } from '../../harness/evaluate/stats.ts';
import { abbaOrder, blockOf } from '../../harness/run/schedule.ts';
import { lognormalLatencies } from '../helpers/lognormal.ts';
import type { GateSample, QuantileEstimator } from '../../harness/types.ts';

const TRIALS = Number(process.env.TRIALS ?? 200);
const SIGMA = 0.15;

function asSamples(latencies: readonly number[]): GateSample[] {
  return latencies.map((e2eMs) => ({ ok: true, e2eMs, ttftMs: null, e2eTokPerSec: null }));
}

/** Python's statistics.quantiles(data, n=20)[18] (method "exclusive"), the 95th "percentile" of simple scripts. */
function pythonQuantile95(values: readonly number[]): number {
  const data = [...values].sort((a, b) => a - b);
  const n = 20;
  const i = 19;
  const m = data.length + 1;
  let j = Math.floor((i * m) / n);
  j = Math.min(Math.max(j, 1), data.length - 1);
  const delta = i * m - j * n;
  return ((data[j - 1] as number) * (n - delta) + (data[j] as number) * delta) / n;
}

function rate(hits: number): string {
  return `${((hits / TRIALS) * 100).toFixed(1)}%`.padStart(6);
}

const WARMUP = 2;

/** One run on the realistic machine: `arms` alternate in ABBA blocks; `factors[a]` slows arm a. Returns each arm's timed samples and blocks. */
function realisticRun(n: number, factors: readonly number[], seed: number): Array<{ samples: GateSample[]; blocks: number[] }> {
  const random = seededRandom(seed);
  const normal = normalFrom(random);
  const drift = Math.exp(0.05 * normal());
  const arms = factors.length;
  const order = abbaOrder(arms, seed);
  const out = factors.map(() => ({ samples: [] as GateSample[], blocks: [] as number[] }));
  // Warmup requests take the start of the transient; timed positions are counted again from 0, as the runner does.
  const total = (WARMUP + n) * arms;
  for (let request = 0; request < total; request++) {
    const timed = request >= WARMUP * arms;
    const position = timed ? request - WARMUP * arms : request;
    const arm = order(position);
    const transient = request < 10 ? 1 + 0.5 * (1 - request / 10) : 1;
    const spike = random() < 0.02 ? 3 : 1;
    const latency = 100 * (factors[arm] as number) * drift * transient * spike * Math.exp(SIGMA * normal());
    if (!timed) continue;
    out[arm]?.samples.push({ ok: true, e2eMs: latency, ttftMs: null, e2eTokPerSec: null });
    out[arm]?.blocks.push(blockOf(position, arms));
  }
  return out;
}

/** Stored-baseline mode: the base is an earlier run of its own. */
function storedVerdict(n: number, factor: number, seed: number) {
  const [base] = realisticRun(n, [1], seed);
  const [head] = realisticRun(n, [factor], seed + 7_919);
  return compareMetric('e2eP95', { runs: [base?.samples ?? []] }, head?.samples ?? []).verdict;
}

/** A/B mode: base and head in one run, ABBA blocks, paired comparison. */
function pairedVerdict(n: number, factor: number, seed: number) {
  const [base, head] = realisticRun(n, [1, factor], seed);
  if (!base || !head) throw new Error('two arms expected');
  return compareMetric('e2eP95', { runs: [base.samples], pairing: { baseBlocks: base.blocks, headBlocks: head.blocks } }, head.samples).verdict;
}

function realistic(lines: string[]): void {
  lines.push('', `on a realistic machine (run drift sigma 0.05, warm-up transient x1.5 over 10 requests, 2% spikes x3, ${WARMUP} warmup requests)`, '');
  lines.push('mode                      n   detects +25%   false alarms   inconclusive without change');
  for (const [mode, verdictOf] of [
    ['stored baseline', storedVerdict],
    ['A/B, ABBA blocks', pairedVerdict],
  ] as const) {
    for (const n of [20, 30, 50]) {
      let detect = 0;
      let falseAlarm = 0;
      let inconclusive = 0;
      for (let t = 0; t < TRIALS; t++) {
        if (verdictOf(n, 1.25, 50_000 + t) === 'regressed') detect++;
        const same = verdictOf(n, 1, 90_000 + t);
        if (same === 'regressed') falseAlarm++;
        if (same === 'inconclusive') inconclusive++;
      }
      lines.push(`${mode.padEnd(22)} ${String(n).padStart(4)}   ${rate(detect)}         ${rate(falseAlarm)}         ${rate(inconclusive)}`);
    }
  }
}

function main(): void {
  const lines = [`gate power on e2e p95: ${TRIALS} seeded trials per cell, lognormal sigma ${SIGMA} per request, +25% slowdown vs none`, ''];
  lines.push('method                    n   detects +25%   false alarms');
  let naiveDetect = 0;
  let naiveFalse = 0;
  for (let t = 0; t < TRIALS; t++) {
    const base = pythonQuantile95(lognormalLatencies(3, 100, SIGMA, 1_000_000 + t));
    const slow = pythonQuantile95(lognormalLatencies(3, 125, SIGMA, 2_000_000 + t));
    const same = pythonQuantile95(lognormalLatencies(3, 100, SIGMA, 3_000_000 + t));
    if (slow / base > 1.1) naiveDetect++;
    if (same / base > 1.1) naiveFalse++;
  }
  lines.push(`naive (3 rounds, 10%)     3   ${rate(naiveDetect)}         ${rate(naiveFalse)}`);
  for (const estimator of ['linear', 'harrell-davis'] as QuantileEstimator[]) {
    for (const n of [20, 30, 50]) {
      let detect = 0;
      let falseAlarm = 0;
      for (let t = 0; t < TRIALS; t++) {
        const base = asSamples(lognormalLatencies(n, 100, SIGMA, 10_000 + t));
        const slow = asSamples(lognormalLatencies(n, 125, SIGMA, 20_000 + t));
        const same = asSamples(lognormalLatencies(n, 100, SIGMA, 30_000 + t));
        const options = { ...DEFAULT_GATE, estimator, drift: 0 };
        if (compareMetric('e2eP95', { runs: [base] }, slow, options).verdict === 'regressed') detect++;
        if (compareMetric('e2eP95', { runs: [base] }, same, options).verdict === 'regressed') falseAlarm++;
      }
      lines.push(`gate, ${estimator.padEnd(14)} ${String(n).padStart(5)}   ${rate(detect)}         ${rate(falseAlarm)}`);
    }
  }
  realistic(lines);
  process.stdout.write(`${lines.join('\n')}\n`);
}

main();
