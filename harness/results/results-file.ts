/** Reading and validating results documents against `schemas/results.schema.json`. */
import { readJsonFile, schemaProblems } from '../files/schemas.ts';
import type { RunResults } from '../types.ts';

/** Problems with a results document, one line each; empty when valid. */
export function resultsProblems(document: unknown): string[] {
  return schemaProblems('results', document);
}

/** Reads a results file, naming the file and the problem when it is not one. */
export function readResults(path: string): RunResults {
  const document = readJsonFile(path, 'results');
  const problems = resultsProblems(document);
  if (problems.length > 0) throw new Error(`results ${path}: not a foundry-bench results file:\n  ${problems.slice(0, 20).join('\n  ')}`);
  return document as RunResults;
}

/**
 * A run's output file: `report.md`, or `report-1-of-3.md` for shard 1/3. Every file of a shard is its own, so shards
 * written to one folder never overwrite each other's reports, and their results merge side by side.
 */
export function outputFileName(name: string, shard: string | null): string {
  const match = shard ? /^(\d+)\/(\d+)$/.exec(shard) : null;
  if (!match) return name;
  const dot = name.lastIndexOf('.');
  return `${name.slice(0, dot)}-${match[1]}-of-${match[2]}${name.slice(dot)}`;
}

/** `results.json`, or `results-1-of-3.json` for shard 1/3. */
export function resultsFileName(shard: string | null): string {
  return outputFileName('results.json', shard);
}
