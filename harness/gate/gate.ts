/**
 * The gate's decision for one case: its samples against a reference (a
 * baseline entry, or the same case in another results file), the verdict per
 * gated metric, whether it fails the case, and the failure lines it adds. The
 * same function serves live runs and offline `compare`.
 */

import { fingerprintMismatch } from './fingerprint.ts';
import { compareCase, failsGate, type GateOptions, type Pairing } from './verdict.ts';
import type { BaselineEntry, CaseResult, Fingerprint, GateResult, GateSample, RequestSample, RunInfo } from '../types.ts';

/** The reference a case is compared with: a baseline entry, or a case of another results file. */
export interface Reference {
  /** The file it came from. */
  file: string;
  /** Its samples (the gate uses the successful ones). */
  samples: readonly GateSample[];
  /** Its output snapshot's hash, to flag behaviour changes. */
  outputSha256: string | null;
  /** Where it was measured. */
  fingerprint: Fingerprint | null;
  /** When it was measured. */
  updatedAt: string;
  /** The commit it measured. */
  gitSha: string | null;
  /** Set when the reference was measured alongside the case, in interleaved blocks (A/B), not read from a file. */
  pairing?: Pairing;
}

/** A baseline entry as a reference. */
export function referenceFromBaseline(entry: BaselineEntry, file: string): Reference {
  return {
    file,
    samples: entry.samples,
    outputSha256: entry.output?.sha256 ?? null,
    fingerprint: entry.fingerprint,
    updatedAt: entry.updatedAt,
    gitSha: entry.gitSha,
  };
}

/** The base arm of a paired measurement as the reference: measured here, now, in the same blocks as the case. */
export function referenceFromPairedArm(
  base: { samples: readonly RequestSample[]; blocks: readonly number[]; outputSha256: string | null },
  headBlocks: readonly number[],
  where: { target: string; fingerprint: Fingerprint; measuredAt: string; gitSha: string | null },
): Reference {
  return {
    file: where.target,
    samples: base.samples,
    outputSha256: base.outputSha256,
    fingerprint: where.fingerprint,
    updatedAt: where.measuredAt,
    gitSha: where.gitSha,
    pairing: { baseBlocks: base.blocks, headBlocks },
  };
}

/** A case of another results file as a reference. */
export function referenceFromCase(c: CaseResult, run: RunInfo, file: string): Reference {
  return { file, samples: c.samples, outputSha256: c.sampleOutput?.sha256 ?? null, fingerprint: c.fingerprint, updatedAt: run.finishedAt, gitSha: run.gitSha };
}

/** The gate's result for a case and the failure lines it adds (none when it passes, or while updating the baseline). */
export function gateCase(
  reference: Reference | null,
  head: { samples: readonly RequestSample[]; fingerprint: Fingerprint | null; outputSha256: string | null },
  options: GateOptions,
  updating = false,
): { gate: GateResult; failures: string[] } {
  const comparison = compareCase(reference?.samples ?? null, head.samples, options, reference?.pairing);
  // Updating the baseline accepts the new figures: nothing fails for having changed.
  const failed = !updating && failsGate(comparison.verdict, options.failOn);
  // A paired base ran here and now, on purpose against another server: its fingerprint differs by design.
  const mismatch = reference?.fingerprint && head.fingerprint && !reference.pairing ? fingerprintMismatch(reference.fingerprint, head.fingerprint) : [];
  const gate: GateResult = {
    ...comparison,
    failed,
    tolerance: options.tolerance,
    failOn: options.failOn,
    baseline: reference?.fingerprint
      ? { file: reference.file, updatedAt: reference.updatedAt, gitSha: reference.gitSha, fingerprint: reference.fingerprint }
      : null,
    fingerprintMismatch: mismatch,
    ...(reference?.pairing ? { paired: { target: reference.file, blocks: new Set(reference.pairing.headBlocks).size } } : {}),
    outputChanged: reference?.outputSha256 && head.outputSha256 ? reference.outputSha256 !== head.outputSha256 : null,
  };
  const failures = failed ? comparison.metrics.filter((m) => failsGate(m.verdict, options.failOn)).map((m) => m.message) : [];
  if (failed && mismatch.length > 0) failures.push(`note: the baseline was measured elsewhere (${mismatch.join('; ')})`);
  return { gate, failures };
}
