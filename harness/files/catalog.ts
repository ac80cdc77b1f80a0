/**
 * The model catalog (`fixtures/models.yaml`, or the config's `catalog`): size,
 * license, family and capabilities per model alias, shown beside latency in
 * every report and by `foundry-bench models`.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadDataFile } from './data-file.ts';
import type { CatalogEntry, HarnessConfig, ResolvedVariant } from '../types.ts';

export type Catalog = Record<string, CatalogEntry>;

/** The catalog file: config `catalog`, else `fixtures/models.yaml` at the root. */
export function catalogPath(config: HarnessConfig, root: string): string {
  return resolve(root, config.catalog ?? 'fixtures/models.yaml');
}

/** Reads and validates a catalog; a missing default catalog is an empty one, a missing configured one an error. */
export function loadCatalog(path: string, required = false): Catalog {
  if (!existsSync(path) && !required) return {};
  const { value } = loadDataFile<Record<string, unknown>>(path, 'models');
  const { $schema: _schema, ...models } = value;
  return models as Catalog;
}

let cached: { path: string; catalog: Catalog } | undefined;

/** The catalog entry of a model (exact alias first, then case-insensitive); the file is read once per process. */
export function catalogEntry(model: string, config: HarnessConfig, root: string): CatalogEntry | null {
  const path = catalogPath(config, root);
  if (cached?.path !== path) cached = { path, catalog: loadCatalog(path, config.catalog !== undefined) };
  const { catalog } = cached;
  const alias = catalog[model] ? model : Object.keys(catalog).find((key) => key.toLowerCase() === model.toLowerCase());
  return alias ? (catalog[alias] ?? null) : null;
}

/**
 * A case's catalog facts: the catalog file's entry, with Foundry Local's own
 * size and license of the variant that ran winning where it states them
 * (a CPU and a GPU variant of one alias differ in size).
 */
export function withVariantFacts(entry: CatalogEntry | null, variant: ResolvedVariant | null): CatalogEntry | null {
  if (!variant || (variant.fileSizeMb === null && variant.license === null)) return entry;
  return {
    capabilities: variant.task ? [variant.task] : [],
    ...entry,
    size_mb: variant.fileSizeMb ?? entry?.size_mb ?? null,
    license: variant.license ?? entry?.license ?? 'unknown',
  };
}
