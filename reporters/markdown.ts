/**
 * The Markdown report, sized for a GitHub PR comment: a summary line, one
 * table row per case with the p95 change against the baseline and its CI, the
 * machine fingerprint, and collapsible per-case details with a sample output.
 * All model and user text is escaped. The report stays under GitHub's comment
 * limit by shedding detail in steps when the run is large.
 */
import type { CaseResult, RunResults } from '../harness/types.ts';
import {
  capacityText,
  e2eP95Verdict,
  escapeMarkdownCell,
  escapeMarkdownHtml,
  formatBytes,
  formatChange,
  formatMs,
  gateBasis,
  modelLabel,
  samplingNote,
  outcome,
  OUTCOME_SYMBOL,
  OUTPUT_CHANGED,
  type Outcome,
  caseCount,
  skippedModels,
} from './format.ts';

/** GitHub rejects comment bodies over 65,536 characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;
/** Hidden marker that lets a workflow find and update its own comment. */
export const REPORT_MARKER = '<!-- foundry-bench-report -->';

export interface MarkdownOptions {
  /** Maximum length of the document; default GitHub's comment limit less room for a footer. */
  maxChars?: number;
  /** Where the full report lives (e.g. a CI artifact), linked when detail is dropped. */
  fullReportUrl?: string;
  title?: string;
}

const SAMPLE_CHARS = 600;

function summaryLine(results: RunResults): string {
  const changed = results.cases.filter((c) => c.gate?.outputChanged).length;
  const counts = new Map<Outcome, number>();
  for (const c of results.cases) counts.set(outcome(c), (counts.get(outcome(c)) ?? 0) + 1);
  const part = (kind: Outcome, word: string) => (counts.get(kind) ? `${OUTCOME_SYMBOL[kind]} ${counts.get(kind)} ${word}` : null);
  const parts = [
    part('regressed', 'regressed'),
    part('failed', 'failed'),
    part('inconclusive', 'inconclusive'),
    part('improved', 'improved'),
    part('unchanged', 'unchanged'),
    part('not-gated', 'not gated'),
    part('new', 'new'),
    part('skipped', 'skipped'),
  ].filter(Boolean);
  return `**${results.summary.cases} cases**: ${parts.join(' · ') || 'none'}${changed ? ` · 🔀 ${changed} output changed` : ''}`;
}

/** Cases the PR comment's chart shows, the largest changes first: one row each, readable at this many. */
export const CHART_CASES = 30;

/** A case id as a mermaid axis label: only characters that cannot end the label or the code block. */
function chartLabel(text: string): string {
  const safe = text.replace(/[^A-Za-z0-9._/@()+ -]/g, '_');
  return safe.length > 32 ? `${safe.slice(0, 31)}…` : safe;
}

/**
 * A mermaid chart GitHub renders in the comment itself: each compared case's e2e p95 as a percentage of its
 * reference, one horizontal bar a case (labels read across, however many cases), sorted from the largest slowdown;
 * the axis starts at 0 (no exaggerated differences) and reaches past the largest bar, and two lines mark each
 * case's tolerance band. CHART_CASES at most, the largest changes; empty when no case has both figures.
 */
export function p95Chart(results: RunResults): string[] {
  const rows = results.cases.flatMap((c) => {
    const p95 = e2eP95Verdict(c);
    return p95?.base != null && p95.head != null && p95.base > 0
      ? [{ id: c.id, percent: (100 * p95.head) / p95.base, band: 1 + (c.gate?.tolerance ?? 0.1) }]
      : [];
  });
  if (rows.length === 0) return [];
  const largest = [...rows].sort((a, b) => Math.abs(Math.log(b.percent / 100)) - Math.abs(Math.log(a.percent / 100))).slice(0, CHART_CASES);
  const shown = largest.sort((a, b) => b.percent - a.percent);
  const list = (values: number[]) => values.map((v) => Number(v.toFixed(1))).join(', ');
  const top = Math.ceil((Math.max(...shown.map((r) => Math.max(r.percent, 100 * r.band))) * 1.1) / 10) * 10;
  const tolerances = [...new Set(shown.map((r) => Math.round((r.band - 1) * 100)))];
  const of = shown.length < rows.length ? `, ${shown.length} largest changes of ${rows.length}` : '';
  return [
    '```mermaid',
    '---',
    'config:',
    '  xyChart:',
    '    width: 760',
    `    height: ${130 + 26 * shown.length}`,
    '    showDataLabel: true',
    '---',
    'xychart-beta horizontal',
    `  title "e2e p95, % of reference${of} (lines: ±${tolerances.join('/')}% band)"`,
    `  x-axis [${shown.map((r) => `"${chartLabel(r.id)}"`).join(', ')}]`,
    `  y-axis "% of reference" 0 --> ${top}`,
    `  bar [${list(shown.map((r) => r.percent))}]`,
    `  line [${list(shown.map((r) => 100 * r.band))}]`,
    `  line [${list(shown.map((r) => 100 / r.band))}]`,
    '```',
    '',
  ];
}

