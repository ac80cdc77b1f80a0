/**
 * Turns the samples of one case into its statistics, error counts and
 * determinism check. Only successful timed requests enter latency figures;
 * failed ones are counted as errors.
 */
import { summarize, summarizeWithIntervals } from './stats.ts';
import type { CaseStats, Determinism, ErrorKind, ErrorSummary, RequestSample } from '../types.ts';

/** How many individual errors a result keeps verbatim; the rest are only counted. */
const KEPT_ERRORS = 5;

export function caseStats(samples: readonly RequestSample[]): CaseStats {
  const ok = samples.filter((sample) => sample.ok);
  return {
    e2eMs: summarizeWithIntervals(ok.map((s) => s.e2eMs)),
    ttftMs: summarizeWithIntervals(present(ok.map((s) => s.ttftMs))),
    itlMs: summarize(ok.flatMap((s) => s.itlMs)),
    tpotMs: summarize(present(ok.map((s) => s.tpotMs))),
    outputTokens: summarize(ok.map((s) => s.outputTokens)),
    decodeTokPerSec: summarize(present(ok.map((s) => s.decodeTokPerSec))),
    e2eTokPerSec: summarize(present(ok.map((s) => s.e2eTokPerSec))),
  };
}

export function errorSummary(samples: readonly RequestSample[]): ErrorSummary {
  const byKind: Partial<Record<ErrorKind, number>> = {};
  const first: ErrorSummary['first'] = [];
  samples.forEach((sample, iteration) => {
    if (!sample.error) return;
    byKind[sample.error.kind] = (byKind[sample.error.kind] ?? 0) + 1;
    if (first.length < KEPT_ERRORS) first.push({ ...sample.error, iteration });
  });
  const count = samples.filter((s) => s.error).length;
  return { count, rate: samples.length === 0 ? 0 : count / samples.length, byKind, first };
}

/** At temperature 0 a server should answer the same prompt with the same text every time. */
export function determinism(samples: readonly RequestSample[]): Determinism {
  const hashes = new Set(present(samples.map((s) => s.outputSha256)));
  const succeeded = samples.filter((s) => s.outputSha256 !== null).length;
  return { identical: succeeded < 2 ? null : hashes.size === 1, distinctOutputs: hashes.size };
}

function present<T>(values: ReadonlyArray<T | null>): T[] {
  return values.filter((value): value is T => value !== null);
}
