/**
 * `npm run bench` against a fake Foundry Local (older generation, found
 * through FOUNDRY_LOCAL_ENDPOINT): variants as separate cases, load and cold
 * request apart from the warm samples, models unloaded afterwards, and a
 * missing model skipped, or downloaded with progress under --download.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { FAKE_CATALOG, startFakeFoundry, type FakeFoundry } from './fakes/fake-foundry.ts';
import { resultsProblems } from '../harness/results/results-file.ts';
import type { CaseResult } from '../harness/types.ts';
import { runBench, type CliRun } from './helpers/cli.ts';

const CLI_DIR = fileURLToPath(new URL('./fakes/fake-foundry-cli', import.meta.url));
const CPU = 'qwen2.5-0.5b-instruct-generic-cpu:4';
const GPU = 'qwen2.5-0.5b-instruct-generic-gpu:4';
const PHI = 'Phi-4-mini-instruct-generic-cpu:5';

/** `npm run bench` on the Foundry specs, with the fake found through FOUNDRY_LOCAL_ENDPOINT. */
function bench(origin: string, args: string[] = []): Promise<CliRun> {
  return runBench({ FOUNDRY_LOCAL_ENDPOINT: origin, BENCH_BASE_URL: '' }, args, 'test/foundry-specs/*.bench.ts');
}

