import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runBench } from './helpers/cli.ts';
import { spawnSimServer, type SimServer } from './fakes/sim-server.ts';
import { resultsProblems } from '../harness/results/results-file.ts';

/**
 * The regression gate end to end, through `npm run bench` in this process, A/B against another server
 * (`--base-target`). The baseline's requests replayed are in gate-replay.test.ts, the stored baseline in
 * gate-e2e.test.ts.
 *
 * A verdict measured on a shared machine can be moved by a neighbour's burst of work landing on one side (a p95 of
 * 20 requests rests on its slowest one or two): a test that decides on one measures again once when it fails
 * (`retry: 1`; vitest's report shows the retry). How often the gate itself errs is measured by the gate scripts.
 */

describe('A/B against another server (--base-target), end to end', () => {
  const hello = ['-t', '^sim-fast hello$', '--iterations', '20', '--warmup', '2'];
  let base: SimServer;
  let slower: SimServer;

  // Each server in a process of its own: the run's main process (this one) must not share their event loop.
  beforeAll(async () => {
    [base, slower] = await Promise.all([
      spawnSimServer({ models: [{ id: 'sim-fast', ttftMs: 4, tokenMs: 1, tokens: 16, jitter: 0.05 }] }),
      // Four times slower. A p95 of 20 requests rests on the slowest one or two, and a neighbour's burst of CPU work
      // can land on either side: at 2.2x, once, beside the embedded engine's file, the CI reached down to no change.
      spawnSimServer({ models: [{ id: 'sim-fast', ttftMs: 4, tokenMs: 5, tokens: 16, jitter: 0.05 }] }),
    ]);
  }, 30_000);
  afterAll(() => Promise.all([base.close(), slower.close()]));

  test('a slower server is regressed against the base, measured alongside in ABBA blocks after both warmed up', { retry: 1, timeout: 60_000 }, async () => {
    const before = (await base.served()).length;
    // test/ab-specs: warm-up until stable (bounded at 12 requests), 1 warmup and 20 timed, fixed sampling.
    const run = await runBench({ BENCH_BASE_URL: slower.url }, ['--base-target', base.url], 'test/ab-specs/*.bench.ts');
    expect(run.code, run.output).toBe(1);
    expect(run.output).toContain(`A/B base target ${base.url} (openai-compatible, from base-target), serves 1 model(s)`);
    const [c] = run.results?.cases ?? [];
    expect(c?.gate).toMatchObject({ verdict: 'regressed', failed: true, paired: { target: base.url, blocks: 10 }, fingerprintMismatch: [] });
    expect(c?.gate?.sampling).toBeUndefined();
    expect(c?.failures[0]).toMatch(
      /^e2e p95 .*; paired over 10 blocks: regressed: (p50-p80|p95) moved beyond the tolerance 10%, and the change is significant$/,
    );
    expect(c?.samples).toHaveLength(20);
    expect(c?.modelInfo?.warmUp?.requests).toBeGreaterThanOrEqual(9);
    // The base warmed up too, once (stable needs three whole windows of 3; the bound is 12), then served 1 warmup
    // and 20 timed requests beside the case's.
    const warming = (await base.served()).length - before - 21;
    expect(warming).toBeGreaterThanOrEqual(9);
    expect(warming).toBeLessThanOrEqual(12);
    expect(resultsProblems(run.results)).toEqual([]);
  });

  test('adaptive sampling adds whole blocks until the verdict is decisive or the budget is spent', { retry: 1, timeout: 60_000 }, async () => {
    // A 1% tolerance with no noise floor: equivalence cannot be shown at this noise, so sampling runs to its budget.
    const config = join(mkdtempSync(join(tmpdir(), 'foundry-bench-config-')), 'foundry-bench.config.yaml');
    writeFileSync(config, 'regression:\n  tolerance: 0.01\n  noiseFloorMs: 0\n  adaptive:\n    maxIterations: 30\n');
    // A noisy server (jitter sigma 0.5) on both sides: no change to find, and wide intervals.
    const noisy = await spawnSimServer({ models: [{ id: 'sim-fast', ttftMs: 4, tokenMs: 1, tokens: 16, jitter: 0.5 }] });
    const run = await runBench({ BENCH_BASE_URL: noisy.url }, [...hello, '--base-target', noisy.url, '--config', config]);
    const served = (await noisy.served()).length;
    await noisy.close();
    const [c] = run.results?.cases ?? [];
    expect(c?.gate?.sampling).toMatchObject({ looks: 2, iterations: 30, stoppedBecause: 'max-iterations' });
    // The same server on both sides: never a regression.
    expect(c?.gate?.verdict).toBe('inconclusive');
    expect(run.code).toBe(0);
    expect(c?.gate?.paired?.blocks).toBe(15);
    expect(c?.samples).toHaveLength(30);
    // Both arms on one server: 2 warmup and 30 timed each.
    expect(served).toBe(64);
    expect(c?.gate?.metrics[0]?.message).toMatch(/^e2e p95 .*, 9\d\.\d% CI /);
    const csv = readFileSync(join(run.outDir, 'results.csv'), 'utf8').split('\r\n');
    expect(csv[0]).toContain(',sampling_iterations,sampling_stopped,');
    expect(csv[1]).toContain(',30,max-iterations,');
    expect(readFileSync(join(run.outDir, 'report.md'), 'utf8')).toContain('adaptive: 30 requests a side after 2 look(s), stopped at the request budget');
  });

  test('an unreachable base fails the case naming it', async () => {
    const run = await runBench({ BENCH_BASE_URL: base.url }, [...hello, '--base-target', 'http://127.0.0.1:1']);
    expect(run.code).toBe(1);
    expect(run.results?.cases[0]?.failures).toEqual([
      'A/B base target: target unreachable: GET http://127.0.0.1:1/v1/models failed: ECONNREFUSED (connect ECONNREFUSED 127.0.0.1:1)',
    ]);
  }, 60_000);

  test('a base that refuses every request fails the case, naming what it answered, in every report', { timeout: 60_000 }, async () => {
    const refusing = await spawnSimServer({
      models: [{ id: 'sim-fast', ttftMs: 4, tokenMs: 1, tokens: 16, faults: { refuseAll: { status: 401, message: 'invalid api key' } } }],
    });
    try {
      const run = await runBench({ BENCH_BASE_URL: base.url }, ['--base-target', refusing.url, ...hello], 'test/ab-specs/*.bench.ts');
      expect(run.code, run.output).toBe(1);
      const [c] = run.results?.cases ?? [];
      expect(c?.status).toBe('failed');
      expect(c?.gate).toMatchObject({ verdict: 'not-gated', failed: false, baseErrors: { count: 20, byKind: { http: 20 } } });
      const failure = `the A/B base ${refusing.url} failed 20 of 20 requests (http 20)`;
      expect(c?.failures.some((f) => f.startsWith(failure) && f.includes('401'))).toBe(true);
      expect(run.output).toContain(failure);
      for (const file of ['report.md', 'junit.xml', 'results.csv', 'report.html']) {
        expect(readFileSync(join(run.outDir, file), 'utf8'), file).toContain(`failed 20 of 20 requests (http 20)`);
      }
    } finally {
      await refusing.close();
    }
  });
});
