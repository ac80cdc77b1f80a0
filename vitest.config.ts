// The harness's own test suite (`npm test`). Benchmark specs in bench/ run
// through `npm run bench` with a configuration of their own (harness/cli/vitest-options.ts).
import { defineConfig } from 'vitest/config';

/**
 * Files whose assertions rest on timing (latency accuracy, gate verdicts on simulated slowdowns, timeouts, the
 * embedded engine's memory) run one at a time, after the rest, so no other file's work adds noise to what they
 * measure. The others (pure functions, seeded simulations, files, fakes whose timeouts are seconds against
 * millisecond latencies, the browser checks of the report) run two at a time first.
 */
const TIMED = [
  'test/cli-embedded.test.ts',
  'test/gate-e2e.test.ts',
  'test/runner.test.ts',
  'test/foundry-run.test.ts',
  'test/hostile.test.ts',
  'test/embedded.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: TIMED, maxWorkers: 2, sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'timed', include: TIMED, fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
