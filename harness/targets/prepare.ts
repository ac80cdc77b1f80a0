/**
 * Gets one model ready before its cases run, and puts things back after.
 * On any target: is the model served? On Foundry Local also: resolve the
 * alias to a variant, download it when allowed (progress, retries), load it
 * (timed, with the service's memory before and after), send the cold first
 * request, and afterwards unload what the harness loaded. None of this
 * enters a latency sample.
 */
import { measureRequest, type RequestClient, type RequestSpec } from '../measure/request.ts';
import type {
  FoundryLifecycleOptions,
  FoundryOptions,
  FoundryTarget,
  ModelInfo,
  ModelLifecycle,
  ResolvedVariant,
  RunTarget,
  TargetInfo,
  VariantSelector,
} from '../types.ts';
import { resolveVariant } from './foundry/catalog.ts';
import { FOUNDRY_HINTS, FoundryError } from './foundry/errors.ts';
import { FoundryService } from './foundry/service.ts';
import { findModel } from './openai.ts';

/** What is known about the model whatever happened: the variant it resolved to and what getting it ready measured. */
interface ModelFacts {
  /** Foundry Local: the variant the alias resolved to; null for other targets. */
  variant: ResolvedVariant | null;
  /** Load time, memory, disk, cold request, when measured. */
  modelInfo: ModelInfo | null;
}

/** A model, ready for its cases or not, as a tagged union. */
export type PreparedModel =
  | (ModelFacts & {
      kind: 'ready';
      /** The id to send in requests. */
      servedId: string;
      /** Undoes what preparing did (unloads a model the harness loaded). Never throws. */
      release(): Promise<void>;
    })
  /** The cases are skipped: model not served, not downloaded, unknown alias. */
  | (ModelFacts & { kind: 'skip'; reason: string })
  /** The cases fail: target unusable, download or load failed. A hint may follow on a line of its own. */
  | (ModelFacts & { kind: 'fail'; message: string });

/** The request sent right after a load, timed apart from every sample. */
export interface ColdRequestSpec {
  client: RequestClient;
  /** The spec's first prompt and parameters; `model` is filled in with the resolved id. */
  request: Omit<RequestSpec, 'model'>;
  signal?: AbortSignal;
}

/** Download progress of a model, in percent per attempt. */
export type DownloadProgress = (event: { percent: number; attempt: number }) => void;

/** How to prepare: Foundry Local's lifecycle settings, the cold request (null: none, e.g. doctor sends its own) and download progress. */
export interface PrepareOptions {
  foundry: FoundryLifecycleOptions & Pick<FoundryOptions, 'download'>;
  cold: ColdRequestSpec | null;
  onDownload?: (variant: { id: string; fileSizeMb: number | null }) => DownloadProgress;
}

const nothing = async () => {};
const noFacts: ModelFacts = { variant: null, modelInfo: null };

/** What a server that reports nothing tells about a model: every figure unknown, to be filled in by what the harness measures. */
export function unknownModelInfo(): ModelInfo {
  return { parameters: null, fileBytes: null, sha256: null, loadMs: null, rssGrowthBytes: null };
}

export async function prepareModel(target: RunTarget, model: string, selector: VariantSelector | undefined, options: PrepareOptions): Promise<PreparedModel> {
  if (target.kind === 'unusable') return { ...noFacts, kind: 'fail', message: target.error };
  if (target.foundry) return prepareFoundryModel(target.foundry, model, selector, options);
  if (selector !== undefined) {
    return { ...noFacts, kind: 'skip', reason: `variant "${selector}" needs a Foundry Local target; ${target.info.baseURL} is ${target.info.kind}` };
  }
  const servedId = target.models ? findModel(target.models, model) : model;
  if (servedId === null) return { ...noFacts, kind: 'skip', reason: notServedReason(model, target.info, target.models ?? []) };
  return { kind: 'ready', servedId, variant: null, modelInfo: target.modelInfo[servedId] ?? null, release: nothing };
}

