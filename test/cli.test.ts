import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runBench, runCli, SECRET, type CliRun } from './helpers/cli.ts';
import { spawnSimServer, startSimServer, type SimServer } from './fakes/sim-server.ts';
import { resultsProblems } from '../harness/results/results-file.ts';
import type { RunResults } from '../harness/types.ts';

/**
 * `npm run bench` end to end. Every run but one happens in this process (the
 * CLI takes its environment and output streams as arguments); the first run
 * on the embedded engine is a child process, exactly as a user starts it.
 */

describe('npm run bench against an OpenAI-compatible server', () => {
  let sim: SimServer;
  let run: CliRun;

  beforeAll(async () => {
    sim = await startSimServer({
      models: [
        { id: 'sim-fast', ttftMs: 3, tokenMs: 1, tokens: 8 },
        { id: 'sim-flaky', ttftMs: 1, tokenMs: 0, tokens: 4, faults: { http500Every: 4 } },
        { id: 'unused', ttftMs: 1, tokenMs: 0, tokens: 1 },
      ],
    });
    run = await runBench({ BENCH_BASE_URL: `http://127.0.0.1:${sim.port}` });
  }, 90_000);
  afterAll(() => sim.close());

  test('exits 1 because one case failed, and says which target it used', () => {
    expect(run.code).toBe(1);
    // Spec files in path order, every run.
    expect(run.output.indexOf('test/specs/sim.bench.ts (file 1/2')).toBeLessThan(run.output.indexOf('test/specs/tiny.bench.ts (file 2/2'));
    expect(run.output).toContain(`target http://127.0.0.1:${sim.port}/v1 (openai-compatible, from env:BENCH_BASE_URL), serves 3 model(s)`);
  });

  test('writes a results file that validates against its schema', () => {
    expect(run.results).not.toBeNull();
    expect(resultsProblems(run.results)).toEqual([]);
    expect(run.results?.summary).toEqual({ cases: 9, passed: 3, failed: 1, skipped: 5 });
  });

  test('measures a healthy model', () => {
    const cases = run.results?.cases.filter((c) => c.model === 'sim-fast') ?? [];
    expect(cases.map((c) => c.promptId)).toEqual(['hello', 'prompt-2']);
    for (const c of cases) {
      expect(c.status).toBe('passed');
      expect(c.samples).toHaveLength(4);
      expect(c.warmup).toEqual({ count: 1, errors: 0 });
      expect(c.stats.e2eMs?.n).toBe(4);
      expect(c.stats.ttftMs?.p50).toBeGreaterThan(2);
      expect(c.stats.outputTokens?.p50).toBe(8);
      expect(c.determinism).toEqual({ identical: true, distinctOutputs: 1 });
      expect(c.sampleOutput?.text).toBe('w0 w1 w2 w3 w4 w5 w6 w7 ');
      expect(c.id).toMatch(/^sim-fast\/(hello|prompt-2)$/);
      expect(c.params).toMatchObject({ warmup: 1, iterations: 4, maxTokens: 16, temperature: 0, seed: 42, stream: true });
    }
  });

  test('fails a model whose errors exceed the budget, listing them', () => {
    const flaky = run.results?.cases.find((c) => c.name === 'sim-flaky > hello');
    expect(flaky?.status).toBe('failed');
    // Requests 1 (warmup) .. 5: the 4th request of the model is the 3rd timed one.
    expect(flaky?.errors).toMatchObject({ count: 1, byKind: { http: 1 } });
    expect(flaky?.failures[0]).toMatch(/error rate 25\.0% \(1 errors: http x1\) exceeds budget maxErrorRate = 0/);
    expect(flaky?.failures[1]).toMatch(/request 3: http: 500/);
    expect(flaky?.stats.e2eMs?.n).toBe(3);
  });

  test('passes the same faults when the budget tolerates them', () => {
    const tolerant = run.results?.cases.find((c) => c.promptId === 'tolerated');
    expect(tolerant?.status).toBe('passed');
    expect(tolerant?.errors.count).toBe(1);
  });

  test('skips a model the target does not serve, with the reason', () => {
    const skipped = run.results?.cases.filter((c) => c.model === 'not-served') ?? [];
    expect(skipped.map((c) => c.promptId)).toEqual(['rag-summary', 'local-privacy', 'slm-vs-llm']);
    for (const c of skipped) {
      expect(c.status).toBe('skipped');
      expect(c.skipReason).toContain(`model "not-served" is not served by http://127.0.0.1:${sim.port}/v1`);
      expect(c.samples).toEqual([]);
    }
  });

  test('reads /v1/models once per run and sends each request once', async () => {
    const hits = await sim.hits();
    expect(hits['GET /v1/models']).toBe(1);
    // sim-fast: 2 prompts x (1 warmup + 4 timed); sim-flaky: 2 cases x 5.
    expect(hits['POST /v1/chat/completions']).toBe(20);
  });

  test('--shard runs write results-i-of-n.json, and merge gives the unsharded cases in order', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'foundry-bench-shards-'));
    const env = { BENCH_BASE_URL: `http://127.0.0.1:${sim.port}` };
    for (const shard of ['1/2', '2/2']) {
      const { code } = await runCli(['--specs', 'test/specs/**/*.bench.ts', '--output', outDir, '--shard', shard, '--baseline-dir', outDir], env);
      expect(code).toBeLessThanOrEqual(1);
    }
    const merged = join(outDir, 'merged.json');
    const { code, output } = await runCli(['merge', join(outDir, 'results-2-of-2.json'), join(outDir, 'results-1-of-2.json'), '-o', merged]);
    expect(code).toBe(0);
    expect(output).toContain(`merged 2 file(s), 9 cases, into ${merged}`);
    const document = JSON.parse(readFileSync(merged, 'utf8')) as RunResults;
    expect(resultsProblems(document)).toEqual([]);
    expect(document.cases.map((c) => c.id)).toEqual(run.results?.cases.map((c) => c.id));
    expect(document.run.shard).toBe('2/2, 1/2');
    const duplicate = await runCli(['merge', join(outDir, 'results-1-of-2.json'), join(outDir, 'results-1-of-2.json')]);
    expect(duplicate.code).toBe(2);
    expect(duplicate.output).toContain('shards must not overlap');
  }, 60_000);

  test('a broken baseline fails the case before any request, naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'foundry-bench-bad-baseline-'));
    writeFileSync(join(dir, 'default.json'), '{ "kind": "foundry-bench-baseline", ');
    const before = (await sim.served()).length;
    const broken = await runBench({ BENCH_BASE_URL: `http://127.0.0.1:${sim.port}` }, ['-t', '^sim-fast hello$', '--baseline-dir', dir]);
    expect(broken.code).toBe(1);
    const [c] = broken.results?.cases ?? [];
    expect(c?.failures[0]).toMatch(new RegExp(`^baseline ${join(dir, 'default.json')}: not valid JSON \\(`));
    expect(c?.samples).toEqual([]);
    expect((await sim.served()).length).toBe(before);
  }, 60_000);

  test('on a terminal, shows live progress of the running case (sent from the worker as test annotations)', async () => {
    const live = await runBench({ BENCH_BASE_URL: sim.url }, ['-t', '^sim-fast hello$'], undefined, { tty: true });
    expect(live.code).toBe(0);
    expect(live.output).toMatch(/\r\x1b\[K {2}… sim-fast > hello {2}case 1\/7 {2}warmup 1\/1 {2}ETA \d+s/);
    expect(live.output).toMatch(/\r\x1b\[K {2}… sim-fast > hello {2}case 1\/7 {2}iteration 4\/4 {2}p95 [\d.]+ ms {2}ETA 0s/);
    // The worker's progress never reaches the output as text of its own.
    expect(live.output).not.toContain('"phase"');
  }, 60_000);

  test('under GitHub Actions, appends the report to the job summary and annotates the failed case', async () => {
    const summary = join(mkdtempSync(join(tmpdir(), 'foundry-bench-summary-')), 'summary.md');
    const ci = await runBench({ BENCH_BASE_URL: sim.url, GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary }, ['-t', '^sim-flaky hello$']);
    expect(ci.code).toBe(1);
    expect(readFileSync(summary, 'utf8')).toContain('**1 cases**: ❌ 1 failed');
    expect(ci.output).toContain('::error file=test/specs/sim.bench.ts,title=foundry-bench failed%3A sim-flaky > hello::error rate 25.0%');
  }, 60_000);

  test('an output that cannot be written is reported; the others are still written and the run exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'foundry-bench-blocked-'));
    const blocked = join(dir, 'not-a-directory');
    writeFileSync(blocked, 'a file where the output directory should be');
    const summary = join(dir, 'summary.md');
    const broken = await runBench({ BENCH_BASE_URL: sim.url, GITHUB_STEP_SUMMARY: summary }, ['-t', '^sim-fast hello$', '--output', blocked]);
    expect(broken.code).toBe(1);
    for (const output of ['json', 'junit', 'markdown', 'csv']) expect(broken.output).toContain(`foundry-bench: the ${output} output failed: `);
    // The console table and the job summary do not depend on the output directory.
    expect(broken.output).toContain('1 cases: 1 passed, 0 failed, 0 skipped');
    expect(readFileSync(summary, 'utf8')).toContain('**1 cases**');
  }, 60_000);

  test('prints the final table and never the API key', () => {
    expect(run.output).toMatch(/sim-fast\s+hello\s+4\s/);
    expect(run.output).toContain('9 cases: 3 passed, 1 failed, 5 skipped');
    expect(run.output).not.toContain(SECRET);
    expect(run.raw).not.toContain(SECRET);
  });
});

