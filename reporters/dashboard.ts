/**
 * `foundry-bench history dashboard -o DIR`: the history as a static page, under the rules of report.html (no
 * script, a Content-Security-Policy that forbids any request, every text escaped, charts as inline SVG drawn by
 * Observable Plot). At the top, the latest change points; then, per testbed and model, each case's trend of e2e and
 * TTFT p95 with their CIs and p50 beneath, change points marked and linked to their commits, the latest run as a dot. Many cases
 * are navigated by anchors (a list of testbeds and models at the top), no script needed.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../harness/files/atomic.ts';
import type { ChangePoint } from '../harness/history/changes.ts';
import { seriesOf } from '../harness/history/changes.ts';
import type { HistoryLatency, HistoryRecord } from '../harness/types.ts';
import { COLORS, markerDefs, PLOT_CSS, type TrendChange, trendChart } from './charts.ts';
import { escapeHtml, formatMsUnit, formatPercent, formatShare } from './format.ts';

const CSS = `
:root{color-scheme:light;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#111827}
body{margin:0 auto;max-width:1180px;padding:12px}
h1{font-size:1.4em;margin:.2em 0}h2{font-size:1.15em;margin:1.4em 0 .4em;border-bottom:1px solid #e5e7eb}h3{font-size:1em;margin:.8em 0 .3em;overflow-wrap:anywhere}
.muted{color:#6b7280}nav a{margin-right:10px}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:8px}
figure{margin:0;min-width:0}figcaption{font-size:.85em;color:#4b5563}
ul{padding-left:1.2em}li{margin:2px 0;overflow-wrap:anywhere}
.regressed{color:${COLORS.failed};font-weight:600}.improved{color:#15803d;font-weight:600}.intended{color:#6b7280}
${PLOT_CSS}`;

/** How a change point's rule is drawn: red a regression, green an improvement, grey one that was meant. */
const color = (point: ChangePoint) => (point.intended ? '#9ca3af' : point.direction === 'regressed' ? COLORS.failed : '#16a34a');

export interface DashboardOptions {
  /** A commit's page, `{sha}` replaced; null: commits are shown, not linked. */
  commitUrl?: string | null;
}

/** Writes `DIR/index.html`; returns its path. */
export function writeDashboard(dir: string, records: readonly HistoryRecord[], changes: readonly ChangePoint[], options: DashboardOptions = {}): string {
  mkdirSync(dir, { recursive: true });
  const path = resolve(join(dir, 'index.html'));
  writeFileAtomic(path, renderDashboard(records, changes, options));
  return path;
}