describe('npm run bench on Foundry Local', () => {
  let foundry: FakeFoundry;
  let run: Awaited<ReturnType<typeof bench>>;
  const byVariant = (id: string): CaseResult[] => run.results?.cases.filter((c) => c.variant?.id === id) ?? [];

  beforeAll(async () => {
    foundry = await startFakeFoundry({
      generation: 'service',
      catalog: FAKE_CATALOG,
      cached: [CPU, GPU],
      loadMs: 30,
      chat: { ttftMs: 4, tokenMs: 1, tokens: 6 },
    });
    run = await bench(foundry.origin);
  }, 90_000);
  afterAll(() => foundry.close());

  test('runs, records the target, and says once per model what getting it ready took', () => {
    expect(run.output).toMatch(
      new RegExp(
        `▸ qwen2\\.5-0\\.5b → ${CPU.replace(/[.]/g, '\\.')} \\(CPU\\): loaded in [\\d.]+ ms · first request TTFT [\\d.]+ ms, e2e [\\d.]+ ms · service memory \\+-?[\\d.]+ MiB · disk 0\\.1 MiB`,
      ),
    );
    expect(run.output.match(/▸ qwen2\.5-0\.5b → /g)).toHaveLength(2);
    expect(run.output).toContain(`Foundry Local (version unknown), service generation, at ${foundry.origin} (found by env:FOUNDRY_LOCAL_ENDPOINT)`);
    expect(run.code).toBe(0);
    expect(resultsProblems(run.results)).toEqual([]);
    expect(run.results?.run.targets).toEqual([
      {
        baseURL: `${foundry.origin}/v1`,
        source: 'env:FOUNDRY_LOCAL_ENDPOINT',
        kind: 'foundry-local',
        server: 'Foundry Local (version unknown) (service generation)',
      },
    ]);
  });

  test('CPU and GPU variants of one alias are separate cases, keyed by variant and execution provider', () => {
    const cpu = byVariant(CPU);
    const gpu = byVariant(GPU);
    expect(cpu.map((c) => [c.name, c.status])).toEqual([
      ['qwen2.5-0.5b [cpu] > hello', 'passed'],
      ['qwen2.5-0.5b [cpu] > prompt-2', 'passed'],
    ]);
    expect(gpu.map((c) => [c.name, c.status])).toEqual([
      ['qwen2.5-0.5b [gpu] > hello', 'passed'],
      ['qwen2.5-0.5b [gpu] > prompt-2', 'passed'],
    ]);
    expect(cpu[0]?.id).toMatch(new RegExp(`^qwen2\\.5-0\\.5b@${CPU.replace('.', '\\.')}\\(CPUExecutionProvider\\)/hello$`));
    expect(gpu[0]?.id).toContain(`@${GPU}(WebGpuExecutionProvider)/hello`);
    expect(cpu[0]?.fingerprint).toMatchObject({ targetKind: 'foundry-local', model: CPU, executionProvider: 'CPUExecutionProvider' });
    expect(gpu[0]?.fingerprint).toMatchObject({ model: GPU, executionProvider: 'WebGpuExecutionProvider' });
    // The catalog file's entry, with the variant's own size from Foundry Local.
    expect(cpu[0]?.catalog).toMatchObject({ size_mb: 822, license: 'apache-2.0', capabilities: ['chat', 'tools'], family: 'qwen2.5' });
    expect(gpu[0]?.catalog?.size_mb).toBe(696);
  });

  test('the load and the cold request are recorded apart from the warm samples', async () => {
    const [first, second] = byVariant(CPU);
    expect(first?.modelInfo?.loadMs).toBeGreaterThanOrEqual(25);
    expect(first?.modelInfo?.lifecycle).toMatchObject({ alreadyLoaded: false, unloadAfter: true, cold: { ok: true, error: null } });
    // Both prompts of the model share its one load and cold request.
    expect(second?.modelInfo).toEqual(first?.modelInfo);
    expect(first?.samples).toHaveLength(3);
    expect(first?.warmup.count).toBe(1);
    // Served: per variant one cold request, then per prompt 1 warmup + 3 timed.
    const served = await foundry.sim.served();
    expect(served.filter((s) => s.model === CPU)).toHaveLength(1 + 2 * (1 + 3));
    // The older generation streams without usage: tokens are counted, and marked so.
    expect(first?.samples.every((s) => s.tokensEstimated && s.outputTokens === 6)).toBe(true);
  });

  test('each model is loaded before its cases and unloaded after them, leaving the service as found', () => {
    expect(foundry.calls).toEqual([
      `GET /openai/load/${CPU}?ttl=3600`,
      `GET /openai/unload/${CPU}?force=true`,
      `GET /openai/load/${GPU}?ttl=3600&ep=webgpu`,
      `GET /openai/unload/${GPU}?force=true`,
    ]);
    expect(foundry.loaded()).toEqual([]);
  });

  test('every report names the variant and its execution provider, and the Markdown report shows cold start, memory and disk', () => {
    const read = (name: string) => readFileSync(join(run.outDir, name), 'utf8');
    const markdown = read('report.md');
    expect(markdown).toContain(`| qwen2.5-0.5b → ${CPU} (CPU) | hello |`);
    expect(markdown).toContain('First request after load (TTFT / e2e) | Service memory after load | Disk |');
    const cpuModelRow = markdown.split('\n').find((line) => line.startsWith(`| qwen2.5-0.5b → ${CPU} (CPU) | 494.0M |`));
    // The fake runs in this test's process, so its memory is this process's: known, and a few MiB of disk per model.
    expect(cpuModelRow).toMatch(/\| \d+(\.\d+)? ms \| [\d.]+ \/ [\d.]+ ms \| [\d.]+ (MiB|GiB) \(\+-?[\d.]+ MiB\) \| 0\.1 MiB \|$/);
    const csv = read('results.csv').split('\n');
    const header = csv[0]?.split(',') ?? [];
    const cpuLine = csv.find((line) => line.includes(`,${CPU},`))?.split(',') ?? [];
    expect(cpuLine[header.indexOf('execution_provider')]).toBe('CPUExecutionProvider');
    expect(Number(cpuLine[header.indexOf('cold_e2e_ms')])).toBeGreaterThan(0);
    expect(read('junit.xml')).toContain(`classname="qwen2.5-0.5b → ${CPU} (CPU)"`);
  });

  test('a model missing from the cache is skipped with the command that fixes it', () => {
    const [phi] = run.results?.cases.filter((c) => c.model === 'phi-4-mini') ?? [];
    expect(phi?.status).toBe('skipped');
    expect(phi?.skipReason).toBe(`${PHI} (phi-4-mini) is not downloaded: run \`foundry model download ${PHI}\`, or rerun with --download`);
  });

  test('with --download it is downloaded first, with progress, and the download stays out of the figures', async () => {
    foundry.calls.length = 0;
    const again = await bench(foundry.origin, ['--download', '--models', 'phi-4-mini']);
    expect(again.code).toBe(0);
    const [phi] = again.results?.cases ?? [];
    expect(phi?.status).toBe('passed');
    expect(phi?.modelInfo?.lifecycle?.downloadAttempts).toBe(1);
    expect(phi?.modelInfo?.lifecycle?.downloadMs).toBeGreaterThan(0);
    expect(phi?.modelInfo?.lifecycle?.diskBytes).toBeGreaterThan(0);
    // Not in fixtures/models.yaml: size and license come from Foundry Local's catalog.
    expect(phi?.catalog).toEqual({ capabilities: ['chat-completion'], size_mb: 4915, license: 'MIT' });
    expect(again.output).toMatch(/↓ downloading Phi-4-mini-instruct-generic-cpu:5 {2}\[#{20}\] 100% {2}4915\/4915 MB/);
    expect(foundry.calls).toEqual(['POST /openai/download', `GET /openai/load/${PHI}?ttl=3600`, `GET /openai/unload/${PHI}?force=true`]);
  }, 90_000);
});

describe('npm run bench -- --start-service, the current generation found through its CLI', () => {
  test('starts the stopped server, reads its URL as printed (its daemon keeps the output open), runs, and stops it', async () => {
    const foundry = await startFakeFoundry({
      generation: 'server',
      catalog: FAKE_CATALOG,
      cached: [CPU, GPU],
      loadMs: 10,
      chat: { ttftMs: 2, tokenMs: 1, tokens: 4 },
    });
    const state = join(mkdtempSync(join(tmpdir(), 'fake-foundry-cli-')), 'state.json');
    writeFileSync(
      state,
      JSON.stringify({ generation: 'server', version: '0.10.2', running: false, startUrl: foundry.origin, cacheDir: foundry.cacheDir, catalog: FAKE_CATALOG }),
    );
    // The fake CLI is a child process: it reads its state file from the environment it inherits.
    vi.stubEnv('FAKE_FOUNDRY_STATE', state);
    try {
      const run = await runBench(
        { PATH: `${CLI_DIR}${delimiter}${process.env.PATH}`, BENCH_BASE_URL: '' },
        ['--start-service'],
        'test/foundry-specs/*.bench.ts',
      );
      const log = (JSON.parse(readFileSync(state, 'utf8')) as { log: string[] }).log;
      expect(run.code).toBe(0);
      expect(run.output).toContain(`Foundry Local 0.10.2, server generation, at ${foundry.origin}`);
      expect(run.results?.cases.filter((c) => c.status === 'passed').map((c) => c.variant?.id)).toEqual([CPU, CPU, GPU, GPU]);
      expect(log).toEqual(expect.arrayContaining(['server status -o json', 'server start', 'model list --variants --limit 500 -o json', 'server stop']));
      expect(log.at(-1)).toBe('server stop');
    } finally {
      vi.unstubAllEnvs();
      await foundry.close();
    }
    // Below the 30 s the fake daemon holds the start command's output: waiting for it to close would time out here.
  }, 20_000);
});