function tableRow(c: CaseResult): string {
  const e2e = c.stats.e2eMs;
  const tokPerSec = c.stats.e2eTokPerSec?.p50;
  const kind = outcome(c);
  const cells = [
    OUTCOME_SYMBOL[kind],
    escapeMarkdownCell(modelLabel(c)),
    escapeMarkdownCell(c.promptId),
    e2e ? `${formatMs(e2e.p50)} ms` : '-',
    e2e ? `${formatMs(e2e.p95)} ms` : '-',
    escapeMarkdownCell(formatChange(e2eP95Verdict(c))),
    c.stats.ttftMs ? `${formatMs(c.stats.ttftMs.p95)} ms` : '-',
    tokPerSec === undefined ? '-' : tokPerSec.toFixed(1),
    c.quality?.score == null ? '-' : c.quality.score.toFixed(1),
    `${kind}${c.gate?.outputChanged ? ' · output changed' : ''}${c.gate?.inputChanges?.length ? ' · input changed' : ''}`,
  ];
  return `| ${cells.join(' | ')} |`;
}

const TABLE_HEAD = [
  '| | Model | Prompt | p50 | p95 | Δ p95 vs base (CI) | TTFT p95 | tok/s | Quality | Verdict |',
  '|---|---|---|--:|--:|--:|--:|--:|--:|---|',
];

/**
 * The catalog facts, cold start, memory, disk and cost estimate of each model
 * that ran: the selection criteria beside latency. Foundry Local columns
 * (first request after load, memory, disk) appear when a case has them.
 */
/** Cases under load: the rate and concurrency achieved, queue time, and how the objectives were met. */
function loadSection(cases: readonly CaseResult[]): string[] {
  const loaded = cases.filter((c) => c.load);
  if (loaded.length === 0) return [];
  const rows = loaded.map((c) => {
    const load = c.load as NonNullable<CaseResult['load']>;
    const rate = `${load.achievedRate.toFixed(2)}${load.targetRate === null ? '' : ` of ${load.targetRate}`}/s${load.saturated ? ' ⚠️ saturated' : ''}`;
    const slo = load.slo
      ? `${SLO_MARK[load.slo.verdict]} ${(load.slo.attainment * 100).toFixed(1)}% (${(load.slo.interval.lo * 100).toFixed(1)}..${(load.slo.interval.hi * 100).toFixed(1)}%) of ${(load.slo.target * 100).toFixed(0)}%${load.slo.binding ? `, binding ${load.slo.binding}` : ''}`
      : '-';
    const goodput = load.slo ? `${load.slo.goodputRps.toFixed(2)}/s` : '-';
    return `| ${escapeMarkdownCell(c.id)} | ${rate} | ${load.effectiveConcurrency.toFixed(2)} | ${load.outputTokensPerSec.toFixed(1)} | ${formatMs(load.queueMs?.p95 ?? 0)} ms | ${formatMs(load.e2eWithQueueMs?.p95 ?? 0)} ms | ${slo} | ${goodput} |`;
  });
  const sweeps = loaded.flatMap((c) => (c.load?.sweep ? [`- ${escapeMarkdownCell(c.id)}: ${escapeMarkdownCell(capacityText(c.load.sweep))}`] : []));
  return [
    '| Case under load | Requests/s | In flight (avg) | Output tok/s | Queue p95 | e2e with queue p95 | SLO attainment (95% CI) | Goodput |',
    '|---|--:|--:|--:|--:|--:|---|--:|',
    ...rows,
    '',
    ...(sweeps.length > 0 ? ['Capacity under the objectives (the table shows each capacity level):', '', ...sweeps, ''] : []),
  ];
}

