// The harness's own test suite (`npm test`). Benchmark specs in bench/ run
// through `npm run bench` with a configuration of their own (harness/vitest-config.ts).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Timing tests measure against a local server; parallel files would add noise.
    fileParallelism: false,
  },
});
