/**
 * The vitest configuration of a benchmark run. It is built here rather than
 * read from `vitest.config.ts`, which belongs to the harness's own tests: the
 * two never mix.
 */
import { fileURLToPath } from 'node:url';
import type { Reporter } from 'vitest/node';
import { updateRequested } from '../gate/baseline.ts';
import { REPORTER_NAMES, type ReporterName } from '../files/config.ts';
import BaselineReporter from '../../reporters/baseline.ts';
import ConsoleReporter from '../../reporters/console.ts';
import CsvReporter from '../../reporters/csv.ts';
import GitHubReporter from '../../reporters/github.ts';
import JsonReporter from '../../reporters/json.ts';
import JUnitReporter from '../../reporters/junit.ts';
import MarkdownReporter from '../../reporters/markdown.ts';


export interface BenchRunConfig {
  root: string;
  specs: string;
  /** Reporter names from the config file; default all. */
  reporters?: readonly ReporterName[] | undefined;
}

export function benchVitestOptions({ root, specs, reporters }: BenchRunConfig) {
  return {
    config: false as const,
    root,
    watch: false,
    include: [specs],
    globalSetup: [fileURLToPath(new URL('../run/global-setup.ts', import.meta.url))],
    // One model server, one request at a time: files and tests run sequentially.
    fileParallelism: false,
    sequence: { concurrent: false },
    // Each test sets its own timeout from its request count and per-request timeout.
    hookTimeout: 120_000,
    // Specs of another project import 'foundry-bench', whose modules are TypeScript: let vite transform them.
    server: { deps: { inline: ['foundry-bench'] } },
    reporters: benchReporters(reporters),
  };
}

const REPORTERS: Record<ReporterName, () => Reporter> = {
  console: () => new ConsoleReporter(),
  json: () => new JsonReporter(),
  junit: () => new JUnitReporter(),
  markdown: () => new MarkdownReporter(),
  csv: () => new CsvReporter(),
  github: () => new GitHubReporter(),
};

/** The named reporters (all by default); the results file is always written, and the baseline when updating. */
function benchReporters(names: readonly ReporterName[] = REPORTER_NAMES): Reporter[] {
  const chosen = new Set<ReporterName>([...names, 'json']);
  const reporters = REPORTER_NAMES.filter((name) => chosen.has(name)).map((name) => REPORTERS[name]());
  if (updateRequested()) reporters.push(new BaselineReporter());
  return reporters;
}
