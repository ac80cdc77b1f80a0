import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runBench } from './helpers/cli.ts';
import { spawnSimServer, type SimServer } from './fakes/sim-server.ts';

/**
 * The regression gate end to end, through `npm run bench` in this process, A/B against the baseline's recorded
 * requests replayed (`--base-replay`). Another server as the base is in gate-ab.test.ts, the stored baseline in
 * gate-e2e.test.ts.
 *
 * A verdict measured on a shared machine can be moved by a neighbour's burst of work landing on one side (a p95 of
 * 20 requests rests on its slowest one or two): a test that decides on one measures again once when it fails
 * (`retry: 1`; vitest's report shows the retry). How often the gate itself errs is measured by the gate scripts.
 */

describe('A/B against the baseline request replayed (--base-replay), end to end', () => {
  const specs = 'test/replay-specs/*.bench.ts';
  let sim: SimServer;
  let baselineDir: string;
  const config = (maxTokens: number, extra = '') => {
    const file = join(mkdtempSync(join(tmpdir(), 'foundry-bench-config-')), 'foundry-bench.config.yaml');
    writeFileSync(file, `defaults:\n  maxTokens: ${maxTokens}\n${extra}`);
    return file;
  };

  beforeAll(async () => {
    sim = await spawnSimServer({ models: [{ id: 'sim-fast', ttftMs: 4, tokenMs: 1, tokens: 64, jitter: 0.05 }] });
    baselineDir = mkdtempSync(join(tmpdir(), 'foundry-bench-replay-'));
    const recorded = await runBench({ BENCH_BASE_URL: sim.url }, ['--config', config(16), '--baseline-dir', baselineDir, '--update-baseline'], specs);
    expect(recorded.code).toBe(0);
  }, 60_000);
  afterAll(() => sim.close());

  test('a pull request that raises maxTokens is measured against the old request, now, on the same server', { retry: 1, timeout: 60_000 }, async () => {
    const before = (await sim.served()).length;
    const run = await runBench({ BENCH_BASE_URL: sim.url }, ['--config', config(32), '--baseline-dir', baselineDir, '--base-replay'], specs);
    expect(run.code).toBe(1);
    const [c] = run.results?.cases ?? [];
    expect(c?.gate).toMatchObject({
      verdict: 'regressed',
      inputChanges: ['maxTokens 16 -> 32'],
      paired: { blocks: 10, replayOf: join(baselineDir, 'default.json') },
    });
    expect(c?.request).toMatchObject({ model: 'sim-fast', maxTokens: 32, messages: [{ role: 'user', content: 'Say hello.' }] });
    expect(c?.failures).toContain('note: the input changed since the baseline (maxTokens 16 -> 32)');
    // Both requests went to the one server: 1 warmup and 20 timed each, the old maxTokens and the new.
    const served = (await sim.served()).slice(before).filter((r) => r.model === 'sim-fast');
    expect(served.filter((r) => r.maxTokens === 16)).toHaveLength(21);
    expect(served.filter((r) => r.maxTokens === 32)).toHaveLength(21);
    const md = readFileSync(join(run.outDir, 'report.md'), 'utf8');
    expect(md).toContain('✏️ input changed since the baseline: maxTokens 16 -&gt; 32');
    expect(md).toContain('compared with: A/B, 10 blocks, baseline request replayed');
  });

  test('the same request replayed is not a regression', { retry: 1, timeout: 60_000 }, async () => {
    // Showing "unchanged" needs the p95 inside the band too, which 8 ms requests beside other test files take many
    // blocks to show: the budget is capped, since only "not regressed" is asserted.
    const capped = config(16, 'regression:\n  adaptive:\n    maxIterations: 40\n');
    const run = await runBench({ BENCH_BASE_URL: sim.url }, ['--config', capped, '--baseline-dir', baselineDir, '--base-replay'], specs);
    expect(run.code).toBe(0);
    const gate = run.results?.cases[0]?.gate;
    expect(gate).toMatchObject({ inputChanges: [] });
    expect(gate?.verdict).not.toBe('regressed');
    // Adaptive sampling may add blocks on a busy machine; every block holds 2 requests a side.
    expect(gate?.paired?.blocks).toBe((gate?.sampling?.iterations ?? 0) / 2);
  });

  test('a --base-ref at which the baseline cannot be read is bad input (exit 2, saying what to do), before any request', async () => {
    const before = (await sim.served()).length;
    const run = await runBench({ BENCH_BASE_URL: sim.url }, ['--base-ref', 'no-such-ref-xyz', '--baseline-dir', baselineDir], specs);
    expect(run.code).toBe(2);
    expect(run.output).toContain(`invalid input, nothing was run:\n  --base-ref no-such-ref-xyz: cannot read ${join(baselineDir, 'default.json')} at that ref`);
    expect(run.output).toContain('record one there first (--update-baseline on that commit), or compare with the baseline here (--base-replay)');
    expect(run.output).not.toContain('--help');
    expect((await sim.served()).length).toBe(before);
  });

  test('--base-replay and --base-target together are a usage error', async () => {
    const run = await runBench({ BENCH_BASE_URL: sim.url }, ['--base-replay', '--base-target', sim.url], specs);
    expect(run.code).toBe(2);
    expect(run.output).toContain('--base-target and --base-replay/--base-ref each name the A/B base: give one');
  });
});

