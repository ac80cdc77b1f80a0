/**
 * What the history keeps of a run: one line per measured case, its figures, its successful samples (so a change
 * point can be confirmed by the gate's statistic run against run) and where and what it measured. Skipped cases
 * are left out; a failed case that measured anything is kept, its errors with it.
 */
import { createHash } from 'node:crypto';
import { quantile } from '../evaluate/stats.ts';
import { storedCapacity } from '../gate/capacity.ts';
import type { CaseResult, Fingerprint, GateSample, HistoryLatency, HistoryRecord, RunInfo, RunResults, SummaryWithCI } from '../types.ts';

/** A testbed: the machine a series was measured on. Software (Node, the server) changes along a series. */
export function testbedOf(fingerprint: Pick<Fingerprint, 'cpuModel' | 'cores' | 'memoryGiB' | 'platform' | 'arch'>): { id: string; machine: string } {
  const machine = `${fingerprint.cpuModel}, ${fingerprint.cores} cores, ${fingerprint.memoryGiB} GiB, ${fingerprint.platform}/${fingerprint.arch}`;
  return { id: createHash('sha256').update(machine).digest('hex').slice(0, 12), machine };
}

/** A machine as the results document and `machineInfo()` describe it. */
type Machine = Pick<RunInfo, 'cpu' | 'os' | 'memoryBytes'>;

/** The testbed of a machine described as a run describes it (this machine: `machineInfo()`). */
export function machineTestbed(machine: Machine): { id: string; machine: string } {
  const { cpu, os, memoryBytes } = machine;
  return testbedOf({ cpuModel: cpu.model, cores: cpu.cores, memoryGiB: Math.round(memoryBytes / 2 ** 30), platform: os.platform, arch: os.arch });
}

/** The testbed a case was measured on: its fingerprint's machine, else the run's. */
export function caseTestbed(result: Pick<CaseResult, 'fingerprint'>, run: Machine): { id: string; machine: string } {
  return result.fingerprint ? testbedOf(result.fingerprint) : machineTestbed(run);
}

/** The history's lines for a results document's measured cases. */
export function recordsOf(results: RunResults, branch: string | null): HistoryRecord[] {
  return results.cases.filter((c) => c.status !== 'skipped' && c.samples.length > 0).map((c) => recordOf(c, results, branch));
}

function recordOf(result: CaseResult, results: RunResults, branch: string | null): HistoryRecord {
  const { run } = results;
  const testbed = caseTestbed(result, run);
  const ok = result.samples.filter((s) => s.ok);
  const tokPerSec = ok.map((s) => s.e2eTokPerSec).filter((v): v is number => v !== null);
  return {
    schemaVersion: 1,
    case: result.id,
    model: result.model,
    promptId: result.promptId,
    file: result.file,
    inputHash: result.promptHash,
    variant: result.variant ? { id: result.variant.id, executionProvider: result.variant.executionProvider } : null,
    testbed: testbed.id,
    machine: testbed.machine,
    fingerprint: result.fingerprint,
    server: { kind: result.target.kind, version: result.target.server ?? null },
    profile: result.profile,
    gitSha: run.gitSha,
    branch,
    time: run.startedAt,
    status: result.status,
    n: ok.length,
    errors: { count: result.errors.count, rate: result.errors.rate },
    e2eMs: latency(result.stats.e2eMs),
    ttftMs: latency(result.stats.ttftMs),
    tokensPerSec: tokPerSec.length > 0 ? round(quantile(tokPerSec, 0.5)) : null,
    ...(result.load?.sweep ? { capacity: storedCapacity(result.load.sweep) } : {}),
    samples: {
      e2eMs: ok.map((s) => round(s.e2eMs)),
      ttftMs: ok.map((s) => (s.ttftMs === null ? null : round(s.ttftMs))),
      tokPerSec: ok.map((s) => (s.e2eTokPerSec === null ? null : round(s.e2eTokPerSec))),
    },
  };
}

function latency(summary: SummaryWithCI | null): HistoryLatency | null {
  if (!summary) return null;
  const interval = ({ lo, hi }: { lo: number; hi: number }) => ({ lo: round(lo), hi: round(hi) });
  return { p50: round(summary.p50), p95: round(summary.p95), p99: round(summary.p99), p50CI: interval(summary.p50CI), p95CI: interval(summary.p95CI) };
}

/** A record's samples as the gate reads them. */
export function gateSamples(record: HistoryRecord): GateSample[] {
  const { e2eMs, ttftMs, tokPerSec } = record.samples;
  return e2eMs.map((e2e, i) => ({ ok: true, e2eMs: e2e, ttftMs: ttftMs[i] ?? null, e2eTokPerSec: tokPerSec[i] ?? null }));
}

/** Milliseconds to 0.01: finer than any timer here, and a third of the digits. */
function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** A series: one case on one testbed with one input, in the order its runs were pushed. */
export function seriesKey(record: Pick<HistoryRecord, 'testbed' | 'case' | 'inputHash'>): string {
  return `${record.testbed} ${record.case} ${record.inputHash}`;
}
