/** Failures of Foundry Local's lifecycle calls, classified by what the user can do about them. */

/** What went wrong, in the terms of what fixes it. */
export type FoundryErrorKind = 'unreachable' | 'not_found' | 'not_cached' | 'out_of_memory' | 'download_unavailable' | 'download_failed' | 'failed';

/** A lifecycle call that failed, with what it means for the user. */
export class FoundryError extends Error {
  constructor(
    readonly kind: FoundryErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'FoundryError';
  }
}

/** What to do about each kind of failure; doctor and skipped cases print these. */
export const FOUNDRY_HINTS: Record<FoundryErrorKind, string> = {
  unreachable: 'the Foundry Local service stopped answering: check `foundry service status` (or `foundry server status`)',
  not_found: 'the service does not know this model id: list the catalog with `foundry model list` or `foundry-bench models`',
  not_cached: 'download it first: `foundry model download <alias>`, or rerun with --download',
  out_of_memory: 'out of memory: pick a smaller variant or a stronger quantisation (e.g. variant: cpu, or a smaller alias), or unload other models',
  download_unavailable: 'this service has no download endpoint and no foundry CLI was found: run `foundry model download <alias>` where the CLI is installed',
  download_failed: 'the download was interrupted: rerun with --download (downloads resume), and check disk space and network',
  failed: 'see the Foundry Local log (`foundry service logs`, or `foundry status`)',
};

/** The kind of a failed call, from its status and the text the service answered. */
export function classify(status: number, text: string): FoundryErrorKind {
  if (/not cached|not downloaded|must be downloaded|No OpenAIService provider found/i.test(text)) return 'not_cached';
  // ONNX Runtime's arena says "Failed to allocate memory"; Windows, E_OUTOFMEMORY.
  if (/out of memory|insufficient memory|not enough memory|bad_alloc|\bOOM\b|failed to allocate memory|E_OUTOFMEMORY/i.test(text)) return 'out_of_memory';
  if (status === 404) return 'not_found';
  return 'failed';
}
