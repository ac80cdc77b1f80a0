import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runBench, runCli, SECRET, type CliRun } from './helpers/cli.ts';
import { startSimServer, type SimServer } from './fakes/sim-server.ts';
import { resultsProblems } from '../harness/results/results-file.ts';

/**
 * `npm run bench` end to end against the simulated server, each run in this process (the CLI takes its
 * environment and output streams as arguments). The runs on the embedded engine are in cli-embedded.test.ts.
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
      expect(c.warmup).toMatchObject({ count: 1, errors: 0 });
      expect(c.warmup.e2eMs).toHaveLength(1);
      expect(c.warmup.e2eMs?.[0]).toBeGreaterThan(2);
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
    // One line for the model, live and in the summary, and one row in the table: not one per case.
    const live = run.output.split('\n').filter((line) => line.includes('not-served'));
    expect(live.filter((line) => line.startsWith('  ↓ not-served'))).toEqual([
      `  ↓ not-served (3 cases) skipped: model "not-served" is not served by http://127.0.0.1:${sim.port}/v1 (GET /models lists sim-fast, sim-flaky, unused)`,
    ]);
    // Another model skipped for the same reason is not told it again.
    expect(run.output).toContain('  ↓ tiny-1m (1 case) skipped: as not-served\n');
    expect(run.output).toContain('  skipped tiny-1m (1 case): as not-served\n');
    expect(live.filter((line) => /^not-served +\(3 prompts\) +0 .* skipped *$/.test(line))).toHaveLength(1);
    expect(live.filter((line) => line.startsWith('  skipped not-served (3 cases): model "not-served" is not served by'))).toHaveLength(1);
  });

  test('reads /v1/models once per run and sends each request once', async () => {
    const hits = await sim.hits();
    expect(hits['GET /v1/models']).toBe(1);
    // sim-fast: 2 prompts x (1 warmup + 4 timed); sim-flaky: 2 cases x 5.
    expect(hits['POST /v1/chat/completions']).toBe(20);
  });

  test('a broken baseline is bad input: exit 2 naming the file, before any request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'foundry-bench-bad-baseline-'));
    writeFileSync(join(dir, 'default.json'), '{ "kind": "foundry-bench-baseline", ');
    const before = (await sim.served()).length;
    const broken = await runBench({ BENCH_BASE_URL: `http://127.0.0.1:${sim.port}` }, ['-t', '^sim-fast hello$', '--baseline-dir', dir]);
    expect(broken.code).toBe(2);
    expect(broken.output).toContain(`invalid input, nothing was run:\n  baseline ${join(dir, 'default.json')}: not valid JSON (`);
    expect((await sim.served()).length).toBe(before);
  }, 60_000);

  test('on a terminal, shows live progress of the running case (sent from the worker as test annotations), counting only the cases -t selects', async () => {
    const live = await runBench({ BENCH_BASE_URL: sim.url }, ['-t', '^sim-fast hello$'], undefined, { tty: true });
    expect(live.code).toBe(0);
    expect(live.output).toMatch(/\r\x1b\[K {2}… sim-fast > hello {2}case 1\/1 {2}warmup 1\/1 {2}ETA \d+s/);
    expect(live.output).toMatch(/\r\x1b\[K {2}… sim-fast > hello {2}case 1\/1 {2}iteration 4\/4 {2}p95 [\d.]+ ms {2}ETA 0s/);
    // The worker's progress never reaches the output as text of its own; the file's header comes before it.
    expect(live.output).not.toContain('"phase"');
    expect(live.output.indexOf('sim.bench.ts')).toBeGreaterThan(-1);
    expect(live.output.indexOf('sim.bench.ts')).toBeLessThan(live.output.indexOf('… sim-fast > hello'));
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
    expect(md).toMatch(/\| sim-fast \| 1\.0M \| 12\.5 MiB \| apache-2\.0 \| chat, test \| - \| [\d.]+ J\/token, [\d.]+ EUR per 1M tokens \(est\.\) \|/);
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
    expect(output).toMatch(/sim-fast\s+sim\s+1\.0M\s+12\.5 MiB\s+apache-2\.0\s+chat, test\s+yes/);
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

describe('filters that select nothing, and the help and version commands', () => {
  let sim: SimServer;
  beforeAll(async () => {
    sim = await startSimServer({ models: [{ id: 'sim-fast', ttftMs: 1, tokenMs: 0, tokens: 2 }] });
  });
  afterAll(() => sim.close());

  test('-t, --models or a file filter that selects no case: exit 2 naming it before the target starts, the previous results untouched', async () => {
    const out = mkdtempSync(join(tmpdir(), 'foundry-bench-kept-'));
    writeFileSync(join(out, 'report.md'), 'the previous report');
    for (const [args, named] of [
      [['-t', 'nomatch'], '-t "nomatch"'],
      [['--models', 'nosuch'], '--models nosuch'],
      [['frobnicate'], 'the file filter(s) frobnicate'],
    ] as const) {
      const run = await runBench({ BENCH_BASE_URL: sim.url }, ['--output', out, ...args]);
      expect(run.code, named).toBe(2);
      expect(run.output).toContain(`foundry-bench: no case matches ${named}: nothing was run`);
      // Known from the specs themselves: no target resolved (no engine started), no vitest run.
      expect(run.output).not.toContain('foundry-bench: target');
      expect(readFileSync(join(out, 'report.md'), 'utf8')).toBe('the previous report');
    }
    const malformed = await runBench({ BENCH_BASE_URL: sim.url }, ['--output', out, '-t', '((']);
    expect(malformed.code).toBe(2);
    expect(malformed.output).toContain('foundry-bench: -t "((" is not a regular expression');
  }, 60_000);

  test('misspelt spec options: exit 2, each named with the closest known option, no request sent', async () => {
    const before = (await sim.served()).length;
    const run = await runBench({ BENCH_BASE_URL: sim.url }, [], 'test/typo-specs/*.bench.ts');
    expect(run.code).toBe(2);
    const where = "\n  benchModel('sim-fast') in test/typo-specs/typos.bench.ts: ";
    expect(run.output).toContain(
      [
        'invalid input, nothing was run:',
        'unknown option iteratons (did you mean iterations?)',
        'unknown option budgets.p95 (did you mean budgets.p95Ms?)',
        'unknown option regression.metrc (did you mean regression.metric?)',
        'unknown option quality.minscore (did you mean quality.minScore?)',
        'unknown option prompts[0].temprature\n',
      ].join(where),
    );
    // Refused before the target was resolved: no engine, no request, no report.
    expect(run.output).not.toContain('foundry-bench: target');
    expect(run.results).toBeNull();
    expect((await sim.served()).length).toBe(before);
  }, 60_000);

  test('missing or empty prompt sets, duplicate or unsafe inline ids, values out of range: exit 2 before anything starts, each said once', async () => {
    const run = await runBench({ BENCH_BASE_URL: sim.url }, [], 'test/prompt-specs/*.bench.ts');
    expect(run.code).toBe(2);
    const lines = run.output.split('\n').filter((line) => line.startsWith('  benchModel('));
    expect(lines).toEqual([
      "  benchModel('sim-fast') in test/prompt-specs/a.bench.ts, test/prompt-specs/b.bench.ts: fixtures/prompts/nope.yaml: cannot read (ENOENT)",
      "  benchModel('sim-slow') in test/prompt-specs/b.bench.ts: inline prompts prompts: the prompt list is empty",
      '  benchModel(\'sim-x\') in test/prompt-specs/b.bench.ts: inline prompts prompts[1].id: "a" is already the id of prompts[0]',
      '  benchModel(\'sim-x\') in test/prompt-specs/b.bench.ts: inline prompts prompts[2].id: "bad\\nid" may only contain letters, digits, ".", "_" and "-"',
      '  benchModel(\'evil\\n::error::x\') in test/prompt-specs/b.bench.ts: the model name "evil\\n::error::x" must be a non-empty string without control characters',
      "  benchModel('sim-values') in test/prompt-specs/b.bench.ts: regression.tolerance must be between 0 and 10, got -1",
      '  benchModel(\'sim-values\') in test/prompt-specs/b.bench.ts: option stabilize has an invalid value: {"window":0}',
      "  benchModel('sim-load') in test/prompt-specs/b.bench.ts: option load.concurrency has an invalid value: 2 (give exactly one of load.concurrency (closed loop) and load.rate (open loop))",
      "  benchModel('sim-sweep') in test/prompt-specs/b.bench.ts: option load.sweep needs slo: the capacity is the highest level whose objectives are met (slo: { ttftMs, tpotMs, e2eMs })",
      "  benchModel('sim-arrival') in test/prompt-specs/b.bench.ts: option load.arrival has an invalid value: \"bursty\" ('poisson', 'constant' or { gamma: k } with k > 0)",
    ]);
    expect(run.output).not.toContain('foundry-bench: target');
    expect(run.results).toBeNull();
  }, 60_000);

  test('benchModel.skip parks a model: its cases do not run (like a filtered-out test) and nothing is sent for it', async () => {
    const other = await startSimServer({
      models: [
        { id: 'sim-other', ttftMs: 1, tokenMs: 0, tokens: 2 },
        { id: 'sim-fast', ttftMs: 1, tokenMs: 0, tokens: 2 },
      ],
    });
    try {
      const run = await runBench({ BENCH_BASE_URL: other.url }, [], 'test/skip-specs/*.bench.ts');
      expect(run.code).toBe(0);
      expect(run.results?.cases.map((c) => [c.model, c.status])).toEqual([['sim-other', 'passed']]);
      expect((await other.served()).every((r) => r.model === 'sim-other')).toBe(true);
    } finally {
      await other.close();
    }
  }, 60_000);

  test('help and --version', async () => {
    expect((await runCli(['help'])).output).toContain('Usage:');
    const version = JSON.parse(readFileSync('package.json', 'utf8')).version;
    expect(await runCli(['--version'])).toEqual({ code: 0, output: `foundry-bench ${version}\n` });
  });
});
