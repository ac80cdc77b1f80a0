/**
 * report.html: one self-contained page for a run, meant to be opened from disk or as a CI artifact. It answers
 * the questions about shape that tables cannot: is the tail one outlier or a second mode, did the first requests
 * run slow, did a change move the whole distribution or only its tail, which model is faster at what quality.
 *
 * Everything is inlined (styles and charts as static SVG); a Content-Security-Policy forbids scripts and any
 * request, so even text that escaped escaping could neither run nor call out. All text is HTML-escaped.
 */
import type { CaseResult, RunResults } from '../harness/types.ts';
import {
  comparisonChart,
  COLORS,
  OUTCOME_COLOR,
  distributionChart,
  FOREST_LIMIT,
  forestChart,
  itlChart,
  markerDefs,
  medianRequest,
  PLOT_CSS,
  sequenceChart,
  verdictChart,
} from './charts.ts';
import {
  e2eP95Verdict,
  capacityText,
  escapeHtml,
  formatShare,
  formatBytes,
  formatChange,
  formatMs,
  gateBasis,
  modelLabel,
  type Outcome,
  outcome,
  OUTPUT_CHANGED,
  samplingNote,
  skippedModels,
} from './format.ts';

/** How much of a sample output a case shows. */
const OUTPUT_CHARS = 600;

const CSS = `
:root{color-scheme:light;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#111827}
body{margin:0 auto;max-width:1180px;padding:12px}
h1{font-size:1.4em;margin:.2em 0}h2{font-size:1.15em;margin:1.4em 0 .4em;border-bottom:1px solid #e5e7eb}h3{font-size:1em;margin:0 0 .3em;overflow-wrap:anywhere}
.muted{color:#6b7280}.num{text-align:right;font-variant-numeric:tabular-nums}
.wrap{overflow-x:auto}table{border-collapse:collapse;font-size:.92em}th,td{padding:3px 8px;border-bottom:1px solid #f3f4f6;text-align:left;vertical-align:top}
.case{border:1px solid #e5e7eb;border-radius:6px;padding:10px;margin:12px 0}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:8px}
figure{margin:0;min-width:0}figcaption{font-size:.85em;color:#4b5563}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f9fafb;padding:6px;border-radius:4px;max-height:12em;overflow:auto}
.key span{display:inline-block;margin-right:12px}.swatch{display:inline-block;width:18px;height:3px;vertical-align:middle;margin-right:4px}
.badge{color:white;border-radius:3px;padding:0 6px;font-weight:600}
ul.attention{padding-left:1.2em}ul.attention li{margin:2px 0;overflow-wrap:anywhere}
ul.failures{color:${COLORS.failed};margin:.3em 0;padding-left:1.2em}
${PLOT_CSS}`;

export function renderHtml(results: RunResults): string {
  const { run, summary } = results;
  const measured = results.cases.filter((c) => c.status !== 'skipped');
  const skipped = results.cases.filter((c) => c.status === 'skipped');
  const title = `foundry-bench: ${summary.cases} cases, ${summary.failed} failed`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // No script may run and nothing may be fetched: the page is data, whatever a model wrote into it.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    `<title>${escapeHtml(title)}</title><style>${CSS}</style></head><body>`,
    header(results),
    attentionSection(measured),
    verdictSection(measured),
    comparisonSection(measured),
    lifecycleSection(measured),
    loadSection(measured),
    skippedSection(skipped),
    machineSection(results),
    `<h2 id="cases">Cases</h2>`,
    key(),
    ...caseSections(measured),
    // After the cases, which are what define the markers it holds.
    markerDefs(),
    run.errors.length > 0
      ? `<h2>Errors</h2><ul class="failures">${run.errors.map((e) => `<li>${escapeHtml(`${e.file ? `${e.file}: ` : ''}${e.message}`)}</li>`).join('')}</ul>`
      : '',
    '</body></html>',
    '',
  ].join('\n');
}

function header({ run, summary, tool }: RunResults): string {
  const counts = `${summary.cases} cases: ${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped`;
  const facts = [
    `outcome <b>${escapeHtml(run.outcome)}</b>`,
    escapeHtml(counts),
    `started ${escapeHtml(run.startedAt)}`,
    `${(run.durationMs / 1000).toFixed(1)} s`,
    run.gitSha ? `commit <code>${escapeHtml(run.gitSha.slice(0, 12))}</code>` : null,
    `profile ${escapeHtml(run.profile)}`,
    run.shard ? `shard ${escapeHtml(run.shard)}` : null,
  ].filter(Boolean);
  return `<header><h1>foundry-bench report</h1><p class="muted">${facts.join(' · ')} · ${escapeHtml(tool.name)} ${escapeHtml(tool.version)}</p></header>`;
}

