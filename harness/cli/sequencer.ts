/**
 * Spec files run in path order, every run. vitest's default sequencer puts
 * files that failed last time first (from a cache in node_modules/.vite) and
 * larger or slower ones before others, so the same code would run in a
 * different order after a failure, and a file that just failed would take the
 * engine's warm-up penalty next time. Cases within a file run in declaration
 * order (the run is sequential); sharding stays vitest's.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

export class DeclaredOrderSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort((a, b) => (a.moduleId < b.moduleId ? -1 : a.moduleId > b.moduleId ? 1 : 0));
  }
}
