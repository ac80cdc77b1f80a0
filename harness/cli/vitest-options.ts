/**
 * The vitest configuration of a benchmark run. It is built here rather than
 * read from `vitest.config.ts`, which belongs to the harness's own tests: the
 * two never mix.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Reporter } from 'vitest/node';
import type { PreflightCase, RunOptions } from '../types.ts';

/** `specCases`: each spec file's cases as the preflight found them (shards are balanced by them). */
export async function benchVitestOptions(options: RunOptions, reporters: Reporter[], specCases: Record<string, PreflightCase[] | null> = {}) {
  // Loaded here, not at the top: commands that start no vitest do not load it.
  const { DeclaredOrderSequencer } = await import('./sequencer.ts');
  return {
    config: false as const,
    root: options.root,
    watch: false,
    include: [options.specs],
    globalSetup: [fileURLToPath(new URL('../run/global-setup.ts', import.meta.url))],
    // The run's options reach the workers and the global setup this way, never through the environment.
    provide: { runOptions: options, specCases },
    // One model server, one request at a time: files and tests run sequentially.
    fileParallelism: false,
    // One worker for every file, its modules loaded once: a fresh module graph per file cost about 0.8 s a file,
    // and the harness keeps no per-file state (its caches are per run: one client per target, each baseline once).
    isolate: false,
    sequence: { concurrent: false, sequencer: DeclaredOrderSequencer },
    // Each test sets its own timeout from its request count and per-request timeout.
    hookTimeout: 120_000,
    // Specs of another project import 'foundry-bench', whose modules are TypeScript: let vite transform them.
    server: { deps: { inline: ['foundry-bench'] } },
    reporters,
    experimental: moduleCache(options.root),
    ...(options.testNamePattern ? { testNamePattern: options.testNamePattern } : {}),
    ...(options.shard ? { shard: options.shard } : {}),
  };
}

/**
 * vitest's transform cache on disk, kept where build tools keep theirs (`node_modules/.cache/`): without it every run
 * transformed the harness's modules again for its worker, about 0.7 s of CPU a run. Keyed by each file's content and
 * the configuration, and shared safely by runs at once. Off where node_modules is missing (a run creates none) or
 * read-only (vitest would fail creating the folder).
 */
function moduleCache(root: string): { fsModuleCache: boolean; fsModuleCachePath?: string } {
  const modules = join(root, 'node_modules');
  const cache = join(modules, '.cache', 'foundry-bench', 'vitest');
  // The deepest folder of the path that exists must be writable: node_modules itself, or a .cache made by another user.
  let existing = cache;
  while (existing !== modules && !existsSync(existing)) existing = dirname(existing);
  try {
    accessSync(existing, constants.W_OK);
  } catch {
    return { fsModuleCache: false };
  }
  return { fsModuleCache: true, fsModuleCachePath: cache };
}
