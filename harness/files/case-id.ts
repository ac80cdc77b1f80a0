/** How a case is known in results and baselines. */
import type { LoadProfile, ResolvedVariant } from '../types.ts';

/**
 * `model/promptId`; a Foundry Local case is keyed by the variant it ran, not only the alias. The prompt's text and
 * the request parameters are not part of it: a case whose input changed is the same case, compared and gated.
 */
export function caseId(model: string, variant: ResolvedVariant | null, promptId: string, load?: LoadProfile): string {
  const keyed = variant ? `${model}@${variant.id}(${variant.executionProvider ?? variant.deviceType ?? 'unknown'})` : model;
  // Under load the profile is part of who the case is: it never compares with the sequential one.
  return `${keyed}/${promptId}${load ? `@${loadLabel(load)}` : ''}`;
}

/** How a load profile is named in a case's id and test name: `c4`, `r2-poisson`, `r0.5-gamma0.5-m8`. */
export function loadLabel(profile: LoadProfile): string {
  if (profile.kind === 'closed') return `c${profile.concurrency}`;
  const arrival = typeof profile.arrival === 'object' ? `gamma${profile.arrival.gamma}` : profile.arrival;
  const cap = profile.maxInFlight === 64 ? '' : `-m${profile.maxInFlight}`;
  if (profile.kind === 'sweep') return profile.over === 'concurrency' ? 'sweep-c' : `sweep-r-${arrival}${cap}`;
  return `r${profile.rate}-${arrival}${cap}`;
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
