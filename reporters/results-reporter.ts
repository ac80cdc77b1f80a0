/**
 * Base of the reporters that render the results document: it remembers when
 * the run started and, at the end, builds the document once per reporter and
 * hands it to `report`.
 */
import { resolve } from 'node:path';
import type { Reporter, SerializedError, TestModule, TestRunEndReason } from 'vitest/node';
import type { RunResults } from '../harness/types.ts';
import { collectResults } from '../harness/results/collect.ts';

export abstract class ResultsReporter implements Reporter {
  private startedAt = new Date();

  onTestRunStart(): void {
    this.startedAt = new Date();
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>, errors: ReadonlyArray<SerializedError>, reason: TestRunEndReason): void {
    this.report(collectResults(modules, errors, reason, { startedAt: this.startedAt }), reason);
  }

  protected abstract report(results: RunResults, reason: TestRunEndReason): void;
}

/** Directory of the results and report files: `BENCH_OUTPUT_DIR` or `bench-results`. */
export function outputDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.BENCH_OUTPUT_DIR || 'bench-results');
}
