/** CSV, one row per case (RFC 4180 quoting), for spreadsheets and tools. */
import type { CaseResult, RunResults } from '../harness/types.ts';
import { e2eP95Verdict, gateBasis, outcome } from './format.ts';

type Cell = string | number | boolean | null | undefined;

const COLUMNS: Array<[string, (c: CaseResult) => Cell]> = [
  ['file', (c) => c.file],
  ['case_id', (c) => c.id],
  ['model', (c) => c.model],
  ['prompt_id', (c) => c.promptId],
  ['status', (c) => c.status],
  ['outcome', (c) => outcome(c)],
  ['samples', (c) => c.samples.length],
  ['errors', (c) => c.errors.count],
  ['error_rate', (c) => c.errors.rate],
  ['e2e_p50_ms', (c) => c.stats.e2eMs?.p50],
  ['e2e_p95_ms', (c) => c.stats.e2eMs?.p95],
  ['e2e_p99_ms', (c) => c.stats.e2eMs?.p99],
  ['e2e_p95_ci_lo_ms', (c) => c.stats.e2eMs?.p95CI.lo],
  ['e2e_p95_ci_hi_ms', (c) => c.stats.e2eMs?.p95CI.hi],
  ['ttft_p50_ms', (c) => c.stats.ttftMs?.p50],
  ['ttft_p95_ms', (c) => c.stats.ttftMs?.p95],
  ['itl_p50_ms', (c) => c.stats.itlMs?.p50],
  ['tpot_p50_ms', (c) => c.stats.tpotMs?.p50],
  ['output_tokens_p50', (c) => c.stats.outputTokens?.p50],
  ['tokens_estimated', (c) => c.samples.some((s) => s.ok && s.tokensEstimated)],
  ['e2e_tok_s_p50', (c) => c.stats.e2eTokPerSec?.p50],
  ['decode_tok_s_p50', (c) => c.stats.decodeTokPerSec?.p50],
  ['verdict', (c) => c.gate?.verdict],
  ['base_e2e_p95_ms', (c) => e2eP95Verdict(c)?.base],
  ['p95_ratio', (c) => e2eP95Verdict(c)?.ratio],
  ['p95_ratio_ci_lo', (c) => e2eP95Verdict(c)?.ci?.lo],
  ['p95_ratio_ci_hi', (c) => e2eP95Verdict(c)?.ci?.hi],
  ['p50_p80_ratio', (c) => e2eP95Verdict(c)?.shift?.ratio],
  ['p50_p80_ratio_ci_lo', (c) => e2eP95Verdict(c)?.shift?.ci.lo],
  ['p50_p80_ratio_ci_hi', (c) => e2eP95Verdict(c)?.shift?.ci.hi],
  ['decided_by', (c) => e2eP95Verdict(c)?.decidedBy],
  ['detectable_change', (c) => e2eP95Verdict(c)?.detectable],
  ['fingerprint_mismatch', (c) => c.gate?.fingerprintMismatch.join('; ')],
  ['input_changes', (c) => c.gate?.inputChanges?.join('; ')],
  ['gate_basis', (c) => gateBasis(c.gate)],
  ['sampling_iterations', (c) => c.gate?.sampling?.iterations],
  ['sampling_stopped', (c) => c.gate?.sampling?.stoppedBecause],
  ['deterministic', (c) => c.determinism.identical],
  ['model_id', (c) => c.variant?.id],
  ['device', (c) => c.variant?.deviceType],
  ['execution_provider', (c) => c.variant?.executionProvider],
  ['model_load_ms', (c) => c.modelInfo?.loadMs],
  ['cold_ttft_ms', (c) => c.modelInfo?.lifecycle?.cold?.ttftMs],
  ['cold_e2e_ms', (c) => c.modelInfo?.lifecycle?.cold?.e2eMs],
  ['warmup_until_stable_requests', (c) => c.modelInfo?.warmUp?.requests],
  ['warmup_stable', (c) => c.modelInfo?.warmUp?.stable],
  ['rss_before_load_bytes', (c) => c.modelInfo?.lifecycle?.rssBeforeBytes],
  ['rss_after_load_bytes', (c) => c.modelInfo?.lifecycle?.rssAfterBytes],
  ['disk_bytes', (c) => c.modelInfo?.lifecycle?.diskBytes],
  ['download_ms', (c) => c.modelInfo?.lifecycle?.downloadMs],
  ['output_changed', (c) => c.gate?.outputChanged],
  ['quality_score', (c) => c.quality?.score],
  ['quality_facets', (c) => c.quality?.facets?.score],
  ['quality_judge', (c) => (c.quality?.judge ? (c.quality.judge.score ?? c.quality.judge.status) : null)],
  ['quality_manual', (c) => c.quality?.manual?.score],
  // MiB: the catalog's size_mb and Foundry Local's fileSizeMb count 2^20 bytes.
  ['model_size_mib', (c) => c.catalog?.size_mb],
  ['model_license', (c) => c.catalog?.license],
  ['model_capabilities', (c) => c.catalog?.capabilities.join(' ')],
  ['energy_j_per_token_estimate', (c) => c.cost?.joulesPerToken],
  ['cost_per_million_tokens_estimate', (c) => c.cost?.costPerMillionTokens],
  ['cost_currency', (c) => c.cost?.currency],
  ['load', (c) => c.load?.label],
  ['load_target_rps', (c) => c.load?.targetRate],
  ['load_achieved_rps', (c) => c.load?.achievedRate],
  ['load_effective_concurrency', (c) => c.load?.effectiveConcurrency],
  ['load_output_tok_s', (c) => c.load?.outputTokensPerSec],
  ['load_queue_p95_ms', (c) => c.load?.queueMs?.p95],
  ['load_saturated', (c) => c.load?.saturated],
  ['slo_attainment', (c) => c.load?.slo?.attainment],
  ['slo_attainment_ci_lo', (c) => c.load?.slo?.interval.lo],
  ['slo_attainment_ci_hi', (c) => c.load?.slo?.interval.hi],
  ['slo_verdict', (c) => c.load?.slo?.verdict],
  ['slo_binding', (c) => c.load?.slo?.binding],
  ['goodput_rps', (c) => c.load?.slo?.goodputRps],
  ['capacity', (c) => c.load?.sweep?.capacity],
  ['capacity_bound', (c) => c.load?.sweep?.bound],
  ['capacity_knee', (c) => c.load?.sweep?.knee],
  ['serialises', (c) => c.load?.sweep?.serialises],
  ['skip_reason', (c) => c.skipReason],
  ['failures', (c) => c.failures.join(' | ')],
];

/**
 * One CSV field. Numbers keep full precision; text is quoted when needed, and
 * text that a spreadsheet would run as a formula (=, +, -, @) gets a leading
 * apostrophe, since model and prompt names are user input.
 */
export function csvField(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function renderCsv(results: RunResults): string {
  const rows = [COLUMNS.map(([name]) => name), ...results.cases.map((c) => COLUMNS.map(([, get]) => csvField(get(c))))];
  return `${rows.map((row) => row.join(',')).join('\r\n')}\r\n`;
}
