/**
 * Vitest global setup for bench runs: resolves the run's target once, tells
 * the user which one is in use, and provides it to the spec files. With no
 * target configured it starts the embedded engine, and stops it at the end.
 */
import type { TestProject } from 'vitest/node';
import { sharedConfig } from './config.ts';
import { probeTarget } from './run-target.ts';
import { normalizeBaseURL, targetFromEnv } from './target.ts';
import { startEmbeddedServer, type EmbeddedServer } from './targets/embedded.ts';
import type { ProvidedTarget, TargetInfo } from './types.ts';

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  let embedded: EmbeddedServer | undefined;
  let target: ProvidedTarget;
  try {
    const configTarget = sharedConfig().target;
    const explicit =
      targetFromEnv() ??
      (configTarget ? { baseURL: normalizeBaseURL(configTarget, 'config target'), source: 'config', kind: 'openai-compatible' as const } : null);
    if (explicit) {
      target = await probeTarget(explicit);
    } else {
      log('no BENCH_BASE_URL, FOUNDRY_LOCAL_ENDPOINT or config target set: starting the embedded engine (tiny generated models, CPU)');
      embedded = await startEmbeddedServer();
      target = await probeTarget(embeddedTarget(embedded));
      for (const { id, ...info } of embedded.models) target.modelInfo[id] = info;
      const loaded = embedded.models.map((m) => `${m.id} ${(m.loadMs ?? 0).toFixed(0)} ms`).join(', ');
      log(`embedded engine ready (${embedded.engineVersion}); models loaded: ${loaded}`);
    }
  } catch (error) {
    target = { info: null, models: null, error: (error as Error).message, modelInfo: {} };
  }
  project.provide('benchTarget', target);
  const where = target.info ? `${target.info.baseURL} (${target.info.kind}, from ${target.info.source})` : 'none';
  const models = target.models ? `, serves ${target.models.length} model(s)` : '';
  log(`target ${where}${models}`);
  if (target.error) log(target.error);
  return embedded ? () => (embedded as EmbeddedServer).close() : undefined;
}

function embeddedTarget(server: EmbeddedServer): TargetInfo {
  return { baseURL: server.url, source: 'embedded default', kind: 'embedded', server: `node-llama-cpp ${server.engineVersion}` };
}

function log(line: string): void {
  process.stderr.write(`foundry-bench: ${line}\n`);
}
