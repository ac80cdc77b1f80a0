/**
 * Offline comparison of two runs, for a PR job that has the base branch's
 * results artifact (or the committed baseline) and the head's results: the
 * gate runs on every head case against the base case with the same id.
 */
import type { BaselineFile } from './baseline.ts';
import { fingerprintMismatch } from './baseline.ts';
import { compareCase, failsGate, type GateOptions } from './gate.ts';
import type { CaseResult, Fingerprint, GateSample, RunResults } from './types.ts';

interface BaseCase {
  samples: readonly GateSample[];
  outputSha256: string | null;
  fingerprint: Fingerprint | null;
  updatedAt: string;
  gitSha: string | null;
}

function baseCases(base: RunResults | BaselineFile): Map<string, BaseCase> {
  if ('kind' in base && base.kind === 'foundry-bench-baseline') {
    return new Map(
      Object.entries(base.cases).map(([id, e]) => [id, { samples: e.samples, outputSha256: e.output?.sha256 ?? null, fingerprint: e.fingerprint, updatedAt: e.updatedAt, gitSha: e.gitSha }]),
    );
  }
  const run = base as RunResults;
  return new Map(
    run.cases
      .filter((c) => c.status !== 'skipped')
      .map((c) => [c.id, { samples: c.samples, outputSha256: c.sampleOutput?.sha256 ?? null, fingerprint: c.fingerprint, updatedAt: run.run.finishedAt, gitSha: run.run.gitSha }]),
  );
}

/** The head document with every case's gate recomputed against `base`; a failing verdict fails the case. */
export function compareResults(base: RunResults | BaselineFile, baseFile: string, head: RunResults, options: GateOptions): RunResults {
  const byId = baseCases(base);
  const cases = head.cases.map((c): CaseResult => {
    if (c.status === 'skipped') return c;
    const entry = byId.get(c.id);
    const comparison = compareCase(entry?.samples ?? null, c.samples, options);
    const failed = failsGate(comparison.verdict, options.failOn);
    const gateLines = new Set(c.gate?.metrics.map((m) => m.message) ?? []);
    const failures = c.failures.filter((line) => !gateLines.has(line));
    if (failed) failures.push(...comparison.metrics.filter((m) => failsGate(m.verdict, options.failOn)).map((m) => m.message));
    return {
      ...c,
      status: failures.length > 0 ? 'failed' : 'passed',
      failures,
      gate: {
        ...comparison,
        failed,
        tolerance: options.tolerance,
        failOn: options.failOn,
        baseline: entry && entry.fingerprint ? { file: baseFile, updatedAt: entry.updatedAt, gitSha: entry.gitSha, fingerprint: entry.fingerprint } : null,
        fingerprintMismatch: entry?.fingerprint && c.fingerprint ? fingerprintMismatch(entry.fingerprint, c.fingerprint) : [],
        outputChanged: entry?.outputSha256 && c.sampleOutput ? entry.outputSha256 !== c.sampleOutput.sha256 : null,
      },
    };
  });
  const count = (status: CaseResult['status']) => cases.filter((c) => c.status === status).length;
  return {
    ...head,
    run: { ...head.run, outcome: count('failed') > 0 ? 'failed' : 'passed' },
    summary: { cases: cases.length, passed: count('passed'), failed: count('failed'), skipped: count('skipped') },
    cases,
  };
}
