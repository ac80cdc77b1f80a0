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

/**
 * Whether a model directory holds a finished download, by Foundry Local's own rule (the Core's
 * `local_model_scanner.cc`): a `genai_config.json` and an `inference_model.json`, and no `download.tmp`, which an
 * interrupted download leaves behind. Looked for anywhere below it (the files sit in a `v<version>` folder).
 */
export function isComplete(modelDir: string): boolean {
  try {
    const names = new Set(
      readdirSync(modelDir, { withFileTypes: true, recursive: true })
        .filter((e) => e.isFile())
        .map((e) => e.name),
    );
    return names.has('genai_config.json') && names.has('inference_model.json') && !names.has('download.tmp');
  } catch {
    return false;
  }
}

/**
 * The finished model downloads of a cache, by directory name; null when the cache is not readable from here
 * (remote service, permissions). A half-finished download does not count: the service would not load it.
 */
export function cacheEntries(cacheDir: string | null): Map<string, string> | null {
  if (!cacheDir || !existsSync(cacheDir)) return null;
  const entries = new Map<string, string>();
  try {
    for (const publisher of readdirSync(cacheDir, { withFileTypes: true })) {
      if (!publisher.isDirectory()) continue;
      for (const model of readdirSync(join(cacheDir, publisher.name), { withFileTypes: true })) {
        const path = join(cacheDir, publisher.name, model.name);
        if (model.isDirectory() && isComplete(path)) entries.set(model.name.toLowerCase(), path);
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
