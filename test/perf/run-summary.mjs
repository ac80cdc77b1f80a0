// One line about a bench run's gate, for the perf scripts (ab-bursty.sh, gate-reality.sh): how many cases failed
// the gate, the verdicts, the requests a side and the p95 changes; then each failing case with its changes.
// Usage: node test/perf/run-summary.mjs <results.json>
import { readFileSync } from 'node:fs';

const results = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const ran = results.cases.filter((c) => c.status !== 'skipped');
const count = (verdict) => ran.filter((c) => c.gate?.verdict === verdict).length;
const n = ran.map((c) => c.gate?.sampling?.iterations ?? c.samples.length);
const pct = (ratio) => `${ratio >= 1 ? '+' : ''}${(ratio * 100 - 100).toFixed(1)}%`;
const changes = ran.map((c) => c.gate?.metrics[0]?.ratio).filter((r) => r != null);
const failed = ran.filter((c) => c.gate?.failed);
console.log(
  `${failed.length} gate failure(s): regressed ${count('regressed')}, improved ${count('improved')}, inconclusive ${count('inconclusive')}, ` +
    `unchanged ${count('unchanged')}, not gated ${count('not-gated')}; n per side ${Math.min(...n)}..${Math.max(...n)}; p95 ${changes.map(pct).join(' ')}`,
);
for (const c of failed) {
  const metrics = c.gate.metrics.filter((m) => m.verdict === c.gate.verdict && m.ratio != null);
  const said = metrics.map((m) => `${m.metric} ${pct(m.ratio)}${m.ci ? ` (${pct(m.ci.lo)} .. ${pct(m.ci.hi)})` : ''}, decided by ${m.decidedBy ?? '?'}`);
  console.log(`    ${c.name}: ${c.gate.verdict}: ${said.join('; ')}`);
}
