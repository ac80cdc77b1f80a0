import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli, testEnv } from './helpers/cli.ts';
import { startSimServer, type SimServer } from './fakes/sim-server.ts';
import { specModels } from '../harness/cli/doctor.ts';
import { doctor, renderChecks, type DoctorOptions } from '../harness/cli/doctor-checks.ts';
import { runOptions } from '../harness/cli/options.ts';
import { probeTarget } from '../harness/targets/resolve.ts';

const OPTIONS: DoctorOptions = { apiKey: 'k', foundry: { download: false, downloadRetries: 0, retryDelayMs: 1, ttlSeconds: 60, unload: true } };

let sim: SimServer;

beforeAll(async () => {
  sim = await startSimServer({
    models: [
      { id: 'healthy', ttftMs: 1, tokenMs: 0, tokens: 4 },
      { id: 'no-usage', ttftMs: 1, tokenMs: 0, tokens: 4, faults: { noUsage: true } },
      { id: 'flaky-output', ttftMs: 1, tokenMs: 0, tokens: 4, varyOutput: true },
      { id: 'oom', ttftMs: 1, tokenMs: 0, tokens: 4, faults: { http500Every: 1, http500Message: 'failed to allocate: out of memory' } },
      { id: 'cold', ttftMs: 800, tokenMs: 0, tokens: 2 },
      { id: 'streams-anyway', ttftMs: 1, tokenMs: 0, tokens: 2, faults: { alwaysStream: true } },
    ],
  });
});
afterAll(() => sim.close());

const check = async (models: string[], timeoutMs?: number) => {
  const target = await probeTarget({ baseURL: sim.url, source: 'test', kind: 'openai-compatible' }, 'k');
  return doctor(
    target,
    models.map((model) => ({ model })),
    timeoutMs ? { ...OPTIONS, timeoutMs } : OPTIONS,
  );
};

describe('foundry-bench doctor', () => {
  test('a healthy setup passes every line', async () => {
    const checks = await check(['healthy']);
    expect(checks.map((c) => [c.status, c.name])).toEqual([
      ['pass', 'endpoint'],
      ['pass', 'healthy: listed'],
      ['pass', 'healthy: answers'],
      ['pass', 'healthy: streaming usage'],
      ['pass', 'healthy: deterministic'],
    ]);
    expect(renderChecks(checks)).toContain('5 passed, 0 warning(s), 0 failed');
  });

  test('a broken setup fails the right lines, each with a hint', async () => {
    const checks = await check(['missing', 'no-usage', 'flaky-output', 'oom']);
    const line = (name: string) => checks.find((c) => c.name === name);
    // A model the server does not list is skipped by a run, so doctor says skipped (not failed), with the same reason.
    expect(line('missing: listed')).toMatchObject({
      status: 'skip',
      detail: expect.stringMatching(/^skipped by a run: model "missing" is not served by/),
      hint: expect.stringContaining('download or load it'),
    });
    expect(line('no-usage: streaming usage')).toMatchObject({ status: 'warn', hint: expect.stringContaining('estimated') });
    expect(line('flaky-output: deterministic')).toMatchObject({ status: 'fail', hint: expect.stringContaining('ignore temperature or seed') });
    expect(line('oom: answers')).toMatchObject({ status: 'fail', detail: expect.stringContaining('500'), hint: expect.stringContaining('smaller variant') });
    expect(renderChecks(checks)).toMatch(/\n- missing: listed {2,}skipped by a run/);
    expect(renderChecks(checks)).toMatch(/ 2 failed, 1 skipped\n$/);
  });

  test('an answer that is no chat completion is a failure saying what came back', async () => {
    const [, , answers] = await check(['streams-anyway']);
    expect(answers).toMatchObject({
      status: 'fail',
      name: 'streams-anyway: answers',
      detail: expect.stringMatching(/^the answer to a non-streaming request is not a chat completion: "data: \{/),
    });
  });

  test('a model the embedded engine lacks, asked about by name: failed, with what the embedded engine serves', async () => {
    const target = await probeTarget({ baseURL: sim.url, source: 'embedded default', kind: 'embedded' }, 'k');
    const [, listed] = await doctor(target, [{ model: 'missing', requested: true }], OPTIONS);
    expect(listed).toMatchObject({ status: 'fail', name: 'missing: listed', hint: expect.stringContaining('the embedded engine serves only its tiny models') });
  });

  test('a slow first answer hints at cold starts', async () => {
    const [, , answers] = await check(['cold'], 300);
    expect(answers).toMatchObject({ status: 'fail', hint: expect.stringContaining('slow cold start') });
  });

  test('an unreachable endpoint is one failing line', async () => {
    const target = await probeTarget({ baseURL: 'http://127.0.0.1:1/v1', source: 'test', kind: 'openai-compatible' }, 'k');
    const checks = await doctor(target, [{ model: 'healthy' }], OPTIONS);
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ status: 'fail', name: 'endpoint', detail: expect.stringContaining('ECONNREFUSED') });
  });

  test('the command prints the checks and exits non-zero on any failure', async () => {
    const run = (models: string) => runCli(['doctor', '--target', sim.url, '--models', models]);
    const healthy = await run('healthy');
    expect(healthy.code).toBe(0);
    expect(healthy.output).toContain('✓ healthy: deterministic');
    expect(healthy.output).toContain(`${sim.url} (openai-compatible, from --target)`);
    // A model named with --models that the server does not serve is the answer "no": exit 1, the model and the hint.
    const missing = await run('healthy,missing');
    expect(missing.code).toBe(1);
    expect(missing.output).toMatch(/\n× missing: listed +model "missing" is not served by http:\/\/127\.0\.0\.1:\d+\/v1 \(GET \/models lists healthy, /);
    expect(missing.output).toContain('hint: download or load it on the server, or fix the name (foundry-bench models lists what the target serves)');
    const broken = await run('healthy,oom');
    expect(broken.code).toBe(1);
    expect(broken.output).toContain('× oom: answers');
  });

  test('models found in the specs that a run would skip stay skipped: exit 0 where the run passes', async () => {
    const specs = await runCli(['doctor', '--target', sim.url, '--specs', 'test/specs/sim.bench.ts']);
    expect(specs.output).toMatch(/\n- sim-fast: listed +skipped by a run: model "sim-fast" is not served by/);
    expect(specs.output).toContain('1 passed, 0 warning(s), 0 failed, 3 skipped');
    expect(specs.code).toBe(0);
  }, 60_000);

  test('finds the models the specs use without running them', async () => {
    const options = runOptions({ specs: 'test/specs/**/*.bench.ts' }, {}, testEnv(), process.cwd());
    expect((await specModels(options)).map((m) => m.model)).toEqual(['not-served', 'sim-fast', 'sim-flaky', 'tiny-1m', 'tiny-30m']);
  }, 60_000);
});
