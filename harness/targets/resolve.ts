/**
 * The one place a target is chosen. A run's target, as `npm run bench`,
 * `doctor` and `models` resolve it: `--target`/BENCH_BASE_URL; else
 * FOUNDRY_LOCAL_ENDPOINT; else the config file's `target`; else Foundry Local
 * found through its CLI or SDK; else the embedded engine, started here.
 * Explicit settings beat discovery. A spec's own `target` is resolved the same
 * way, once per worker. Problems become an unusable target, never a throw.
 */
import type { RunOptions, RunTarget, TargetInfo } from '../types.ts';
import { startEmbedded } from './embedded/load.ts';
import type { EmbeddedServer } from './embedded/server.ts';
import { discoverFoundry, foundryTargetInfo, type FoundryDiscovery } from './foundry/discovery.ts';
import { listModels, normalizeBaseURL } from './openai.ts';

/** A resolved target and how to put things back. */
export interface ResolvedTarget {
  target: RunTarget;
  /** Stops what resolving started (the embedded engine, a Foundry service); the caller calls it at the end. */
  close: () => Promise<void>;
}

/** Seen when a spec runs outside foundry-bench, which is what resolves targets. */
export const NO_TARGET_MESSAGE =
  'no target: run the specs with foundry-bench (`npm run bench`, which starts the embedded engine when nothing else is configured), not with vitest alone';

const nothing = async () => {};

/** A target nothing can be sent to; every case fails with `error`. */
export function unusableTarget(error: string, info: TargetInfo | null = null): RunTarget {
  return { kind: 'unusable', info, error };
}

/** Asks the target for its models, once. Never throws: problems make it unusable. */
export async function probeTarget(info: TargetInfo, apiKey: string): Promise<RunTarget> {
  const { models, error } = await listModels(info.baseURL, apiKey);
  if (error !== null) return unusableTarget(error, info);
  return { kind: 'ready', info, models, modelInfo: {}, foundry: null };
}

/**
 * A plain OpenAI-compatible server named by a URL: a spec's own `target` option (`named` "spec option
 * \"target\"", source `spec`) or the A/B base target (`--base-target`, source `base-target`). Probed once.
 */
export async function resolvePlainTarget(url: string, named: string, source: string, apiKey: string): Promise<RunTarget> {
  let info: TargetInfo;
  try {
    info = { baseURL: normalizeBaseURL(url, named), source, kind: 'openai-compatible' };
  } catch (error) {
    return unusableTarget((error as Error).message);
  }
  return probeTarget(info, apiKey);
}

/** The explicitly configured target, flags and environment before the config file; null when none is set. */
function explicitTarget(options: RunOptions): TargetInfo | null {
  const named: Array<[string | null | undefined, string, string]> = [
    [options.baseUrl, options.baseUrlSource === '--target' ? '--target' : 'BENCH_BASE_URL', options.baseUrlSource ?? 'env:BENCH_BASE_URL'],
    [options.foundry.endpoint, 'FOUNDRY_LOCAL_ENDPOINT', 'env:FOUNDRY_LOCAL_ENDPOINT'],
    [options.config.target, 'config target', 'config'],
  ];
  for (const [url, name, source] of named) {
    if (url) return { baseURL: normalizeBaseURL(url, name), source, kind: 'openai-compatible' };
  }
  return null;
}

/** With `withEmbedded: false` a run without any target resolves to null instead of starting the embedded engine. */
export async function resolveRunTarget(options: RunOptions, log: (line: string) => void, withEmbedded?: true): Promise<ResolvedTarget>;
export async function resolveRunTarget(options: RunOptions, log: (line: string) => void, withEmbedded: false): Promise<ResolvedTarget | null>;
export async function resolveRunTarget(options: RunOptions, log: (line: string) => void, withEmbedded = true): Promise<ResolvedTarget | null> {
  try {
    const { foundry, config } = options;
    if (!options.baseUrl && (foundry.endpoint || (!config.target && foundry.discover))) {
      const { found, note } = await discoverFoundry(foundry, log);
      if (note) log(note);
      if (found) return foundryTarget(found, options.apiKey, log);
    }
    const explicit = explicitTarget(options);
    if (explicit) return { target: await probeTarget(explicit, options.apiKey), close: nothing };
    if (!withEmbedded) return null;
    log('no BENCH_BASE_URL, FOUNDRY_LOCAL_ENDPOINT, config target or Foundry Local found: starting the embedded engine (tiny generated models, CPU)');
    const embedded = await startEmbedded(options.embedded);
    const target = await probeTarget(embeddedTarget(embedded), options.apiKey);
    if (target.kind === 'ready') for (const { id, ...info } of embedded.models) target.modelInfo[id] = info;
    log(
      `embedded engine ready (${embedded.engineVersion}); models loaded: ${embedded.models.map((m) => `${m.id} ${(m.loadMs ?? 0).toFixed(0)} ms`).join(', ')}`,
    );
    return { target, close: () => embedded.close() };
  } catch (error) {
    return { target: unusableTarget((error as Error).message), close: nothing };
  }
}

async function foundryTarget(found: FoundryDiscovery, apiKey: string, log: (line: string) => void): Promise<ResolvedTarget> {
  const { target: foundry } = found;
  const probed = await probeTarget(foundryTargetInfo(foundry), apiKey);
  const target: RunTarget = probed.kind === 'ready' ? { ...probed, foundry } : probed;
  log(
    `Foundry Local ${foundry.version ?? '(version unknown)'}, ${foundry.generation} generation, at ${foundry.origin} (found by ${foundry.discoveredBy}${found.stop ? ', started by foundry-bench' : ''}); ` +
      `catalog: ${foundry.catalog.length} variants from ${foundry.catalogSource}`,
  );
  for (const note of found.notes) log(note);
  return { target, close: found.stop ?? nothing };
}

function embeddedTarget(server: EmbeddedServer): TargetInfo {
  return { baseURL: server.url, source: 'embedded default', kind: 'embedded', server: `node-llama-cpp ${server.engineVersion}` };
}
