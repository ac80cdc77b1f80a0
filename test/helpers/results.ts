/** Builds results documents for reporter tests from plain latency lists, through the harness's own functions. */
import { compareCase, DEFAULT_GATE } from '../../harness/gate/verdict.ts';
import { caseStats, determinism, errorSummary } from '../../harness/evaluate/metrics.ts';
import { DEFAULT_PARAMS } from '../../harness/run/params.ts';
import type { CaseResult, Fingerprint, RequestSample, RunResults } from '../../harness/types.ts';

export const FINGERPRINT: Fingerprint = {
  cpuModel: 'Test CPU',
  cores: 2,
  memoryGiB: 24,
  platform: 'linux',
  arch: 'x64',
  osRelease: '6.1.0',
  node: 'v20.20.2',
  targetKind: 'embedded',
  server: 'node-llama-cpp 3.21.1',
  model: 'tiny-1m',
};

export function sample(e2eMs: number, overrides: Partial<RequestSample> = {}): RequestSample {
  return {
    ok: true,
    e2eMs,
    ttftMs: e2eMs / 5,
    itlMs: [1, 1.2],
    tpotMs: (e2eMs * 0.8) / 15,
    outputTokens: 16,
    tokensEstimated: false,
    decodeTokPerSec: 15 / ((e2eMs * 0.8) / 1000),
    e2eTokPerSec: 16 / (e2eMs / 1000),
    finishReason: 'length',
    outputSha256: 'a'.repeat(64),
    error: null,
    ...overrides,
  };
}

export interface CaseSpec {
  model?: string;
  promptId?: string;
  file?: string;
  latencies?: number[];
  baseLatencies?: number[] | null;
  status?: CaseResult['status'];
  profile?: string;
  skipReason?: string;
  output?: string;
  failures?: string[];
}

// Bootstrapping is the slow part; many test cases share the same latencies.
const comparisons = new Map<string, ReturnType<typeof compareCase>>();

function comparison(base: RequestSample[] | null, samples: RequestSample[]) {
  const key = JSON.stringify([base?.map((s) => s.e2eMs), samples.map((s) => s.e2eMs)]);
  const known = comparisons.get(key);
  if (known) return known;
  // Report fixtures: few samples, the within-run statistics only.
  const result = compareCase(base ? { runs: [base] } : null, samples, { ...DEFAULT_GATE, drift: 0, minSamples: 2 });
  comparisons.set(key, result);
  return result;
}

export function makeCase(spec: CaseSpec = {}): CaseResult {
  const model = spec.model ?? 'tiny-1m';
  const promptId = spec.promptId ?? 'hello';
  const skipped = spec.status === 'skipped';
  const samples = skipped ? [] : (spec.latencies ?? [100, 102, 98, 101, 99]).map((ms) => sample(ms));
  const base = spec.baseLatencies === undefined ? null : (spec.baseLatencies?.map((ms) => sample(ms)) ?? null);
  const gate = skipped ? null : comparison(base, samples);
  const failed = gate?.verdict === 'regressed';
  const failures = [...(spec.failures ?? []), ...(failed ? (gate?.metrics.map((m) => m.message) ?? []) : [])];
  return {
    id: `${model}/${promptId}`,
    file: spec.file ?? 'bench/example.bench.ts',
    name: `${model} > ${promptId}`,
    status: spec.status ?? (failures.length > 0 ? 'failed' : 'passed'),
    profile: spec.profile ?? 'default',
    model,
    promptId,
    promptHash: '0123456789ab'.padEnd(64, '0'),
    params: { ...DEFAULT_PARAMS, iterations: Math.max(1, samples.length) },
    budgets: {},
    target: { baseURL: 'http://127.0.0.1:9999/v1', source: 'embedded default', kind: 'embedded', server: 'node-llama-cpp 3.21.1' },
    modelInfo: null,
    variant: null,
    skipReason: spec.skipReason ?? null,
    failures,
    samples,
    warmup: { count: 2, errors: 0 },
    stats: caseStats(samples),
    errors: errorSummary(samples),
    determinism: determinism(samples),
    budgetViolations: [],
    fingerprint: skipped ? null : { ...FINGERPRINT, model },
    gate: gate
      ? {
          ...gate,
          failed,
          tolerance: 0.1,
          failOn: 'regressed',
          baseline: base
            ? { file: 'fixtures/baselines/default.json', updatedAt: '2026-11-01T00:00:00.000Z', gitSha: null, fingerprint: { ...FINGERPRINT, model } }
            : null,
          fingerprintMismatch: [],
          outputChanged: null,
          inputChanges: [],
          drift: base ? { sigma: 0, runs: 1 } : null,
          ...(base ? { referenceSamples: base.map(({ ok, e2eMs, ttftMs, e2eTokPerSec }) => ({ ok, e2eMs, ttftMs, e2eTokPerSec })) } : {}),
        }
      : null,
    catalog: null,
    quality: null,
    cost: null,
    sampleOutput: skipped ? null : { text: spec.output ?? 'w0 w1 w2', truncated: false, sha256: 'a'.repeat(64), outputTokens: 16, finishReason: 'length' },
    request: skipped ? null : { model, messages: [{ role: 'user', content: `say ${promptId}` }], maxTokens: 150, temperature: 0, seed: 42, stream: true },
    durationMs: samples.reduce((sum, s) => sum + s.e2eMs, 0),
  };
}

export function makeResults(cases: CaseResult[]): RunResults {
  const count = (status: CaseResult['status']) => cases.filter((c) => c.status === status).length;
  return {
    schemaVersion: 1,
    tool: { name: 'foundry-bench', version: '0.1.0' },
    run: {
      startedAt: '2026-11-25T10:00:00.000Z',
      finishedAt: '2026-11-25T10:01:00.000Z',
      durationMs: 60_000,
      gitSha: 'f'.repeat(40),
      profile: 'default',
      shard: null,
      node: 'v20.20.2',
      os: { platform: 'linux', release: '6.1.0', arch: 'x64' },
      cpu: { model: 'Test CPU', cores: 2 },
      memoryBytes: 24 * 2 ** 30,
      targets: [{ baseURL: 'http://127.0.0.1:9999/v1', source: 'embedded default', kind: 'embedded', server: 'node-llama-cpp 3.21.1' }],
      outcome: count('failed') > 0 ? 'failed' : 'passed',
      errors: [],
    },
    summary: { cases: cases.length, passed: count('passed'), failed: count('failed'), skipped: count('skipped') },
    cases,
  };
}
