/** Vitest reporter that writes the results document (`results.json` in the output directory), atomically. */
import { join, resolve } from 'node:path';
import { writeJsonAtomic } from '../harness/files/atomic.ts';
import type { RunResults } from '../harness/types.ts';
import { outputDir, ResultsReporter } from './results-reporter.ts';

/** `results.json`, or `results-1-of-3.json` for shard 1/3, so shards' files can be merged side by side. */
export function resultsFileName(shard: string | undefined): string {
  const match = shard ? /^(\d+)\/(\d+)$/.exec(shard) : null;
  return match ? `results-${match[1]}-of-${match[2]}.json` : 'results.json';
}

export default class JsonReporter extends ResultsReporter {
  constructor(private readonly options: { outputFile?: string } = {}) {
    super();
  }

  protected report(results: RunResults): void {
    const file = this.options.outputFile ? resolve(this.options.outputFile) : join(outputDir(), resultsFileName(process.env.BENCH_SHARD));
    writeJsonAtomic(file, results);
    process.stdout.write(`foundry-bench: wrote ${file} (${results.summary.cases} cases)\n`);
  }
}
