/**
 * `npm run bench` on a machine with nothing configured: the embedded engine, real inference (the CLI in this
 * process; readme-walk.test.ts types `npm run bench` into a shell). Then a second engine answers the recorded
 * requests again: the outputs a baseline snapshots are the same from one engine to the next. Nothing here rests on
 * timing: the warm-up until stable is bounded both ways (three windows at least, the spec's 12 at most).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runBench, type CliRun } from './helpers/cli.ts';
import { createClient, measureRequest, sha256 } from '../harness/measure/request.ts';
import { resultsProblems } from '../harness/results/results-file.ts';
import { startEmbeddedServer, type EmbeddedServer } from '../harness/targets/embedded/server.ts';

describe('npm run bench with no target configured: the embedded engine', () => {
  // The tiny models, and one case of a model the engine does not have.
  const tinyOnly = ['-t', '^tiny-|^sim-fast hello$'];
  let first: CliRun;
  let engine: EmbeddedServer | undefined;

  beforeAll(async () => {
    // `npm run bench` on a machine with nothing configured.
    first = await runBench({ BENCH_BASE_URL: '', FOUNDRY_LOCAL_ENDPOINT: '' }, tinyOnly);
  }, 120_000);
  afterAll(() => engine?.close());

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

  test('gives identical outputs run after run: another engine answers the recorded requests alike', async () => {
    const measured = first.results?.cases.filter((c) => c.status !== 'skipped') ?? [];
    expect(measured).toHaveLength(2);
    engine = await startEmbeddedServer();
    const client = createClient(engine.url, 'unused');
    for (const c of measured) {
      expect(c.determinism.identical).toBe(true);
      const request = c.request;
      if (!request) throw new Error(`${c.name} recorded no request`);
      const { text } = await measureRequest(client, { ...request, timeoutMs: 30_000 });
      expect(sha256(text), c.name).toBe(c.sampleOutput?.sha256);
    }
  }, 60_000);

  test('skips models it does not have, telling how to reach Foundry Local', () => {
    const skipped = first.results?.cases.find((c) => c.model === 'sim-fast');
    expect(skipped?.status).toBe('skipped');
    expect(skipped?.skipReason).toContain("is not one of the embedded engine's tiny models (tiny-1m, tiny-8m, tiny-30m)");
    expect(skipped?.skipReason).toContain('FOUNDRY_LOCAL_ENDPOINT');
  });
});
