/** Vitest reporter that writes the results document (`results.json` in the output directory), atomically. */
import { join, resolve } from 'node:path';
import { writeJsonAtomic } from '../harness/atomic.ts';
import type { RunResults } from '../harness/types.ts';
import { outputDir, ResultsReporter } from './results-reporter.ts';

export default class JsonReporter extends ResultsReporter {
  constructor(private readonly options: { outputFile?: string } = {}) {
    super();
  }

  protected report(results: RunResults): void {
    const file = this.options.outputFile ? resolve(this.options.outputFile) : join(outputDir(), 'results.json');
    writeJsonAtomic(file, results);
    process.stdout.write(`foundry-bench: wrote ${file} (${results.summary.cases} cases)\n`);
  }
}
