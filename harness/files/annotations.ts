/**
 * People's quality scores (`annotations.yaml`, or config `annotations`),
 * attached to a case by its id and to the exact output judged by its hash.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Annotation, HarnessConfig } from '../types.ts';

import { loadDataFile } from './data-file.ts';

/** The annotations file: config `annotations`, else `annotations.yaml` at the root. */
export function annotationsPath(config: HarnessConfig, root: string): string {
  return resolve(root, config.annotations ?? 'annotations.yaml');
}

/** Reads annotations; the default file is optional, a configured one must exist. */
export function loadAnnotations(path: string, required = false): Annotation[] {
  if (!existsSync(path) && !required) return [];
  return loadDataFile<{ annotations: Annotation[] }>(path, 'annotations').value.annotations;
}
