/**
 * Vitest reporter that writes the results document (default
 * `bench-results/results.json`, or `BENCH_OUTPUT_DIR`/results.json), atomically.
 */
import { resolve } from 'node:path';
import type { Reporter, SerializedError, TestModule, TestRunEndReason } from 'vitest/node';
import { writeJsonAtomic } from '../harness/atomic.ts';
import { collectResults } from './collect.ts';

export interface JsonReporterOptions {
  /** Path of the results file. */
  outputFile?: string;
}

export function defaultResultsPath(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.BENCH_OUTPUT_DIR || 'bench-results', 'results.json');
}

export default class JsonReporter implements Reporter {
  private startedAt = new Date();
  private readonly outputFile: string;

  constructor(options: JsonReporterOptions = {}) {
    this.outputFile = options.outputFile ? resolve(options.outputFile) : defaultResultsPath();
  }

  onTestRunStart(): void {
    this.startedAt = new Date();
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>, errors: ReadonlyArray<SerializedError>, reason: TestRunEndReason): void {
    const results = collectResults(modules, errors, reason, { startedAt: this.startedAt });
    writeJsonAtomic(this.outputFile, results);
    process.stdout.write(`foundry-bench: wrote ${this.outputFile} (${results.summary.cases} cases)\n`);
  }
}
