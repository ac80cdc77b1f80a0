/**
 * Foundry Local's model cache on disk, read directly when the service runs on
 * this machine: which variants are cached, and how many bytes each takes.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { splitId } from './catalog.ts';

/** Cache layout: `<cache>/<publisher>/<name>-<version>/...`. */
export function cacheDirName(id: string): string {
  const { name, version } = splitId(id);
  return (version === null ? name : `${name}-${version}`).toLowerCase();
}

/** The model directories of a cache; null when it is not readable from here (remote service, permissions). */
export function cacheEntries(cacheDir: string | null): Map<string, string> | null {
  if (!cacheDir || !existsSync(cacheDir)) return null;
  const entries = new Map<string, string>();
  try {
    for (const publisher of readdirSync(cacheDir, { withFileTypes: true })) {
      if (!publisher.isDirectory()) continue;
      for (const model of readdirSync(join(cacheDir, publisher.name), { withFileTypes: true })) {
        if (model.isDirectory()) entries.set(model.name.toLowerCase(), join(cacheDir, publisher.name, model.name));
      }
    }
  } catch {
    return null;
  }
  return entries;
}

export function directoryBytes(path: string): number | null {
  try {
    let total = 0;
    for (const entry of readdirSync(path, { withFileTypes: true, recursive: true })) {
      if (entry.isFile()) total += statSync(join(entry.parentPath, entry.name)).size;
    }
    return total;
  } catch {
    return null;
  }
}
