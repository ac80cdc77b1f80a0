/**
 * The results document from what vitest reports: each test's record, its
 * state, and a case vitest stopped before its record was made (a timeout),
 * which is reported from the identity the spec declared, not dropped.
 */
import { describe, expect, test } from 'vitest';
import type { TestCase, TestModule } from 'vitest/node';
import { collectResults } from '../harness/results/collect.ts';
import { resultsProblems } from '../harness/results/results-file.ts';
import type { CaseIdentity, CaseMeta } from '../harness/types.ts';
import { makeCase } from './helpers/results.ts';

type Result = ReturnType<TestCase['result']>;

/** Just what collectResults reads of a vitest TestCase. */
function testCase(fullName: string, result: Result, meta: { bench?: CaseMeta; benchCase?: Omit<CaseIdentity, 'id'> }): TestCase {
  return { fullName, result: () => result, meta: () => meta } as unknown as TestCase;
}

function testModule(moduleId: string, tests: TestCase[]): TestModule {
  return { moduleId, errors: () => [], children: { allTests: () => tests } } as unknown as TestModule;
}

const { file: _file, name: _name, status: _status, profile: _profile, ...record } = makeCase({ promptId: 'done' });

describe('collecting the results document', () => {
  test('a recorded case, a test filtered out, and a case stopped by a vitest timeout', () => {
    const declared = { model: 'tiny-1m', promptId: 'slow', promptHash: 'b'.repeat(64), params: record.params, budgets: {} };
    const timeout = { state: 'failed', errors: [{ message: 'Test timed out in 5000ms.' }] } as unknown as Result;
    const results = collectResults(
      [
        testModule('/project/bench/tiny.bench.ts', [
          testCase('tiny-1m > done', { state: 'passed' } as Result, { bench: record }),
          testCase('tiny-1m > filtered', { state: 'skipped' } as Result, { benchCase: declared }),
          testCase('tiny-1m > slow', timeout, { benchCase: declared }),
        ]),
      ],
      [],
      'failed',
      { startedAt: new Date('2026-11-26T10:00:00Z'), finishedAt: new Date('2026-11-26T10:01:00Z'), root: '/project', profile: 'ci', shard: '1/2' },
    );
    expect(results.summary).toEqual({ cases: 2, passed: 1, failed: 1, skipped: 0 });
    expect(results.run).toMatchObject({ durationMs: 60_000, profile: 'ci', shard: '1/2', outcome: 'failed' });
    const [done, slow] = results.cases;
    expect(done).toMatchObject({ name: 'tiny-1m > done', file: 'bench/tiny.bench.ts', status: 'passed', profile: 'ci' });
    expect(slow).toMatchObject({
      id: 'tiny-1m/slow',
      name: 'tiny-1m > slow',
      status: 'failed',
      failures: ['Test timed out in 5000ms.'],
      samples: [],
      gate: null,
    });
    expect(resultsProblems(results)).toEqual([]);
  });
});
