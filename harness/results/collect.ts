/**
 * Builds the results document from what vitest reports: each test's
 * `task.meta.bench` plus its final state. Every reporter renders this
 * document, live or offline.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { SerializedError, TestCase, TestModule, TestRunEndReason } from 'vitest/node';
import { machineInfo } from '../gate/fingerprint.ts';
import type { CaseMeta, CaseResult, CaseStatus, RunResults, TargetInfo } from '../types.ts';
import { caseId } from '../files/case-id.ts';
import { gitSha } from './git.ts';
import { NO_TARGET, unmeasured } from './unmeasured.ts';

const packageVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface CollectOptions {
  startedAt: Date;
  finishedAt?: Date;
  /** Project root: spec files are named relative to it. */
  root: string;
  /** Hardware profile of the run. */
  profile: string;
  /** "i/n" when the run is a shard. */
  shard: string | null;
}

export function collectResults(
  modules: ReadonlyArray<TestModule>,
  unhandledErrors: ReadonlyArray<SerializedError>,
  outcome: TestRunEndReason,
  { startedAt, finishedAt = new Date(), root, profile, shard }: CollectOptions,
): RunResults {
  const cases: CaseResult[] = [];
  const errors: RunResults['run']['errors'] = [];
  // Files in path order (vitest runs them in its own order), cases in declaration order:
  // the same cases always come out in the same order, sharded or not.
  const ordered = [...modules].sort((a, b) => a.moduleId.localeCompare(b.moduleId));
  for (const module of ordered) {
    const file = relative(root, module.moduleId);
    for (const error of module.errors()) errors.push({ file, message: error.message });
    for (const test of module.children.allTests()) {
      const result = caseResult(test, file, profile);
      if (result) cases.push(result);
    }
  }
  for (const error of unhandledErrors) errors.push({ file: null, message: error.message });

  return {
    schemaVersion: 1,
    tool: { name: 'foundry-bench', version: packageVersion },
    run: {
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationMs: finishedAt.getTime() - startedAt.getTime(),
      gitSha: gitSha(root),
      profile,
      shard,
      ...machineInfo(),
      targets: distinctTargets(cases),
      outcome,
      errors,
    },
    summary: {
      cases: cases.length,
      passed: cases.filter((c) => c.status === 'passed').length,
      failed: cases.filter((c) => c.status === 'failed').length,
      skipped: cases.filter((c) => c.status === 'skipped').length,
    },
    cases,
  };
}

/**
 * A case's record plus how it ended. A test without a record either never started (filtered or `.skip`ped
 * in the spec: not a case of this run) or was stopped by vitest before its case finished (a timeout): then
 * it is reported failed, with what the spec declared.
 */
function caseResult(test: TestCase, file: string, profile: string): CaseResult | null {
  const result = test.result();
  const meta = test.meta().bench ?? (result.state === 'failed' ? unfinished(test) : undefined);
  if (!meta) return null;
  const status: CaseStatus = result.state === 'passed' ? 'passed' : result.state === 'failed' ? 'failed' : 'skipped';
  const failures = [...meta.failures];
  // A failure the spec did not explain itself (a vitest timeout, a harness bug) still reaches the report.
  if (status === 'failed' && failures.length === 0 && result.state === 'failed') {
    failures.push(...result.errors.map((error) => error.message));
  }
  return { ...meta, failures, file, name: test.fullName, status, profile };
}

/** The record of a case stopped before it finished: its declared identity, nothing measured. */
function unfinished(test: TestCase): CaseMeta | undefined {
  const declared = test.meta().benchCase;
  if (!declared) return undefined;
  return {
    ...declared,
    id: caseId(declared.model, null, declared.promptId, declared.params.load),
    target: NO_TARGET,
    modelInfo: null,
    variant: null,
    catalog: null,
    skipReason: null,
    failures: [],
    ...unmeasured(),
  };
}

function distinctTargets(cases: readonly CaseResult[]): TargetInfo[] {
  const seen = new Map<string, TargetInfo>();
  for (const { target } of cases) if (target.baseURL && !seen.has(target.baseURL)) seen.set(target.baseURL, target);
  return [...seen.values()];
}
