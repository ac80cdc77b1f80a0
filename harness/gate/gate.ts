/**
 * The gate's decision for one case: its samples against a reference (a
 * baseline entry, the same case in another results file, or an A/B base
 * measured alongside), the verdict per gated metric, whether it fails the
 * case, and the failure lines it adds. The same function serves live runs and
 * offline `compare`.
 */

import { currentCaseId, legacyInputHash } from '../files/case-id.ts';
import { fingerprintMismatch } from './fingerprint.ts';
import { inputChanges, type InputRecord } from './input.ts';
import { runDrift } from './bootstrap.ts';
import { compareCase, failsGate, METRICS, type GateOptions, type Pairing } from './verdict.ts';
import { storedAttainment, storedCapacity } from './capacity.ts';
import type {
  BaselineEntry,
  CaseResult,
  ErrorSummary,
  Fingerprint,
  GateResult,
  GateSample,
  RecordedRequest,
  RequestSample,
  RunInfo,
  StoredAttainment,
  StoredCapacity,
} from '../types.ts';

/** The reference a case is compared with. */
export interface Reference {
  /** The file it came from (the base target's URL for an A/B base). */
  file: string;
  /** Its runs' samples, newest first (the gate uses the successful ones); a stored baseline keeps several runs. */
  runs: readonly (readonly GateSample[])[];
  /** What it measured, to say what changed since. */
  input: InputRecord | null;
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
  /** With `--base-replay`: the baseline whose recorded request was replayed. */
  replayOf?: string;
  /** Why it was replayed: the flag, or the case's input changed (`regression.onInputChange: replay`). */
  replayedBecause?: 'flag' | 'input-changed';
  /** A paired base's failed requests: a base that cannot be measured fails the case instead of making it new. */
  errors?: ErrorSummary;
  /** What its runs are, in words, when the file says (a baseline made from the history). */
  basis?: string;
  /** Its capacity under the objectives, when it was a capacity search. */
  capacity?: StoredCapacity;
  /** How many of its requests met the objectives, when it ran under load with objectives. */
  slo?: StoredAttainment;
}

/** What the gate knows of the head: its samples, where it ran, and what it sent. */
export interface Head {
  samples: readonly RequestSample[];
  fingerprint: Fingerprint | null;
  outputSha256: string | null;
  input: InputRecord;
}

/** A recorded request as an input record. */
export function inputOf(hash: string | null, request: RecordedRequest | null | undefined): InputRecord {
  if (!request) return { hash, messages: null, params: null };
  const { messages, maxTokens, temperature, seed, stream } = request;
  return { hash, messages, params: { maxTokens, temperature, seed, stream } };
}

/** What a case of a results file sent: the recorded request, or (from an earlier version's file) its hash and parameters. */
export function caseInput(c: Pick<CaseResult, 'promptHash' | 'request' | 'params'>): InputRecord {
  return c.request ? inputOf(c.promptHash, c.request) : { hash: c.promptHash, messages: null, params: c.params };
}

/** A baseline entry as a reference: its newest run and the earlier runs of the same input. */
export function referenceFromBaseline(entry: BaselineEntry, file: string, id: string): Reference {
  return {
    file,
    runs: [entry.samples, ...(entry.history ?? []).map((run) => run.samples)],
    input: inputOf(entry.inputHash ?? legacyInputHash(id), entry.request),
    outputSha256: entry.output?.sha256 ?? null,
    fingerprint: entry.fingerprint,
    updatedAt: entry.updatedAt,
    gitSha: entry.gitSha,
    ...(entry.basis ? { basis: entry.basis } : {}),
    ...(entry.capacity ? { capacity: entry.capacity } : {}),
    ...(entry.slo ? { slo: entry.slo } : {}),
  };
}

/** The base arm of a paired measurement as the reference: measured here, now, in the same blocks as the case. */
export function referenceFromPairedArm(
  base: { samples: readonly RequestSample[]; blocks: readonly number[]; outputSha256: string | null; input: InputRecord; errors: ErrorSummary },
  headBlocks: readonly number[],
  where: {
    target: string;
    fingerprint: Fingerprint;
    measuredAt: string;
    gitSha: string | null;
    replayOf?: string | undefined;
    replayedBecause?: 'flag' | 'input-changed' | undefined;
  },
): Reference {
  return {
    file: where.target,
    runs: [base.samples],
    input: base.input,
    outputSha256: base.outputSha256,
    fingerprint: where.fingerprint,
    updatedAt: where.measuredAt,
    gitSha: where.gitSha,
    pairing: { baseBlocks: base.blocks, headBlocks },
    errors: base.errors,
    ...(where.replayOf ? { replayOf: where.replayOf } : {}),
    ...(where.replayedBecause ? { replayedBecause: where.replayedBecause } : {}),
  };
}

/** A case of another results file as a reference. */
export function referenceFromCase(c: CaseResult, run: RunInfo, file: string): Reference {
  return {
    file,
    runs: [c.samples],
    input: caseInput(c),
    outputSha256: c.sampleOutput?.sha256 ?? null,
    fingerprint: c.fingerprint,
    updatedAt: run.finishedAt,
    gitSha: run.gitSha,
    ...(c.load?.sweep ? { capacity: storedCapacity(c.load.sweep) } : {}),
    ...(c.load?.slo ? { slo: storedAttainment(c.load.slo) as StoredAttainment } : {}),
  };
}

