/**
 * How often the gate detects a slowdown and how often it cries wolf, beside the bound of what any statistic
 * could do on the same samples (`npm run bench:gate-power`; TRIALS=400 by default, seeded).
 *
 * The noise model is a small local model on a shared machine: a request is a TTFT of 30 ms plus 16 gaps of
 * 2 ms, each lognormal (sigma 0.12); 2% of whole requests are 3x slower (interference); a run's first 10
 * requests are up to 1.5x slower (warm-up, 2 warmup requests absorb part of it); each run drifts as a whole
 * (lognormal sigma 0.05). Changes: a uniform +25% (a bigger model, a longer answer, a slower build) and a
 * tail-only one (the slowest 10% of requests 40% slower, the median unchanged).
 *
 * Each row gives the gate's rates and, beside them, the **oracle**: the best of three statistics (the
 * Hodges-Lehmann shift of log latency, the p50-p80 shift, the p95's log ratio), each calibrated
 * by simulating the same noise with no change to 1% two-sided false alarms, at the same n. The oracle knows the
 * noise model; the gate does not. The gap between them is what is left to win.
 */
import { sampleUntilDecisive } from '../../harness/gate/sequential.ts';
import { bodyLevel, pairedIntervals } from '../../harness/gate/bootstrap.ts';
import { pairedPermutationP } from '../../harness/gate/permutation.ts';
import { atConfidence, compareMetric, DEFAULT_GATE as GATE_DEFAULTS, forRun, type GateOptions } from '../../harness/gate/verdict.ts';
import { quantileSorted, sortAscending } from '../../harness/evaluate/stats.ts';
import type { GateSample, MetricVerdict, Verdict } from '../../harness/types.ts';
import { type Arm, type Change, NO_SPIKES, NONE, type Noise, REALISTIC, simulateRun, STEADY, TAIL, UNIFORM } from '../helpers/noise.ts';

const TRIALS = Number(process.env.TRIALS ?? 400);
/** The gate as a run of this many cases sets it: the run's false-alarm budget shared among them (CASES=9: the shipped specs). */
const DEFAULT_GATE = forRun(GATE_DEFAULTS, Number(process.env.CASES ?? 1));
const WARMUP = Number(process.env.WARMUP ?? 2);
/** Null draws per oracle threshold: its 99.5th percentile needs many more than the trials. */
const CALIBRATION = Number(process.env.CALIBRATION ?? 4000);

/** A trial's samples: base runs (one for A/B) and the head, with blocks when paired. */
interface Trial {
  baseRuns: GateSample[][];
  head: Arm;
  base: Arm | null;
}

type Design = { kind: 'ab'; n: number } | { kind: 'stored'; n: number; runs: number };

function trial(design: Design, change: Change, seed: number, noise: Noise): Trial {
  if (design.kind === 'ab') {
    const [base, head] = simulateRun(design.n, [NONE, change], seed, noise, WARMUP);
    if (!base || !head) throw new Error('two arms expected');
    return { baseRuns: [base.samples], head, base };
  }
  const baseRuns = Array.from({ length: design.runs }, (_, r) => simulateRun(design.n, [NONE], seed + 104_729 * (r + 1), noise, WARMUP)[0]?.samples ?? []);
  const [head] = simulateRun(design.n, [change], seed, noise, WARMUP);
  if (!head) throw new Error('one arm expected');
  return { baseRuns, head, base: null };
}

function gateMetric(t: Trial, options: GateOptions, n = t.head.samples.length): MetricVerdict {
  const head = t.head.samples.slice(0, n);
  if (!t.base) return compareMetric('e2eP95', { runs: t.baseRuns }, head, options);
  const pairing = { baseBlocks: t.base.blocks.slice(0, n), headBlocks: t.head.blocks.slice(0, n) };
  return compareMetric('e2eP95', { runs: [t.base.samples.slice(0, n)], pairing }, head, options);
}

const gateVerdict = (t: Trial, options: GateOptions, n?: number): Verdict => gateMetric(t, options, n).verdict;

/**
 * Adaptive A/B as a run does it: 20 a side first, then 10 more until decisive, at most 100, alpha spent across the
 * looks. The run is drawn at its longest up front and each look sees a prefix (the stopping rule never changes how
 * requests behave).
 */
async function adaptiveVerdict(change: Change, seed: number, noise: Noise): Promise<{ verdict: Verdict; n: number }> {
  const plan = { maxIterations: 100, maxTimeMs: Number.POSITIVE_INFINITY, step: 10 };
  const t = trial({ kind: 'ab', n: plan.maxIterations }, change, seed, noise);
  const verdictAt = (n: number, confidence: number) => gateVerdict(t, atConfidence(DEFAULT_GATE, confidence), n);
  const { measurement: n, confidence } = await sampleUntilDecisive(20, plan, 1 - DEFAULT_GATE.confidence, {
    iterations: (m) => m,
    failing: () => false,
    verdict: verdictAt,
    more: async (m, count) => m + count,
    elapsedMs: () => 0,
  });
  return { verdict: verdictAt(n, confidence), n };
}

