/**
 * Synthetic history records: runs of one case from the gate's noise model (test/helpers/noise.ts), built the way
 * the recorder builds them (test/history.test.ts checks the recorder itself on a results document).
 */
import { createHash } from 'node:crypto';
import { quantile } from '../../harness/evaluate/stats.ts';
import { testbedOf } from '../../harness/history/record.ts';
import type { HistoryLatency, HistoryRecord } from '../../harness/types.ts';
import { type Change, type Noise, simulateRun } from './noise.ts';
import { FINGERPRINT } from './results.ts';

/** A fake commit sha for run i. */
export const shaOf = (i: number) => createHash('sha1').update(`commit ${i}`).digest('hex');

const TESTBED = testbedOf(FINGERPRINT);

function latency(values: number[]): HistoryLatency {
  const at = (q: number) => Math.round(quantile(values, q) * 100) / 100;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), p50CI: { lo: at(0.4), hi: at(0.6) }, p95CI: { lo: at(0.9), hi: at(0.99) } };
}

/** One run of one case: n requests from the noise model, TTFT a fifth of each, 16 tokens each. */
export function simulatedRecord(i: number, n: number, change: Change, seed: number, noise: Noise, caseId = 'tiny/chat'): HistoryRecord {
  const [arm] = simulateRun(n, [change], seed, noise);
  const e2e = (arm?.samples ?? []).map((s) => Math.round(s.e2eMs * 100) / 100);
  const ttft = e2e.map((ms) => Math.round((ms / 5) * 100) / 100);
  const tokPerSec = e2e.map((ms) => Math.round((16 / (ms / 1000)) * 100) / 100);
  const [model = 'tiny', promptId = 'chat'] = caseId.split('/');
  return {
    schemaVersion: 1,
    case: caseId,
    model,
    promptId,
    file: 'bench/example.bench.ts',
    inputHash: '0123456789ab'.padEnd(64, '0'),
    variant: null,
    testbed: TESTBED.id,
    machine: TESTBED.machine,
    fingerprint: { ...FINGERPRINT, model },
    server: { kind: 'embedded', version: 'node-llama-cpp 3.21.1' },
    profile: 'default',
    gitSha: shaOf(i),
    branch: 'main',
    time: new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toISOString(),
    status: 'passed',
    n: e2e.length,
    errors: { count: 0, rate: 0 },
    e2eMs: latency(e2e),
    ttftMs: latency(ttft),
    tokensPerSec: quantile(tokPerSec, 0.5),
    samples: { e2eMs: e2e, ttftMs: ttft, tokPerSec },
  };
}

/** A series of `runs` runs, every run from `stepAt` on `factor` times slower (factor 1: no step). */
export function simulatedSeries(runs: number, stepAt: number, factor: number, seed: number, noise: Noise, n = 30, caseId?: string): HistoryRecord[] {
  return Array.from({ length: runs }, (_, i) =>
    simulatedRecord(i, n, i >= stepAt && factor !== 1 ? { kind: 'uniform', factor } : { kind: 'none' }, seed * 7919 + i * 104_729, noise, caseId),
  );
}
