/**
 * Checks every file a user wrote before a run sends a single request: the
 * config, the model catalog, the annotations and every prompt set in the
 * prompts directory. All problems are collected, each as
 * `file:line:col field: message`.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { catalogPath, loadCatalog } from './catalog.ts';
import type { HarnessConfig } from '../types.ts';
import { DataFileError } from './data-file.ts';
import { loadPrompts } from './prompts.ts';
import { annotationsPath, loadAnnotations } from './annotations.ts';

export function promptsDir(config: HarnessConfig, root: string): string {
  return resolve(root, config.promptsDir ?? 'fixtures/prompts');
}

/** Problems in the project's data files; empty when all are valid. */
export function preflight(config: HarnessConfig, root: string): string[] {
  const problems: string[] = [];
  const check = (load: () => unknown) => {
    try {
      load();
    } catch (error) {
      if (error instanceof DataFileError) problems.push(...error.problems);
      else problems.push((error as Error).message);
    }
  };
  check(() => loadCatalog(catalogPath(config, root), config.catalog !== undefined));
  check(() => loadAnnotations(annotationsPath(config, root), config.annotations !== undefined));
  const dir = promptsDir(config, root);
  if (existsSync(dir)) {
    for (const name of readdirSync(dir).sort()) {
      if (/\.(ya?ml|json)$/.test(name)) check(() => loadPrompts(join(dir, name), root));
    }
  } else if (config.promptsDir !== undefined) {
    problems.push(`config promptsDir: ${dir} does not exist`);
  }
  return problems;
}