describe('a changed input is judged side by side by default (regression.onInputChange: replay)', () => {
  const specs = 'test/input-change-specs/*.bench.ts';
  let sim: SimServer;
  let baselineDir: string;
  let promptFile: string;
  const short = `Summarise for the release notes: ${'the build is green and every test passed. '.repeat(3)}`;

  beforeAll(async () => {
    // Prefill: TTFT grows with the prompt (0.02 ms per character), as on a real model.
    sim = await spawnSimServer({ models: [{ id: 'sim-prefill', ttftMs: 4, tokenMs: 1, tokens: 16, jitter: 0.05, prefillMsPerChar: 0.02 }] });
    baselineDir = mkdtempSync(join(tmpdir(), 'foundry-bench-input-change-'));
    promptFile = join(baselineDir, 'prompt.txt');
    process.env.FB_TEST_PROMPT_FILE = promptFile;
    writeFileSync(promptFile, short);
    const recorded = await runBench({ BENCH_BASE_URL: sim.url }, ['--baseline-dir', baselineDir, '--update-baseline'], specs);
    expect(recorded.code).toBe(0);
  }, 60_000);
  afterAll(async () => {
    delete process.env.FB_TEST_PROMPT_FILE;
    await sim.close();
  });

  test('a prompt made 10x longer under the same id fails as regressed, its old request replayed alongside, no flag given', {
    retry: 1,
    timeout: 60_000,
  }, async () => {
    writeFileSync(promptFile, short.repeat(10));
    const before = (await sim.served()).length;
    const run = await runBench({ BENCH_BASE_URL: sim.url }, ['--baseline-dir', baselineDir], specs);
    expect(run.code).toBe(1);
    const [c] = run.results?.cases ?? [];
    expect(c?.gate).toMatchObject({
      verdict: 'regressed',
      inputChanges: ['prompt text changed'],
      paired: { replayOf: join(baselineDir, 'default.json'), replayedBecause: 'input-changed' },
      drift: null,
    });
    // Both prompts went to the one server, the old one as the base: 1 warmup and 20 timed each at least.
    const served = (await sim.served()).slice(before);
    expect(served.filter((r) => r.promptChars < 400).length).toBeGreaterThanOrEqual(21);
    expect(served.filter((r) => r.promptChars > 1500).length).toBeGreaterThanOrEqual(21);
    const md = readFileSync(join(run.outDir, 'report.md'), 'utf8');
    expect(md).toContain('the input changed: baseline request replayed alongside');
  });
});
