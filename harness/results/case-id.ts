/** How a case is known in results and baselines. */
import type { ResolvedVariant } from '../types.ts';

/** `model/promptId@hash12`; a Foundry Local case is keyed by the variant it ran, not only the alias. */
export function caseId(model: string, variant: ResolvedVariant | null, promptId: string, hash: string): string {
  const keyed = variant ? `${model}@${variant.id}(${variant.executionProvider ?? variant.deviceType ?? 'unknown'})` : model;
  return `${keyed}/${promptId}@${hash.slice(0, 12)}`;
}
