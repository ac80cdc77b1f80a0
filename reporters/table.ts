/** The final per-case table, rendered from a results document (used live and by `foundry-bench report`). */
import { styleText } from 'node:util';
import { requestsToShow } from '../harness/evaluate/load.ts';
import type { CaseResult, RunResults } from '../harness/types.ts';
import {
  capacityText,
  formatShare,
  caseCount,
  e2eP95Verdict,
  formatChange,
  formatMs,
  modelLabel,
  outcome,
  SkipReasons,
  type SkippedModel,
  skippedModels,
} from './format.ts';

type Style = Parameters<typeof styleText>[0];

const COLUMNS = ['model', 'prompt', 'n', 'p50 ms', 'p95 ms', 'p99 ms', 'TTFT p95', 'tok/s', 'errors', 'Δ p95 (CI)', 'outcome'] as const;
const RIGHT_ALIGNED = new Set<string>(['n', 'p50 ms', 'p95 ms', 'p99 ms', 'TTFT p95', 'tok/s', 'errors', 'Δ p95 (CI)']);

function row(c: CaseResult): string[] {
  const e2e = c.stats.e2eMs;
  const tokPerSec = c.stats.e2eTokPerSec?.p50;
  const estimated = c.samples.some((s) => s.ok && s.tokensEstimated) ? '~' : '';
  return [
    modelLabel(c),
    c.load ? `${c.promptId} @${c.load.label}` : c.promptId,
    String(c.samples.length),
    formatMs(e2e?.p50),
    formatMs(e2e?.p95),
    formatMs(e2e?.p99),
    formatMs(c.stats.ttftMs?.p95),
    tokPerSec === undefined ? '-' : `${estimated}${tokPerSec.toFixed(1)}`,
    c.errors.count === 0 ? '0' : `${c.errors.count} (${(c.errors.rate * 100).toFixed(0)}%)`,
    formatChange(e2eP95Verdict(c)),
    outcome(c),
  ];
}

const OUTCOME_STYLE: Partial<Record<ReturnType<typeof outcome>, Style>> = {
  regressed: 'red',
  failed: 'red',
  inconclusive: 'yellow',
  skipped: 'yellow',
  improved: 'green',
};

/** A skipped model's one row: its prompts counted, no figures. */
function skippedRow(group: SkippedModel): string[] {
  const prompts = group.prompts.length === 1 ? (group.prompts[0] ?? '') : `(${group.prompts.length} prompts)`;
  return [group.model, prompts, '0', '-', '-', '-', '-', '-', '0', '-', 'skipped'];
}

/** A load's figures in one line: rate, concurrency, queue, attainment, goodput, and a sweep's capacity. */
function loadLine(load: NonNullable<CaseResult['load']>): string {
  const slo = load.slo;
  return [
    `${load.achievedRate.toFixed(2)}${load.targetRate === null ? '' : ` of ${load.targetRate}`} req/s${load.saturated ? ' (saturated)' : ''}`,
    `${load.effectiveConcurrency.toFixed(2)} in flight`,
    load.queueMs && load.queueMs.p95 > 0.05 ? `queue p95 ${formatMs(load.queueMs.p95)} ms` : null,
    slo
      ? `SLO ${slo.verdict} ${formatShare(slo.attainment)} (95% CI ${formatShare(slo.interval.lo)} .. ${formatShare(slo.interval.hi)}) of ${formatShare(slo.target)}${slo.binding ? `, binding ${slo.binding}` : ''}, goodput ${slo.goodputRps.toFixed(2)} req/s` +
        (slo.verdict === 'uncertain' && slo.judged < requestsToShow(slo.target)
          ? ` (${slo.judged} requests cannot show ${formatShare(slo.target)}: ${requestsToShow(slo.target)} all good can)`
          : '')
      : null,
    load.sweep ? capacityText(load.sweep) : null,
  ]
    .filter((part): part is string => part !== null)
    .join('; ');
}

export function renderTable(results: RunResults, { color = false } = {}): string {
  const measured = results.cases.filter((c) => c.status !== 'skipped');
  const skippedGroups = skippedModels(results.cases);
  const rows = [...measured.map(row), ...skippedGroups.map(skippedRow)];
  const widths = COLUMNS.map((title, i) => Math.max(title.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, i) => (RIGHT_ALIGNED.has(COLUMNS[i] ?? '') ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0))).join('  ');
  const paint = (style: Style, text: string) => (color ? styleText(style, text) : text);
  const out = [paint('bold', line(COLUMNS)), line(widths.map((w) => '-'.repeat(w)))];
  rows.forEach((cells, i) => {
    const text = line(cells);
    const style = OUTCOME_STYLE[i < measured.length ? outcome(measured[i] as CaseResult) : 'skipped'];
    out.push(style ? paint(style, text) : text);
  });
  const { cases, passed, failed, skipped } = results.summary;
  out.push('', `${cases} cases: ${paint('green', `${passed} passed`)}, ${paint(failed ? 'red' : 'green', `${failed} failed`)}, ${skipped} skipped`);
  // One line per skipped model (a model the target lacks skips all its prompts for the same reason); a reason
  // already given for another model is not repeated.
  const reasons = new SkipReasons();
  for (const { model, prompts, reason } of skippedGroups) {
    if (reason) out.push(paint('yellow', `  skipped ${model} (${caseCount(prompts.length)}): ${reasons.say(model, reason)}`));
  }
  for (const c of results.cases) {
    if (c.status === 'failed') out.push(paint('red', `  failed ${c.name}: ${c.failures.join('; ')}`));
  }
  // Under load: what the load achieved and how the objectives were met, one line a case.
  for (const c of measured) if (c.load) out.push(`  load ${c.name}: ${loadLine(c.load)}`);
  // Why a case could not be decided, with what would decide it.
  for (const c of results.cases) {
    const p95 = e2eP95Verdict(c);
    if (outcome(c) === 'inconclusive' && p95?.reason) out.push(paint('yellow', `  inconclusive ${c.name}: ${p95.reason}`));
  }
  for (const e of results.run.errors) out.push(paint('red', `  error${e.file ? ` in ${e.file}` : ''}: ${e.message}`));
  const mismatched = results.cases.filter((c) => c.gate && c.gate.fingerprintMismatch.length > 0);
  if (mismatched.length > 0) {
    const fields = [...new Set(mismatched.flatMap((c) => c.gate?.fingerprintMismatch ?? []))].join('; ');
    out.push(paint('yellow', `  WARNING: ${mismatched.length} case(s) compared against a baseline measured elsewhere (${fields})`));
  }
  // Stored comparisons that cannot tell a plausible change from drift say so once, with what would.
  const blind = results.cases.filter((c) => c.gate?.drift && (e2eP95Verdict(c)?.detectable ?? 0) > c.gate.tolerance + 0.005);
  if (blind.length > 0) {
    const worst = Math.max(...blind.map((c) => e2eP95Verdict(c)?.detectable ?? 0));
    out.push(
      paint(
        'yellow',
        `  note: ${blind.length} case(s) compared with stored runs cannot tell changes under ~${(worst * 100).toFixed(0)}% from drift: use --base-replay, or store more runs`,
      ),
    );
  }
  if (results.cases.some((c) => c.samples.some((s) => s.ok && s.tokensEstimated))) {
    out.push('  ~ tokens counted from stream chunks: the server sent no usage');
  }
  return out.join('\n');
}
