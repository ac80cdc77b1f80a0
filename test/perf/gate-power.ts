/**
 * Power and false-alarm rates of the p95 regression gate (`npm run bench:gate-power`).
 *
 * Each trial draws a baseline and a head sample set of n requests whose
 * latency is 100 ms times lognormal noise (sigma 0.15 per whole request),
 * the head slowed by +25% or not at all, and asks the gate for a verdict on
 * e2e p95. Rates over TRIALS seeded trials, for each estimator, next to the
 * naive method of simple scripts: 3 rounds, p95 by Python's
 * statistics.quantiles(n=20), a fixed 10% threshold.
 */
import { compareMetric, DEFAULT_GATE } from '../../harness/gate/verdict.ts';
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
        const options = { ...DEFAULT_GATE, estimator };
        if (compareMetric('e2eP95', base, slow, options).verdict === 'regressed') detect++;
        if (compareMetric('e2eP95', base, same, options).verdict === 'regressed') falseAlarm++;
      }
      lines.push(`gate, ${estimator.padEnd(14)} ${String(n).padStart(5)}   ${rate(detect)}         ${rate(falseAlarm)}`);
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main();