/**
 * The cases a reviewer opens first, each a link to its charts with why it is here: failed, regressed, inconclusive
 * (the change and the verdict's reason), then cases whose input or output changed since the reference.
 */
function attentionSection(cases: readonly CaseResult[]): string {
  const order: Outcome[] = ['failed', 'regressed', 'inconclusive'];
  const rank = (c: CaseResult) => {
    const at = order.indexOf(outcome(c));
    return at >= 0 ? at : c.gate?.outputChanged || c.gate?.inputChanges?.length ? order.length : -1;
  };
  const notable = cases
    .map((c, index) => ({ c, index, rank: rank(c) }))
    .filter(({ rank }) => rank >= 0)
    .sort((a, b) => a.rank - b.rank);
  if (notable.length === 0) return '';
  const items = notable.map(({ c, index }) => {
    const p95 = e2eP95Verdict(c);
    const reasons = [
      p95 && p95.ratio !== null ? `Δ p95 ${formatChange(p95)}` : null,
      outcome(c) === 'failed' ? c.failures.join('; ') : p95?.reason && order.includes(outcome(c)) ? p95.reason : null,
      c.gate?.inputChanges?.length ? `input changed: ${c.gate.inputChanges.join('; ')}` : null,
      c.gate?.outputChanged ? OUTPUT_CHANGED : null,
    ].filter((r): r is string => !!r);
    return `<li>${badge(outcome(c))} <a href="#case-${index + 1}">${escapeHtml(c.id)}</a> ${escapeHtml(reasons.join(' · '))}</li>`;
  });
  return `<h2 id="attention">Look at these first (${notable.length})</h2><ul class="attention">${items.join('')}</ul>`;
}

function verdictSection(cases: readonly CaseResult[]): string {
  const forest = forestChart(cases);
  if (!forest) return '';
  const note = forest.shown < forest.of ? ` The ${FOREST_LIMIT} largest of ${forest.of} changes are shown.` : '';
  const legend = (['regressed', 'inconclusive', 'improved', 'unchanged'] as const).map((v) => `<span>${swatch(OUTCOME_COLOR[v], false)}${v}</span>`).join('');
  return (
    `<h2 id="verdicts">Verdicts</h2><p class="key muted">${legend}<span>${swatch(COLORS.band, false)}tolerance band</span></p>` +
    `<figure>${forest.svg}<figcaption>Each gated case's e2e p95 change against its reference with the ` +
    `confidence interval; the green band is the tolerance. Inside it: unchanged; wholly above: regressed; wholly below: improved; ` +
    `across an edge: inconclusive. The band widens to the noise floor (1 ms by default) where that is wider; a case's card says what its verdict rests on.${escapeHtml(note)}</figcaption></figure>`
  );
}

function comparisonSection(cases: readonly CaseResult[]): string {
  const chart = comparisonChart(cases);
  if (!chart) return '';
  const rows = cases.map((c) => {
    const cells = [
      escapeHtml(modelLabel(c)),
      escapeHtml(c.promptId),
      num(formatMs(c.stats.e2eMs?.p50)),
      num(formatMs(c.stats.e2eMs?.p95)),
      num(formatMs(c.stats.ttftMs?.p95)),
      num(c.stats.e2eTokPerSec ? c.stats.e2eTokPerSec.p50.toFixed(1) : '-'),
      num(c.quality?.score != null ? c.quality.score.toFixed(1) : '-'),
    ];
    return `<tr><td>${cells.join('</td><td>')}</td></tr>`;
  });
  return (
    `<h2 id="models">Models compared</h2><figure>${chart}<figcaption>One mark per case: across, median tokens/s; up, e2e p95; ` +
    `${cases.some((c) => c.quality?.score != null) ? 'size, quality score (1-5; unscored cases small); ' : ''}symbol, device (CPU and GPU variants side by side).</figcaption></figure>` +
    table(['model', 'prompt', 'p50 ms', 'p95 ms', 'TTFT p95 ms', 'tok/s', 'quality'], rows)
  );
}

