/**
 * Spec files run in path order, every run. vitest's default sequencer puts
 * files that failed last time first (from a cache in node_modules/.vite) and
 * larger or slower ones before others, so the same code would run in a
 * different order after a failure, and a file that just failed would take the
 * engine's warm-up penalty next time. Cases within a file run in declaration
 * order (the run is sequential). Shards are balanced by the cases that will
 * run (cli/shard.ts), not by vitest's hash of the file paths.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { casesToRunIn } from '../run/selection.ts';
import { assignShards } from './shard.ts';

export class DeclaredOrderSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort((a, b) => (a.moduleId < b.moduleId ? -1 : a.moduleId > b.moduleId ? 1 : 0));
  }

  /** Runs after the global setup, so the target (what it serves) is known. */
  override async shard(files: TestSpecification[]): Promise<TestSpecification[]> {
    const shard = this.ctx.config.shard;
    const first = files[0];
    if (!shard || !first) return files;
    const { runOptions, specCases, benchTarget } = first.project.getProvidedContext();
    const weight = (file: string) => casesToRunIn(specCases[file] ?? null, runOptions, benchTarget);
    const assigned = assignShards(
      files.map((f) => ({ file: f.moduleId, weight: weight(f.moduleId) })),
      shard.count,
    );
    return files.filter((f) => assigned.get(f.moduleId) === shard.index - 1);
  }
}