describe('npm run bench with a broken target', () => {
  test('an unreachable target fails every case with one clear message', async () => {
    const run = await runBench({ BENCH_BASE_URL: 'http://127.0.0.1:1/v1' }, ['-t', '^sim-fast']);
    expect(run.code).toBe(1);
    expect(run.output).toContain('target unreachable: GET http://127.0.0.1:1/v1/models failed: ECONNREFUSED');
    const cases = run.results?.cases ?? [];
    expect(cases).toHaveLength(2);
    for (const c of cases) {
      expect(c.status).toBe('failed');
      expect(c.failures).toEqual(['target unreachable: GET http://127.0.0.1:1/v1/models failed: ECONNREFUSED (connect ECONNREFUSED 127.0.0.1:1)']);
      expect(c.samples).toEqual([]);
    }
    expect(resultsProblems(run.results)).toEqual([]);
  }, 60_000);

  test('a malformed URL names the variable', async () => {
    const run = await runBench({ BENCH_BASE_URL: 'not a url' }, ['-t', '^sim-fast hello$']);
    expect(run.code).toBe(1);
    expect(run.output).toContain('BENCH_BASE_URL: "not a url" is not a URL');
  }, 60_000);
});

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
    const slowServer = await startSimServer({ models: [{ id: 'sim-fast', ttftMs: 4, tokenMs: 4, tokens: 16, jitter: 0.05 }] });
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
    expect(slow.code).toBe(1);
    const [regressed] = slow.results?.cases ?? [];
    expect(regressed?.status).toBe('failed');
    expect(regressed?.gate).toMatchObject({ verdict: 'regressed', failed: true, fingerprintMismatch: [] });
    // formatMs prints one decimal below 100 ms and whole numbers from 100 ms up.
    expect(regressed?.failures[0]).toMatch(
      /^e2e p95 \d+(\.\d)? ms -> \d+(\.\d)? ms \(\+\d+\.\d%, 95% CI \+\d+\.\d% \.\. \+\d+\.\d%; run-to-run drift ±20% assumed \(1 stored run\)\): regressed/,
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

describe('config, catalog, quality and model selection, end to end', () => {
  let sim: SimServer;
  let dir: string;
  let run: CliRun;

  beforeAll(async () => {
    sim = await startSimServer({
      models: [
        { id: 'sim-fast', ttftMs: 2, tokenMs: 0, tokens: 6, reply: 'It retrieves documents and generates answers. ' },
        { id: 'sim-flaky', ttftMs: 1, tokenMs: 0, tokens: 4 },
        { id: 'sim-judge', ttftMs: 1, tokenMs: 0, tokens: 2, reply: 'Score: 4' },
      ],
    });
    dir = mkdtempSync(join(tmpdir(), 'foundry-bench-config-'));
    writeFileSync(
      join(dir, 'models.yaml'),
      'sim-fast:\n  family: sim\n  parameters: 1000000\n  size_mb: 12.5\n  license: apache-2.0\n  capabilities: [chat, test]\n',
    );
    writeFileSync(
      join(dir, 'config.yaml'),
      [
        `catalog: ${join(dir, 'models.yaml')}`,
        `target: ${sim.url}`,
        'defaults: { seed: 7, warmup: 0 }',
        'quality: { judge: { model: sim-judge } }',
        'energy: { deviceWatts: 20, pricePerKWh: 0.25, currency: EUR }',
      ].join('\n'),
    );
    // No BENCH_BASE_URL: the config's target is used. --models narrows the run to one alias.
    run = await runBench({ BENCH_BASE_URL: '', FOUNDRY_LOCAL_ENDPOINT: '' }, [
      '--config',
      join(dir, 'config.yaml'),
      '--models',
      'sim-fast',
      '-t',
      '^sim-fast hello$',
    ]);
  }, 60_000);
  afterAll(() => sim.close());

  test('uses the config: its target, defaults, catalog, judge and energy figures', async () => {
    expect(run.code).toBe(0);
    expect(run.output).toContain(`target ${sim.url} (openai-compatible, from config)`);
    expect(resultsProblems(run.results)).toEqual([]);
    const [c] = run.results?.cases ?? [];
    // The config's default applies where the spec is silent (seed); the spec's own warmup wins.
    expect(c?.params.seed).toBe(7);
    expect(c?.warmup.count).toBe(1);
    expect((await sim.served()).find((s) => s.model === 'sim-fast')?.seed).toBe(7);
    expect(c?.catalog).toEqual({ family: 'sim', parameters: 1000000, size_mb: 12.5, license: 'apache-2.0', capabilities: ['chat', 'test'] });
    expect(c?.quality?.judge).toMatchObject({ model: 'sim-judge', status: 'scored', score: 4 });
    expect(c?.cost).toMatchObject({ estimate: true, deviceWatts: 20, currency: 'EUR' });
    expect(c?.cost?.joulesPerToken).toBeCloseTo(20 / (c?.stats.e2eTokPerSec?.p50 ?? NaN), 10);
  });

  test('the judge runs once, after the timed requests, and is never timed', async () => {
    const served = await sim.served();
    const judged = served.filter((s) => s.model === 'sim-judge');
    expect(judged).toHaveLength(1);
    expect(judged[0]).toMatchObject({ temperature: 0, stream: false });
    expect(run.results?.cases[0]?.samples).toHaveLength(4);
    expect(served.filter((s) => s.model === 'sim-fast')).toHaveLength(5);
  });

  test('reports carry quality, size, license and the cost estimate', () => {
    const md = readFileSync(join(run.outDir, 'report.md'), 'utf8');
    expect(md).toMatch(/\| sim-fast \| 1\.0M \| 12\.5 MB \| apache-2\.0 \| chat, test \| - \| [\d.]+ J\/token, [\d.]+ EUR per 1M tokens \(est\.\) \|/);
    expect(md).toContain('judge sim-judge: 4');
    const junit = readFileSync(join(run.outDir, 'junit.xml'), 'utf8');
    for (const property of [
      'quality.score',
      'quality.judge',
      'model.license',
      'model.size.mb',
      'energy.estimate.j_per_token',
      'cost.estimate.per_million_tokens',
    ]) {
      expect(junit).toContain(`name="${property}"`);
    }
    const [header, row] = readFileSync(join(run.outDir, 'results.csv'), 'utf8').split('\r\n');
    const columns = header?.split(',') ?? [];
    const cells = row?.split(',') ?? [];
    expect(cells[columns.indexOf('model_license')]).toBe('apache-2.0');
    expect(cells[columns.indexOf('quality_judge')]).toBe('4');
    expect(Number(cells[columns.indexOf('cost_per_million_tokens_estimate')])).toBeGreaterThan(0);
  });

  test('foundry-bench models lists the catalog and what the target serves', async () => {
    const { code, output } = await runCli(['models', '--config', join(dir, 'config.yaml')]);
    expect(code).toBe(0);
    expect(output).toMatch(/alias\s+family\s+parameters\s+size\s+license\s+capabilities\s+served/);
    expect(output).toMatch(/sim-fast\s+sim\s+1\.0M\s+12\.5 MB\s+apache-2\.0\s+chat, test\s+yes/);
  }, 30_000);

  test('an invalid config stops the run before any request, listing every problem', async () => {
    writeFileSync(join(dir, 'bad.yaml'), `target: ${sim.url}\ndefaults:\n  iterations: zero\nreporters: [pdf]\n`);
    const before = (await sim.served()).length;
    const bad = await runBench({ BENCH_BASE_URL: '' }, ['--config', join(dir, 'bad.yaml')]);
    expect(bad.code).toBe(2);
    expect(bad.output).toContain('invalid input, nothing was run');
    expect(bad.output).toMatch(/bad\.yaml:3:15 defaults\.iterations: must be integer/);
    expect(bad.output).toMatch(/bad\.yaml:4:13 reporters\[0\]: must be equal to one of the allowed values/);
    expect((await sim.served()).length).toBe(before);
    expect(bad.results).toBeNull();
  }, 60_000);
});

describe('A/B against another server (--base-target), end to end', () => {
  const hello = ['-t', '^sim-fast hello$', '--iterations', '20', '--warmup', '2'];
  let base: SimServer;
  let slower: SimServer;

  // Each server in a process of its own: the run's main process (this one) must not share their event loop.
  beforeAll(async () => {
    [base, slower] = await Promise.all([
      spawnSimServer({ models: [{ id: 'sim-fast', ttftMs: 4, tokenMs: 1, tokens: 16, jitter: 0.05 }] }),
      spawnSimServer({ models: [{ id: 'sim-fast', ttftMs: 4, tokenMs: 2.5, tokens: 16, jitter: 0.05 }] }),
    ]);
  }, 30_000);
  afterAll(() => Promise.all([base.close(), slower.close()]));

  test('a slower server is regressed against the base, measured alongside in ABBA blocks, not against a stored baseline', async () => {
    const before = (await base.served()).length;
    const run = await runBench({ BENCH_BASE_URL: slower.url }, [...hello, '--base-target', base.url]);
    expect(run.code).toBe(1);
    expect(run.output).toContain(`A/B base target ${base.url} (openai-compatible, from base-target), serves 1 model(s)`);
    const [c] = run.results?.cases ?? [];
    expect(c?.gate).toMatchObject({ verdict: 'regressed', failed: true, paired: { target: base.url, blocks: 10 }, fingerprintMismatch: [] });
    expect(c?.failures[0]).toMatch(/^e2e p95 .* paired over 10 blocks\): regressed beyond the tolerance 10%/);
    expect(c?.samples).toHaveLength(20);
    // The base served as many requests as the case: 2 warmup and 20 timed.
    expect((await base.served()).length - before).toBe(22);
    expect(resultsProblems(run.results)).toEqual([]);
  }, 60_000);

  test('adaptive sampling adds whole blocks until the verdict is decisive or the budget is spent', async () => {
    // A 1% tolerance with no noise floor: equivalence cannot be shown at this noise, so sampling runs to its budget.
    const config = join(mkdtempSync(join(tmpdir(), 'foundry-bench-config-')), 'foundry-bench.config.yaml');
    writeFileSync(config, 'regression:\n  tolerance: 0.01\n  noiseFloorMs: 0\n  adaptive:\n    maxIterations: 40\n');
    // A noisy server (jitter sigma 0.5) on both sides: no change to find, and wide intervals.
    const noisy = await spawnSimServer({ models: [{ id: 'sim-fast', ttftMs: 4, tokenMs: 1, tokens: 16, jitter: 0.5 }] });
    const run = await runBench({ BENCH_BASE_URL: noisy.url }, [...hello, '--base-target', noisy.url, '--config', config]);
    const served = (await noisy.served()).length;
    await noisy.close();
    const [c] = run.results?.cases ?? [];
    expect(c?.gate?.sampling).toMatchObject({ looks: 3, iterations: 40, stoppedBecause: 'max-iterations' });
    expect(c?.gate?.paired?.blocks).toBe(20);
    expect(c?.samples).toHaveLength(40);
    // Both arms on one server: 2 warmup and 40 timed each.
    expect(served).toBe(84);
    expect(c?.gate?.metrics[0]?.message).toMatch(/^e2e p95 .*, 9\d\.\d% CI /);
    const csv = readFileSync(join(run.outDir, 'results.csv'), 'utf8').split('\r\n');
    expect(csv[0]).toContain(',sampling_iterations,sampling_stopped,');
    expect(csv[1]).toContain(',40,max-iterations,');
    expect(readFileSync(join(run.outDir, 'report.md'), 'utf8')).toContain('adaptive: 40 requests a side after 3 look(s), stopped at the request budget');
  }, 60_000);

  test('the base server warms up until stable too, once per model, before the first case', async () => {
    const before = (await slower.served()).length;
    const run = await runBench({ BENCH_BASE_URL: base.url }, ['--base-target', slower.url], 'test/ab-specs/*.bench.ts');
    expect(run.results?.cases[0]?.modelInfo?.warmUp?.requests).toBeGreaterThanOrEqual(9);
    // 9 to 12 to warm up (stable needs three whole windows of 3, the bound is 12), then 1 warmup and 20 timed beside the case's.
    const warming = (await slower.served()).length - before - 21;
    expect(warming).toBeGreaterThanOrEqual(9);
    expect(warming).toBeLessThanOrEqual(12);
    expect(run.results?.cases[0]?.gate?.sampling).toBeUndefined();
  }, 60_000);

  test('the same server on both sides is not a regression', async () => {
    const run = await runBench({ BENCH_BASE_URL: base.url }, [...hello, '--base-target', base.url]);
    expect(run.code).toBe(0);
    expect(run.results?.cases[0]?.gate?.verdict).not.toBe('regressed');
  }, 60_000);

  test('an unreachable base fails the case naming it', async () => {
    const run = await runBench({ BENCH_BASE_URL: base.url }, [...hello, '--base-target', 'http://127.0.0.1:1']);
    expect(run.code).toBe(1);
    expect(run.results?.cases[0]?.failures).toEqual([
      'A/B base target: target unreachable: GET http://127.0.0.1:1/v1/models failed: ECONNREFUSED (connect ECONNREFUSED 127.0.0.1:1)',
    ]);
  }, 60_000);
});

