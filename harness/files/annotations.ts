/**
 * People's quality scores (`annotations.yaml`, or config `annotations`),
 * attached to a case by its id and to the exact output judged by its hash.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { HarnessConfig } from '../types.ts';
import { loadDataFile } from './data-file.ts';

/** A person's 1-5 score of one exact output of a case. */
export interface Annotation {
  /** The case id it judges. */
  case: string;
  /** The output it judged; when the case's output changes, the annotation detaches. */
  outputSha256: string;
  /** 1-5. */
  score: number;
  /** Why. */
  note?: string;
  /** Who. */
  by?: string;
}

/** The annotations file: config `annotations`, else `annotations.yaml` at the root. */
export function annotationsPath(config: HarnessConfig, root: string): string {
  return resolve(root, config.annotations ?? 'annotations.yaml');
}

/** Reads annotations; the default file is optional, a configured one must exist. */
export function loadAnnotations(path: string, required = false): Annotation[] {
  if (!existsSync(path) && !required) return [];
  return loadDataFile<{ annotations: Annotation[] }>(path, 'annotations').value.annotations;
}
