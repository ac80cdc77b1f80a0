/**
 * The PR comment's look back: for each case of this run, its recent history on main on the same machine, as a
 * sparkline of p95 per run with this run's p95 after it, and the trend's verdict (a step and where, or the level it
 * has held since when). Appended to report.md by CI (`foundry-bench history trend >> report.md`): a change
 * measured against one reference reads differently when the last twenty runs wander as much.
 */
import type { ChangePoint } from '../harness/history/changes.ts';
import { caseTestbed } from '../harness/history/record.ts';
import type { CaseResult, HistoryRecord, RunResults } from '../harness/types.ts';
import { escapeMarkdownCell, formatMsUnit, formatPercent } from './format.ts';

const BARS = '▁▂▃▄▅▆▇█';

/**
 * Values as a line of block characters, lowest to highest. The scale spans at least 5% of the largest value, around
 * the values: runs within a few tenths of a millisecond of each other draw flat, not as a full swing.
 */
export function sparkline(values: readonly number[]): string {
  const min = Math.min(...values);
  const max = Math.max(...values);
  const narrow = max - min < 0.05 * Math.abs(max);
  const span = narrow ? Math.max(0.05 * Math.abs(max), Number.MIN_VALUE) : max - min;
  // Narrow values sit around a bar (the fourth), not between two: near-equal values never straddle a boundary.
  const floor = narrow ? (max + min) / 2 - (span * 3) / (BARS.length - 1) : min;
  return values.map((v) => BARS[Math.min(BARS.length - 1, Math.max(0, Math.round(((v - floor) / span) * (BARS.length - 1))))]).join('');
}

/** The case's series on main: same machine, same input, oldest first. */
function seriesFor(c: CaseResult, results: RunResults, records: readonly HistoryRecord[]): HistoryRecord[] {
  const testbed = caseTestbed(c, results.run).id;
  return records.filter((r) => r.testbed === testbed && r.case === c.id && r.inputHash === c.promptHash);
}

const short = (sha: string | null) => (sha ? sha.slice(0, 7) : 'an unknown commit');

/** The Markdown section; empty when the history knows none of the run's cases. */
export function trendSection(results: RunResults, records: readonly HistoryRecord[], changes: readonly ChangePoint[], window = 20): string {
  const rows: string[] = [];
  for (const c of results.cases.filter((x) => x.status !== 'skipped' && x.stats.e2eMs)) {
    const series = seriesFor(c, results, records);
    const recent = series.slice(-window).filter((r) => r.e2eMs);
    if (recent.length === 0) continue;
    const p95s = recent.map((r) => r.e2eMs?.p95 as number);
    const head = c.stats.e2eMs?.p95 as number;
    const median = [...p95s].sort((a, b) => a - b)[Math.floor(p95s.length / 2)] as number;
    const step = changes
      .filter((p) => p.metric === 'e2eP95' && p.case === c.id && p.testbed === recent[0]?.testbed)
      .filter((p) => recent.some((r) => r.time === p.after.time))
      .at(-1);
    const trend = step
      ? `${step.direction} ${formatPercent(1 + step.size)} at ${short(step.after.gitSha)}${step.intended ? ` (intended: ${step.intended.reason})` : ''}`
      : `level since ${short(recent[0]?.gitSha ?? null)}`;
    rows.push(
      `| ${escapeMarkdownCell(c.id)} | \`${sparkline(p95s)}\` **${sparkline([...p95s, head]).at(-1)}** | ${formatMsUnit(Math.min(...p95s))} .. ${formatMsUnit(Math.max(...p95s))} | ${formatMsUnit(head)} (${formatPercent(head / median)}) | ${escapeMarkdownCell(trend)} |`,
    );
  }
  if (rows.length === 0) return '';
  return [
    `### History on main, this machine (last ${window} runs)`,
    '',
    '| case | e2e p95 per run, then this run | range | this run (vs their median) | trend |',
    '|---|---|--:|--:|---|',
    ...rows,
    '',
  ].join('\n');
}
