/**
 * Baselines: the committed reference measurements the gate compares against.
 * One JSON file per hardware profile (`fixtures/baselines/<profile>.json` by
 * default), one entry per case id with the raw samples the gate needs, their
 * statistics, the exact request measured (which `--base-replay` sends again),
 * earlier runs of the same input (which tell the gate how much whole runs
 * drift), and the fingerprint of where they were measured.
 */
import { lstatSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { writeJsonAtomic } from '../files/atomic.ts';
import { withFileLock } from '../files/lock.ts';
import { readJsonFile, schemaProblems, schemaReference } from '../files/schemas.ts';
import { summarize } from '../evaluate/stats.ts';
import { currentCaseId, legacyInputHash } from '../files/case-id.ts';
import { fingerprintMismatch } from './fingerprint.ts';
import { sameHash } from './input.ts';
import { storedCapacity } from './capacity.ts';
import type { BaselineEntry, BaselineFile, CaseResult, RunResults } from '../types.ts';

/** `<dir>/<profile>.json`: one baseline file per hardware profile. */
export function baselinePath(dir: string, profile: string): string {
  return resolve(dir, `${profile}.json`);
}

/**
 * Reads a baseline file; null when it does not exist. Anything else wrong is an error naming the file. A symbolic
 * link is refused: baselines are committed, and a link in a pull request could point reports at any file.
 */
export function readBaseline(path: string): BaselineFile | null {
  const document = readBaselineDocument(path);
  return document === null ? null : parseBaseline(document, path);
}

/** A baseline file's JSON, not yet validated; null when the file does not exist. Throws for a link or unreadable JSON. */
function readBaselineDocument(path: string): unknown {
  let kind: 'missing' | 'link' | 'file';
  try {
    kind = lstatSync(path).isSymbolicLink() ? 'link' : 'file';
  } catch {
    kind = 'missing';
  }
  if (kind === 'missing') return null;
  if (kind === 'link') throw new Error(`baseline ${path}: is a symbolic link; a baseline must be a plain file (not followed)`);
  return readJsonFile(path, 'baseline', MAX_BASELINE_BYTES);
}

/**
 * A baseline document, validated and in this version's shape: the ids of a version 1 file lose their input-hash
 * suffix (which its entries keep as `inputHash`); of two entries that meet on one id, the newest is kept.
 */
export function parseBaseline(document: unknown, path: string): BaselineFile {
  const problems = schemaProblems('baseline', document);
  if (problems.length > 0) {
    throw new Error(`baseline ${path}: not a foundry-bench baseline (regenerate it with --update-baseline):\n  ${problems.slice(0, 10).join('\n  ')}`);
  }
  const file = document as BaselineFile;
  const cases: Record<string, BaselineEntry> = {};
  for (const [id, entry] of Object.entries(file.cases)) {
    const key = currentCaseId(id);
    const upgraded = entry.inputHash ? entry : { ...entry, ...withLegacyHash(id) };
    const known = cases[key];
    if (!known || known.updatedAt < upgraded.updatedAt) cases[key] = upgraded;
  }
  return { ...file, cases };
}

function withLegacyHash(id: string): Pick<BaselineEntry, 'inputHash'> {
  const hash = legacyInputHash(id);
  return hash ? { inputHash: hash } : {};
}

/**
 * Samples a baseline entry keeps at most per run (the schema's `maxItems`): far more than a gate needs (it looks
 * at quantiles of a few hundred at most), and a bound on what a committed file can make every later run read.
 */
export const MAX_BASELINE_SAMPLES = 10_000;

/** Larger baseline files are refused by bytes read: 1,000 cases of 5 runs of 1,000 requests is about 350 MB less. */
export const MAX_BASELINE_BYTES = 128 * 1024 * 1024;

/** At most `max` of the samples, evenly spaced in the order they were sent (a soak run of 50,000 keeps every 5th). */
function thinned<T>(samples: readonly T[], max: number): T[] {
  if (samples.length <= max) return [...samples];
  return Array.from({ length: max }, (_, i) => samples[Math.floor((i * samples.length) / max)] as T);
}

export function baselineEntry(c: CaseResult, gitSha: string | null, updatedAt: string): BaselineEntry | null {
  const samples = thinned(c.samples, MAX_BASELINE_SAMPLES).map(({ ok, e2eMs, ttftMs, e2eTokPerSec }) => ({ ok, e2eMs, ttftMs, e2eTokPerSec }));
  if (!c.fingerprint || !samples.some((s) => s.ok)) return null;
  const ok = samples.filter((s) => s.ok);
  const present = (values: Array<number | null>) => values.filter((v): v is number => v !== null);
  return {
    model: c.model,
    promptId: c.promptId,
    file: c.file,
    updatedAt,
    gitSha,
    fingerprint: c.fingerprint,
    samples,
    inputHash: c.promptHash,
    ...(c.request ? { request: c.request } : {}),
    history: [],
    stats: {
      e2eMs: summarize(ok.map((s) => s.e2eMs)),
      ttftMs: summarize(present(ok.map((s) => s.ttftMs))),
      e2eTokPerSec: summarize(present(ok.map((s) => s.e2eTokPerSec))),
    },
    output: c.sampleOutput ? { sha256: c.sampleOutput.sha256, text: c.sampleOutput.text, truncated: c.sampleOutput.truncated } : null,
    ...(c.load?.sweep ? { capacity: storedCapacity(c.load.sweep) } : {}),
    ...(c.load?.slo ? { slo: { good: c.load.slo.good, judged: c.load.slo.judged } } : {}),
  };
}

/**
 * The new entry with the previous one's runs behind it, newest first, `keepRuns` in all: only runs of the same
 * input on the same kind of machine, since the history is there to show how much the same measurement drifts.
 */
export function withHistory(entry: BaselineEntry, previous: BaselineEntry | undefined, keepRuns: number): BaselineEntry {
  const comparable =
    previous?.inputHash &&
    entry.inputHash &&
    sameHash(previous.inputHash, entry.inputHash) &&
    fingerprintMismatch(previous.fingerprint, entry.fingerprint).length === 0;
  if (!previous || !comparable) return entry;
  const runs = [{ updatedAt: previous.updatedAt, gitSha: previous.gitSha, samples: previous.samples }, ...(previous.history ?? [])];
  return { ...entry, history: runs.slice(0, Math.max(0, keepRuns - 1)) };
}

/**
 * Writes the cases of a run into the baseline, atomically: each written case's new run goes first, its earlier
 * runs of the same input follow, up to `keepRuns`. Cases that did not run (or produced no successful sample)
 * keep their previous entry.
 */
/** What an update did: the ids written, how many entries were kept from before, and what of the previous file was lost. */
export interface BaselineUpdate {
  written: string[];
  kept: number;
  /** Why the previous file could not be merged at all (not JSON, a link, no `cases`) and was replaced whole; null otherwise. */
  replaced: string | null;
  /** Invalid entries of the previous file, left out of the merge: each id with its first problem. */
  dropped: Array<{ id: string; problem: string }>;
  /** Where the dropped entries were set aside, as they were (`<baseline>.rejected`); null when none were. */
  setAside: string | null;
}

/**
 * Writes this run's cases into the baseline. Under a lock, the file is read again and merged: two runs updating
 * one baseline at once both keep their cases. A previous file that is not a valid baseline is repaired (the repair
 * its error message advises): its valid entries are kept, each invalid one is dropped and set aside in
 * `<baseline>.rejected`, and what was dropped is returned. Only a file with nothing to salvage is replaced whole.
 */
export function updateBaseline(path: string, results: RunResults, profile: string, keepRuns = 5): BaselineUpdate {
  // A fresh clone has no baseline folder (git keeps no empty folders), and --baseline-dir / --profile may name a
  // new one: the lock beside the file needs the folder first.
  mkdirSync(dirname(path), { recursive: true });
  return withFileLock(path, () => {
    let previous: BaselineFile | null = null;
    let replaced: string | null = null;
    let dropped: Salvage['dropped'] = [];
    // Read once: a document that fails validation is salvaged entry by entry, not read again.
    let document: unknown = null;
    try {
      document = readBaselineDocument(path);
      previous = document === null ? null : parseBaseline(document, path);
    } catch (error) {
      const salvage = document === null ? null : salvageBaseline(document, path);
      if (salvage) ({ file: previous, dropped } = salvage);
      if (!previous) replaced = (error as Error).message.split('\n')[0] ?? 'unreadable';
    }
    const setAside = dropped.length > 0 ? `${path}.rejected` : null;
    if (setAside) writeJsonAtomic(setAside, Object.fromEntries(dropped.map(({ id, entry }) => [id, entry])));
    const merged = mergeIntoBaseline(path, previous, results, profile, keepRuns);
    return { ...merged, replaced, dropped: dropped.map(({ id, problem }) => ({ id, problem })), setAside };
  });
}

/** A baseline salvaged for repair: its valid entries, and the invalid ones as they were, each with its first problem. */
interface Salvage {
  /** The valid entries; null when none is. */
  file: BaselineFile | null;
  dropped: Array<{ id: string; problem: string; entry: unknown }>;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The valid entries of a baseline document that failed validation: each entry is checked on its own, with the
 * file's own top-level fields (when those are invalid themselves, no entry passes). Null when it has no entries to
 * tell apart (no `cases`).
 */
function salvageBaseline(document: unknown, path: string): Salvage | null {
  if (!isRecord(document) || !isRecord(document.cases)) return null;
  const kept: Record<string, unknown> = {};
  const dropped: Salvage['dropped'] = [];
  for (const [id, entry] of Object.entries(document.cases)) {
    const problems = schemaProblems('baseline', { ...document, cases: { [id]: entry } });
    if (problems.length === 0) kept[id] = entry;
    else dropped.push({ id, problem: problems[0] ?? 'invalid', entry });
  }
  return { file: Object.keys(kept).length > 0 ? parseBaseline({ ...document, cases: kept }, path) : null, dropped };
}

function mergeIntoBaseline(path: string, previous: BaselineFile | null, results: RunResults, profile: string, keepRuns: number) {
  const updatedAt = results.run.finishedAt;
  const cases: Record<string, BaselineEntry> = { ...(previous?.cases ?? {}) };
  const written: string[] = [];
  for (const c of results.cases) {
    if (c.status === 'skipped') continue;
    const entry = baselineEntry(c, results.run.gitSha, updatedAt);
    if (!entry) continue;
    const id = currentCaseId(c.id);
    cases[id] = withHistory(entry, cases[id], keepRuns);
    written.push(id);
  }
  const sorted = Object.fromEntries(Object.entries(cases).sort(([a], [b]) => a.localeCompare(b)));
  const document: BaselineFile = {
    $schema: schemaReference('baseline', dirname(path)),
    kind: 'foundry-bench-baseline',
    schemaVersion: 2,
    profile,
    updatedAt,
    cases: sorted,
  };
  writeJsonAtomic(path, document);
  return { written, kept: Object.keys(sorted).length - written.length };
}
