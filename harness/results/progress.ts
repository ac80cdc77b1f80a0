/**
 * Live progress travels from a spec worker to the console as a vitest test
 * annotation of its own type (`context.annotate` -> `onTestCaseAnnotate`),
 * carrying a `ProgressEvent` as JSON. Both ends share this encoding.
 */
import type { ProgressEvent } from '../types.ts';

/** The annotation type of progress events; other annotations are left alone. */
export const PROGRESS_ANNOTATION = 'foundry-bench:progress';

export function encodeProgress(event: ProgressEvent): string {
  return JSON.stringify(event);
}

/** The progress event an annotation carries; null for any other annotation. */
export function parseProgress(annotation: { type: string; message: string }): ProgressEvent | null {
  if (annotation.type !== PROGRESS_ANNOTATION) return null;
  try {
    return JSON.parse(annotation.message) as ProgressEvent;
  } catch {
    return null;
  }
}