describe('A/B against the baseline request replayed (--base-replay), end to end', () => {
  const specs = 'test/replay-specs/*.bench.ts';
  let sim: SimServer;
  let baselineDir: string;
  const config = (maxTokens: number) => {
    const file = join(mkdtempSync(join(tmpdir(), 'foundry-bench-config-')), 'foundry-bench.config.yaml');
    writeFileSync(file, `defaults:\n  maxTokens: ${maxTokens}\n`);
    return file;
  };

  beforeAll(async () => {
    sim = await spawnSimServer({ models: [{ id: 'sim-fast', ttftMs: 4, tokenMs: 1, tokens: 64, jitter: 0.05 }] });
    baselineDir = mkdtempSync(join(tmpdir(), 'foundry-bench-replay-'));
    const recorded = await runBench({ BENCH_BASE_URL: sim.url }, ['--config', config(16), '--baseline-dir', baselineDir, '--update-baseline'], specs);
    expect(recorded.code).toBe(0);
  }, 60_000);
  afterAll(() => sim.close());

  test('a pull request that raises maxTokens is measured against the old request, now, on the same server', async () => {
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
  }, 60_000);

  test('the same request replayed is not a regression', async () => {
    const run = await runBench({ BENCH_BASE_URL: sim.url }, ['--config', config(16), '--baseline-dir', baselineDir, '--base-replay'], specs);
    expect(run.code).toBe(0);
    const gate = run.results?.cases[0]?.gate;
    expect(gate).toMatchObject({ inputChanges: [] });
    expect(gate?.verdict).not.toBe('regressed');
    // Adaptive sampling may add blocks on a busy machine; every block holds 2 requests a side.
    expect(gate?.paired?.blocks).toBe((gate?.sampling?.iterations ?? 0) / 2);
  }, 60_000);

  test('a --base-ref at which the baseline cannot be read is a usage error, before any request', async () => {
    const before = (await sim.served()).length;
    const run = await runBench({ BENCH_BASE_URL: sim.url }, ['--base-ref', 'no-such-ref-xyz', '--baseline-dir', baselineDir], specs);
    expect(run.code).toBe(2);
    expect(run.output).toContain(`--base-ref no-such-ref-xyz: cannot read ${join(baselineDir, 'default.json')} at that ref`);
    expect((await sim.served()).length).toBe(before);
  });

  test('--base-replay and --base-target together are a usage error', async () => {
    const run = await runBench({ BENCH_BASE_URL: sim.url }, ['--base-replay', '--base-target', sim.url], specs);
    expect(run.code).toBe(2);
    expect(run.output).toContain('--base-target and --base-replay/--base-ref each name the A/B base: give one');
  });
});
