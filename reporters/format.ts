/**
 * Formatting shared by the reporters: numbers, verdict symbols, and escaping
 * of model and user text for Markdown, HTML and GitHub workflow commands.
 */
import { formatPercent, formatShare } from '../harness/evaluate/numbers.ts';
import { SHIFT_LABEL } from '../harness/gate/bootstrap.ts';
import type { CaseResult, MetricVerdict, SweepResult, Verdict } from '../harness/types.ts';

export { formatMs, formatMsUnit, formatPercent, formatShare } from '../harness/evaluate/numbers.ts';

/** The gate's verdict on e2e p95, the metric every report leads with; undefined when the case was not gated. */
export function e2eP95Verdict(c: Pick<CaseResult, 'gate'>): MetricVerdict | undefined {
  return c.gate?.metrics.find((m) => m.metric === 'e2eP95');
}

/**
 * "+25.3% (+12.1% .. +40.2%)", or "-" without a baseline. A metric tested on its body too says which test decided,
 * with that test's interval: "+41.0% (+12.0% .. +77.0%), decided by p50-p80 +24.0% (+17.0% .. +31.0%)", or
 * "..., decided by p95". So an "unchanged" beside a wide p95 interval shows the narrow one it rests on.
 */
export function formatChange(metric: MetricVerdict | undefined): string {
  if (!metric || metric.ratio === null) return '-';
  const range = (ci: { lo: number; hi: number }) => ` (${formatPercent(ci.lo)} .. ${formatPercent(ci.hi)})`;
  const change = `${formatPercent(metric.ratio)}${metric.ci ? range(metric.ci) : ''}`;
  if (!metric.shift || !metric.decidedBy || metric.verdict === 'new' || metric.verdict === 'not-gated') return change;
  if (metric.decidedBy === 'quantile') return `${change}, decided by ${METRIC_QUANTILE[metric.metric]}`;
  return `${change}, decided by ${SHIFT_LABEL} ${formatPercent(metric.shift.ratio)}${range(metric.shift.ci)}`;
}

/** The quantile each gated metric is, as a change's note names it. */
const METRIC_QUANTILE: Record<MetricVerdict['metric'], string> = { e2eP95: 'p95', e2eP99: 'p99', ttftP95: 'TTFT p95', tokensPerSec: 'median tok/s' };

/** What a verdict rests on: "A/B, 15 blocks, replayed request", "3 stored runs, drift ±8%"; null without a reference. */
export function gateBasis(gate: CaseResult['gate']): string | null {
  if (gate?.paired) {
    const { blocks, replayOf, replayedBecause, target } = gate.paired;
    const base = replayOf
      ? replayedBecause === 'input-changed'
        ? 'the input changed: baseline request replayed alongside'
        : 'baseline request replayed'
      : `base ${target}`;
    return `A/B, ${blocks} blocks, ${base}`;
  }
  if (gate?.drift) {
    const drift = `±${(gate.drift.sigma * 100).toFixed(0)}%`;
    const runs = gate.drift.runs > 1 ? `${gate.drift.runs} stored runs, run-to-run drift ${drift}` : `1 stored run, run-to-run drift ${drift} assumed`;
    // What a stored comparison can tell, said plainly: the smallest change its interval separates from drift.
    const detectable = gate.metrics.find((m) => m.detectable !== undefined)?.detectable;
    if (detectable === undefined || detectable <= gate.tolerance + 0.005) return runs;
    const advice = gate.drift.runs > 1 ? 'use --base-replay, or store more runs' : 'use --base-replay, or store more runs (--update-baseline again)';
    return `${runs}: changes under ~${(detectable * 100).toFixed(0)}% cannot be told from drift (${advice})`;
  }
  return null;
}

/** How adaptive sampling went: "adaptive: 60 requests a side, 5 looks, stopped decisive (last look at alpha 0.6%)"; null when fixed. */
export function samplingNote(gate: CaseResult['gate']): string | null {
  const s = gate?.sampling;
  if (!s) return null;
  const why = {
    decisive: 'the verdict was decisive',
    failing: 'a side had no successful request',
    'max-iterations': 'at the request budget',
    'max-time': 'at the time budget',
  }[s.stoppedBecause];
  return `adaptive: ${s.iterations} requests a side after ${s.looks} look(s), stopped ${why} (last look at alpha ${(s.alpha * 100).toFixed(2)}%)`;
}

/** The model as reports name it: the alias, and for Foundry Local the variant it ran and on which execution provider. */
export function modelLabel(c: Pick<CaseResult, 'model' | 'variant'>): string {
  if (!c.variant) return c.model;
  const provider = c.variant.executionProvider?.replace(/ExecutionProvider$/, '') ?? c.variant.deviceType ?? '?';
  return `${c.model} → ${c.variant.id} (${provider})`;
}

