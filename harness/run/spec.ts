/**
 * The spec API. `benchModel(model, options)` expands to a vitest `describe`
 * per model and a `test` per prompt, so vitest's filters, `.only`, sharding
 * and IDE integrations work on benchmark cases as they do on tests.
 */
import { afterAll, beforeAll, describe, inject, test, type TestContext } from 'vitest';
import { baselinePath, fingerprint, readBaseline, updateRequested, type BaselineFile } from '../gate/baseline.ts';
import { catalogEntry, selectedModels, withVariantFacts } from '../files/catalog.ts';
import { foundryOptions, sharedConfig } from '../files/config.ts';
import { evaluateCase, type Reference } from '../evaluate/evaluate.ts';
import { gateOptions, type GateOptions } from '../gate/verdict.ts';
import { prepareModel, type PreparedModel } from '../targets/prepare.ts';
import { caseId, promptHash, resolveParams, suiteName } from './params.ts';
import { progressReporter } from './progress.ts';
import { loadPrompts } from '../files/prompts.ts';
import { createClient, type RequestClient } from '../measure/request.ts';
import { resolveRunTarget, resolveSpecTarget } from '../run-target.ts';
import { runCase } from '../measure/runner.ts';
import { apiKeyFromEnv } from '../targets/openai.ts';
import type { BenchOptions, CaseMeta, CaseParams, Prompt, ProvidedTarget, ResolvedVariant, TargetInfo, VariantSelector } from '../types.ts';

export function benchModel(model: string, options: BenchOptions): void {
  // Loaded while vitest collects the file: a broken prompt file fails the file before any request.
  const prompts = loadPrompts(options.prompts);
  const gate = gateOptions(options.regression, process.env, sharedConfig().regression);
  // BENCH_MODELS (--models) narrows a run to some aliases; the others are not run at all.
  const selected = selectedModels();
  const suite = selected && !selected.has(model) ? describe.skip : describe;
  // Several variants (Foundry Local: `variant: ['cpu', 'gpu']`) run side by side, each as its own suite.
  const selectors: Array<VariantSelector | undefined> = options.variant === undefined ? [undefined] : [options.variant].flat();
  for (const selector of selectors) {
    suite(suiteName(model, selector), () => {
      // Once per model, before its first case and outside every test's timing: resolve, download, load, cold request.
      let prepared: Promise<PreparedModel> | undefined;
      const prepare = () => (prepared ??= prepareFor(model, selector, prompts[0], options));
      beforeAll(async () => void (await prepare()), setupTimeout());
      afterAll(async () => (await prepared)?.release(), 300_000);
      for (const prompt of prompts) {
        const params = resolveParams(options, prompt);
        test(prompt.id, { timeout: testTimeout(params) }, async (context) => runBenchCase(context, model, prompt, params, options, gate, await prepare()));
      }
    });
  }
}

/** Downloads can take long; loads of large models on CPU take minutes. */
function setupTimeout(): number {
  return foundryOptions().download ? 6 * 3_600_000 : 20 * 60_000;
}

async function prepareFor(model: string, selector: VariantSelector | undefined, first: Prompt | undefined, options: BenchOptions): Promise<PreparedModel> {
  const target = await targetFor(options.target);
  if (!target.info || !first) return prepareModel(target, model, selector, null, foundryOptions());
  const params = resolveParams(options, first);
  const request = { messages: first.messages, maxTokens: params.maxTokens, temperature: params.temperature, seed: params.seed, stream: params.stream, timeoutMs: params.timeoutMs };
  return prepareModel(target, model, selector, { client: clientFor(target.info), request }, foundryOptions());
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
  prepared: PreparedModel,
): Promise<void> {
  const { task, signal } = context;
  const config = sharedConfig();
  const target = await targetFor(options.target);
  const hash = promptHash(prompt, params);
  const minQuality = options.quality?.minScore ?? config.quality?.minScore;
  const budgets = { ...options.budgets, ...(minQuality !== undefined ? { minQuality } : {}) };
  const meta = emptyCase({
    id: caseId(caseModel(model, prepared.variant), prompt.id, hash),
    model,
    promptId: prompt.id,
    promptHash: hash,
    params,
    budgets,
    target: target.info ?? { baseURL: '', source: 'none', kind: 'openai-compatible' },
  });
  task.meta.bench = meta;
  meta.variant = prepared.variant;
  meta.catalog = withVariantFacts(catalogEntry(model, config), prepared.variant);
  meta.modelInfo = prepared.modelInfo;

  if (prepared.failure || !target.info) {
    // A failure may carry a hint on a line of its own.
    meta.failures.push(...(prepared.failure ?? 'no target').split('\n'));
    throw benchFailure(meta.failures);
  }
  const servedId = prepared.servedId;
  if (servedId === null) {
    meta.skipReason = prepared.skipReason ?? `model "${model}" is not available`;
    context.skip(meta.skipReason);
    return;
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
      model: servedId,
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
    fingerprint: fingerprint(target.info, servedId, prepared.variant?.executionProvider),
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

/** A Foundry Local case is keyed by the variant it ran, not only the alias: another variant is another case. */
function caseModel(model: string, variant: ResolvedVariant | null): string {
  if (!variant) return model;
  return `${model}@${variant.id}(${variant.executionProvider ?? variant.deviceType ?? 'unknown'})`;
}

function emptyCase(identity: CaseIdentity): CaseMeta {
  return {
    ...identity,
    modelInfo: null,
    variant: null,
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
