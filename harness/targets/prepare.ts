/**
 * Gets one model ready before its cases run, and puts things back after.
 * On any target: is the model served? On Foundry Local also: resolve the
 * alias to a variant, download it when allowed (progress, retries), load it
 * (timed, with the service's memory before and after), send the cold first
 * request, and afterwards unload what the harness loaded. None of this
 * enters a latency sample.
 */
import type { FoundryOptions } from '../files/config.ts';
import { downloadProgressReporter } from '../run/progress.ts';
import { measureRequest, type RequestClient, type RequestSpec } from '../measure/request.ts';
import { findModel } from './openai.ts';
import { resolveVariant } from './foundry/catalog.ts';
import { FOUNDRY_HINTS, FoundryError, FoundryService } from './foundry/service.ts';
import type { FoundryTarget, ModelInfo, ModelLifecycle, ProvidedTarget, ResolvedVariant, TargetInfo, VariantSelector } from '../types.ts';

export interface PreparedModel {
  /** The id to send in requests; null when the cases cannot run. */
  servedId: string | null;
  variant: ResolvedVariant | null;
  modelInfo: ModelInfo | null;
  /** The cases are skipped with this reason (model not served, not downloaded, unknown alias). */
  skipReason: string | null;
  /** The cases fail with this message (target unusable, download or load failed). */
  failure: string | null;
  /** Undoes what preparing did (unloads a model the harness loaded). Never throws. */
  release(): Promise<void>;
}

export interface ColdRequest {
  client: RequestClient;
  /** The spec's first prompt and parameters; `model` is filled in with the resolved id. */
  request: Omit<RequestSpec, 'model'>;
  signal?: AbortSignal;
}

const nothing = async () => {};

/** A model that is skipped or failed has no id to send requests to. */
function outcome(fields: Partial<PreparedModel>): PreparedModel {
  const prepared = { servedId: null, variant: null, modelInfo: null, skipReason: null, failure: null, release: nothing, ...fields };
  return prepared.failure || prepared.skipReason ? { ...prepared, servedId: null } : prepared;
}

/** `cold` is the request sent right after a load (null: none, e.g. doctor, which sends its own). */
export async function prepareModel(target: ProvidedTarget, model: string, selector: VariantSelector | undefined, cold: ColdRequest | null, options: FoundryOptions): Promise<PreparedModel> {
  if (target.error || !target.info) return outcome({ failure: target.error ?? 'no target' });
  if (target.foundry) return prepareFoundryModel(target.foundry, model, selector, cold, options);
  if (selector !== undefined) {
    return outcome({ skipReason: `variant "${selector}" needs a Foundry Local target; ${target.info.baseURL} is ${target.info.kind}` });
  }
  const servedId = target.models ? findModel(target.models, model) : model;
  if (servedId === null) return outcome({ skipReason: notServedReason(model, target.info, target.models ?? []) });
  return outcome({ servedId, modelInfo: target.modelInfo[servedId] ?? null });
}

async function prepareFoundryModel(foundry: FoundryTarget, model: string, selector: VariantSelector | undefined, cold: ColdRequest | null, options: FoundryOptions): Promise<PreparedModel> {
  const service = new FoundryService(foundry);
  let cached: Set<string> | null;
  try {
    cached = await service.cached();
  } catch (error) {
    return outcome({ failure: withHint(error) });
  }
  const resolution = resolveVariant(foundry.catalog, model, selector, cached ?? new Set());
  if (!resolution.variant) return outcome({ skipReason: `${resolution.reason}; list the catalog with \`foundry-bench models\`` });
  const chosen = resolution.variant;
  const variant: ResolvedVariant = {
    requested: model,
    selector: selector ?? null,
    id: chosen.id,
    deviceType: chosen.deviceType,
    executionProvider: chosen.executionProvider,
    fileSizeMb: chosen.fileSizeMb,
    license: chosen.license,
    task: chosen.task,
    reason: resolution.reason,
  };
  const lifecycle: ModelLifecycle = { downloadMs: null, downloadAttempts: 0, alreadyLoaded: false, rssBeforeBytes: null, rssAfterBytes: null, diskBytes: null, cold: null, unloadAfter: false };
  const modelInfo: ModelInfo = { parameters: null, fileBytes: null, sha256: null, loadMs: null, rssGrowthBytes: null, lifecycle };
  const fields = { servedId: chosen.id, variant, modelInfo };

  if (cached && !cached.has(chosen.id)) {
    if (!options.download) {
      return outcome({ ...fields, skipReason: `${chosen.id} (${model}) is not downloaded: run \`foundry model download ${chosen.id}\`, or rerun with --download` });
    }
    try {
      const done = await service.download(chosen, {
        retries: options.downloadRetries,
        retryDelayMs: options.retryDelayMs,
        onProgress: downloadProgressReporter(chosen.id, chosen.fileSizeMb),
        ...(cold?.signal ? { signal: cold.signal } : {}),
      });
      lifecycle.downloadMs = done.ms;
      lifecycle.downloadAttempts = done.attempts;
    } catch (error) {
      return outcome({ ...fields, failure: withHint(error) });
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
      const status = await service.load(chosen, options.ttlSeconds);
      modelInfo.loadMs = performance.now() - started;
      lifecycle.alreadyLoaded = status === 'already_loaded';
      lifecycle.unloadAfter = options.unload && !lifecycle.alreadyLoaded;
      lifecycle.rssAfterBytes = await service.residentBytes();
      if (lifecycle.rssBeforeBytes !== null && lifecycle.rssAfterBytes !== null) modelInfo.rssGrowthBytes = lifecycle.rssAfterBytes - lifecycle.rssBeforeBytes;
    }
  } catch (error) {
    return outcome({ ...fields, failure: withHint(error) });
  }
  const release = lifecycle.unloadAfter
    ? async () => {
        try {
          await service.unload(chosen.id);
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
  return outcome({ ...fields, release });
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