export function renderDashboard(records: readonly HistoryRecord[], changes: readonly ChangePoint[], options: DashboardOptions = {}): string {
  const commitUrl = options.commitUrl ?? null;
  const link = (sha: string | null) => {
    if (!sha) return '-------';
    const text = escapeHtml(sha.slice(0, 7));
    return commitUrl ? `<a href="${escapeHtml(commitUrl.replace('{sha}', encodeURIComponent(sha)))}">${text}</a>` : `<code>${text}</code>`;
  };
  const groups = new Map<string, HistoryRecord[][]>();
  for (const series of seriesOf(records)) {
    const first = series[0] as HistoryRecord;
    const key = `${first.testbed}\u0000${first.model}`;
    groups.set(key, [...(groups.get(key) ?? []), series]);
  }
  const anchor = (text: string) => `m-${text.replace(/[^A-Za-z0-9_-]/g, (ch) => `_${ch.charCodeAt(0).toString(16)}`)}`;
  const latest = [...changes].sort((a, b) => b.after.time.localeCompare(a.after.time)).slice(0, 20);
  const runs = new Set(records.map((r) => `${r.testbed} ${r.time}`)).size;
  const sections: string[] = [];
  for (const [key, group] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const first = group[0]?.[0] as HistoryRecord;
    sections.push(
      `<h2 id="${anchor(key)}">${escapeHtml(first.model)} <span class="muted">on ${escapeHtml(first.machine)} (testbed ${escapeHtml(first.testbed)})</span></h2>`,
    );
    for (const series of group) {
      const head = series[0] as HistoryRecord;
      const last = series.at(-1) as HistoryRecord;
      const mine = changes.filter((p) => p.case === head.case && p.testbed === head.testbed);
      const figure = (metric: 'e2eP95' | 'ttftP95', name: string) => {
        const pick = (r: HistoryRecord): HistoryLatency | null => (metric === 'e2eP95' ? r.e2eMs : r.ttftMs);
        const points = series.flatMap((r) => {
          const value = pick(r);
          return value ? [{ time: new Date(r.time), p50: value.p50, p95: value.p95, lo: value.p95CI.lo, hi: value.p95CI.hi }] : [];
        });
        const rules: TrendChange[] = mine.filter((p) => p.metric === metric).map((p) => ({ time: new Date(p.after.time), color: color(p) }));
        const chart = trendChart(points, rules, name, `${head.case}: ${name} p95 per run`);
        return chart ? `<figure>${chart}<figcaption>${escapeHtml(name)} p95 per run (blue, 95% CI shaded), p50 (grey)</figcaption></figure>` : '';
      };
      sections.push(
        `<h3>${escapeHtml(head.case)}</h3>`,
        `<p class="muted">${series.length} run(s); latest ${link(last.gitSha)} ${escapeHtml(last.time.slice(0, 16).replace('T', ' '))}: e2e p95 ${formatMsUnit(last.e2eMs?.p95)}, TTFT p95 ${formatMsUnit(last.ttftMs?.p95)}, ${last.errors.count} error(s)</p>`,
        `<div class="charts">${figure('e2eP95', 'e2e')}${figure('ttftP95', 'TTFT')}</div>`,
        mine.length > 0 ? `<ul>${mine.map((p) => `<li>${pointText(p, link)}</li>`).join('')}</ul>` : '',
      );
    }
  }
  const nav = [...groups.keys()]
    .sort()
    .map((key) => {
      const [testbed = '', model = ''] = key.split('\u0000');
      return `<a href="#${anchor(key)}">${escapeHtml(model)} <span class="muted">(${escapeHtml(testbed)})</span></a>`;
    })
    .join(' ');
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    `<title>foundry-bench history</title><style>${CSS}</style></head><body>`,
    `<h1>foundry-bench history</h1>`,
    `<p class="muted">${runs} run(s) of ${seriesOf(records).length} case series on ${new Set(records.map((r) => r.testbed)).size} testbed(s); ${changes.length} change point(s)</p>`,
    `<h2>Latest change points</h2>`,
    latest.length > 0
      ? `<ul>${latest.map((p) => `<li>${escapeHtml(p.case)}: ${pointText(p, link)}</li>`).join('')}</ul>`
      : '<p>None: every series is level within its tolerance.</p>',
    `<nav>${nav}</nav>`,
    ...sections,
    markerDefs(),
    '</body></html>',
    '',
  ].join('\n');
}

function pointText(p: ChangePoint, link: (sha: string | null) => string): string {
  const metric = p.metric === 'e2eP95' ? 'e2e' : 'TTFT';
  const cls = p.intended ? 'intended' : p.direction;
  const size = `${formatPercent(1 + p.size)} (95% CI ${formatShare(p.ci.lo)} .. ${formatShare(p.ci.hi)})`;
  const intended = p.intended ? ` intended: ${escapeHtml(p.intended.reason)}` : '';
  const besides = p.alsoChanged.length > 0 ? ` <span class="muted">(also changed: ${escapeHtml(p.alsoChanged.join('; '))})</span>` : '';
  return `<span class="${cls}">${metric} ${p.direction} ${escapeHtml(size)}</span> in ${link(p.before.gitSha)}..${link(p.after.gitSha)} <span class="muted">p95 ${formatMsUnit(p.from)} to ${formatMsUnit(p.to)}</span>${besides}${intended}`;
}
