/**
 * The run's target, as `npm run bench` and `foundry-bench doctor` resolve it:
 * an explicit URL (environment, then config), else the embedded engine,
 * started here. Problems become the target's `error`, never a throw.
 */
import { sharedConfig } from './config.ts';
import { probeTarget, unusableTarget } from './run-target.ts';
import { explicitTarget } from './target.ts';
import { startEmbeddedServer, type EmbeddedServer } from './targets/embedded.ts';
import type { ProvidedTarget, TargetInfo } from './types.ts';

export interface BenchTarget {
  target: ProvidedTarget;
  /** The embedded server when this call started it; the caller closes it. */
  embedded: EmbeddedServer | null;
}

export async function resolveBenchTarget(log: (line: string) => void): Promise<BenchTarget> {
  try {
    const explicit = explicitTarget(sharedConfig().target);
    if (explicit) return { target: await probeTarget(explicit), embedded: null };
    log('no BENCH_BASE_URL, FOUNDRY_LOCAL_ENDPOINT or config target set: starting the embedded engine (tiny generated models, CPU)');
    const embedded = await startEmbeddedServer();
    const target = await probeTarget(embeddedTarget(embedded));
    for (const { id, ...info } of embedded.models) target.modelInfo[id] = info;
    log(`embedded engine ready (${embedded.engineVersion}); models loaded: ${embedded.models.map((m) => `${m.id} ${(m.loadMs ?? 0).toFixed(0)} ms`).join(', ')}`);
    return { target, embedded };
  } catch (error) {
    return { target: unusableTarget((error as Error).message), embedded: null };
  }
}

function embeddedTarget(server: EmbeddedServer): TargetInfo {
  return { baseURL: server.url, source: 'embedded default', kind: 'embedded', server: `node-llama-cpp ${server.engineVersion}` };
}
