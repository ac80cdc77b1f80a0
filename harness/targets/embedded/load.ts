/**
 * The embedded engine, loaded on demand. node-llama-cpp is an optional peer dependency: this repository installs
 * it (a clone runs `npm run bench` with nothing else), a project that only benchmarks a model server does not
 * carry its 700 MB of prebuilt builds. Loaded only when a run needs it: importing it takes half a second.
 */
import { isMissingPackage } from '../missing-module.ts';
import type { EmbeddedServer, EmbeddedServerOptions } from './server.ts';

/** The version this harness is tested with (package.json's peer range). */
export const NODE_LLAMA_CPP_VERSION = '3.21.1';

export class EngineNotInstalledError extends Error {
  constructor(cause: unknown) {
    super(
      'the embedded engine needs node-llama-cpp, which is not installed here (it is an optional peer dependency). ' +
        `Install it with \`npm install --save-dev node-llama-cpp@${NODE_LLAMA_CPP_VERSION}\` (docs/targets.md#installing: its size, and keeping ` +
        'only its CPU build), or point the harness at a model server: --target http://127.0.0.1:5273/v1, BENCH_BASE_URL or Foundry Local.',
      { cause },
    );
    this.name = 'EngineNotInstalledError';
  }
}

/** Starts the embedded engine's server; a clear error when node-llama-cpp is not installed. */
export async function startEmbedded(options: EmbeddedServerOptions = {}): Promise<EmbeddedServer> {
  let server: typeof import('./server.ts');
  try {
    server = await import('./server.ts');
  } catch (error) {
    throw isMissingPackage(error, 'node-llama-cpp') ? new EngineNotInstalledError(error) : error;
  }
  return server.startEmbeddedServer(options);
}
