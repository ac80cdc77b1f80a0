/**
 * Offline comparison of two runs, for a PR job that has the base branch's
 * results artifact (or the committed baseline) and the head's results: the
 * gate runs on every head case against the base case with the same id.
 */
import { caseInput, gateCase, referenceFromBaseline, referenceFromCase, referencesById, type Reference } from '../gate/gate.ts';
import { currentCaseId } from '../files/case-id.ts';
import { storedAttainment, withLoad } from '../gate/capacity.ts';
import { forRun, type GateOptions } from '../gate/verdict.ts';
import type { BaselineFile, CaseResult, RunResults } from '../types.ts';

function references(base: RunResults | BaselineFile, file: string): Map<string, Reference> {
  if ('kind' in base && base.kind === 'foundry-bench-baseline') {
    return referencesById(Object.entries(base.cases).map(([id, entry]) => [id, referenceFromBaseline(entry, file, id)]));
  }
  const run = base as RunResults;
  return referencesById(run.cases.filter((c) => c.status !== 'skipped').map((c) => [c.id, referenceFromCase(c, run.run, file)]));
}

/** The head document with every case's gate recomputed against `base`; a failing verdict fails the case. */
export function compareResults(base: RunResults | BaselineFile, baseFile: string, head: RunResults, runOptions: GateOptions): RunResults {
  const byId = references(base, baseFile);
  // As in a run: the false-alarm budget shared among the cases compared.
  const options = forRun(runOptions, head.cases.filter((c) => c.status !== 'skipped').length);
  const cases = head.cases.map((c): CaseResult => {
    if (c.status === 'skipped') return c;
    const reference = byId.get(currentCaseId(c.id)) ?? null;
    const head = { samples: c.samples, fingerprint: c.fingerprint, outputSha256: c.sampleOutput?.sha256 ?? null, input: caseInput(c) };
    const { gate, failures: gateFailures } = withLoad(
      gateCase(reference, head, options),
      reference,
      { sweep: c.load?.sweep, slo: storedAttainment(c.load?.slo) },
      options,
    );
    // The head run's own gate lines are replaced by the new comparison's; its other failures (budgets, errors) stay.
    const previousGateLines = new Set([
      ...(c.gate?.metrics.map((m) => m.message) ?? []),
      ...(c.gate?.capacity ? [c.gate.capacity.message] : []),
      ...(c.gate?.attainment ? [c.gate.attainment.message] : []),
      ...c.failures.filter((l) => l.startsWith('note: the baseline') || l.startsWith('note: the input changed')),
    ]);
    const failures = [...c.failures.filter((line) => !previousGateLines.has(line)), ...gateFailures];
    return { ...c, status: failures.length > 0 ? 'failed' : 'passed', failures, gate };
  });
  const count = (status: CaseResult['status']) => cases.filter((c) => c.status === status).length;
  return {
    ...head,
    run: { ...head.run, outcome: count('failed') > 0 ? 'failed' : 'passed' },
    summary: { cases: cases.length, passed: count('passed'), failed: count('failed'), skipped: count('skipped') },
    cases,
  };
}