const SLO_MARK = { met: '🟢', missed: '🔴', uncertain: '🟡' } as const;

function modelsSection(results: RunResults): string[] {
  const byModel = new Map<string, CaseResult>();
  for (const c of results.cases) if (c.status !== 'skipped' && !byModel.has(modelLabel(c))) byModel.set(modelLabel(c), c);
  if (byModel.size === 0) return [];
  const anyCost = [...byModel.values()].some((c) => c.cost);
  const anyLifecycle = [...byModel.values()].some((c) => c.modelInfo?.lifecycle);
  const lines = [
    `| Model | Parameters | Size | License | Capabilities | Load (cold start) |${anyLifecycle ? ' First request after load (TTFT / e2e) | Service memory after load | Disk |' : ''}${anyCost ? ' Energy, cost (estimate) |' : ''}`,
    `|---|--:|--:|---|---|--:|${anyLifecycle ? '--:|--:|--:|' : ''}${anyCost ? '--:|' : ''}`,
  ];
  for (const [model, c] of byModel) {
    const entry = c.catalog;
    const cost = c.cost
      ? ` ${c.cost.joulesPerToken.toFixed(3)} J/token${c.cost.costPerMillionTokens === null ? '' : `, ${c.cost.costPerMillionTokens.toFixed(4)} ${escapeMarkdownCell(c.cost.currency ?? '')} per 1M tokens`} (est.) |`
      : anyCost
        ? ' - |'
        : '';
    const load = c.modelInfo?.lifecycle?.alreadyLoaded ? 'already loaded' : c.modelInfo?.loadMs == null ? '-' : `${formatMs(c.modelInfo.loadMs)} ms`;
    lines.push(
      `| ${escapeMarkdownCell(model)} | ${entry?.parameters ? `${(entry.parameters / 1e6).toFixed(1)}M` : '-'} | ${entry?.size_mb == null ? '-' : `${entry.size_mb} MiB`} | ${entry ? escapeMarkdownCell(entry.license) : '-'} | ${entry ? escapeMarkdownCell(entry.capabilities.join(', ')) : '-'} | ${load} |${anyLifecycle ? lifecycleCells(c) : ''}${cost}`,
    );
  }
  return [
    '<details><summary>Models: size, license, capabilities, cold start' +
      (anyLifecycle ? ', memory, disk' : '') +
      (anyCost ? ', cost estimate' : '') +
      '</summary>',
    '',
    ...lines,
    '',
    '</details>',
    '',
  ];
}

function lifecycleCells(c: CaseResult): string {
  const life = c.modelInfo?.lifecycle;
  if (!life) return ' - | - | - |';
  const cold = life.cold
    ? life.cold.ok
      ? `${formatMs(life.cold.ttftMs)} / ${formatMs(life.cold.e2eMs)} ms`
      : `failed: ${escapeMarkdownCell(life.cold.error ?? '')}`
    : '-';
  const growth = c.modelInfo?.rssGrowthBytes == null ? '' : ` (+${formatBytes(c.modelInfo.rssGrowthBytes)})`;
  const memory = life.rssAfterBytes == null ? 'unknown' : `${formatBytes(life.rssAfterBytes)}${growth}`;
  return ` ${cold} | ${memory} | ${formatBytes(life.diskBytes)} |`;
}

function fingerprintSection(results: RunResults): string[] {
  const { run } = results;
  const lines = [
    `<sub>Measured on ${escapeMarkdownHtml(run.cpu.model)} (${run.cpu.cores} cores, ${Math.round(run.memoryBytes / 2 ** 30)} GiB), ${escapeMarkdownHtml(`${run.os.platform}/${run.os.arch}`)} ${escapeMarkdownHtml(run.os.release)}, Node ${escapeMarkdownHtml(run.node)}; target ${
      run.targets.map((t) => `${t.kind}${t.server ? ` (${escapeMarkdownHtml(t.server)})` : ''}`).join(', ') || 'none'
    }${run.gitSha ? `; commit ${escapeMarkdownHtml(run.gitSha.slice(0, 12))}` : ''}.</sub>`,
  ];
  const mismatched = results.cases.filter((c) => c.gate && c.gate.fingerprintMismatch.length > 0);
  if (mismatched.length > 0) {
    const fields = [...new Set(mismatched.flatMap((c) => c.gate?.fingerprintMismatch ?? []))];
    lines.unshift(
      `> [!WARNING]`,
      `> ${mismatched.length} case(s) were compared with a baseline measured elsewhere: ${fields.map(escapeMarkdownCell).join('; ')}. Verdicts across machines or servers mix hardware with code changes.`,
      '',
    );
  }
  return lines;
}