/** Foundry Local's (and the embedded engine's) model lifecycle: load, cold first request, memory, disk. */
function lifecycleSection(cases: readonly CaseResult[]): string {
  const seen = new Set<string>();
  const rows: string[] = [];
  for (const c of cases) {
    const info = c.modelInfo;
    const key = modelLabel(c);
    if (!info || seen.has(key)) continue;
    seen.add(key);
    const life = info.lifecycle;
    const cells = [
      escapeHtml(key),
      num(info.loadMs == null ? (life?.alreadyLoaded ? 'already loaded' : '-') : formatMs(info.loadMs)),
      num(life?.cold ? (life.cold.ok ? `${formatMs(life.cold.ttftMs)} / ${formatMs(life.cold.e2eMs)}` : 'failed') : '-'),
      num(info.warmUp ? `${info.warmUp.requests}${info.warmUp.stable ? '' : ' (not stable)'}` : '-'),
      num(formatBytes(life?.rssAfterBytes != null && life.rssBeforeBytes != null ? life.rssAfterBytes - life.rssBeforeBytes : info.rssGrowthBytes)),
      num(formatBytes(life?.diskBytes ?? info.fileBytes)),
      num(life?.downloadMs != null ? `${(life.downloadMs / 1000).toFixed(1)} s` : '-'),
      escapeHtml(life?.loadedVia ?? ''),
    ];
    rows.push(`<tr><td>${cells.join('</td><td>')}</td></tr>`);
  }
  if (rows.length === 0) return '';
  return (
    '<h2 id="lifecycle">Model lifecycle</h2>' +
    table(['model', 'load (ms)', 'cold TTFT / e2e (ms)', 'warm-up requests', 'memory growth', 'disk', 'download', 'loaded via'], rows)
  );
}

/** Cases under load: what the load achieved and how the objectives were met. */
function loadSection(cases: readonly CaseResult[]): string {
  const rows = cases.flatMap((c) => {
    const load = c.load;
    if (!load) return [];
    const slo = load.slo;
    const cells = [
      escapeHtml(c.id),
      num(`${load.achievedRate.toFixed(2)}${load.targetRate === null ? '' : ` of ${load.targetRate}`}${load.saturated ? ' (saturated)' : ''}`),
      num(load.effectiveConcurrency.toFixed(2)),
      num(load.outputTokensPerSec.toFixed(1)),
      num(formatMs(load.queueMs?.p95)),
      num(formatMs(load.e2eWithQueueMs?.p95)),
      slo
        ? `${escapeHtml(slo.verdict)}: ${num(`${formatShare(slo.attainment)} (${formatShare(slo.interval.lo)} .. ${formatShare(slo.interval.hi)}) of ${formatShare(slo.target)}`)}`
        : '-',
      escapeHtml(slo?.binding ?? '-'),
      num(slo ? slo.goodputRps.toFixed(2) : '-'),
    ];
    return [`<tr><td>${cells.join('</td><td>')}</td></tr>`];
  });
  if (rows.length === 0) return '';
  const sweeps = cases.flatMap((c) => (c.load?.sweep ? [`<li>${escapeHtml(c.id)}: ${escapeHtml(capacityText(c.load.sweep))}</li>`] : []));
  return (
    '<h2 id="load">Load and objectives</h2>' +
    table(
      [
        'case',
        'requests/s',
        'in flight (avg)',
        'output tok/s',
        'queue p95 (ms)',
        'e2e with queue p95 (ms)',
        'SLO attainment (95% CI)',
        'binding',
        'goodput (req/s)',
      ],
      rows,
    ) +
    (sweeps.length > 0 ? `<p>Capacity under the objectives (the table shows each capacity level):</p><ul>${sweeps.join('')}</ul>` : '')
  );
}

/** One row per skipped model: its prompts, and why. */
function skippedSection(cases: readonly CaseResult[]): string {
  if (cases.length === 0) return '';
  const rows = skippedModels(cases).map(
    ({ model, prompts, reason }) => `<tr><td>${escapeHtml(model)}</td><td>${escapeHtml(prompts.join(', '))}</td><td>${escapeHtml(reason ?? '')}</td></tr>`,
  );
  return `<h2 id="skipped">Skipped (${cases.length})</h2>${table(['model', 'prompts', 'why'], rows)}`;
}

function machineSection({ run, cases }: RunResults): string {
  const targets = [...new Set(cases.map((c) => `${c.target.kind} ${c.target.baseURL}`.trim()))];
  const facts: Array<[string, string]> = [
    ['CPU', `${run.cpu.model} (${run.cpu.cores} cores)`],
    ['memory', formatBytes(run.memoryBytes)],
    ['OS', `${run.os.platform} ${run.os.release} ${run.os.arch}`],
    ['Node', run.node],
    ['targets', targets.join(', ') || '-'],
  ];
  const items = facts.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('');
  return `<h2 id="machine">Machine</h2><div class="wrap"><table>${items}</table></div>`;
}

