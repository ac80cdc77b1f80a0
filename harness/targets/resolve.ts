/**
 * The run's target, as `npm run bench`, `doctor` and `models` resolve it:
 * BENCH_BASE_URL; else FOUNDRY_LOCAL_ENDPOINT; else the config file's
 * `target`; else Foundry Local found through its CLI or SDK; else the
 * embedded engine, started here. Explicit settings beat discovery. Problems
 * become the target's `error`, never a throw.
 */
import { foundryOptions, sharedConfig } from '../files/config.ts';
import { probeTarget, unusableTarget } from '../run-target.ts';
import { explicitTarget } from './openai.ts';
import { startEmbeddedServer, type EmbeddedServer } from './embedded/server.ts';
import { discoverFoundry, foundryTargetInfo, type FoundryDiscovery } from './foundry/service.ts';
import type { ProvidedTarget, TargetInfo } from '../types.ts';

export interface BenchTarget {
  target: ProvidedTarget;
  /** Stops what resolving started (the embedded engine, a Foundry service); the caller calls it at the end. */
  close: () => Promise<void>;
}

const nothing = async () => {};

/** With `startEmbedded: false` (the `models` command) a run without any target resolves to null. */
export async function resolveBenchTarget(log: (line: string) => void, options?: { env?: NodeJS.ProcessEnv; startEmbedded?: true }): Promise<BenchTarget>;
export async function resolveBenchTarget(log: (line: string) => void, options: { env?: NodeJS.ProcessEnv; startEmbedded: false }): Promise<BenchTarget | null>;
export async function resolveBenchTarget(log: (line: string) => void, { env = process.env, startEmbedded = true }: { env?: NodeJS.ProcessEnv; startEmbedded?: boolean } = {}): Promise<BenchTarget | null> {
  try {
    const config = sharedConfig();
    const foundry = foundryOptions(config, env);
    const plainURL = Boolean(env.BENCH_BASE_URL?.trim());
    const foundryEndpoint = Boolean(env.FOUNDRY_LOCAL_ENDPOINT?.trim());
    if (!plainURL && (foundryEndpoint || (!config.target && foundry.discover))) {
      const { found, note } = await discoverFoundry({ env, startService: foundry.startService });
      if (note) log(note);
      if (found) return foundryTarget(found, log);
    }
    const explicit = explicitTarget(config.target, env);
    if (explicit) return { target: await probeTarget(explicit, env), close: nothing };
    if (!startEmbedded) return null;
    log('no BENCH_BASE_URL, FOUNDRY_LOCAL_ENDPOINT, config target or Foundry Local found: starting the embedded engine (tiny generated models, CPU)');
    const embedded = await startEmbeddedServer();
    const target = await probeTarget(embeddedTarget(embedded), env);
    for (const { id, ...info } of embedded.models) target.modelInfo[id] = info;
    log(`embedded engine ready (${embedded.engineVersion}); models loaded: ${embedded.models.map((m) => `${m.id} ${(m.loadMs ?? 0).toFixed(0)} ms`).join(', ')}`);
    return { target, close: () => embedded.close() };
  } catch (error) {
    return { target: unusableTarget((error as Error).message), close: nothing };
  }
}

async function foundryTarget(found: FoundryDiscovery, log: (line: string) => void): Promise<BenchTarget> {
  const { target: foundry } = found;
  const target = await probeTarget(foundryTargetInfo(foundry));
  target.foundry = foundry;
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
