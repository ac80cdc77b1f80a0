/**
 * The report's charts, drawn by Observable Plot into static SVG. Plot needs a DOM to draw into; linkedom gives it
 * one in Node (the same way Plot's own documentation renders on the server), so the page needs no script and no
 * network to show them. Each function takes the results document's data and returns one SVG string (or null when
 * there is nothing to draw); every text Plot writes is escaped by the DOM's serialiser.
 */
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';
import type { CaseResult, GateSample, RequestSample } from '../harness/types.ts';
import type { Outcome } from './format.ts';

const { document } = parseHTML('<!DOCTYPE html><html><body></body></html>');

/** This run, its reference, untimed warm-up requests and failures, in every chart. */
export const COLORS = { head: '#2563eb', base: '#9ca3af', warmUp: '#f59e0b', failed: '#dc2626', band: '#dcfce7', p95: '#111827' } as const;

const SMALL = { width: 360, height: 180, marginLeft: 46, marginBottom: 32 } as const;
/**
 * Small charts: three ticks, labels without tick marks (the grid shows where they fall). Easier to read, and axes
 * are most of what a chart costs to draw and to store.
 */
const TICKS = 3;
const AXIS = { ticks: TICKS, tickSize: 0, round: true } as const;

/**
 * Renders a plot to SVG text. Plot writes a `<style>` into every chart; the page carries those rules once (see
 * PLOT_CSS), which keeps a 500-case report a few MB smaller.
 */