/** How every report says a case's answer changed since the reference's snapshot. */
export const OUTPUT_CHANGED = 'output changed since the baseline snapshot (a behaviour change, not a latency one)';

/** A model's skipped cases that share a reason: reports show one line (one row) per skipped model, not per case. */
export interface SkippedModel {
  model: string;
  prompts: string[];
  reason: string | null;
}

export function skippedModels(cases: readonly CaseResult[]): SkippedModel[] {
  const groups = new Map<string, SkippedModel>();
  for (const c of cases) {
    if (c.status !== 'skipped') continue;
    const model = modelLabel(c);
    const key = `${model}\u0000${c.skipReason ?? ''}`;
    const group = groups.get(key) ?? { model, prompts: [], reason: c.skipReason };
    group.prompts.push(c.promptId);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/**
 * Skip reasons said once: the first model's reason in full, a later model skipped for the same reason (its own name
 * aside) "as <first model>". Long reasons (the embedded engine's says how to run Foundry Local) are read once.
 */
export class SkipReasons {
  private readonly said = new Map<string, string>();

  say(model: string, reason: string): string {
    const key = reason.replaceAll(model, '\u0000');
    const first = this.said.get(key);
    if (first !== undefined) return `as ${first}`;
    this.said.set(key, model);
    return reason;
  }
}

/** "3 cases" / "1 case". */
export function caseCount(n: number): string {
  return `${n} case${n === 1 ? '' : 's'}`;
}

/** Bytes as MiB or GiB, for memory and disk footprints. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes == null) return '-';
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(2)} GiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/** What a case amounts to in one word: its gate verdict, or failed / skipped when it has none. */
export type Outcome = Verdict | 'failed' | 'skipped';

export function outcome(c: CaseResult): Outcome {
  if (c.status === 'skipped') return 'skipped';
  // Failed for a budget, its error rate or an unusable target: failed, whatever the latency verdict.
  if (c.status === 'failed' && !c.gate?.failed) return 'failed';
  return c.gate?.verdict ?? 'new';
}

export const OUTCOME_SYMBOL: Record<Outcome, string> = {
  regressed: '🔴',
  inconclusive: '🟡',
  improved: '🟢',
  unchanged: '⚪',
  new: '🆕',
  'not-gated': '➖',
  failed: '❌',
  skipped: '⏭️',
};

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch] as string);
}

/**
 * Text for a Markdown table cell: HTML-escaped (so `<script>` stays text),
 * Markdown's own markup characters backslash-escaped (pipes, backticks,
 * emphasis, links), and line breaks flattened.
 */
export function escapeMarkdownCell(text: string): string {
  // Only &, < and > become entities: quotes need none in Markdown, and a numeric entity's `#` would itself be
  // escaped below and show as a literal `&#39;`.
  return text
    .replace(/[&<>]/g, (ch) => HTML_ESCAPES[ch] as string)
    .replace(/\r\n|\r|\n/g, ' ')
    .replace(/([\\`*_[\]|~#!])/g, '\\$1');
}

/** Text inside an HTML element in a Markdown document (e.g. `<pre>`, `<summary>`). */
export function escapeMarkdownHtml(text: string): string {
  return escapeHtml(text).replace(/[`|\\*_~[\]]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** A capacity search in words: the capacity, what bounds it, the knee, and whether the server serialises requests. */
export function capacityText(sweep: SweepResult): string {
  const unit = sweep.over === 'concurrency' ? (n: number) => `${n} user${n === 1 ? '' : 's'}` : (n: number) => `${Number(n.toPrecision(3))} requests/s`;
  const bound = sweep.probes.find((p) => p.level === sweep.bound);
  const parts = [
    sweep.capacity === null ? `no level meets the objectives (from ${unit(sweep.probes[0]?.level ?? 1)})` : `capacity ${unit(sweep.capacity)}`,
    bound ? `bounded by ${unit(bound.level)} (attainment ${formatShare(bound.attainment)}${bound.saturated ? ', saturated' : ''})` : null,
    sweep.knee === null ? null : `knee at ${unit(sweep.knee)}`,
    sweep.serialises ? 'the server serialises requests (2 users got under 10% more throughput than 1)' : null,
    sweep.stoppedBecause === 'max-probes' ? 'stopped at the probe limit' : sweep.stoppedBecause === 'limit' ? 'reached the level limit' : null,
    `${sweep.probes.length} probe(s)`,
  ];
  return parts.filter((p): p is string => p !== null).join('; ');
}