async function prepareFoundryModel(
  foundry: FoundryTarget,
  model: string,
  selector: VariantSelector | undefined,
  options: PrepareOptions,
): Promise<PreparedModel> {
  const { cold } = options;
  const service = new FoundryService(foundry);
  let cached: Set<string> | null;
  try {
    cached = await service.cached();
  } catch (error) {
    return { ...noFacts, kind: 'fail', message: withHint(error) };
  }
  const resolution = resolveVariant(foundry.catalog, model, selector, cached ?? new Set(), { generation: foundry.generation, platform: process.platform });
  if (!resolution.variant) {
    // A catalog read from GET /v1/models holds only what is on this machine (Core 1.x): say why the alias is missing.
    const partial =
      foundry.catalogSource === 'v1/models'
        ? ' (the catalog here is GET /v1/models, the models already on this machine: install the foundry CLI to see and download the rest)'
        : '';
    return { ...noFacts, kind: 'skip', reason: `${resolution.reason}${partial}; list the catalog with \`foundry-bench models\`` };
  }
  const chosen = resolution.variant;
  // What runs is what the load asks for, which is not always the catalog's provider for the build.
  const provider = service.loadProvider(chosen);
  const variant: ResolvedVariant = {
    requested: model,
    selector: selector ?? null,
    id: chosen.id,
    deviceType: chosen.deviceType,
    executionProvider: provider,
    ...(provider !== chosen.executionProvider ? { catalogExecutionProvider: chosen.executionProvider } : {}),
    fileSizeMb: chosen.fileSizeMb,
    license: chosen.license,
    task: chosen.task,
    reason: resolution.reason,
  };
  const lifecycle: ModelLifecycle = {
    downloadMs: null,
    downloadAttempts: 0,
    alreadyLoaded: false,
    rssBeforeBytes: null,
    rssAfterBytes: null,
    diskBytes: null,
    cold: null,
    unloadAfter: false,
  };
  const modelInfo: ModelInfo = { ...unknownModelInfo(), lifecycle };
  const facts: ModelFacts = { variant, modelInfo };
  const settings = options.foundry;

  if (cached && !cached.has(chosen.id)) {
    if (!settings.download) {
      return {
        ...facts,
        kind: 'skip',
        reason: `${chosen.id} (${model}) is not downloaded: run \`foundry model download ${chosen.id}\`, or rerun with --download`,
      };
    }
    try {
      const done = await service.download(chosen, {
        retries: settings.downloadRetries,
        retryDelayMs: settings.retryDelayMs,
        onProgress: options.onDownload?.(chosen) ?? (() => {}),
        ...(cold?.signal ? { signal: cold.signal } : {}),
      });
      lifecycle.downloadMs = done.ms;
      lifecycle.downloadAttempts = done.attempts;
    } catch (error) {
      return { ...facts, kind: 'fail', message: withHint(error) };
    }
  }
  lifecycle.diskBytes = service.diskBytes(chosen.id);
  modelInfo.fileBytes = lifecycle.diskBytes ?? (chosen.fileSizeMb === null ? null : Math.round(chosen.fileSizeMb * 2 ** 20));

  try {
    const loaded = await service.loaded();
    lifecycle.alreadyLoaded = findModel(loaded, chosen.id) !== null;
    if (!lifecycle.alreadyLoaded) {
      lifecycle.rssBeforeBytes = await service.residentBytes();
      const started = performance.now();
      const status = await service.load(chosen, settings.ttlSeconds);
      modelInfo.loadMs = performance.now() - started;
      if (service.loadFallback) lifecycle.loadedVia = service.loadFallback;
      lifecycle.alreadyLoaded = status === 'already_loaded';
      lifecycle.unloadAfter = settings.unload && !lifecycle.alreadyLoaded;
      lifecycle.rssAfterBytes = await service.residentBytes();
      if (lifecycle.rssBeforeBytes !== null && lifecycle.rssAfterBytes !== null) modelInfo.rssGrowthBytes = lifecycle.rssAfterBytes - lifecycle.rssBeforeBytes;
    }
  } catch (error) {
    return { ...facts, kind: 'fail', message: withHint(error) };
  }
  const release = lifecycle.unloadAfter
    ? async () => {
        try {
          await service.unload(chosen);
        } catch (error) {
          process.stderr.write(`foundry-bench: could not unload ${chosen.id}: ${(error as Error).message}\n`);
        }
      }
    : nothing;

  // The first request after a load pays for lazy initialisation; it is reported on its own, never as a sample.
  if (!lifecycle.alreadyLoaded && cold) {
    const { sample } = await measureRequest(cold.client, { ...cold.request, model: chosen.id }, cold.signal);
    lifecycle.cold = { ok: sample.ok, ttftMs: sample.ttftMs, e2eMs: sample.e2eMs, error: sample.error?.message ?? null };
  }
  return { ...facts, kind: 'ready', servedId: chosen.id, release };
}

function withHint(error: unknown): string {
  const message = (error as Error).message ?? String(error);
  return error instanceof FoundryError ? `${message}\nhint: ${FOUNDRY_HINTS[error.kind]}` : message;
}

function notServedReason(model: string, target: TargetInfo, models: readonly string[]): string {
  if (target.kind === 'embedded') {
    return (
      `model "${model}" is not one of the embedded engine's tiny models (${listPreview(models)}); ` +
      'to benchmark it, start Foundry Local (`foundry service start` or `foundry server start`; the harness finds it through the foundry CLI) ' +
      'or set FOUNDRY_LOCAL_ENDPOINT, or BENCH_BASE_URL for another OpenAI-compatible server'
    );
  }
  return `model "${model}" is not served by ${target.baseURL} (GET /models lists ${listPreview(models)})`;
}

function listPreview(models: readonly string[]): string {
  if (models.length === 0) return 'no models';
  const shown = models.slice(0, 8).join(', ');
  return models.length > 8 ? `${shown}, ... (${models.length} in all)` : shown;
}
