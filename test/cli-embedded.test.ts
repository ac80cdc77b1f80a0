/**
 * `npm run bench` on a machine with nothing configured: the embedded engine, real inference. The first run is a
 * child process, exactly as a user starts it; the second runs in this process. Timed (warm-up until stable counts
 * requests by their latency), so it runs alone: see vitest.config.ts.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { runBench, type CliRun } from './helpers/cli.ts';
import { resultsProblems } from '../harness/results/results-file.ts';

describe('npm run bench with no target configured: the embedded engine', () => {
  // The tiny models, and one case of a model the engine does not have.
  const tinyOnly = ['-t', '^tiny-|^sim-fast hello$'];
  let first: CliRun;
  let second: CliRun;

  beforeAll(async () => {
    const env = { BENCH_BASE_URL: '', FOUNDRY_LOCAL_ENDPOINT: '' };
    // The one child process: `npm run bench` on a machine with nothing configured.
    first = await runBench(env, tinyOnly, undefined, { child: true });
    second = await runBench(env, tinyOnly);
  }, 120_000);

  test('starts the embedded engine, says so, and measures real inference', () => {
    expect(first.code).toBe(0);
    expect(first.output).toContain('starting the embedded engine');
    expect(first.output).toMatch(/target http:\/\/127\.0\.0\.1:\d+\/v1 \(embedded, from embedded default\), serves 3 model\(s\)/);
    expect(resultsProblems(first.results)).toEqual([]);
    const cases = first.results?.cases.filter((c) => c.status !== 'skipped') ?? [];
    expect(cases.map((c) => [c.model, c.status])).toEqual([
      ['tiny-1m', 'passed'],
      ['tiny-30m', 'passed'],
    ]);
    for (const c of cases) {
      expect(c.target).toMatchObject({ kind: 'embedded', server: expect.stringMatching(/^node-llama-cpp 3\./) });
      expect(c.stats.ttftMs?.n).toBe(3);
      expect(c.stats.outputTokens?.p50).toBe(8);
      expect(c.samples.every((s) => !s.tokensEstimated)).toBe(true);
      expect(c.modelInfo?.loadMs).toBeGreaterThan(0);
      expect(c.modelInfo?.parameters).toBeGreaterThan(900_000);
      // Before its first case the model was warmed up: at least three windows of 3 requests, at most the spec's 12.
      expect(c.modelInfo?.warmUp?.requests).toBeGreaterThanOrEqual(9);
      expect(c.modelInfo?.warmUp?.requests).toBeLessThanOrEqual(12);
      expect(c.modelInfo?.warmUp?.medianMs).toBeGreaterThan(0);
    }
  });

  test('gives identical output hashes run after run', () => {
    const hashes = (run: CliRun) => run.results?.cases.filter((c) => c.status !== 'skipped').map((c) => c.sampleOutput?.sha256);
    expect(hashes(first)).toHaveLength(2);
    expect(hashes(second)).toEqual(hashes(first));
    for (const c of first.results?.cases ?? []) if (c.status !== 'skipped') expect(c.determinism.identical).toBe(true);
  });

  test('skips models it does not have, telling how to reach Foundry Local', () => {
    const skipped = first.results?.cases.find((c) => c.model === 'sim-fast');
    expect(skipped?.status).toBe('skipped');
    expect(skipped?.skipReason).toContain("is not one of the embedded engine's tiny models (tiny-1m, tiny-8m, tiny-30m)");
    expect(skipped?.skipReason).toContain('FOUNDRY_LOCAL_ENDPOINT');
  });
});
