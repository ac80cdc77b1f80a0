/**
 * The project's config file, `foundry-bench.config.(yaml|yml|json|ts)` at the
 * project root: defaults for spec options, the gate, the quality rubric, the
 * cost estimate, paths and reporters. The CLI loads and validates it once and
 * hands it to the run inside `RunOptions`.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { HarnessConfig, ReporterName } from '../types.ts';
import { DataFileError, loadDataFile } from './data-file.ts';
import { schemaProblems } from './schemas.ts';

/** Every report a run can write, in the order they are written. */
export const REPORTER_NAMES: readonly ReporterName[] = ['console', 'json', 'junit', 'markdown', 'csv', 'github', 'html'];

/** The file names a project's config may have, first found wins. */
export const CONFIG_FILES = ['foundry-bench.config.yaml', 'foundry-bench.config.yml', 'foundry-bench.config.json', 'foundry-bench.config.ts'];

/** The config file of a project (`named` when given), or null when it has none. */
export function findConfigFile(root: string, named?: string): string | null {
  if (named) return resolve(root, named);
  return CONFIG_FILES.map((name) => join(root, name)).find((path) => existsSync(path)) ?? null;
}

/** Loads and validates the config; a TypeScript config's default export is validated like a YAML one. */
export async function loadConfig(file: string | null): Promise<HarnessConfig> {
  if (!file) return {};
  if (!file.endsWith('.ts')) return loadDataFile<HarnessConfig>(file, 'config').value;
  const module = (await import(pathToFileURL(file).href)) as { default?: unknown };
  const problems = schemaProblems('config', module.default);
  if (problems.length > 0) throw new DataFileError(problems.map((p) => `${file}: default export ${p}`));
  return module.default as HarnessConfig;
}