function details(c: CaseResult, withSample: boolean): string[] {
  const lines = [`<details><summary>${OUTCOME_SYMBOL[outcome(c)]} ${escapeMarkdownHtml(c.name)}</summary>`, ''];
  const e2e = c.stats.e2eMs;
  if (e2e) {
    lines.push(
      `- e2e: n=${e2e.n}, p50 ${formatMs(e2e.p50)} ms (95% CI ${formatMs(e2e.p50CI.lo)}–${formatMs(e2e.p50CI.hi)}), p95 ${formatMs(e2e.p95)} ms (95% CI ${formatMs(e2e.p95CI.lo)}–${formatMs(e2e.p95CI.hi)}), p99 ${formatMs(e2e.p99)} ms`,
    );
  }
  if (c.stats.ttftMs) lines.push(`- TTFT: p50 ${formatMs(c.stats.ttftMs.p50)} ms, p95 ${formatMs(c.stats.ttftMs.p95)} ms`);
  if (c.stats.itlMs) lines.push(`- ITL: p50 ${formatMs(c.stats.itlMs.p50)} ms, p95 ${formatMs(c.stats.itlMs.p95)} ms`);
  if (c.stats.outputTokens)
    lines.push(
      `- output tokens: p50 ${c.stats.outputTokens.p50}${c.samples.some((s) => s.ok && s.tokensEstimated) ? ' (counted chunks: the server sent no usage)' : ''}`,
    );
  const warmUp = c.modelInfo?.warmUp;
  if (warmUp) {
    const settled = warmUp.stable ? 'until its latency was stable' : 'and its latency had not settled when the limit was reached';
    lines.push(`- model warm-up before its first case: ${warmUp.requests} requests ${settled} (median ${formatMs(warmUp.medianMs)} ms)`);
  }
  for (const m of c.gate?.metrics ?? []) lines.push(`- ${escapeMarkdownCell(m.message)}`);
  if (c.errors.count > 0)
    lines.push(
      `- errors: ${c.errors.count} (${Object.entries(c.errors.byKind)
        .map(([k, n]) => `${k} x${n}`)
        .join(', ')})`,
    );
  const q = c.quality;
  if (q) {
    const parts = [
      q.facets
        ? `facets ${q.facets.score.toFixed(1)} (${q.facets.matched.length}/${q.facets.matched.length + q.facets.missing.length}${q.facets.missing.length ? `, missing ${q.facets.missing.map(escapeMarkdownCell).join(', ')}` : ''})`
        : null,
      q.judge ? `judge ${escapeMarkdownCell(q.judge.model)}: ${q.judge.status === 'scored' ? q.judge.score : q.judge.status}` : null,
      q.manual
        ? `manual ${q.manual.score}${q.manual.by ? ` by ${escapeMarkdownCell(q.manual.by)}` : ''}${q.manual.note ? ` (${escapeMarkdownCell(q.manual.note)})` : ''}`
        : null,
      q.detachedAnnotations ? `${q.detachedAnnotations} annotation(s) of an earlier output` : null,
    ].filter(Boolean);
    if (parts.length > 0) lines.push(`- quality${q.score === null ? '' : ` ${q.score.toFixed(1)}/5`}: ${parts.join('; ')}`);
  }
  if (c.gate?.outputChanged) lines.push(`- 🔀 ${OUTPUT_CHANGED}`);
  if (c.gate?.inputChanges?.length) lines.push(`- ✏️ input changed since the baseline: ${c.gate.inputChanges.map(escapeMarkdownCell).join('; ')}`);
  const basis = gateBasis(c.gate);
  if (basis) lines.push(`- compared with: ${escapeMarkdownCell(basis)}`);
  const sampling = samplingNote(c.gate);
  if (sampling) lines.push(`- ${escapeMarkdownCell(sampling)}`);
  if (c.cost) {
    lines.push(
      `- energy (estimate): ${c.cost.joulesPerToken.toFixed(3)} J/token at ${c.cost.deviceWatts} W${c.cost.costPerMillionTokens === null ? '' : `, ${c.cost.costPerMillionTokens.toFixed(4)} ${escapeMarkdownCell(c.cost.currency ?? '')} per million tokens`}`,
    );
  }
  for (const failure of c.failures) lines.push(`- ❌ ${escapeMarkdownCell(failure)}`);
  if (c.skipReason) lines.push(`- skipped: ${escapeMarkdownCell(c.skipReason)}`);
  if (c.determinism.identical === false)
    lines.push(`- ⚠️ outputs differ between requests (${c.determinism.distinctOutputs} distinct) at temperature ${c.params.temperature}`);
  if (withSample && c.sampleOutput) {
    const text = c.sampleOutput.text.slice(0, SAMPLE_CHARS);
    const cut = c.sampleOutput.truncated || c.sampleOutput.text.length > SAMPLE_CHARS ? ' (truncated)' : '';
    lines.push('', `Sample output${cut}:`, '', `<pre>${escapeMarkdownHtml(text)}</pre>`);
  }
  lines.push('', '</details>');
  return lines;
}

