/**
 * Baselines: the committed reference measurements the gate compares against.
 * One JSON file per hardware profile (`fixtures/baselines/<profile>.json` by
 * default), one entry per case id with the raw samples the gate needs, their
 * statistics, and the fingerprint of where they were measured.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { writeJsonAtomic } from '../files/atomic.ts';
import { readJsonFile, schemaProblems } from '../files/schemas.ts';
import { summarize } from '../evaluate/stats.ts';
import type { BaselineEntry, BaselineFile, CaseResult, RunResults } from '../types.ts';

/** `<dir>/<profile>.json`: one baseline file per hardware profile. */
export function baselinePath(dir: string, profile: string): string {
  return resolve(dir, `${profile}.json`);
}

/** Reads a baseline file; null when it does not exist. Anything else wrong is an error naming the file. */
export function readBaseline(path: string): BaselineFile | null {
  if (!existsSync(path)) return null;
  const document = readJsonFile(path, 'baseline');
  const problems = schemaProblems('baseline', document);
  if (problems.length > 0) {
    throw new Error(`baseline ${path}: not a foundry-bench baseline (regenerate it with --update-baseline):\n  ${problems.slice(0, 10).join('\n  ')}`);
  }
  return document as BaselineFile;
}

export function baselineEntry(c: CaseResult, gitSha: string | null, updatedAt: string): BaselineEntry | null {
  const samples = c.samples.map(({ ok, e2eMs, ttftMs, e2eTokPerSec }) => ({ ok, e2eMs, ttftMs, e2eTokPerSec }));
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
    stats: {
      e2eMs: summarize(ok.map((s) => s.e2eMs)),
      ttftMs: summarize(present(ok.map((s) => s.ttftMs))),
      e2eTokPerSec: summarize(present(ok.map((s) => s.e2eTokPerSec))),
    },
    output: c.sampleOutput ? { sha256: c.sampleOutput.sha256, text: c.sampleOutput.text, truncated: c.sampleOutput.truncated } : null,
  };
}

/**
 * Writes the cases of a run into the baseline, atomically. Cases that did not
 * run (or produced no successful sample) keep their previous entry.
 */
export function updateBaseline(path: string, results: RunResults, profile: string): { written: string[]; kept: number } {
  const previous = readBaseline(path);
  const updatedAt = results.run.finishedAt;
  const cases: Record<string, BaselineEntry> = { ...(previous?.cases ?? {}) };
  const written: string[] = [];
  for (const c of results.cases) {
    if (c.status === 'skipped') continue;
    const entry = baselineEntry(c, results.run.gitSha, updatedAt);
    if (!entry) continue;
    cases[c.id] = entry;
    written.push(c.id);
  }
  const sorted = Object.fromEntries(Object.entries(cases).sort(([a], [b]) => a.localeCompare(b)));
  const document: BaselineFile = {
    $schema: '../../schemas/baseline.schema.json',
    kind: 'foundry-bench-baseline',
    schemaVersion: 1,
    profile,
    updatedAt,
    cases: sorted,
  };
  writeJsonAtomic(path, document);
  return { written, kept: Object.keys(sorted).length - written.length };
}
