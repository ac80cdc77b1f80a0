/**
 * The spec API. `benchModel(model, options)` expands to a vitest `describe`
 * per model and a `test` per prompt, so vitest's filters, `.only`, sharding
 * and IDE integrations work on benchmark cases as they do on tests.
 */
import { describe, inject, test, type TestContext } from 'vitest';
import { baselinePath, fingerprint, readBaseline, updateRequested, type BaselineFile } from './baseline.ts';
import { catalogEntry, selectedModels } from './catalog.ts';
import { sharedConfig } from './config.ts';
import { evaluateCase, type Reference } from './evaluate.ts';
import { gateOptions, type GateOptions } from './gate.ts';
import { caseId, promptHash, resolveParams } from './params.ts';
import { progressReporter } from './progress.ts';
import { loadPrompts } from './prompts.ts';
import { createClient, type RequestClient } from './request.ts';
import { resolveRunTarget, resolveSpecTarget } from './run-target.ts';
import { runCase } from './runner.ts';
import { apiKeyFromEnv, findModel } from './target.ts';
import type { BenchOptions, CaseMeta, CaseParams, Prompt, ProvidedTarget, TargetInfo } from './types.ts';

export function benchModel(model: string, options: BenchOptions): void {
  // Loaded while vitest collects the file: a broken prompt file fails the file before any request.
  const prompts = loadPrompts(options.prompts);
  const gate = gateOptions(options.regression, process.env, sharedConfig().regression);
  // BENCH_MODELS (--models) narrows a run to some aliases; the others are not run at all.
  const selected = selectedModels();
  const suite = selected && !selected.has(model) ? describe.skip : describe;
  suite(model, () => {
    for (const prompt of prompts) {
      const params = resolveParams(options, prompt);
      test(prompt.id, { timeout: testTimeout(params) }, (context) => runBenchCase(context, model, prompt, params, options, gate));
    }
  });
}

/** Generous enough for every request to hit its own timeout, which is what bounds a hung server. */
function testTimeout(params: CaseParams): number {
  return params.timeMs + (params.warmup + params.iterations + 1) * params.timeoutMs + 30_000;
}

async function runBenchCase(
  context: TestContext,
  model: string,
  prompt: Prompt,
  params: CaseParams,
  options: BenchOptions,
  gate: GateOptions,
): Promise<void> {
  const { task, signal } = context;
  const config = sharedConfig();
  const target = await targetFor(options.target);
  const hash = promptHash(prompt, params);
  const minQuality = options.quality?.minScore ?? config.quality?.minScore;
  const budgets = { ...options.budgets, ...(minQuality !== undefined ? { minQuality } : {}) };
  const meta = emptyCase({
    id: caseId(model, prompt.id, hash),
    model,
    promptId: prompt.id,
    promptHash: hash,
    params,
    budgets,
    target: target.info ?? { baseURL: '', source: 'none', kind: 'openai-compatible' },
  });
  task.meta.bench = meta;
  meta.catalog = catalogEntry(model, config);

  if (target.error || !target.info) {
    meta.failures.push(target.error ?? 'no target');
    throw benchFailure(meta.failures);
  }
  const servedId = target.models ? findModel(target.models, model) : model;
  meta.modelInfo = (servedId && target.modelInfo[servedId]) || null;
  if (servedId === null) {
    meta.skipReason = notServedReason(model, target.info, target.models ?? []);
    context.skip(meta.skipReason);
  }

  // A broken baseline is bad input: say so before sending any request.
  let reference: Reference | null;
  try {
    reference = referenceFor(meta.id);
  } catch (error) {
    meta.failures.push((error as Error).message);
    throw benchFailure(meta.failures);
  }

  const run = await runCase(
    clientFor(target.info),
    {
      model: servedId ?? model,
      messages: prompt.messages,
      maxTokens: params.maxTokens,
      temperature: params.temperature,
      seed: params.seed,
      stream: params.stream,
      timeoutMs: params.timeoutMs,
    },
    params,
    { signal, onProgress: progressReporter(`${model} > ${prompt.id}`, params.warmup, params.iterations) },
  );

  await evaluateCase(meta, run, {
    prompt,
    budgets,
    gate,
    config,
    reference,
    updatingBaseline: updateRequested(),
    fingerprint: fingerprint(target.info, servedId ?? model),
    judgeClient: clientFor(target.info).openai,
  });
  if (meta.failures.length > 0) throw benchFailure(meta.failures);
}

