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
 * absorb part of it; WARMUP=N to change that) and interference spikes (2% of
 * requests x3). Ways to gate on it: stored runs (base and head are separate
 * runs: one stored run, or five, each with its own drift, the default drift
 * prior), A/B (one run, base and head alternating in randomised ABBA blocks,
 * the CI from resampling whole blocks) at fixed n, and adaptive A/B (20 a
 * side first, then 10 more until decisive, at most 100, alpha spent across
 * the looks), whose requests per side are reported too.
 */
import { sampleUntilDecisive } from '../../harness/gate/sequential.ts';
import { atConfidence, compareMetric, DEFAULT_GATE } from '../../harness/gate/verdict.ts';
import { normalFrom, seededRandom } from '../../harness/evaluate/stats.ts';
import { abbaOrder, blockOf } from '../../harness/run/schedule.ts';
import { lognormalLatencies } from '../helpers/lognormal.ts';
import type { GateSample, QuantileEstimator, Verdict } from '../../harness/types.ts';

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

const WARMUP = Number(process.env.WARMUP ?? 2);

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

/** Stored-baseline mode: the base is `runs` earlier runs, each with its own drift (the baseline's history). */
function storedVerdict(n: number, factor: number, seed: number, runs = 1) {
  const stored = Array.from({ length: runs }, (_, r) => realisticRun(n, [1], seed + 104_729 * r)[0]?.samples ?? []);
  const [head] = realisticRun(n, [factor], seed + 7_919);
  return compareMetric('e2eP95', { runs: stored }, head?.samples ?? []).verdict;
}

const storedFiveRuns = (n: number, factor: number, seed: number) => storedVerdict(n, factor, seed, 5);

/**
 * Adaptive A/B: the run is drawn at its longest up front, and each look sees a prefix of it, which is what
 * measuring more of the same process gives (the stopping rule never changes how requests behave).
 */
async function adaptivePairedVerdict(factor: number, seed: number): Promise<{ verdict: Verdict; n: number }> {
  const plan = { maxIterations: ADAPTIVE_MAX, maxTimeMs: Number.POSITIVE_INFINITY, step: 10 };
  const [base, head] = realisticRun(plan.maxIterations, [1, factor], seed);
  if (!base || !head) throw new Error('two arms expected');
  const verdictAt = (n: number, confidence: number) =>
    compareMetric(
      'e2eP95',
      { runs: [base.samples.slice(0, n)], pairing: { baseBlocks: base.blocks.slice(0, n), headBlocks: head.blocks.slice(0, n) } },
      head.samples.slice(0, n),
      atConfidence(DEFAULT_GATE, confidence),
    ).verdict;
  const { measurement: n, confidence } = await sampleUntilDecisive(ADAPTIVE_MIN, plan, 1 - DEFAULT_GATE.confidence, {
    iterations: (m) => m,
    failing: () => false,
    verdict: verdictAt,
    more: async (m, count) => m + count,
    elapsedMs: () => 0,
  });
  return { verdict: verdictAt(n, confidence), n };
}

const ADAPTIVE_MIN = 20;
const ADAPTIVE_MAX = 100;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function adaptiveRow(lines: string[]): Promise<void> {
  let detect = 0;
  let falseAlarm = 0;
  let inconclusive = 0;
  const nSlow: number[] = [];
  const nSame: number[] = [];
  for (let t = 0; t < TRIALS; t++) {
    const slow = await adaptivePairedVerdict(1.25, 50_000 + t);
    const same = await adaptivePairedVerdict(1, 90_000 + t);
    if (slow.verdict === 'regressed') detect++;
    if (same.verdict === 'regressed') falseAlarm++;
    if (same.verdict === 'inconclusive') inconclusive++;
    nSlow.push(slow.n);
    nSame.push(same.n);
  }
  lines.push(
    `${'A/B, adaptive'.padEnd(22)} ${`${ADAPTIVE_MIN}..${ADAPTIVE_MAX}`.padStart(6)} ${rate(detect)}       ${rate(falseAlarm)}         ${rate(inconclusive)}`,
    '',
    `adaptive A/B, requests per side: median ${median(nSlow)} with +25% (mean ${(nSlow.reduce((a, b) => a + b, 0) / TRIALS).toFixed(1)}), ` +
      `median ${median(nSame)} without a change (mean ${(nSame.reduce((a, b) => a + b, 0) / TRIALS).toFixed(1)}), all trials ${median([...nSlow, ...nSame])}`,
  );
}

/** A/B mode: base and head in one run, ABBA blocks, paired comparison. */
function pairedVerdict(n: number, factor: number, seed: number) {
  const [base, head] = realisticRun(n, [1, factor], seed);
  if (!base || !head) throw new Error('two arms expected');
  return compareMetric('e2eP95', { runs: [base.samples], pairing: { baseBlocks: base.blocks, headBlocks: head.blocks } }, head.samples).verdict;
}

async function realistic(lines: string[]): Promise<void> {
  lines.push('', `on a realistic machine (run drift sigma 0.05, warm-up transient x1.5 over 10 requests, 2% spikes x3, ${WARMUP} warmup requests)`, '');
  lines.push('mode                        n   detects +25%   false alarms   inconclusive without change');
  for (const [mode, verdictOf] of [
    ['stored baseline, 1 run', storedVerdict],
    ['stored, 5 runs', storedFiveRuns],
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
      lines.push(`${mode.padEnd(22)} ${String(n).padStart(6)} ${rate(detect)}       ${rate(falseAlarm)}         ${rate(inconclusive)}`);
    }
  }
  await adaptiveRow(lines);
}

async function main(): Promise<void> {
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
  await realistic(lines);
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
