/**
 * The gate on load: a capacity search against its baseline's capacity (a change that halves the users a machine
 * serves fails), and A/B under load (base and case share the load, interleaved in ABBA blocks). Against the simulated
 * server with a number of slots, so what load does is known in advance.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { CaseResult } from '../harness/types.ts';
import { spawnSimServer } from './fakes/sim-server.ts';
import { runBench, runCli } from './helpers/cli.ts';

/** Answers of about 110 ms, the first token after 40 ms: under a 90 ms TTFT objective, margins of 50-60 ms. */
const slow = { ttftMs: 40, tokenMs: 10, tokens: 8 };

describe('the gate on capacity', () => {
  test('a change that halves the users a machine serves under the objectives fails, against the baseline and offline', async () => {
    const shape = slow;
    const [four, two] = await Promise.all([
      spawnSimServer({ models: [{ id: 'sim-cap', ...shape, slots: 4 }] }),
      spawnSimServer({ models: [{ id: 'sim-cap', ...shape, slots: 2 }] }),
    ]);
    try {
      const baselines = mkdtempSync(join(tmpdir(), 'capacity-baselines-'));
      const specs = 'test/capacity-specs/*.bench.ts';
      const recorded = await runBench({ BENCH_BASE_URL: four.url }, ['--update-baseline', '--baseline-dir', baselines], specs);
      expect(recorded.code, recorded.output).toBe(0);
      const baseline = JSON.parse(readFileSync(join(baselines, 'default.json'), 'utf8')) as { cases: Record<string, { capacity?: unknown }> };
      expect(baseline.cases['sim-cap/hello@sweep-c']?.capacity).toEqual({ over: 'concurrency', capacity: 4, bound: 8 });
      const halved = await runBench({ BENCH_BASE_URL: two.url }, ['--baseline-dir', baselines], specs);
      const [c] = halved.results?.cases ?? [];
      // 1 and 2 users pass, 4 fail; 3 may go either way (completions stagger).
      expect([2, 3]).toContain(c?.load?.sweep?.capacity);
      // Capacity 2 (4 and 3 failed): the reference's 4 was probed, and missed.
      expect(c?.load?.sweep?.probes.map((p) => p.level)).toContain(4);
      expect(c?.gate?.capacity).toMatchObject({ verdict: 'regressed', base: 4, head: 2 });
      expect(c?.failures).toContainEqual(
        expect.stringMatching(
          /^capacity [23] users \(reference 4 users\): regressed: at 4 users attainment [\d.]+% \(95% CI .*\): the load the reference served now misses the objectives$/,
        ),
      );
      expect(halved.code).toBe(1);
      // Offline, from the two files, the same verdict.
      const compared = await runCli(['compare', join(baselines, 'default.json'), join(halved.outDir, 'results.json'), '--format', 'json']);
      expect(compared.code).toBe(1);
      expect((JSON.parse(compared.output) as { cases: CaseResult[] }).cases[0]?.gate?.capacity?.verdict).toBe('regressed');
      // The same prompt under another profile is a new case, and says what changed.
      const other = await runBench({ BENCH_BASE_URL: four.url }, ['--baseline-dir', baselines], 'test/profile-specs/*.bench.ts');
      expect(other.results?.cases[0]?.gate).toMatchObject({
        verdict: 'new',
        inputChanges: ['load profile sweep-c -> c2: a new case, not compared across profiles'],
      });
    } finally {
      await Promise.all([four.close(), two.close()]);
    }
  }, 60_000);
});

describe('A/B under load', () => {
  test('base and case share the load, interleaved in ABBA blocks: a server that serialises is regressed against one that does not', async () => {
    const [parallel, serial] = await Promise.all([
      spawnSimServer({ models: [{ id: 'sim-ab', ...slow, slots: 4 }] }),
      spawnSimServer({ models: [{ id: 'sim-ab', ...slow, slots: 1 }] }),
    ]);
    try {
      const run = await runBench({ BENCH_BASE_URL: serial.url }, ['--base-target', parallel.url], 'test/ab-load-specs/*.bench.ts');
      const [c] = run.results?.cases ?? [];
      expect(c?.id).toBe('sim-ab/hello@c4');
      expect(c?.samples).toHaveLength(24);
      // Both servers got their 24 timed requests (and one warmup each) under the shared load.
      expect((await parallel.served()).length).toBe(25);
      expect(c?.gate).toMatchObject({ verdict: 'regressed', paired: { target: parallel.url, blocks: 12 } });
      // The share of good requests, against the base's measured alongside.
      expect(c?.gate?.attainment?.verdict).toBe('regressed');
      expect(c?.gate?.attainment?.base).toBeGreaterThan(0.9);
      expect(c?.failures).toContainEqual(
        expect.stringMatching(
          /^attainment [\d.]+% \(reference [\d.]+%, difference -[\d.]+%, 95% CI -[\d.]+% \.\. -[\d.]+%\): regressed: fewer requests meet the objectives/,
        ),
      );
      expect(run.code).toBe(1);
    } finally {
      await Promise.all([parallel.close(), serial.close()]);
    }
  }, 60_000);
});