/** A short line of a colour (dashed: as TTFT is drawn), as the keys show it. */
function swatch(color: string, dashed: boolean): string {
  return `<span class="swatch" style="background:${dashed ? `repeating-linear-gradient(90deg,${color} 0 5px,transparent 5px 8px)` : color}"></span>`;
}

function key(): string {
  return (
    `<p class="key muted"><span>${swatch(COLORS.head, false)}this run, e2e</span><span>${swatch(COLORS.head, true)}this run, TTFT</span>` +
    `<span>${swatch(COLORS.base, false)}reference (baseline or A/B base)</span><span>${swatch(COLORS.warmUp, false)}warm-up, not timed</span>` +
    `<span>${swatch(COLORS.failed, false)}failed request</span>` +
    `<span>${swatch(COLORS.p95, true)}95% of requests</span>` +
    `<span>${swatch(COLORS.band, false)}tolerance band</span></p>`
  );
}

/** Every case's section; a model's first case on its target also draws the model's warm-up until stable. */
function caseSections(cases: readonly CaseResult[]): string[] {
  const seen = new Set<string>();
  return cases.map((c, index) => {
    const model = `${c.target.baseURL} ${modelLabel(c)}`;
    const first = !seen.has(model);
    seen.add(model);
    return caseSection(c, index, first);
  });
}

function caseSection(c: CaseResult, index: number, first: boolean): string {
  const result = outcome(c);
  const p95 = e2eP95Verdict(c);
  const facts = [
    badge(result),
    `n ${c.samples.length}`,
    `p50 ${formatMs(c.stats.e2eMs?.p50)} ms`,
    `p95 ${formatMs(c.stats.e2eMs?.p95)} ms`,
    `TTFT p95 ${formatMs(c.stats.ttftMs?.p95)} ms`,
    p95 ? `Δ p95 ${escapeHtml(formatChange(p95))}` : null,
    c.errors.count > 0 ? `<span style="color:${COLORS.failed}">${c.errors.count} errors</span>` : null,
  ].filter(Boolean);
  const why = p95?.reason ? `${p95.verdict}: ${p95.reason}` : null;
  const notes = [
    why,
    gateBasis(c.gate),
    samplingNote(c.gate),
    ...(c.gate?.inputChanges?.length ? [`input changed: ${c.gate.inputChanges.join('; ')}`] : []),
    ...(c.gate?.outputChanged ? [`🔀 ${OUTPUT_CHANGED}`] : []),
  ]
    .filter((n): n is string => n !== null)
    .map((n) => `<p class="muted">${escapeHtml(n)}</p>`)
    .join('');
  const chosen = medianRequest(c.samples);
  const figures = [
    figure(distributionChart(c), 'Distribution: share of requests at or under each latency (ECDF); the dotted line marks 95%.'),
    figure(
      sequenceChart(c, first),
      `Requests in the order sent (e2e)${first && c.modelInfo?.warmUp?.e2eMs?.length ? ", the model's warm-up until stable first" : ''}: a warm-up transient or drift shows as a slope, a second mode as a second band.`,
    ),
    figure(itlChart(c), chosen ? `Inter-token gaps of request ${chosen.index + 1} (the median e2e), by token position.` : ''),
    figure(verdictChart(c), 'Change vs the reference, with its confidence interval, against the tolerance band.'),
  ].join('');
  const failures = c.failures.length > 0 ? `<ul class="failures">${c.failures.map((f) => `<li>${escapeHtml(f)}</li>`).join('')}</ul>` : '';
  const output = c.sampleOutput
    ? `<details><summary>sample output</summary><pre>${escapeHtml(c.sampleOutput.text.slice(0, OUTPUT_CHARS))}${c.sampleOutput.text.length > OUTPUT_CHARS ? '…' : ''}</pre></details>`
    : '';
  return (
    `<article class="case" id="case-${index + 1}"><h3>${escapeHtml(modelLabel(c))} › ${escapeHtml(c.promptId)}</h3>` +
    `<p>${facts.join(' · ')}</p>${notes}${failures}<div class="charts">${figures}</div>${output}</article>`
  );
}

/** An outcome as a coloured word (text, not emoji: a viewer may have no emoji font). */
function badge(result: Outcome): string {
  return `<b class="badge" style="background:${OUTCOME_COLOR[result]}">${escapeHtml(result)}</b>`;
}

function figure(svg: string | null, caption: string): string {
  return svg ? `<figure>${svg}<figcaption>${escapeHtml(caption)}</figcaption></figure>` : '';
}

function num(text: string): string {
  return `<span class="num">${escapeHtml(text)}</span>`;
}

function table(head: readonly string[], rows: readonly string[]): string {
  return `<div class="wrap"><table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}