// The oracle's statistics, each a log ratio head/base (> 0 is slower).
const logs = (samples: readonly GateSample[]) => samples.map((s) => Math.log(s.e2eMs ?? 1));
function hodgesLehmann(base: number[], head: number[]): number {
  const d = new Float64Array(base.length * head.length);
  let k = 0;
  for (const h of head) for (const b of base) d[k++] = h - b;
  return quantileSorted(d.sort(), 0.5);
}
const ORACLE_STATISTICS: Record<string, (base: GateSample[], head: GateSample[]) => number> = {
  'Hodges-Lehmann': (base, head) => hodgesLehmann(logs(base), logs(head)),
  'p50-p80 shift': (base, head) => bodyLevel(sortAscending(head.map((s) => s.e2eMs ?? 1))) - bodyLevel(sortAscending(base.map((s) => s.e2eMs ?? 1))),
  p95: (base, head) =>
    Math.log(quantileSorted(sortAscending(head.map((s) => s.e2eMs ?? 1)), 0.95) / quantileSorted(sortAscending(base.map((s) => s.e2eMs ?? 1)), 0.95)),
};

/** The oracle's detection rate: the best statistic, each calibrated under no change to 1% two-sided. */
function oracle(design: Design, change: Change, noise: Noise): { rate: number; statistic: string } {
  let best = { rate: 0, statistic: '' };
  const nullTrials = Array.from({ length: CALIBRATION }, (_, i) => trial(design, NONE, 7_000_000 + i, noise));
  const changedTrials = Array.from({ length: TRIALS }, (_, i) => trial(design, change, 8_000_000 + i, noise));
  for (const [name, statistic] of Object.entries(ORACLE_STATISTICS)) {
    const value = (t: Trial) => statistic(t.baseRuns.flat(), t.head.samples);
    const threshold = quantileSorted(sortAscending(nullTrials.map(value)), 0.995);
    const rate = changedTrials.filter((t) => value(t) > threshold).length / TRIALS;
    if (rate > best.rate) best = { rate, statistic: name };
  }
  return best;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

interface Row {
  label: string;
  design: string;
  detects: string;
  oracle: string;
  falseAlarms: string;
  inconclusive: string;
  requests: string;
}

async function fixedRow(label: string, design: Design, change: Change, noise: Noise): Promise<Row> {
  let detect = 0;
  let falseAlarm = 0;
  let inconclusive = 0;
  const detectable: number[] = [];
  for (let t = 0; t < TRIALS; t++) {
    if (gateVerdict(trial(design, change, 50_000 + t, noise), DEFAULT_GATE) === 'regressed') detect++;
    const same = gateMetric(trial(design, NONE, 90_000 + t, noise), DEFAULT_GATE);
    if (same.verdict === 'regressed') falseAlarm++;
    if (same.verdict === 'inconclusive') inconclusive++;
    if (same.detectable !== undefined) detectable.push(same.detectable);
  }
  const best = oracle(design, change, noise);
  const runs = design.kind === 'stored' ? `, ${design.runs} stored run${design.runs > 1 ? 's' : ''}` : ', A/B';
  // What the reports say a stored comparison can detect (the median over the unchanged trials).
  const says = design.kind === 'stored' ? ` (reports: changes under ~${(median(detectable) * 100).toFixed(0)}% not told from drift)` : '';
  return {
    label,
    design: `${design.n}${runs}`,
    detects: `${pct(detect / TRIALS)}${says}`,
    oracle: `${pct(best.rate)} (${best.statistic})`,
    falseAlarms: pct(falseAlarm / TRIALS),
    inconclusive: pct(inconclusive / TRIALS),
    requests: String(design.n),
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

async function adaptiveRow(label: string, change: Change, noise: Noise): Promise<Row> {
  let detect = 0;
  let falseAlarm = 0;
  let inconclusive = 0;
  const nChanged: number[] = [];
  const nSame: number[] = [];
  for (let t = 0; t < TRIALS; t++) {
    const slow = await adaptiveVerdict(change, 50_000 + t, noise);
    const same = await adaptiveVerdict(NONE, 90_000 + t, noise);
    if (slow.verdict === 'regressed') detect++;
    if (same.verdict === 'regressed') falseAlarm++;
    if (same.verdict === 'inconclusive') inconclusive++;
    nChanged.push(slow.n);
    nSame.push(same.n);
  }
  const at = median(nChanged);
  const best = oracle({ kind: 'ab', n: at }, change, noise);
  return {
    label,
    design: '20..100, A/B adaptive',
    detects: pct(detect / TRIALS),
    oracle: `${pct(best.rate)} at n=${at} (${best.statistic})`,
    falseAlarms: pct(falseAlarm / TRIALS),
    inconclusive: pct(inconclusive / TRIALS),
    requests: `${at} / ${median(nSame)}`,
  };
}

/**
 * Which interval method holds its level under spikes: for A/B with no change, how often each one-sided test says
 * "slower" at its nominal level: the shift's block bootstrap (2%, its 96% interval), the p95's block bootstrap
 * and the p95's permutation test within blocks (0.5% each, the 99% interval's share).
 */
function calibration(): string[] {
  const lines = ['', `calibration under no change, A/B, spiky noise, ${TRIALS} trials: share of one-sided "slower" calls at the nominal level`, ''];
  lines.push('| n | p50-p80 bootstrap (nominal 2%) | p95 bootstrap (nominal 0.5%) | p95 permutation (nominal 0.5%) |', '|---|---|---|---|');
  const settings = { q: 0.95, shift: true, estimator: 'linear' as const, levels: { shift: 0.96, quantile: 0.99 }, resamples: 4000, seed: 0x5eed };
  const p95Log = (b: Float64Array, h: Float64Array) => Math.log(quantileSorted(h, 0.95) / quantileSorted(b, 0.95));
  for (const n of [20, 30, 50]) {
    let shift = 0;
    let boot = 0;
    let perm = 0;
    for (let t = 0; t < TRIALS; t++) {
      const [base, head] = simulateRun(n, [NONE, NONE], 30_000 + t, REALISTIC, WARMUP);
      if (!base || !head) throw new Error('two arms expected');
      const blocked = (arm: Arm) => arm.samples.map((s, i) => ({ value: s.e2eMs ?? 0, block: arm.blocks[i] ?? i }));
      const ci = pairedIntervals(blocked(base), blocked(head), settings);
      if ((ci.shift?.lo ?? 0) > 1) shift++;
      if (ci.quantile.lo > 1) boot++;
      if (pairedPermutationP(blocked(base), blocked(head), 1, { statistic: p95Log, alpha: 0.005, seed: 0x5eed }) < 0.005) perm++;
    }
    lines.push(`| ${n} | ${pct(shift / TRIALS)} | ${pct(boot / TRIALS)} | ${pct(perm / TRIALS)} |`);
  }
  return lines;
}

async function main(): Promise<void> {
  const started = performance.now();
  if (process.env.SECTION === 'calibration') {
    process.stdout.write(`${calibration().join('\n')}\n`);
    return;
  }
  const rows: Row[] = [];
  const scenarios: Array<[string, Change, Noise]> = [
    ['+25% uniform', UNIFORM, REALISTIC],
    ['+25% uniform, no spikes', UNIFORM, NO_SPIKES],
    ['tail only (slowest 10% +40%)', TAIL, REALISTIC],
  ];
  // SECTION=adaptive: the PR gate's rows alone (A/B, adaptive), a few minutes.
  const adaptiveOnly = process.env.SECTION === 'adaptive';
  for (const [label, change, noise] of scenarios) {
    if (!adaptiveOnly) for (const n of [20, 30, 50]) rows.push(await fixedRow(label, { kind: 'ab', n }, change, noise));
    rows.push(await adaptiveRow(label, change, noise));
  }
  if (!adaptiveOnly) {
    for (const runs of [1, 5]) rows.push(await fixedRow('+25% uniform, stored', { kind: 'stored', n: 30, runs }, UNIFORM, REALISTIC));
    rows.push(await fixedRow('+30%, steady server, stored', { kind: 'stored', n: 30, runs: 5 }, { kind: 'uniform', factor: 1.3 }, STEADY));
  }
  const header = ['change', 'requests a side, mode', 'detects', 'oracle', 'false alarms', 'inconclusive w/o change', 'median requests (changed / not)'];
  const lines = [
    `gate power on e2e p95, ${TRIALS} seeded trials per cell (oracle calibrated on ${CALIBRATION} null trials), ${WARMUP} warmup requests`,
    `noise: TTFT 30 ms + 16 gaps of 2 ms (lognormal 0.12 each), 2% of requests x3, warm-up x1.5 fading over 10 requests, run drift 0.05`,
    '',
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${[r.label, r.design, r.detects, r.oracle, r.falseAlarms, r.inconclusive, r.requests].join(' | ')} |`),
    ...(adaptiveOnly ? [] : calibration()),
    '',
    `gate as for a run of ${process.env.CASES ?? 1} case(s); (${((performance.now() - started) / 1000).toFixed(0)} s)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