function svg(options: Plot.PlotOptions, label: string): string {
  // The label names a case (user text): markup characters are left out rather than trusted to the serialiser.
  const ariaLabel = label.replace(/[<>&"]/g, ' ');
  const chart = Plot.plot({ ...options, document: document as unknown as NonNullable<Plot.PlotOptions['document']>, className: 'plot', ariaLabel });
  return compact(chart.outerHTML.replace(/<style>[\s\S]*?<\/style>/, ''));
}

/**
 * Plot labels every group for screen readers and styles every chart alike: a page of 500 cases keeps the chart's
 * own label (on the <svg>) and its marks' labels, drops the axes' ones, and carries the common styles once (see
 * PLOT_CSS). Coordinates are whole pixels already (`round: true` on every scale), which also keeps paths short.
 */
function compact(svgText: string): string {
  return (
    shareMarkers(svgText)
      .replace(/ aria-label="[xy]-(?:axis|grid)[^"]*"/g, '')
      // The root's font and fill, round line ends and tabular figures are in PLOT_CSS, once for the page.
      .replace(/^(<svg[^>]*?) font-family="system-ui, sans-serif" fill="currentColor"/, '$1')
      .replaceAll(' stroke-linecap="round" stroke-linejoin="round"', '')
      .replaceAll(' font-variant="tabular-nums"', '')
  );
}

/**
 * Plot gives each line's dot marker a fresh id from a global counter: ids that differ from one render to the next
 * and repeat a definition per line. Markers here differ only by colour, so each colour's marker is defined once for
 * the page (see markerDefs) under an id named after the colour, and every chart refers to that.
 */
const markers = new Map<string, string>();

function shareMarkers(svgText: string): string {
  const ids = new Map<string, string>();
  const withoutDefs = svgText.replace(
    /<marker id="(plot-marker-\d+)"([^>]*?) fill="#([0-9a-f]{6})"([^>]*)>([\s\S]*?)<\/marker>/g,
    (_m, id: string, before: string, color: string, after: string, body: string) => {
      const shared = `dot-${color}`;
      ids.set(id, shared);
      if (!markers.has(shared)) markers.set(shared, `<marker id="${shared}"${before} fill="#${color}"${after}>${body}</marker>`);
      return '';
    },
  );
  return withoutDefs.replace(/url\(#(plot-marker-\d+)\)/g, (whole, id: string) => (ids.has(id) ? `url(#${ids.get(id)})` : whole));
}

/** The shared marker definitions, for a page that shows these charts (in a hidden SVG; order-independent). */
export function markerDefs(): string {
  if (markers.size === 0) return '';
  const defs = [...markers.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, marker]) => marker);
  return `<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs>${defs.join('')}</defs></svg>`;
}

/** Plot's own chart styles, once for the page (scoped to the `plot` class every chart gets). */
export const PLOT_CSS =
  ':where(.plot){--plot-background:white;display:block;height:auto;max-width:100%;overflow:visible;font-family:system-ui,sans-serif;fill:currentColor}' +
  ':where(.plot text),:where(.plot tspan){white-space:pre;font-variant-numeric:tabular-nums}' +
  ':where(.plot path){stroke-linecap:round;stroke-linejoin:round}';

/** Empirical CDF points of some values: x each value in order, y the share at or below it. */
function ecdf(values: readonly number[], series: string): Array<{ x: number; y: number; series: string }> {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.map((x, i) => ({ x, y: (i + 1) / sorted.length, series }));
}

const okE2e = (samples: readonly GateSample[]) => samples.filter((s) => s.ok).map((s) => s.e2eMs);
const okTtft = (samples: readonly GateSample[]) => samples.filter((s) => s.ok && s.ttftMs !== null).map((s) => s.ttftMs as number);

/**
 * Distribution of e2e latency and TTFT (ECDFs): this run solid blue, the reference grey, TTFT dashed. A shift of
 * the whole curve is a slower model; a curve that only bends at the top is a tail, one outlier or a second mode.
 */
export function distributionChart(c: CaseResult): string | null {
  const base = c.gate?.referenceSamples ?? [];
  const curves = (samples: readonly GateSample[], color: string, which: 'e2e' | 'TTFT') =>
    ecdf(which === 'e2e' ? okE2e(samples) : okTtft(samples), `${color} ${which}`).map((p) => ({ ...p, color }));
  const e2e = [...curves(base, COLORS.base, 'e2e'), ...curves(c.samples, COLORS.head, 'e2e')];
  const ttft = [...curves(base, COLORS.base, 'TTFT'), ...curves(c.samples, COLORS.head, 'TTFT')];
  if (!e2e.some((p) => p.color === COLORS.head)) return null;
  // One mark per metric, a curve per series (z), coloured by literal colours: a mark per curve costs twice as much.
  const curve = { x: 'x', y: 'y', z: 'series', stroke: 'color', curve: 'step-after', strokeWidth: 1.5 } as const;
  return svg(
    {
      ...SMALL,
      x: { label: 'latency (ms)', grid: true, ...AXIS },
      y: { label: 'share of requests', domain: [0, 1], ...AXIS },
      // The 95% mark dotted and dark: the reference's curves are the grey ones.
      marks: [
        Plot.ruleY([0.95], { stroke: COLORS.p95, strokeDasharray: '1,3', strokeOpacity: 0.7 }),
        Plot.line(e2e, curve),
        Plot.line(ttft, { ...curve, strokeDasharray: '4,3' }),
      ],
    },
    `${c.id}: distribution of e2e latency and TTFT`,
  );
}

/**
 * Every request's e2e latency in the order it was sent: the untimed warm-up ones first (orange; with
 * `withModelWarmUp`, also the model's warm-up until stable, which ran before its first case), then the timed ones,
 * with the reference's beside them. A warm-up transient or drift shows as a slope, a second mode as a second band;
 * failed requests are red ticks. Many warm-ups (a model's warm-up until stable can take 90) are drawn closer
 * together, left of a dashed line, in at most a third of the width: the timed requests keep the rest.
 */
export function sequenceChart(c: CaseResult, withModelWarmUp = false): string | null {
  const warmUps = [...(withModelWarmUp ? (c.modelInfo?.warmUp?.e2eMs ?? []) : []), ...(c.warmup.e2eMs ?? [])];
  const points = (samples: readonly GateSample[]) => samples.flatMap((s, i) => (s.ok ? [{ i: i + 1, e2e: s.e2eMs }] : []));
  const head = points(c.samples);
  if (head.length === 0) return null;
  const base = points(c.gate?.referenceSamples ?? []);
  // Warm-up k of w sits at (k - w - 1) * step, left of the first timed request (at 1); step < 1 compresses them.
  const w = warmUps.length;
  const step = w > 0 ? Math.min(1, (0.5 * Math.max(c.samples.length, base.length)) / w) : 1;
  const at = (k: number) => (k - w - 1) * step + 0.5;
  const warm = warmUps.flatMap((ms, k) => (ms === null ? [] : [{ i: at(k + 1), e2e: ms }]));
  const failed = [...warmUps.flatMap((ms, k) => (ms === null ? [{ i: at(k + 1) }] : [])), ...c.samples.flatMap((s, i) => (s.ok ? [] : [{ i: i + 1 }]))];
  const label =
    w === 0
      ? 'request, in the order sent'
      : `request, in the order sent (left of the line: ${w} warm-up${w > 1 ? 's' : ''}${step < 1 ? ', drawn closer' : ''})`;
  return svg(
    {
      ...SMALL,
      // Ticks count the timed requests only: a warm-up's position is not a request number.
      x: { label, ...AXIS, tickFormat: (x: number) => (x >= 1 && Number.isInteger(x) ? String(x) : '') },
      y: { label: 'e2e (ms)', grid: true, zero: true, ...AXIS },
      // Lines with a dot at each request: one path a series, lighter than a circle element per request.
      marks: [
        ...(w > 0 ? [Plot.ruleX([0.5], { stroke: '#d1d5db', strokeDasharray: '2,2' })] : []),
        Plot.line(warm, { x: 'i', y: 'e2e', stroke: COLORS.warmUp, strokeWidth: 0.75, marker: 'dot' }),
        Plot.line(base, { x: 'i', y: 'e2e', stroke: COLORS.base, strokeWidth: 0.75, marker: 'dot' }),
        Plot.line(head, { x: 'i', y: 'e2e', stroke: COLORS.head, strokeWidth: 0.75, marker: 'dot' }),
        Plot.tickX(failed, { x: 'i', stroke: COLORS.failed, strokeWidth: 2 }),
      ],
    },
    `${c.id}: requests in the order sent`,
  );
}

/** The request whose ITL is drawn: the successful streamed one with the median e2e latency. */
export function medianRequest(samples: readonly RequestSample[]): { index: number; sample: RequestSample } | null {
  const streamed = samples.map((sample, index) => ({ index, sample })).filter(({ sample }) => sample.ok && sample.itlMs.length > 0);
  if (streamed.length === 0) return null;
  streamed.sort((a, b) => a.sample.e2eMs - b.sample.e2eMs);
  return streamed[Math.floor((streamed.length - 1) / 2)] ?? null;
}

/** Inter-token latency by token position for one request: prefill-bound starts, decode slowdowns, stalls mid-answer. */
export function itlChart(c: CaseResult): string | null {
  const chosen = medianRequest(c.samples);
  if (!chosen) return null;
  // Gap i separates tokens i+1 and i+2 (the first token is the TTFT).
  const gaps = chosen.sample.itlMs.map((ms, i) => ({ token: i + 2, ms }));
  return svg(
    {
      ...SMALL,
      x: { label: `token position (request ${chosen.index + 1}, the median)`, ...AXIS },
      y: { label: 'gap before it (ms)', grid: true, zero: true, ...AXIS },
      marks: [Plot.line(gaps, { x: 'token', y: 'ms', stroke: COLORS.head, strokeWidth: 1 })],
    },
    `${c.id}: inter-token latency by token position`,
  );
}

/** Gated metric rows: head/base as a % change with its CI. */
function verdictRows(c: CaseResult) {
  return (c.gate?.metrics ?? []).flatMap((m) =>
    m.ratio !== null && m.ci ? [{ metric: m.metric, verdict: m.verdict, change: (m.ratio - 1) * 100, lo: (m.ci.lo - 1) * 100, hi: (m.ci.hi - 1) * 100 }] : [],
  );
}

/** A case's outcome as a colour, in charts and the page's badges (text badges: a viewer may have no emoji font). */
export const OUTCOME_COLOR: Record<Outcome, string> = {
  regressed: COLORS.failed,
  failed: COLORS.failed,
  inconclusive: '#d97706',
  improved: '#16a34a',
  unchanged: '#2563eb',
  new: '#6b7280',
  'not-gated': '#6b7280',
  skipped: '#6b7280',
};

function verdictColor(verdict: string): string {
  return OUTCOME_COLOR[verdict as Outcome] ?? '#6b7280';
}

/** A row per interval (its `y` field): the tolerance band, zero, each CI as a bar coloured by verdict, its estimate. */
function intervalMarks<Row extends { verdict: string; change: number; lo: number; hi: number }>(
  rows: Row[],
  y: keyof Row & string,
  tolerance: number,
  r: number,
) {
  const color = (d: Row) => verdictColor(d.verdict);
  return [
    Plot.rectX([0], { x1: -tolerance, x2: tolerance, fill: COLORS.band }),
    Plot.ruleX([0], { stroke: '#6b7280' }),
    Plot.ruleY(rows, { y, x1: 'lo', x2: 'hi', stroke: color, strokeWidth: 3 }),
    Plot.dot(rows, { y, x: 'change', fill: color, r }),
  ];
}

/** The change's CI against the tolerance band (green): inside it, unchanged; wholly past it, regressed or improved. */
export function verdictChart(c: CaseResult): string | null {
  const rows = verdictRows(c);
  const tolerance = (c.gate?.tolerance ?? 0) * 100;
  if (rows.length === 0) return null;
  return svg(
    {
      ...SMALL,
      height: 40 + rows.length * 26,
      marginLeft: rows.length > 1 ? 70 : 20,
      x: { label: 'change vs reference (%)', grid: true, ...AXIS },
      // One gated metric (the default, e2e p95) needs no row label: the caption names it.
      y: { label: null, axis: rows.length > 1 ? 'left' : null, round: true },
      marks: intervalMarks(rows, 'metric', tolerance, 4),
    },
    `${c.id}: change with its confidence interval against the tolerance band`,
  );
}

/** How many cases the run-level verdict chart shows: the largest changes first, so it stays readable. */
export const FOREST_LIMIT = 60;

/** Every gated case's e2e p95 change with its CI against the band, largest changes first (at most FOREST_LIMIT). */
export function forestChart(cases: readonly CaseResult[]): { svg: string; shown: number; of: number } | null {
  const rows = cases.flatMap((c) => {
    const row = verdictRows(c).find((r) => r.metric === 'e2eP95');
    return row ? [{ ...row, id: c.id, tolerance: (c.gate?.tolerance ?? 0) * 100 }] : [];
  });
  if (rows.length === 0) return null;
  const shown = [...rows].sort((a, b) => Math.abs(b.change) - Math.abs(a.change)).slice(0, FOREST_LIMIT);
  const tolerance = Math.max(...shown.map((r) => r.tolerance));
  const chart = svg(
    {
      width: 720,
      height: 50 + shown.length * 18,
      marginLeft: 220,
      style: { fontSize: '11px' },
      x: { label: 'e2e p95 change vs reference (%)', grid: true, round: true },
      y: { label: null, domain: shown.map((r) => r.id), round: true },
      marks: intervalMarks(shown, 'id', tolerance, 3.5),
    },
    'e2e p95 change of every gated case with its confidence interval',
  );
  return { svg: chart, shown: shown.length, of: rows.length };
}

/**
 * One dot per measured case: tokens/s across, p95 latency up, its quality score as the dot's size (when any case
 * was scored) and its device as the symbol, so CPU and GPU variants of one model sit side by side.
 */
export function comparisonChart(cases: readonly CaseResult[]): string | null {
  const points = cases.flatMap((c) =>
    c.stats.e2eMs && c.stats.e2eTokPerSec
      ? [
          {
            model: c.variant ? `${c.model} [${c.variant.deviceType ?? c.variant.executionProvider ?? 'unknown'}]` : c.model,
            device: c.variant?.deviceType ?? c.target.kind,
            p95: c.stats.e2eMs.p95,
            tokPerSec: c.stats.e2eTokPerSec.p50,
            quality: c.quality?.score ?? null,
          },
        ]
      : [],
  );
  if (points.length === 0) return null;
  // Size says quality only where there are scores: unscored, every mark is the same size.
  const scored = points.some((p) => p.quality !== null);
  // Each model named once, beside its first case's dot.
  const named = new Set<string>();
  const labelled = points.filter((p) => !named.has(p.model) && named.add(p.model));
  return svg(
    {
      width: 720,
      height: 320,
      marginLeft: 56,
      marginRight: 120,
      style: { fontSize: '11px' },
      x: { label: 'tokens/s (median, e2e)', grid: true, zero: true, round: true },
      y: { label: 'e2e p95 (ms)', grid: true, zero: true, round: true },
      color: { type: 'categorical' },
      symbol: { type: 'ordinal' },
      r: { range: [3, 9], domain: [1, 5] },
      marks: [
        Plot.dot(points, {
          x: 'tokPerSec',
          y: 'p95',
          stroke: 'model',
          symbol: 'device',
          r: scored ? (d: { quality: number | null }) => d.quality ?? 1 : 4,
          strokeWidth: 1.5,
        }),
        Plot.text(labelled, { x: 'tokPerSec', y: 'p95', text: 'model', dx: 10, textAnchor: 'start', fill: 'model' }),
      ],
    },
    'models compared: p95 latency against tokens per second',
  );
}

/** One run in a trend: when, its p50, its p95 and the p95's 95% CI (ms). */
export interface TrendPoint {
  time: Date;
  p50: number;
  p95: number;
  lo: number;
  hi: number;
}

/** A change point in a trend: at the first run after it. */
export interface TrendChange {
  time: Date;
  color: string;
}

/**
 * A metric's p95 run after run: the line, its 95% CI as a band, the median in grey beneath (a p95 of a few dozen
 * requests jumps with its slowest one or two; the median shows the level), change points as vertical rules (coloured
 * by verdict), the latest run as a dot. A step is a level that moves and stays; drift wanders in its band.
 */
export function trendChart(points: readonly TrendPoint[], changes: readonly TrendChange[], metric: string, label: string): string | null {
  if (points.length === 0) return null;
  const latest = points.slice(-1);
  return svg(
    {
      ...SMALL,
      width: 520,
      x: { type: 'utc', label: null, ...AXIS },
      y: { label: `${metric} p95 and p50 (ms)`, grid: true, zero: true, ...AXIS },
      marks: [
        Plot.areaY(points, { x: 'time', y1: 'lo', y2: 'hi', fill: COLORS.band, curve: 'step' }),
        Plot.ruleX(changes, { x: 'time', stroke: 'color', strokeWidth: 1.5, strokeDasharray: '3,2' }),
        Plot.lineY(points, { x: 'time', y: 'p50', stroke: COLORS.base, strokeWidth: 1 }),
        Plot.lineY(points, { x: 'time', y: 'p95', stroke: COLORS.head, strokeWidth: 1 }),
        Plot.dot(latest, { x: 'time', y: 'p95', fill: COLORS.head, r: 3 }),
      ],
    },
    label,
  );
}
