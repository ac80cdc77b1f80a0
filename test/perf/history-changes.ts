/**
 * How well `history changes` finds steps (`npm run bench:history-changes`; TRIALS=200 by default, seeded).
 *
 * Series of 200 runs of one case, 30 requests a run, from the gate's noise model (test/helpers/noise.ts: per-run
 * drift 5%, within-run lognormal noise, 2% spikes 3x, warm-up transients). A step of +10/+15/+25% starts at a
 * random run k. Two questions:
 * - **placed**: in a 200-run series with the step at k (20..180), a confirmed regression within 5 runs of k;
 * - **online**: with only the runs up to k + 4 pushed (five runs at the new level, k in 50..194), a confirmed
 *   regression placed within 2 runs of k: how soon a push to main learns of it.
 * False alarms: any change point, either metric, in a 200-run series without a step.
 */
import { findChanges } from '../../harness/history/changes.ts';
import { seededRandom } from '../../harness/evaluate/stats.ts';
import { simulatedSeries } from '../helpers/history.ts';
import { REALISTIC } from '../helpers/noise.ts';

const TRIALS = Number(process.env.TRIALS ?? 200);
const RUNS = 200;
const AFTER = 5;

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const regressedNear = (points: ReturnType<typeof findChanges>, k: number, within: number) =>
  points.some((p) => p.metric === 'e2eP95' && p.direction === 'regressed' && Math.abs(p.index - k) <= within);
const started = Date.now();
const rows: string[] = [
  `| change | placed within 5 runs (${RUNS}-run series) | online: found with 5 runs after it | other change points raised |`,
  '|---|---|---|---|',
];
for (const factor of [1.1, 1.15, 1.25]) {
  const random = seededRandom(Math.round(factor * 1000));
  let placed = 0;
  let online = 0;
  let other = 0;
  for (let t = 0; t < TRIALS; t++) {
    const k = 20 + Math.floor(random() * (RUNS - 40));
    const full = findChanges(simulatedSeries(RUNS, k, factor, 20_000 + t, REALISTIC));
    if (regressedNear(full, k, 5)) placed++;
    if (full.some((p) => Math.abs(p.index - k) > 5)) other++;
    const j = 50 + Math.floor(random() * (RUNS - 50 - AFTER));
    if (regressedNear(findChanges(simulatedSeries(j + AFTER, j, factor, 10_000 + t, REALISTIC)), j, 2)) online++;
  }
  rows.push(`| +${Math.round((factor - 1) * 100)}% | ${pct(placed / TRIALS)} | ${pct(online / TRIALS)} | ${pct(other / TRIALS)} |`);
}
let alarms = 0;
for (let t = 0; t < TRIALS; t++) if (findChanges(simulatedSeries(RUNS, RUNS, 1, 50_000 + t, REALISTIC)).length > 0) alarms++;
rows.push(`| none | false alarms: ${pct(alarms / TRIALS)} of series | | |`);
console.log(rows.join('\n'));
console.log(`\n${TRIALS} trials per row, ${((Date.now() - started) / 1000).toFixed(0)} s`);
