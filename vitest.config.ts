// The harness's own test suite (`npm test`). Benchmark specs in bench/ run
// through `npm run bench` with a configuration of their own (harness/cli/vitest-options.ts).
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * Files whose verdicts rest on timing (the gate's decisions on simulated slowdowns, load against a server's simulated
 * slots) run after the rest, side by side
 * (they mostly wait on simulated latencies), never beside the embedded engine's inference or the README walk's child
 * processes: a p95 of 20 requests rests on its slowest one or two, and a neighbour's burst of CPU work landing on one
 * side moves it. They must also hold beside a steadily busy machine (`npm test` beside two busy processes is checked).
 * The others (pure functions, seeded simulations, files, fakes whose timeouts are seconds against millisecond
 * latencies, measured latency against the latencies served, the embedded engine, the browser checks of the report)
 * run two at a time first, the README walk among them.
 */
const TIMED = ['test/gate-ab.test.ts', 'test/gate-replay.test.ts', 'test/gate-e2e.test.ts', 'test/load.test.ts', 'test/load-gate.test.ts'];

/**
 * Files that run in a process of their own: those that replace a module with `vi.mock`, and the embedded engine's,
 * which measures how much a model load grows the process (RSS): a neighbour file's freed heap, given back while the
 * model loads, once hid all of it.
 */
const OWN_PROCESS = ['test/baseline-atomic.test.ts', 'test/embedded.test.ts'];

/** The README walk: a clone, then the README's commands (about 30 s). */
const WALK = 'test/readme-walk.test.ts';

/**
 * The longest files first, so no worker waits for one at the end: vitest orders files by the last run's durations,
 * which a clean clone does not have (it falls back to file size). Measured on two cores, longest first.
 */
const LONGEST = [
  WALK,
  'test/hostile.test.ts',
  'test/cli.test.ts',
  'test/baseline.test.ts',
  'test/cli-embedded.test.ts',
  'test/foundry.test.ts',
  'test/report-html.test.ts',
];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (file: TestSpecification) => {
      const index = LONGEST.findIndex((name) => file.moduleId.endsWith(name));
      return index === -1 ? LONGEST.length : index;
    };
    // Array.prototype.sort is stable: within a rank, vitest's own order stands.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    sequence: { sequencer: LongestFirst },
    // A timing check measured again (`retry`) is named at the end: vitest's own reporters do not say.
    reporters: ['default', './test/helpers/retry-reporter.ts'],
    projects: [
      // Modules load once per worker (isolate: false): a fresh module graph for each file cost more than most files'
      // tests. The walk runs child processes; OWN_PROCESS files need a graph (or a process) of their own.
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...TIMED, ...OWN_PROCESS, WALK],
          isolate: false,
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      { extends: true, test: { name: 'isolated', include: [WALK, ...OWN_PROCESS], maxWorkers: 2, sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'timed', include: TIMED, maxWorkers: TIMED.length, sequence: { groupOrder: 1 } } },
    ],
  },
});
