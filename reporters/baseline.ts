/**
 * Vitest reporter active with `--update-baseline` (BENCH_UPDATE_BASELINE=1):
 * writes the run's measurements into the baseline file, atomically. Cases
 * that did not run keep their previous entry.
 */
import type { TestRunEndReason } from 'vitest/node';
import { baselinePath, profileName, updateBaseline } from '../harness/gate/baseline.ts';
import type { RunResults } from '../harness/types.ts';
import { ResultsReporter } from './results-reporter.ts';

export default class BaselineReporter extends ResultsReporter {
  protected report(results: RunResults, reason: TestRunEndReason): void {
    if (reason === 'interrupted') {
      process.stderr.write('foundry-bench: run interrupted; baseline left unchanged\n');
      return;
    }
    const path = baselinePath();
    const { written, kept } = updateBaseline(path, results, profileName());
    process.stdout.write(`foundry-bench: baseline ${path}: ${written.length} case(s) written, ${kept} kept from before\n`);
  }
}
