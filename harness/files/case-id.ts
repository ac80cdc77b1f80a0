/** How a case is known in results and baselines. */
import type { ResolvedVariant } from '../types.ts';

/**
 * `model/promptId`; a Foundry Local case is keyed by the variant it ran, not only the alias. The prompt's text and
 * the request parameters are not part of it: a case whose input changed is the same case, compared and gated.
 */
export function caseId(model: string, variant: ResolvedVariant | null, promptId: string): string {
  const keyed = variant ? `${model}@${variant.id}(${variant.executionProvider ?? variant.deviceType ?? 'unknown'})` : model;
  return `${keyed}/${promptId}`;
}

/** Ids in version 1 baselines and older results files ended in `@` and 12 hex digits of the input hash. */
const LEGACY_HASH = /@([0-9a-f]{12})$/;

/** An id as this version writes it, from one of any version (an older id loses its input-hash suffix). */
export function currentCaseId(id: string): string {
  return id.replace(LEGACY_HASH, '');
}

/** The input-hash prefix an older id carried; null for a current id. */
export function legacyInputHash(id: string): string | null {
  return LEGACY_HASH.exec(id)?.[1] ?? null;
}