const baselines = new Map<string, BaselineFile | null>();

/** This case's baseline entry (the file is read once per worker); a broken baseline fails the case with its message. */
function referenceFor(caseId: string): Reference | null {
  const path = baselinePath();
  if (!baselines.has(path)) baselines.set(path, readBaseline(path));
  const entry = baselines.get(path)?.cases[caseId];
  if (!entry) return null;
  return { file: path, samples: entry.samples, outputSha256: entry.output?.sha256 ?? null, fingerprint: entry.fingerprint, updatedAt: entry.updatedAt, gitSha: entry.gitSha };
}

type CaseIdentity = Pick<CaseMeta, 'id' | 'model' | 'promptId' | 'promptHash' | 'params' | 'budgets' | 'target'>;

function emptyCase(identity: CaseIdentity): CaseMeta {
  return {
    ...identity,
    modelInfo: null,
    skipReason: null,
    failures: [],
    samples: [],
    warmup: { count: 0, errors: 0 },
    stats: { e2eMs: null, ttftMs: null, itlMs: null, tpotMs: null, outputTokens: null, decodeTokPerSec: null, e2eTokPerSec: null },
    errors: { count: 0, rate: 0, byKind: {}, first: [] },
    determinism: { identical: null, distinctOutputs: 0 },
    budgetViolations: [],
    fingerprint: null,
    catalog: null,
    quality: null,
    cost: null,
    gate: null,
    sampleOutput: null,
    durationMs: 0,
  };
}

/** A failure whose message is the whole story: no stack frames pointing into the harness. */
function benchFailure(lines: string[]): Error {
  const error = new Error(lines.join('\n'));
  error.name = 'BenchFailure';
  error.stack = `${error.name}: ${error.message}`;
  return error;
}

function notServedReason(model: string, target: TargetInfo, models: readonly string[]): string {
  if (target.kind === 'embedded') {
    return (
      `model "${model}" is not one of the embedded engine's tiny models (${listPreview(models)}); ` +
      'to benchmark it, start Foundry Local (`foundry service status` or `foundry server status` prints its URL) ' +
      'and run with FOUNDRY_LOCAL_ENDPOINT=<that URL>, or BENCH_BASE_URL for another OpenAI-compatible server'
    );
  }
  return `model "${model}" is not served by ${target.baseURL} (GET /models lists ${listPreview(models)})`;
}

function listPreview(models: readonly string[]): string {
  if (models.length === 0) return 'no models';
  const shown = models.slice(0, 8).join(', ');
  return models.length > 8 ? `${shown}, ... (${models.length} in all)` : shown;
}

// One probe and one client per target and worker: connection reuse keeps the setup out of the samples.
const specTargets = new Map<string, Promise<ProvidedTarget>>();
const clients = new Map<string, RequestClient>();

async function targetFor(specTarget: string | undefined): Promise<ProvidedTarget> {
  if (specTarget !== undefined) {
    let probe = specTargets.get(specTarget);
    if (!probe) specTargets.set(specTarget, (probe = resolveSpecTarget(specTarget)));
    return probe;
  }
  // Provided by the bench global setup; a spec run under another config resolves the target itself.
  const provided = inject('benchTarget') as ProvidedTarget | undefined;
  if (provided) return provided;
  let probe = specTargets.get('');
  if (!probe) specTargets.set('', (probe = resolveRunTarget()));
  return probe;
}

function clientFor(target: TargetInfo): RequestClient {
  let client = clients.get(target.baseURL);
  if (!client) clients.set(target.baseURL, (client = createClient(target.baseURL, apiKeyFromEnv())));
  return client;
}
