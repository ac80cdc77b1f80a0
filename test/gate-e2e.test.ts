import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { runBench, runCli, type CliRun } from './helpers/cli.ts';
import { startSimServer } from './fakes/sim-server.ts';
import type { RunResults } from '../harness/types.ts';

/**
 * The regression gate end to end, through `npm run bench` in this process, against a stored baseline. A/B is in
 * gate-ab.test.ts, so the two halves run side by side.
 */

describe('the regression gate, end to end against the simulated server', () => {
  const onlyHello = ['-t', '^sim-fast hello$', '--iterations', '20', '--warmup', '2'];
  let baselineDir: string;
  let fast: CliRun;
  let slow: CliRun;

  beforeAll(async () => {
    baselineDir = mkdtempSync(join(tmpdir(), 'foundry-bench-gate-'));
    const fastServer = await startSimServer({ models: [{ id: 'sim-fast', ttftMs: 4, tokenMs: 1, tokens: 16, jitter: 0.05 }] });
    fast = await runBench({ BENCH_BASE_URL: fastServer.url }, [...onlyHello, '--baseline-dir', baselineDir, '--update-baseline']);
    await fastServer.close();
    // Five times slower: against one stored run the gate allows for ±20% drift between runs, and on a busy machine
    // the stored run's own latencies can be inflated several-fold; a 3x slowdown was once called inconclusive then.
    const slowServer = await startSimServer({ models: [{ id: 'sim-fast', ttftMs: 4, tokenMs: 6, tokens: 16, jitter: 0.05 }] });
    slow = await runBench({ BENCH_BASE_URL: slowServer.url }, [...onlyHello, '--baseline-dir', baselineDir]);
    await slowServer.close();
  }, 120_000);

  test('--update-baseline writes the baseline and passes', () => {
    expect(fast.code).toBe(0);
    expect(fast.output).toMatch(/baseline .*default\.json: 1 case\(s\) written, 0 kept from before/);
    const baseline = JSON.parse(readFileSync(join(baselineDir, 'default.json'), 'utf8'));
    expect(Object.keys(baseline.cases)).toEqual([fast.results?.cases[0]?.id]);
    expect(fast.results?.cases[0]?.gate?.verdict).toBe('new');
  });

  test('a slower server fails the run with the metric, the move and the CI', () => {
    expect(slow.code, slow.output).toBe(1);
    const [regressed] = slow.results?.cases ?? [];
    expect(regressed?.status).toBe('failed');
    expect(regressed?.gate).toMatchObject({ verdict: 'regressed', failed: true, fingerprintMismatch: [] });
    // formatMs prints one decimal below 100 ms and whole numbers from 100 ms up.
    expect(regressed?.failures[0]).toMatch(
      /^e2e p95 \d+(\.\d)? ms -> \d+(\.\d)? ms \(\+\d+\.\d%, 99% CI [-+]\d+\.\d% \.\. \+\d+\.\d%\); p50-p80 \+\d+\.\d% \(96% CI \+\d+\.\d% \.\. \+\d+\.\d%\); run-to-run drift ±20% assumed \(1 stored run\): regressed/,
    );
    expect(slow.output).toContain('regressed');
  });

  test('writes JUnit, Markdown and CSV reports of the same run', () => {
    const junit = readFileSync(join(slow.outDir, 'junit.xml'), 'utf8');
    expect(junit).toMatch(/<failure message="e2e p95 [^"]+regressed[^"]*" type="LatencyRegressed"/);
    const md = readFileSync(join(slow.outDir, 'report.md'), 'utf8');
    expect(md).toContain('🔴 1 regressed');
    const csv = readFileSync(join(slow.outDir, 'results.csv'), 'utf8');
    expect(csv.split('\r\n')[1]).toContain(',failed,regressed,');
  });

  test('compare diffs two results files offline, with the same verdict and exit code', async () => {
    const { code, output } = await runCli(['compare', join(fast.outDir, 'results.json'), join(slow.outDir, 'results.json'), '--format', 'md']);
    expect(code).toBe(1);
    expect(output).toContain('🔴 1 regressed');
    const reverse = await runCli(['compare', join(slow.outDir, 'results.json'), join(fast.outDir, 'results.json'), '--format', 'json']);
    expect(reverse.code).toBe(0);
    expect((JSON.parse(reverse.output) as RunResults).cases[0]?.gate?.verdict).toBe('improved');
    const againstBaseline = await runCli(['compare', join(baselineDir, 'default.json'), join(slow.outDir, 'results.json'), '--format', 'junit']);
    expect(againstBaseline.code).toBe(1);
    expect(againstBaseline.output).toContain('type="LatencyRegressed"');
    // With no --format: the table at a terminal, Markdown into a pipe.
    const [terminal, piped] = await Promise.all([
      runCli(['compare', join(fast.outDir, 'results.json'), join(slow.outDir, 'results.json')], {}, { tty: true }),
      runCli(['compare', join(fast.outDir, 'results.json'), join(slow.outDir, 'results.json')]),
    ]);
    expect(terminal.output).toMatch(/^model +prompt +n +p50 ms/);
    expect(terminal.output).not.toContain('```mermaid');
    expect(piped.output).toContain('🔴 1 regressed');
  }, 60_000);

  test('an output that differs from the baseline snapshot is flagged as a behaviour change', async () => {
    const server = await startSimServer({
      models: [{ id: 'sim-fast', ttftMs: 4, tokenMs: 1, tokens: 16, jitter: 0.05, reply: 'a completely different answer ' }],
    });
    const changed = await runBench({ BENCH_BASE_URL: server.url }, [...onlyHello, '--baseline-dir', baselineDir]);
    await server.close();
    expect(changed.code).toBe(0);
    expect(changed.results?.cases[0]?.gate?.outputChanged).toBe(true);
    expect(slow.results?.cases[0]?.gate?.outputChanged).toBe(false);
    expect(readFileSync(join(changed.outDir, 'report.md'), 'utf8')).toContain('🔀 1 output changed');
  }, 60_000);

  test('report renders a results file in each format; bad input exits 2 naming the file', async () => {
    const csv = await runCli(['report', join(slow.outDir, 'results.json'), '--format', 'csv']);
    expect(csv.code).toBe(0);
    expect(csv.output.split('\r\n')[0]).toMatch(/^file,case_id,model/);
    const missing = await runCli(['report', 'no-such.json']);
    expect(missing.code).toBe(2);
    expect(missing.output).toContain('results no-such.json: cannot read (ENOENT)');
    const badFormat = await runCli(['report', join(slow.outDir, 'results.json'), '--format', 'pdf']);
    expect(badFormat.code).toBe(2);
    expect(badFormat.output).toContain('--format must be one of md, junit, csv, json, table');
  }, 60_000);
});