/** References by case id, any version's ids read as this version's; of two that meet on one id, the newest wins. */
export function referencesById(entries: Iterable<[string, Reference]>): Map<string, Reference> {
  const byId = new Map<string, Reference>();
  for (const [id, reference] of entries) {
    const key = currentCaseId(id);
    const known = byId.get(key);
    if (!known || known.updatedAt < reference.updatedAt) byId.set(key, reference);
  }
  return byId;
}

/** Only the fields a GateSample has (a paired base's samples are whole RequestSamples). */
function gateSample(s: GateSample): GateSample {
  return { ok: s.ok, e2eMs: s.e2eMs, ttftMs: s.ttftMs, e2eTokPerSec: s.e2eTokPerSec };
}

/**
 * Why a paired base cannot serve as the reference: it failed so many requests that fewer than the gate's minimum
 * succeeded. Null when it served (a few failures are reported in `gate.baseErrors`, not fatal).
 */
function baseFailure(base: Reference, options: GateOptions): string | null {
  const errors = base.errors;
  const succeeded = (base.runs[0] ?? []).filter((s) => s.ok).length;
  if (!errors || errors.count === 0 || succeeded >= Math.max(2, options.minSamples)) return null;
  const kinds = Object.entries(errors.byKind)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ');
  const first = errors.first[0];
  const sent = succeeded + errors.count;
  return `the A/B base ${base.file} failed ${errors.count} of ${sent} requests (${kinds})${first ? `, e.g. ${first.message}` : ''}: the case cannot be compared`;
}

/** The gate's result for a case and the failure lines it adds (none when it passes, or while updating the baseline). */
export function gateCase(reference: Reference | null, head: Head, options: GateOptions, updating = false): { gate: GateResult; failures: string[] } {
  const changes = inputChanges(reference?.input ?? null, head.input);
  // `onInputChange: new`: a case whose input changed starts afresh (unless the base was replayed).
  const compared = changes.length > 0 && options.onInputChange === 'new' && !reference?.pairing ? null : reference;
  const comparison = compareCase(compared ? { runs: compared.runs, pairing: compared.pairing, basis: compared.basis } : null, head.samples, options);
  // Updating the baseline accepts the new figures: nothing fails for having changed.
  const failed = !updating && failsGate(comparison.verdict, options.failOn);
  // A paired base ran here and now, on purpose against another server: its fingerprint differs by design.
  const mismatch = compared?.fingerprint && head.fingerprint && !compared.pairing ? fingerprintMismatch(compared.fingerprint, head.fingerprint) : [];
  const storedRuns = compared && !compared.pairing ? compared.runs.filter((run) => run.some((s) => s.ok)) : [];
  const gate: GateResult = {
    ...comparison,
    failed,
    tolerance: options.tolerance,
    failOn: options.failOn,
    baseline: compared?.fingerprint ? { file: compared.file, updatedAt: compared.updatedAt, gitSha: compared.gitSha, fingerprint: compared.fingerprint } : null,
    fingerprintMismatch: mismatch,
    ...(compared?.pairing
      ? {
          paired: {
            target: compared.file,
            blocks: new Set(compared.pairing.headBlocks).size,
            ...(compared.replayOf ? { replayOf: compared.replayOf } : {}),
            ...(compared.replayedBecause ? { replayedBecause: compared.replayedBecause } : {}),
          },
        }
      : {}),
    ...(compared ? { referenceSamples: (compared.runs[0] ?? []).map(gateSample) } : {}),
    outputChanged: compared?.outputSha256 && head.outputSha256 ? compared.outputSha256 !== head.outputSha256 : null,
    inputChanges: changes,
    // Reported for e2e latency; each metric's message states the drift its own interval allowed for.
    drift:
      storedRuns.length > 0
        ? {
            sigma: runDrift(
              storedRuns.map((run) => METRICS.e2eP95.values(run)),
              options.drift,
            ),
            runs: storedRuns.length,
          }
        : null,
  };
  const failures = failed ? comparison.metrics.filter((m) => failsGate(m.verdict, options.failOn)).map((m) => m.message) : [];
  const brokenBase = compared?.pairing ? baseFailure(compared, options) : null;
  if (brokenBase) {
    // A base that cannot be measured is no reference: the case fails, naming what the base answered.
    for (const m of comparison.metrics) {
      m.verdict = 'not-gated';
      m.message = `${METRICS[m.metric].label}: not gated: ${brokenBase}`;
    }
    gate.verdict = 'not-gated';
    gate.baseErrors = compared?.errors;
    failures.push(brokenBase);
  } else if (compared?.errors && compared.errors.count > 0) {
    gate.baseErrors = compared.errors;
  }
  if (failed && changes.length > 0) failures.push(`note: the input changed since the baseline (${changes.join('; ')})`);
  if (failed && mismatch.length > 0) failures.push(`note: the baseline was measured elsewhere (${mismatch.join('; ')})`);
  return { gate, failures };
}
