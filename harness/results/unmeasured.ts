/** The figures of a case that measured nothing: skipped, failed before its first request, or stopped by vitest. */
import type { CaseIdentity, CaseMeta, TargetInfo } from '../types.ts';

/** The target of a case that reached none (no target, or stopped before it got one): an empty base URL. */
export const NO_TARGET: TargetInfo = { baseURL: '', source: 'none', kind: 'none' };

/** Everything in a case record besides who it is, where it ran and how it ended. */
export type CaseFigures = Omit<CaseMeta, keyof CaseIdentity | 'target' | 'modelInfo' | 'variant' | 'catalog' | 'skipReason' | 'failures'>;

export function unmeasured(): CaseFigures {
  return {
    samples: [],
    warmup: { count: 0, errors: 0 },
    stats: { e2eMs: null, ttftMs: null, itlMs: null, tpotMs: null, outputTokens: null, decodeTokPerSec: null, e2eTokPerSec: null },
    errors: { count: 0, rate: 0, byKind: {}, first: [] },
    determinism: { identical: null, distinctOutputs: 0 },
    budgetViolations: [],
    fingerprint: null,
    quality: null,
    cost: null,
    gate: null,
    sampleOutput: null,
    request: null,
    durationMs: 0,
  };
}