/** The levels of detail, from everything to the bare minimum, tried in turn until one fits. */
type Detail = 'full' | 'no-samples' | 'no-details' | 'notable-rows';

function render(results: RunResults, detail: Detail, options: MarkdownOptions): string {
  const out = [REPORT_MARKER, `### ${escapeMarkdownCell(options.title ?? 'foundry-bench')}`, '', summaryLine(results), '', ...p95Chart(results)];
  const shown = detail === 'notable-rows' ? results.cases.filter((c) => !['unchanged', 'new', 'skipped'].includes(outcome(c))) : results.cases;
  const ran = shown.filter((c) => c.status !== 'skipped');
  // A merged run of several hardware profiles gets one table per profile.
  const profiles = [...new Set(ran.map((c) => c.profile))];
  for (const profile of profiles) {
    if (profiles.length > 1) out.push(`#### Profile \`${escapeMarkdownCell(profile).replace(/`/g, '')}\``, '');
    out.push(...TABLE_HEAD, ...ran.filter((c) => c.profile === profile).map(tableRow), '');
  }
  if (detail === 'notable-rows' && shown.length < results.cases.length) {
    out.push(
      `_${results.cases.length - shown.length} unchanged, new or skipped cases are not listed to fit the comment limit${options.fullReportUrl ? `; [full report](${options.fullReportUrl})` : ''}._`,
      '',
    );
  }
  const skipped = skippedModels(results.cases);
  if (skipped.length > 0 && detail !== 'notable-rows') {
    out.push(`<details><summary>⏭️ ${results.summary.skipped} skipped</summary>`, '');
    for (const { model, prompts, reason } of skipped) {
      out.push(
        `- ${escapeMarkdownCell(model)} (${caseCount(prompts.length)}: ${prompts.map(escapeMarkdownCell).join(', ')}): ${escapeMarkdownCell(reason ?? 'skipped')}`,
      );
    }
    out.push('', '</details>', '');
  }
  for (const e of results.run.errors) out.push(`> ❌ error${e.file ? ` in ${escapeMarkdownCell(e.file)}` : ''}: ${escapeMarkdownCell(e.message)}`, '');
  if (detail === 'full' || detail === 'no-samples') {
    for (const c of ran) out.push(...details(c, detail === 'full'));
    if (ran.length > 0) out.push('');
  } else if (options.fullReportUrl) {
    out.push(`_Per-case details are left out to fit the comment limit: [full report](${options.fullReportUrl})._`, '');
  }
  out.push(...loadSection(ran));
  if (detail !== 'notable-rows') out.push(...modelsSection(results));
  out.push(...fingerprintSection(results));
  return `${out.join('\n')}\n`;
}

export function renderMarkdown(results: RunResults, options: MarkdownOptions = {}): string {
  const limit = options.maxChars ?? GITHUB_COMMENT_LIMIT - 1_000;
  let text = '';
  for (const detail of ['full', 'no-samples', 'no-details', 'notable-rows'] as Detail[]) {
    text = render(results, detail, options);
    if (text.length <= limit) return text;
  }
  // Even the notable rows do not fit: cut at a line boundary and say so.
  const note = `\n\n_Report cut at ${limit} characters${options.fullReportUrl ? `; [full report](${options.fullReportUrl})` : ''}._\n`;
  return text.slice(0, text.lastIndexOf('\n', limit - note.length)) + note;
}
