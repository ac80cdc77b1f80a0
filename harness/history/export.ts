/**
 * A run's figures in the formats of the CI benchmark services teams already use, so they can send them there
 * instead of, or beside, the history branch:
 * - Bencher Metric Format (https://bencher.dev/docs/reference/bencher-metric-format): an object of benchmarks,
 *   each an object of measures (`{value, lower_value, upper_value}`); measures named by slug are created on
 *   first use. One measure per metric, in ms or tokens/s, with the 95% CI as bounds where there is one.
 * - github-action-benchmark's custom tools (`customSmallerIsBetter`, `customBiggerIsBetter`): an array of
 *   `{name, unit, value, range?, extra?}`; latencies are smaller-is-better, throughput bigger-is-better, so they
 *   go in two files.
 * Benchmarks are named by case id, so a series follows the case as the history does.
 */
import type { CaseResult, RunResults } from '../types.ts';

export const EXPORT_FORMATS = ['bencher', 'github-action-benchmark', 'github-action-benchmark-bigger'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

interface BencherMetric {
  value: number;
  lower_value?: number;
  upper_value?: number;
}

interface CustomBenchmark {
  name: string;
  unit: string;
  value: number;
  range?: string;
  extra?: string;
}

const measured = (results: RunResults) => results.cases.filter((c) => c.status !== 'skipped' && c.stats.e2eMs !== null);

/** The run as Bencher Metric Format. */
export function toBencher(results: RunResults): Record<string, Record<string, BencherMetric>> {
  const out: Record<string, Record<string, BencherMetric>> = {};
  for (const c of measured(results)) {
    const measures: Record<string, BencherMetric> = {};
    const { e2eMs, ttftMs, e2eTokPerSec } = c.stats;
    if (e2eMs) {
      measures['e2e-p50-ms'] = { value: e2eMs.p50, lower_value: e2eMs.p50CI.lo, upper_value: e2eMs.p50CI.hi };
      measures['e2e-p95-ms'] = { value: e2eMs.p95, lower_value: e2eMs.p95CI.lo, upper_value: e2eMs.p95CI.hi };
      measures['e2e-p99-ms'] = { value: e2eMs.p99 };
    }
    if (ttftMs) measures['ttft-p95-ms'] = { value: ttftMs.p95, lower_value: ttftMs.p95CI.lo, upper_value: ttftMs.p95CI.hi };
    if (e2eTokPerSec) measures['tokens-per-second'] = { value: e2eTokPerSec.p50 };
    measures['error-rate'] = { value: c.errors.rate };
    out[c.id] = measures;
  }
  return out;
}

/** The run as github-action-benchmark's `customSmallerIsBetter` (latencies) or `customBiggerIsBetter` (tok/s). */
export function toGithubActionBenchmark(results: RunResults, bigger: boolean): CustomBenchmark[] {
  const out: CustomBenchmark[] = [];
  for (const c of measured(results)) {
    const extra = extraOf(c);
    const { e2eMs, ttftMs, e2eTokPerSec } = c.stats;
    if (bigger) {
      if (e2eTokPerSec) out.push({ name: `${c.id} tokens/s (median)`, unit: 'tokens/s', value: e2eTokPerSec.p50, extra });
      continue;
    }
    if (e2eMs) out.push({ name: `${c.id} e2e p95`, unit: 'ms', value: e2eMs.p95, range: range(e2eMs.p95CI), extra });
    if (ttftMs) out.push({ name: `${c.id} TTFT p95`, unit: 'ms', value: ttftMs.p95, range: range(ttftMs.p95CI), extra });
  }
  return out;
}

/** The exported document, as JSON text. */
export function exportRun(results: RunResults, format: ExportFormat): string {
  const document = format === 'bencher' ? toBencher(results) : toGithubActionBenchmark(results, format === 'github-action-benchmark-bigger');
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** github-action-benchmark shows `range` as text beside the value: the 95% CI's half width. */
function range({ lo, hi }: { lo: number; hi: number }): string {
  return `± ${((hi - lo) / 2).toFixed(2)}`;
}

function extraOf(c: CaseResult): string {
  return [`n=${c.stats.e2eMs?.n ?? 0}`, `errors=${c.errors.count}`, `model=${c.variant?.id ?? c.model}`].join('\n');
}
