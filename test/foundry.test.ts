/**
 * Foundry Local against fakes of both generations (test/fakes/fake-foundry.ts)
 * and a fake `foundry` CLI on PATH (test/fakes/fake-foundry-cli/foundry).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, test, vi } from 'vitest';
import { FAKE_CATALOG, startFakeFoundry, type FakeFoundry, type FakeFoundryOptions } from './fakes/fake-foundry.ts';
import { runCli } from './helpers/cli.ts';
import { doctor } from '../harness/cli/doctor-checks.ts';
import { runOptions } from '../harness/cli/options.ts';
import { createClient } from '../harness/measure/request.ts';
import { parseCatalog, resolveVariant, runtimeFromId, aliasFromId } from '../harness/targets/foundry/catalog.ts';
import { cacheDirName, cacheEntries, isComplete } from '../harness/targets/foundry/cache.ts';
import { parsePercents, parseServiceStatus, parseStartOutput, progressLines } from '../harness/targets/foundry/cli.ts';
import { discoverFoundry, movedOrigin, foundryTargetInfo, type FoundryDiscovery } from '../harness/targets/foundry/discovery.ts';
import { classify, FoundryError } from '../harness/targets/foundry/errors.ts';
import { pidListeningOn } from '../harness/targets/foundry/process-memory.ts';
import { FoundryService, parseDownloadVerdict } from '../harness/targets/foundry/service.ts';
import { prepareModel, type PrepareOptions } from '../harness/targets/prepare.ts';
import { resolveRunTarget } from '../harness/targets/resolve.ts';
import type { FoundryOptions, FoundryTarget, FoundryVariant, RunTarget } from '../harness/types.ts';

const CLI_DIR = fileURLToPath(new URL('./fakes/fake-foundry-cli', import.meta.url));
// The published foundry-local-sdk 1.2.3 (its dist/, unchanged), with only its native core replaced by a stub.
const SDK_MODULE = fileURLToPath(new URL('./fakes/foundry-local-sdk-1.2.3/dist/index.js', import.meta.url));
/** What the stub core was asked (test/fakes/foundry-local-sdk-1.2.3/dist/detail/coreInterop.js). */
const sdkCore = () =>
  (globalThis as unknown as { foundrySdkCore: { calls: string[]; params: Record<string, string> | null; fake: FakeFoundry | null; epFailure?: boolean } })
    .foundrySdkCore;
afterAll(async () => {
  await (globalThis as unknown as { foundrySdkCore?: { fake: FakeFoundry | null } }).foundrySdkCore?.fake?.close();
});
const CPU = 'qwen2.5-0.5b-instruct-generic-cpu:4';
const GPU = 'qwen2.5-0.5b-instruct-generic-gpu:4';
const PHI = 'Phi-4-mini-instruct-generic-cpu:5';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  for (const item of open.splice(0)) await item.close();
});

async function fake(options: Partial<FakeFoundryOptions> & Pick<FakeFoundryOptions, 'generation'>): Promise<FakeFoundry> {
  const foundry = await startFakeFoundry({ catalog: FAKE_CATALOG, ...options });
  open.push(foundry);
  return foundry;
}

interface CliState {
  generation: 'service' | 'server';
  version: string;
  running: boolean;
  url?: string;
  startUrl?: string;
  cacheDir?: string;
  downloadFailures?: number;
  /** Print the daemon-start preamble before JSON output. */
  preamble?: boolean;
  /** Print a progress bar and log lines (lines starting with "[") before JSON output. */
  bracketPreamble?: boolean;
  /** `model list --limit` is unrecognised (`--variants` is not). */
  noLimitFlag?: boolean;
  /** `model download` refuses `name:version` ids (it takes the name). */
  refusesVersionedIds?: boolean;
  /** That many `model download` attempts fall silent after 40% and hang until killed. */
  downloadStalls?: number;
  /** An older CLI: `model list --variants` is unrecognised. */
  noVariantsFlag?: boolean;
  /** An older CLI: `server status -o json` prints the text form. */
  noStatusJson?: boolean;
  /** `server status` on the older generation fails with wording the parser does not know. */
  oddRefusal?: boolean;
  /** The background process `start` left holding its stdout. */
  daemonPid?: number | null;
  log?: string[];
}

/** Installs the fake CLI: an environment whose PATH finds it, and the state file it reads and writes. */
function fakeCli(state: CliState): { env: Record<string, string>; file: string; state: () => CliState } {
  const file = join(mkdtempSync(join(tmpdir(), 'fake-foundry-cli-')), 'state.json');
  writeFileSync(file, JSON.stringify({ catalog: FAKE_CATALOG, ...state }));
  vi.stubEnv('FAKE_FOUNDRY_STATE', file);
  return { env: { PATH: `${CLI_DIR}${delimiter}${process.env.PATH}` }, file, state: () => JSON.parse(readFileSync(file, 'utf8')) as CliState };
}

/** Foundry options as a run makes them from this environment (flags and config aside). */
function foundryOptions(env: Record<string, string | undefined>, startService = false): FoundryOptions {
  return { ...runOptions({}, {}, env, process.cwd()).foundry, startService, retryDelayMs: 10 };
}

const OPTIONS = foundryOptions({ PATH: '' });

async function found(env: Record<string, string | undefined>, startService = false): Promise<FoundryDiscovery> {
  const result = await discoverFoundry(foundryOptions(env, startService));
  expect(result.note).toBeNull();
  if (!result.found) throw new Error('Foundry Local not found');
  if (result.found.stop) open.push({ close: result.found.stop });
  return result.found;
}

async function targetOf(foundry: FoundryTarget): Promise<RunTarget> {
  return { kind: 'ready', info: foundryTargetInfo(foundry), models: null, modelInfo: {}, foundry };
}

describe('catalog and alias resolution', () => {
  const catalog = parseCatalog(
    FAKE_CATALOG.map((v) => ({
      name: v.id,
      alias: v.alias,
      runtime: { deviceType: v.deviceType, executionProvider: v.executionProvider },
      fileSizeMb: v.fileSizeMb,
      license: v.license,
    })),
  );

  test("an alias resolves to the cached variant first, else to the catalog's first", () => {
    expect(resolveVariant(catalog, 'qwen2.5-0.5b', undefined, new Set())).toMatchObject({ variant: { id: GPU }, reason: 'first variant in catalog order' });
    expect(resolveVariant(catalog, 'qwen2.5-0.5b', undefined, new Set([CPU]))).toMatchObject({ variant: { id: CPU }, reason: 'cached variant' });
    // The older generation prefers nothing cached; on Windows without CUDA its generic-GPU first pick becomes CPU.
    const older = (platform: NodeJS.Platform) => resolveVariant(catalog, 'qwen2.5-0.5b', undefined, new Set([CPU]), { generation: 'service', platform });
    expect(older('linux')).toMatchObject({ variant: { id: GPU }, reason: 'first variant in catalog order' });
    expect(older('win32')).toMatchObject({ variant: { id: CPU }, reason: 'CPU build, as Foundry Local picks on Windows without CUDA' });
  });

  test("a pinned device picks the newest version of that device's variant", () => {
    const cpu = resolveVariant(catalog, 'QWEN2.5-0.5b', 'cpu', new Set(['qwen2.5-0.5b-instruct-generic-cpu:3']));
    expect(cpu.variant).toMatchObject({ id: CPU, deviceType: 'CPU', executionProvider: 'CPUExecutionProvider', fileSizeMb: 822, license: 'apache-2.0' });
    expect(resolveVariant(catalog, 'qwen2.5-0.5b', 'npu', new Set()).reason).toBe(
      `"qwen2.5-0.5b" has no NPU variant on this machine (the catalog offers GPU, CPU: ${GPU}, ${CPU})`,
    );
  });

  test('an exact id, or a name without version, is taken as it is', () => {
    expect(resolveVariant(catalog, 'qwen2.5-0.5b', 'qwen2.5-0.5b-instruct-generic-cpu:3', new Set()).variant?.id).toBe('qwen2.5-0.5b-instruct-generic-cpu:3');
    expect(resolveVariant(catalog, 'qwen2.5-0.5b-instruct-generic-cpu', undefined, new Set()).variant?.id).toBe(CPU);
  });

  test('an unknown alias names close ones', () => {
    expect(resolveVariant(catalog, 'qwen3-0.6b', undefined, new Set()).reason).toBe(
      '"qwen3-0.6b" is neither an alias nor a model id in the Foundry Local catalog (close: qwen2.5-0.5b)',
    );
  });

  test('ids alone give device, execution provider and (for these families) the alias', () => {
    expect(runtimeFromId('qwen2.5-0.5b-instruct-cuda-gpu:4')).toEqual({ deviceType: 'GPU', executionProvider: 'CUDAExecutionProvider' });
    expect(runtimeFromId('deepseek-r1-distill-qwen-1.5b-qnn-npu:1')).toEqual({ deviceType: 'NPU', executionProvider: 'QNNExecutionProvider' });
    expect(aliasFromId(PHI)).toBe('phi-4-mini');
    expect(aliasFromId(CPU)).toBe('qwen2.5-0.5b');
  });
});

describe('CLI output of both generations', () => {
  const result = (stdout: string, code = 0, stderr = '') => ({ code, stdout, stderr });
  test('status', () => {
    expect(parseServiceStatus(result('State    Ready\nPID      4242\nWeb URLs http://127.0.0.1:52364\n'))).toEqual({
      running: true,
      url: 'http://127.0.0.1:52364',
      pid: 4242,
    });
    expect(parseServiceStatus(result('🟢 Model management service is running on http://127.0.0.1:55064/openai/status\n'))).toEqual({
      running: true,
      url: 'http://127.0.0.1:55064',
      pid: null,
    });
    expect(parseServiceStatus(result('🔴 Model management service is not running!\n'))).toMatchObject({ running: false, unrecognized: false });
    expect(parseServiceStatus(result('State    Stopped\n'))).toMatchObject({ running: false, unrecognized: false });
    expect(parseServiceStatus(result('', 1, "error: Unrecognized command or argument 'server'."))).toMatchObject({ running: false, unrecognized: true });
  });
  test('start', () => {
    expect(parseStartOutput(result('🟢 Service is Started on http://127.0.0.1:64646/, PID 17000!\n'))).toEqual({ url: 'http://127.0.0.1:64646', pid: 17000 });
    expect(parseStartOutput(result('● success: Server ready (http://127.0.0.1:51454)\n'))).toEqual({ url: 'http://127.0.0.1:51454', pid: null });
    expect(parseStartOutput(result('', 1, '● error: Failed to start server: port in use'))).toBeNull();
    expect(parseStartOutput(result('Failed to start service, port 5273 already in use\n'))).toEqual({ url: 'http://127.0.0.1:5273', pid: null });
  });
  test('the end of a download stream', () => {
    expect(parseDownloadVerdict('Total 100.00% Downloading model.onnx.data\n[DONE] All Completed!\n{"success":true,"errorMessage":null}')).toEqual({
      success: true,
      errorMessage: null,
    });
    expect(parseDownloadVerdict('Total 37.50% Downloading model.onnx.data\n')).toBeNull();
    // Some builds answer in PascalCase.
    expect(parseDownloadVerdict('{"Success":false,"ErrorMessage":"disk full"}')).toEqual({ success: false, errorMessage: 'disk full' });
  });

  test('download progress: percent and tuple lines, read whole line by whole line across network chunks', () => {
    expect(parsePercents('("genai_config.json", 0.2)\n("model.onnx.data", 0.78)')).toEqual([20, 78]);
    const seen: number[] = [];
    const progress = progressLines((p) => seen.push(p));
    for (const chunk of ['Total 45.', '67% Downloading model.onnx.data\nTotal 9', '0.00%\r', 'Total 100.00%']) progress.push(chunk);
    progress.end();
    expect(seen).toEqual([45.67, 90, 100]);
  });

  test("out-of-memory texts of ONNX Runtime's arena and of Windows", () => {
    expect(classify(500, 'Failed to allocate memory for requested buffer of size 1073741824')).toBe('out_of_memory');
    expect(classify(500, 'HRESULT E_OUTOFMEMORY')).toBe('out_of_memory');
  });
});

describe('discovery', () => {
  test('FOUNDRY_LOCAL_ENDPOINT comes first, even with the CLI on PATH', async () => {
    const byEnv = await fake({ generation: 'service' });
    const byCli = await fake({ generation: 'server' });
    const { env } = fakeCli({ generation: 'server', version: '0.10.1', running: true, url: byCli.origin });
    const { target } = await found({ ...env, FOUNDRY_LOCAL_ENDPOINT: `${byEnv.origin}/v1` });
    expect(target).toMatchObject({
      origin: byEnv.origin,
      generation: 'service',
      discoveredBy: 'env:FOUNDRY_LOCAL_ENDPOINT',
      version: '0.10.1',
      catalogSource: 'foundry/list',
      cacheDir: byEnv.cacheDir,
    });
    expect(foundryTargetInfo(target)).toEqual({
      baseURL: `${byEnv.origin}/v1`,
      source: 'env:FOUNDRY_LOCAL_ENDPOINT',
      kind: 'foundry-local',
      server: 'Foundry Local 0.10.1 (service generation)',
    });
  });

  test('a FOUNDRY_LOCAL_ENDPOINT that is not Foundry Local is left to the plain OpenAI path', async () => {
    const plain = await fake({ generation: 'server' });
    const result = await discoverFoundry(foundryOptions({ PATH: '', FOUNDRY_LOCAL_ENDPOINT: `${plain.origin}/nothing-here/status-less` }));
    expect(result.found?.target.origin).toBe(plain.origin); // the origin is what counts
    const none = await discoverFoundry(foundryOptions({ PATH: '', FOUNDRY_LOCAL_ENDPOINT: 'http://127.0.0.1:1/v1' }));
    expect(none).toEqual({
      found: null,
      note: "FOUNDRY_LOCAL_ENDPOINT http://127.0.0.1:1/v1 does not answer Foundry Local's status endpoints; treating it as a plain OpenAI-compatible server",
    });
  });

  test('the current generation: `foundry server status`, every build from `foundry model list --variants -o json`', async () => {
    const service = await fake({ generation: 'server' });
    const cli = fakeCli({ generation: 'server', version: '0.10.1', running: true, url: service.origin });
    const { target } = await found(cli.env);
    expect(target).toMatchObject({ generation: 'server', discoveredBy: 'foundry server status', pid: process.pid, catalogSource: 'cli', version: '0.10.1' });
    // CPU and GPU builds of one alias both, device from "Cpu"/"Gpu", provider as listed.
    expect(target.catalog.map((v) => [v.id, v.alias, v.deviceType, v.executionProvider])).toEqual(
      FAKE_CATALOG.map((v) => [v.id, v.alias, v.deviceType, v.executionProvider]),
    );
    expect(cli.state().log).toEqual(['server status -o json', '--version', 'model list --variants --limit 500 -o json']);
  });

  test('a CLI that starts its daemon first prints a preamble before the JSON: the catalog is still read', async () => {
    const service = await fake({ generation: 'server' });
    const cli = fakeCli({ generation: 'server', version: '0.10.2', running: true, url: service.origin, preamble: true });
    const { target, notes } = await found(cli.env);
    expect(target.catalogSource).toBe('cli');
    expect(target.catalog).toHaveLength(FAKE_CATALOG.length);
    expect(notes).toEqual([]);
  });

  test('lines that start like JSON before it (a progress bar, log lines) and a refused --limit: every build is still read', async () => {
    const service = await fake({ generation: 'server' });
    const cli = fakeCli({ generation: 'server', version: '0.10.3', running: true, url: service.origin, bracketPreamble: true, noLimitFlag: true });
    const { target, notes } = await found(cli.env);
    expect(target.catalog.map((v) => v.id)).toEqual(FAKE_CATALOG.map((v) => v.id));
    expect(notes).toEqual([]);
    // Without --limit, --variants still asked for: every build, not one per alias.
    expect(cli.state().log?.slice(-2)).toEqual(['model list --variants --limit 500 -o json', 'model list --variants -o json']);
  });

  test('an older CLI without --variants or a JSON status: the text status, the plain list, every build nested under its alias', async () => {
    const service = await fake({ generation: 'server' });
    const cli = fakeCli({ generation: 'server', version: '0.9.0', running: true, url: service.origin, noVariantsFlag: true, noStatusJson: true });
    const { target } = await found(cli.env);
    expect(target.catalog.map((v) => v.id)).toEqual(FAKE_CATALOG.map((v) => v.id));
    expect(cli.state().log?.slice(0, 2)).toEqual(['server status -o json', 'server status']);
    expect(cli.state().log?.slice(-3)).toEqual(['model list --variants --limit 500 -o json', 'model list --variants -o json', 'model list -o json']);
  });

  test('Core 1.x: no GET /status, /v1/models lists only local models with their alias as `parent`', async () => {
    const service = await fake({ generation: 'server', core1: true, cached: [GPU, PHI] });
    const result = await discoverFoundry(foundryOptions({ PATH: '', FOUNDRY_LOCAL_ENDPOINT: service.origin }));
    const target = result.found?.target as FoundryTarget;
    expect(target).toMatchObject({ generation: 'server', catalogSource: 'v1/models', cacheDir: null });
    expect(target.catalog.map((v) => [v.id, v.alias])).toEqual(FAKE_CATALOG.filter((v) => v.id === GPU || v.id === PHI).map((v) => [v.id, v.alias]));
    expect(result.found?.notes.join('\n')).toContain('GET /v1/models lists only the models already on this machine');
    // An alias not on this machine is skipped, saying why it is unknown.
    const prepared = await prepareModel(await targetOf(target), 'qwen3-0.6b', undefined, { foundry: OPTIONS, cold: null });
    expect(prepared).toMatchObject({ kind: 'skip', reason: expect.stringContaining('the catalog here is GET /v1/models, the models already on this machine') });
  });

  test('the C++ Core (GET /status) lists every build in /v1/models: no note that it lists only local models', async () => {
    const service = await fake({ generation: 'server' });
    const { target, notes } = await found({ PATH: '', FOUNDRY_LOCAL_ENDPOINT: service.origin });
    expect(target.catalog.map((v) => v.id)).toEqual(FAKE_CATALOG.map((v) => v.id));
    expect(notes.join('\n')).not.toContain('only the models already on this machine');
    expect(notes.join('\n')).toContain('aliases are inferred from the GET /v1/models ids');
  });

  test('the newest Core loads and unloads by alias only: the build it picks by its alias, another through the CLI, or an error that says why', async () => {
    const service = await fake({ generation: 'server', core1: true, cached: [GPU, CPU] });
    const { target } = await found({ PATH: '', FOUNDRY_LOCAL_ENDPOINT: service.origin });
    // The whole catalog, as a CLI would give it (the /v1/models of this Core lists only local models), and its cache.
    const withCatalog: FoundryTarget = { ...target, catalog: parseCatalog(FAKE_CATALOG), cacheDir: service.cacheDir };
    const foundry = new FoundryService(withCatalog);
    const gpu = withCatalog.catalog.find((v) => v.id === GPU) as FoundryVariant;
    expect(await foundry.load(gpu, 600)).toBe('loaded');
    expect(foundry.loadFallback).toBe(`loaded by alias ${gpu.alias}: this Core loads by alias only (${GPU} is the build it picks for the alias)`);
    expect(await foundry.loaded()).toEqual([GPU]);
    // Unloaded the way it was loaded: by its alias (the id answers 404 here).
    await foundry.unload(gpu);
    expect(await foundry.loaded()).toEqual([]);
    expect(service.calls.filter((c) => c.startsWith('GET /models/unload/'))).toEqual([`GET /models/unload/${gpu.alias}`]);
    const cpu = withCatalog.catalog.find((v) => v.id === CPU) as FoundryVariant;
    await expect(foundry.load(cpu, 600)).rejects.toThrow(`this Core loads by alias only, and ${CPU} is not the build it picks for ${cpu.alias}`);
    // With the CLI, another build loads and unloads by id through `foundry model load|unload`.
    const cli = fakeCli({ generation: 'server', version: '0.11.0', running: true, url: service.origin });
    const viaCli = new FoundryService({ ...withCatalog, cli: join(CLI_DIR, 'foundry') });
    expect(await viaCli.load(cpu, 600)).toBe('loaded');
    expect(viaCli.loadFallback).toBe(`loaded with \`foundry model load ${CPU}\`: this Core loads by alias only`);
    expect(await viaCli.loaded()).toEqual([CPU]);
    await viaCli.unload(cpu);
    expect(await viaCli.loaded()).toEqual([]);
    expect(cli.state().log?.slice(-2)).toEqual([`model load ${CPU}`, `model unload ${CPU}`]);
    // A build loaded elsewhere that the Core will not unload by id, and no CLI: the error says it stays loaded.
    await viaCli.load(cpu, 600);
    await expect(new FoundryService(withCatalog).unload(cpu)).rejects.toThrow(`it stays loaded (unload it with \`foundry model unload ${CPU}\`)`);
  });

  test("the newest Core's pick for an alias is its first cached build, not the catalog's first", async () => {
    // The GPU build is the catalog's first, but only the CPU build is on this machine: the alias loads the CPU build.
    const service = await fake({ generation: 'server', core1: true, cached: [CPU] });
    const { target } = await found({ PATH: '', FOUNDRY_LOCAL_ENDPOINT: service.origin });
    const foundry = new FoundryService({ ...target, catalog: parseCatalog(FAKE_CATALOG), cacheDir: service.cacheDir });
    const cpu = parseCatalog(FAKE_CATALOG).find((v) => v.id === CPU) as FoundryVariant;
    await foundry.load(cpu, 600);
    expect(foundry.loadFallback).toBe(`loaded by alias ${cpu.alias}: this Core loads by alias only (${CPU} is the build it picks for the alias)`);
    expect(await foundry.loaded()).toEqual([CPU]);
  });

  test('without GET /status the cache is still known: the CLI names its folder, or its listing says what is cached', async () => {
    const service = await fake({ generation: 'server', core1: true, cached: [CPU] });
    const cli = fakeCli({ generation: 'server', version: '0.10.3', running: true, url: service.origin, cacheDir: service.cacheDir });
    const { target } = await found(cli.env);
    expect(target.cacheDir).toBe(service.cacheDir);
    expect(cli.state().log).toContain('cache location --output json');
    expect([...((await new FoundryService(target).cached()) ?? [])]).toEqual([CPU]);
    // No folder to read (a service elsewhere): the listing's `cached` field.
    expect(target.catalog.find((v) => v.id === CPU)?.cached).toBe(true);
    expect([...((await new FoundryService({ ...target, cacheDir: null }).cached()) ?? [])]).toEqual([CPU]);
  });

  test('gen-1 loads: no ep for CPU builds; a generic-gpu build goes to CUDA when the catalog has CUDA builds, as the SDKs send it', async () => {
    const service = await fake({ generation: 'service', cached: [GPU, CPU] });
    const { target } = await found({ PATH: '', FOUNDRY_LOCAL_ENDPOINT: service.origin });
    const gpu = target.catalog.find((v) => v.id === GPU) as FoundryVariant;
    const cpu = target.catalog.find((v) => v.id === CPU) as FoundryVariant;
    await new FoundryService(target).load(cpu, 600);
    await new FoundryService(target).load(gpu, 600);
    const cuda = { ...gpu, id: 'qwen2.5-0.5b-instruct-cuda-gpu:4', executionProvider: 'CUDAExecutionProvider' };
    await new FoundryService({ ...target, catalog: [...target.catalog, cuda] }).load(gpu, 600);
    expect(service.calls.filter((c) => c.startsWith('GET /openai/load/'))).toEqual([
      `GET /openai/load/${CPU}?ttl=600`,
      `GET /openai/load/${GPU}?ttl=600&ep=webgpu`,
      `GET /openai/load/${GPU}?ttl=600&ep=cuda`,
    ]);
    // What runs is what is recorded: that build on CUDA, its catalog provider kept beside it (audit L4).
    const prepared = await prepareModel(await targetOf({ ...target, catalog: [...target.catalog, cuda] }), 'qwen2.5-0.5b', GPU, {
      foundry: OPTIONS,
      cold: null,
    });
    expect(prepared.variant).toMatchObject({ id: GPU, executionProvider: 'CUDAExecutionProvider', catalogExecutionProvider: 'WebGpuExecutionProvider' });
  });

  test('a half-finished download is not cached (Foundry Local needs both JSON files and no download.tmp)', async () => {
    const service = await fake({ generation: 'server', cached: [GPU], partial: [CPU] });
    expect(cacheEntries(service.cacheDir)).toEqual(new Map([[cacheDirName(GPU), expect.stringContaining(cacheDirName(GPU))]]));
    expect(isComplete(join(service.cacheDir, 'Microsoft', cacheDirName(CPU)))).toBe(false);
  });

  test('a service that came back on another port is found again through the CLI; one that answers is left alone', async () => {
    const first = await fake({ generation: 'server' });
    const cli = fakeCli({ generation: 'server', version: '0.10.3', running: true, url: first.origin });
    const { target } = await found(cli.env);
    expect(await movedOrigin(target)).toBeNull();
    // It stops (idle) and comes back elsewhere.
    await first.close();
    const second = await fake({ generation: 'server' });
    writeFileSync(cli.file, JSON.stringify({ ...cli.state(), url: second.origin }));
    expect(await movedOrigin(target)).toBe(second.origin);
    // Gone for good: nothing to follow.
    writeFileSync(cli.file, JSON.stringify({ ...cli.state(), running: false }));
    expect(await movedOrigin(target)).toBeNull();
  });

  test('the older generation: `server` is unrecognised, `foundry service status` answers', async () => {
    const service = await fake({ generation: 'service' });
    const cli = fakeCli({ generation: 'service', version: '0.8.117', running: true, url: service.origin });
    const { target } = await found(cli.env);
    expect(target).toMatchObject({ generation: 'service', discoveredBy: 'foundry service status', catalogSource: 'foundry/list', version: '0.8.117' });
    expect(target.catalog.find((v) => v.id === CPU)).toMatchObject({
      alias: 'qwen2.5-0.5b',
      fileSizeMb: 822,
      license: 'apache-2.0',
      downloadRef: { publisher: 'Microsoft' },
    });
    expect(cli.state().log).toEqual(['server status -o json', 'server status', 'service status', '--version']);
  });

  test('a failing `server status` without a URL, in words not known, still falls back to `service status`', async () => {
    const service = await fake({ generation: 'service' });
    const cli = fakeCli({ generation: 'service', version: '0.8.117', running: true, url: service.origin, oddRefusal: true });
    const { target } = await found(cli.env);
    expect(target).toMatchObject({ generation: 'service', discoveredBy: 'foundry service status' });
  });

  test('a stopped service is started only when allowed, and stopped again afterwards', async () => {
    const service = await fake({ generation: 'service' });
    const cli = fakeCli({ generation: 'service', version: '0.8.117', running: false, startUrl: service.origin });
    const refused = await discoverFoundry(foundryOptions(cli.env));
    expect(refused.found).toBeNull();
    expect(refused.note).toContain('its service is not running');
    expect(refused.note).toContain('start it with `foundry service start` or pass --start-service');
    const result = await discoverFoundry(foundryOptions(cli.env, true));
    expect(result.found?.target.origin).toBe(service.origin);
    expect(cli.state().running).toBe(true);
    // The start left a daemon holding its stdout (30 s); discovery did not wait for it to let go.
    const daemon = cli.state().daemonPid as number;
    expect(() => process.kill(daemon, 0)).not.toThrow();
    await result.found?.stop?.();
    expect(cli.state().running).toBe(false);
    expect(cli.state().log).toContain('service stop');
  });

  test('gen-2 `foundry server start`: the URL is read as printed, though the daemon keeps the output open', async () => {
    const service = await fake({ generation: 'server' });
    const cli = fakeCli({ generation: 'server', version: '0.10.2', running: false, startUrl: service.origin });
    const result = await discoverFoundry(foundryOptions(cli.env, true));
    expect(result.found?.target).toMatchObject({ origin: service.origin, generation: 'server' });
    expect(() => process.kill(cli.state().daemonPid as number, 0)).not.toThrow();
    await result.found?.stop?.();
    expect(cli.state().log).toEqual(expect.arrayContaining(['server start', 'server stop']));
  });

  test('a failing start is an error that says what the CLI printed', async () => {
    const cli = fakeCli({ generation: 'server', version: '0.10.1', running: false, startUrl: 'http://127.0.0.1:1' });
    writeFileSync(process.env.FAKE_FOUNDRY_STATE as string, JSON.stringify({ ...cli.state(), startFails: true, catalog: FAKE_CATALOG }));
    await expect(discoverFoundry(foundryOptions(cli.env, true))).rejects.toThrow(
      '`foundry server start` did not report a URL (exit 1): ● error: Failed to start server: port in use',
    );
  });

  test('without a CLI, the published SDK 1.x starts its web service; without either, nothing is found', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'shared-cache-'));
    const logged: string[] = [];
    const result = await discoverFoundry(foundryOptions({ PATH: '', FOUNDRY_BENCH_SDK_MODULE: SDK_MODULE, FOUNDRY_BENCH_SDK_CACHE: cache }), (line) =>
      logged.push(line),
    );
    const target = result.found?.target as FoundryTarget;
    // A first run downloads the execution providers: its progress is shown, and what registered is said.
    expect(logged).toEqual([0, 50, 100].map((p) => `foundry-local-sdk: downloading execution provider WebGpuExecutionProvider: ${p}%`));
    expect(result.found?.notes).toContain('foundry-local-sdk: execution providers registered: WebGpuExecutionProvider');
    expect(target.executionProviders).toEqual({ registered: ['WebGpuExecutionProvider'], failed: [], status: 'ok' });
    expect(target).toMatchObject({ generation: 'server', discoveredBy: 'foundry-local-sdk', catalogSource: 'sdk', pid: process.pid });
    // The real classes' id/alias/info are prototype getters: every variant is read, none lost to a spread.
    expect(target.catalog.map((v) => v.id).sort()).toEqual(FAKE_CATALOG.map((v) => v.id).sort());
    // Execution providers registered before the catalog is read (the GPU builds exist only then), in the shared cache.
    const calls = sdkCore().calls;
    expect(calls.indexOf('download_and_register_eps')).toBeLessThan(calls.indexOf('get_model_list'));
    expect(sdkCore().params).toMatchObject({ AppName: 'foundry-bench', ModelCacheDir: cache });
    expect(result.found?.notes).toContain(`foundry-local-sdk: model cache ${cache}`);
    expect(target.catalog.filter((v) => v.alias === 'qwen2.5-0.5b').map((v) => v.executionProvider)).toEqual([
      'WebGpuExecutionProvider',
      'CPUExecutionProvider',
      'CPUExecutionProvider',
    ]);
    expect(await discoverFoundry(foundryOptions({ PATH: '' }))).toEqual({ found: null, note: null });
  });

  test('a provider that fails to register is said at discovery and by doctor, not dropped', async () => {
    sdkCore().epFailure = true;
    try {
      const cache = mkdtempSync(join(tmpdir(), 'shared-cache-'));
      const result = await discoverFoundry(foundryOptions({ PATH: '', FOUNDRY_BENCH_SDK_MODULE: SDK_MODULE, FOUNDRY_BENCH_SDK_CACHE: cache }));
      expect(result.found?.notes).toContain(
        'foundry-local-sdk: execution providers failed: CUDAExecutionProvider (One or more EPs failed); registered: WebGpuExecutionProvider. ' +
          'The GPU and NPU builds of a failed provider are missing from the catalog: check its drivers, then run again',
      );
      const target = await targetOf(result.found?.target as FoundryTarget);
      const checks = await doctor(target, [], { apiKey: 'k', foundry: OPTIONS, accelerators: async () => null });
      expect(checks.find((c) => c.name === 'execution providers')).toMatchObject({
        status: 'warn',
        detail: 'failed: CUDAExecutionProvider (One or more EPs failed); registered: WebGpuExecutionProvider',
      });
      await result.found?.stop?.();
    } finally {
      sdkCore().epFailure = false;
    }
  });
});

describe('where a run looks, in order', () => {
  // The options a run makes from this environment and config: no global state is involved.
  const resolve = (env: Record<string, string>, config: object = {}) => resolveRunTarget(runOptions({}, config, env, process.cwd()), () => {}, false);

  test('BENCH_BASE_URL, then FOUNDRY_LOCAL_ENDPOINT, then the config target, then the foundry CLI', async () => {
    const byEnv = await fake({ generation: 'service' });
    const byCli = await fake({ generation: 'server' });
    const cli = fakeCli({ generation: 'server', version: '0.10.1', running: true, url: byCli.origin });
    const plain = 'http://127.0.0.1:9/v1';
    const source = async (env: Record<string, string>, config?: object) => {
      const resolved = await resolve({ ...cli.env, ...env }, config);
      open.push({ close: resolved?.close ?? (async () => {}) });
      return resolved?.target.info?.source ?? 'none';
    };
    expect(await source({ BENCH_BASE_URL: plain, FOUNDRY_LOCAL_ENDPOINT: byEnv.origin })).toBe('env:BENCH_BASE_URL');
    expect(await source({ FOUNDRY_LOCAL_ENDPOINT: byEnv.origin }, { target: plain })).toBe('env:FOUNDRY_LOCAL_ENDPOINT');
    expect(await source({}, { target: plain })).toBe('config');
    expect(await source({})).toBe('foundry server status');
    expect(await source({ BENCH_FOUNDRY: '0' })).toBe('none');
    expect(await source({}, { foundry: { discover: false } })).toBe('none');
  });
});

describe('downloads', () => {
  test('an interrupted download is retried with back-off, and progress reaches 100%', async () => {
    const service = await fake({ generation: 'service', faults: { dropDownloads: 2, dropAtPercent: 40 } });
    const { target } = await found({ PATH: '', FOUNDRY_LOCAL_ENDPOINT: service.origin });
    const events: Array<{ percent: number; attempt: number }> = [];
    const variant = target.catalog.find((v) => v.id === PHI) as FoundryVariant;
    const done = await new FoundryService(target).download(variant, { retries: 3, retryDelayMs: 10, onProgress: (e) => events.push(e) });
    expect(done.attempts).toBe(3);
    expect(events.filter((e) => e.attempt === 1).map((e) => e.percent)).toEqual([0, 12.5, 25, 37.5]);
    expect(events.at(-1)).toEqual({ percent: 100, attempt: 3 });
    expect(service.cached()).toEqual([PHI]);
    expect(new FoundryService(target).diskBytes(PHI)).toBeGreaterThan(64 * 1024);
  });

  test("through the SDK, the run's own loopback endpoint runs the SDK's download and streams its progress", async () => {
    const { target } = await found({ PATH: '', FOUNDRY_BENCH_SDK_MODULE: SDK_MODULE });
    expect(target.downloadBridge).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/download\/[0-9a-f]{32}$/);
    const service = new FoundryService(target);
    expect((await service.cached())?.has(PHI)).toBe(false);
    const events: number[] = [];
    const done = await service.download(target.catalog.find((v) => v.id === PHI) as FoundryVariant, {
      retries: 0,
      retryDelayMs: 1,
      onProgress: (e) => events.push(e.percent),
    });
    expect(done.attempts).toBe(1);
    expect(events).toEqual([0, 25, 50, 75, 100]);
    expect((await service.cached())?.has(PHI)).toBe(true);
    // Without the secret path, nothing downloads.
    expect((await fetch(`${new URL(target.downloadBridge as string).origin}/download/x/${PHI}`, { method: 'POST' })).status).toBe(404);
  });

  test('when retries run out, the error says so and hints at --download', async () => {
    const service = await fake({ generation: 'service', faults: { dropDownloads: 5 } });
    const { target } = await found({ PATH: '', FOUNDRY_LOCAL_ENDPOINT: service.origin });
    const variant = target.catalog.find((v) => v.id === PHI) as FoundryVariant;
    const error = await new FoundryService(target).download(variant, { retries: 1, retryDelayMs: 1, onProgress: () => {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FoundryError);
    expect(error).toMatchObject({ kind: 'download_failed', message: expect.stringContaining(`download of ${PHI} failed after 2 attempt(s)`) });
  });

  test('the current generation downloads through `foundry model download`, retried the same way', async () => {
    const service = await fake({ generation: 'server' });
    const cli = fakeCli({ generation: 'server', version: '0.10.1', running: true, url: service.origin, cacheDir: service.cacheDir, downloadFailures: 1 });
    const { target } = await found(cli.env);
    const events: Array<{ percent: number; attempt: number }> = [];
    const done = await new FoundryService(target).download(target.catalog.find((v) => v.id === PHI) as FoundryVariant, {
      retries: 2,
      retryDelayMs: 10,
      onProgress: (e) => events.push(e),
    });
    expect(done.attempts).toBe(2);
    expect(events.filter((e) => e.attempt === 1).map((e) => e.percent)).toEqual([20, 40]);
    expect(events.filter((e) => e.attempt === 2).map((e) => e.percent)).toEqual([20, 40, 60, 80, 100]);
    expect(await new FoundryService(target).cached()).toEqual(new Set([PHI]));
  });

  test('a download that stops making progress is stopped as stalled and retried', async () => {
    const service = await fake({ generation: 'server' });
    const cli = fakeCli({ generation: 'server', version: '0.10.3', running: true, url: service.origin, cacheDir: service.cacheDir, downloadStalls: 1 });
    const { target } = await found(cli.env);
    const phi = target.catalog.find((v) => v.id === PHI) as FoundryVariant;
    const events: Array<{ percent: number; attempt: number }> = [];
    const done = await new FoundryService(target).download(phi, { retries: 2, retryDelayMs: 10, stallMs: 1500, onProgress: (e) => events.push(e) });
    expect(done.attempts).toBe(2);
    expect(events.filter((e) => e.attempt === 1).map((e) => e.percent)).toEqual([20, 40]);
    expect(events.filter((e) => e.attempt === 2).at(-1)?.percent).toBe(100);
    // Out of retries, the error says it stalled.
    writeFileSync(cli.file, JSON.stringify({ ...cli.state(), downloadStalls: 1 }));
    await expect(new FoundryService(target).download(phi, { retries: 0, retryDelayMs: 10, stallMs: 1500, onProgress: () => {} })).rejects.toThrow(
      `download of ${PHI} failed after 1 attempt(s): stalled: no progress for 2 s`,
    );
  });

  test('a CLI that refuses the versioned id before starting gets the variant name (the latest version of it)', async () => {
    const service = await fake({ generation: 'server' });
    const cli = fakeCli({ generation: 'server', version: '0.10.3', running: true, url: service.origin, cacheDir: service.cacheDir, refusesVersionedIds: true });
    const { target } = await found(cli.env);
    await new FoundryService(target).download(target.catalog.find((v) => v.id === PHI) as FoundryVariant, {
      retries: 0,
      retryDelayMs: 10,
      onProgress: () => {},
    });
    expect(cli.state().log?.filter((l) => l.startsWith('model download'))).toEqual([`model download ${PHI}`, 'model download Phi-4-mini-instruct-generic-cpu']);
    expect(await new FoundryService(target).cached()).toEqual(new Set([PHI]));
    // An older version of a name is never asked for by the bare name (that would fetch the latest).
    const old = target.catalog.find((v) => v.id === 'qwen2.5-0.5b-instruct-generic-cpu:3') as FoundryVariant;
    await expect(new FoundryService(target).download(old, { retries: 0, retryDelayMs: 10, onProgress: () => {} })).rejects.toThrow(
      "`foundry model download qwen2.5-0.5b-instruct-generic-cpu:3` exited with 1: ● error: Model 'qwen2.5-0.5b-instruct-generic-cpu:3' was not found",
    );
  });
});

describe('getting a model ready', () => {
  const prepare = (target: RunTarget, overrides: Partial<FoundryOptions> = {}, onDownload?: PrepareOptions['onDownload']): PrepareOptions => ({
    foundry: { ...OPTIONS, ...overrides },
    cold: {
      client: createClient(target.info?.baseURL ?? '', 'x'),
      request: { messages: [{ role: 'user' as const, content: 'hi' }], maxTokens: 8, temperature: 0, seed: 42, stream: true, timeoutMs: 5_000 },
    },
    ...(onDownload ? { onDownload } : {}),
  });
  const ready = (prepared: Awaited<ReturnType<typeof prepareModel>>) => {
    if (prepared.kind !== 'ready') throw new Error(`not ready: ${prepared.kind === 'skip' ? prepared.reason : prepared.message}`);
    return prepared;
  };

  test('load is timed, memory measured, the cold request kept apart, and the model unloaded afterwards', async () => {
    const service = await fake({ generation: 'server', cached: [CPU], loadMs: 60, loadBytes: 128 * 2 ** 20, chat: { ttftMs: 20 } });
    const target = await targetOf((await found({ PATH: '', FOUNDRY_LOCAL_ENDPOINT: service.origin })).target);
    const prepared = ready(await prepareModel(target, 'qwen2.5-0.5b', undefined, prepare(target)));
    expect(prepared).toMatchObject({ kind: 'ready', servedId: CPU, variant: { id: CPU, executionProvider: 'CPUExecutionProvider', reason: 'cached variant' } });
    const info = prepared.modelInfo;
    expect(info?.loadMs).toBeGreaterThanOrEqual(55);
    expect(info?.lifecycle).toMatchObject({ alreadyLoaded: false, unloadAfter: true, downloadMs: null, cold: { ok: true, error: null } });
    expect(info?.lifecycle?.cold?.ttftMs).toBeGreaterThanOrEqual(15);
    // The fake serves from this test's own process, whose garbage collector may hand back tens of MiB while the
    // load holds 128 MiB (seen: 48 MiB held, 17 MiB growth): half of it is the bound.
    expect(info?.rssGrowthBytes).toBeGreaterThan(64 * 2 ** 20);
    expect(info?.lifecycle?.diskBytes).toBeGreaterThan(64 * 1024);
    expect(service.loaded()).toEqual([CPU]);
    expect((await service.sim.served()).length).toBe(1);
    await prepared.release();
    expect(service.loaded()).toEqual([]);
    expect(service.calls).toEqual([`GET /models/load/${CPU}`, `GET /models/unload/${CPU}`]);
  });

  test('a model that was loaded already stays loaded, and no cold start is claimed', async () => {
    // The service may name models without their version, or in another case.
    const service = await fake({ generation: 'service', cached: [CPU], loaded: [CPU.toUpperCase().replace(/:4$/, '')] });
    const target = await targetOf((await found({ PATH: '', FOUNDRY_LOCAL_ENDPOINT: service.origin })).target);
    const prepared = ready(await prepareModel(target, 'qwen2.5-0.5b', 'cpu', prepare(target)));
    expect(prepared.modelInfo).toMatchObject({ loadMs: null, lifecycle: { alreadyLoaded: true, unloadAfter: false, cold: null } });
    await prepared.release();
    expect(service.loaded()).toEqual([CPU.toUpperCase().replace(/:4$/, '')]);
    expect(service.calls).toEqual([]);
  });

  test('a model not in the cache is skipped with the command that fixes it; with --download it is fetched', async () => {
    const service = await fake({ generation: 'service' });
    const target = await targetOf((await found({ PATH: '', FOUNDRY_LOCAL_ENDPOINT: service.origin })).target);
    const skipped = await prepareModel(target, 'phi-4-mini', undefined, prepare(target));
    expect(skipped).toMatchObject({
      kind: 'skip',
      reason: `${PHI} (phi-4-mini) is not downloaded: run \`foundry model download ${PHI}\`, or rerun with --download`,
    });
    const progress: Array<{ id: string; percent: number }> = [];
    const onDownload: PrepareOptions['onDownload'] = (variant) => (event) => progress.push({ id: variant.id, percent: event.percent });
    const fetched = ready(await prepareModel(target, 'phi-4-mini', undefined, prepare(target, { download: true }, onDownload)));
    expect(fetched.servedId).toBe(PHI);
    expect(fetched.modelInfo?.lifecycle).toMatchObject({ downloadAttempts: 1, cold: { ok: true } });
    expect(fetched.modelInfo?.lifecycle?.downloadMs).toBeGreaterThan(0);
    // Progress reaches whoever asked for it, ending at 100%.
    expect(progress.at(-1)).toEqual({ id: PHI, percent: 100 });
    expect(service.calls[0]).toBe('POST /openai/download');
    expect(service.calls[1]).toBe(`GET /openai/load/${PHI}?ttl=3600`);
    await fetched.release();
  });

  test.runIf(process.platform === 'linux')('the older generation does not report its pid: the process listening on its port is found', async () => {
    const service = await fake({ generation: 'service' });
    expect(await pidListeningOn(Number(new URL(service.origin).port))).toBe(process.pid);
    const { target } = await found({ PATH: '', FOUNDRY_LOCAL_ENDPOINT: service.origin });
    expect(target.pid).toBeNull();
    expect(await new FoundryService(target).residentBytes()).toBeGreaterThan(10 * 2 ** 20);
  });

  test('a load that runs out of memory fails with a hint', async () => {
    const service = await fake({ generation: 'server', cached: [CPU], faults: { outOfMemory: [CPU] } });
    const target = await targetOf((await found({ PATH: '', FOUNDRY_LOCAL_ENDPOINT: service.origin })).target);
    const prepared = await prepareModel(target, 'qwen2.5-0.5b', 'cpu', prepare(target));
    expect(prepared.kind).toBe('fail');
    expect(prepared.kind === 'fail' && prepared.message).toContain(`GET /models/load/${CPU} answered HTTP 500`);
    expect(prepared.kind === 'fail' && prepared.message).toContain('hint: out of memory: pick a smaller variant');
  });
});

describe('doctor and models on Foundry Local', () => {
  test('doctor: a healthy setup passes and leaves the service as found', async () => {
    const service = await fake({ generation: 'server', cached: [CPU] });
    const target = await targetOf((await found({ PATH: '', FOUNDRY_LOCAL_ENDPOINT: service.origin })).target);
    const checks = await doctor(target, [{ model: 'qwen2.5-0.5b', selector: 'cpu' }], { apiKey: 'k', foundry: OPTIONS, accelerators: async () => null });
    expect(checks.map((c) => [c.status, c.name])).toEqual([
      ['pass', 'endpoint'],
      ['warn', 'version'],
      ['pass', 'qwen2.5-0.5b [cpu]: ready'],
      ['pass', 'qwen2.5-0.5b [cpu]: answers'],
      ['pass', 'qwen2.5-0.5b [cpu]: streaming usage'],
      ['pass', 'qwen2.5-0.5b [cpu]: deterministic'],
    ]);
    expect(checks[2]?.detail).toMatch(new RegExp(`^${CPU.replace(/[.]/g, '\\.')} \\(CPUExecutionProvider; cached variant\\), cached, loaded in \\d+ ms$`));
    expect(service.loaded()).toEqual([]);
  });

  test('doctor says how a model was loaded on a Core that loads by alias only', async () => {
    const service = await fake({ generation: 'server', core1: true, cached: [GPU] });
    const target = await targetOf((await found({ PATH: '', FOUNDRY_LOCAL_ENDPOINT: service.origin })).target);
    const checks = await doctor(target, [{ model: 'qwen2.5-0.5b', selector: undefined }], { apiKey: 'k', foundry: OPTIONS, accelerators: async () => null });
    expect(checks.find((c) => c.name === 'qwen2.5-0.5b: ready')?.detail).toMatch(
      /loaded in \d+ ms \(loaded by alias qwen2\.5-0\.5b: this Core loads by alias only \(.+ is the build it picks for the alias\)\)$/,
    );
  });

  test('doctor --models: a broken setup fails per model with hints, and exits 1', async () => {
    const service = await fake({ generation: 'service', cached: [GPU], faults: { outOfMemory: [GPU] } });
    const { code, output } = await runCli(['doctor', '--models', 'qwen2.5-0.5b [gpu],phi-4-mini,qwen3-0.6b'], {
      FOUNDRY_LOCAL_ENDPOINT: service.origin,
      PATH: '',
      FOUNDRY_BENCH_ACCELERATORS: 'gpu:Test GPU,npu:Test NPU',
    });
    expect(code).toBe(1);
    expect(output).toContain('× qwen2.5-0.5b [gpu]: ready');
    expect(output).toContain('hint: out of memory: pick a smaller variant');
    // Named by the user: a model the target cannot run (not downloaded, unknown) is the answer "no", not a skip.
    expect(output).toContain(
      `× phi-4-mini: ready          ${PHI} (phi-4-mini) is not downloaded: run \`foundry model download ${PHI}\`, or rerun with --download`,
    );
    expect(output).toContain('× qwen3-0.6b: ready          "qwen3-0.6b" is neither an alias nor a model id');
    // The machine's GPU has builds in the catalog; its NPU has none, and which providers registered is unknown here.
    expect(output).toMatch(/✓ GPU builds +Test GPU \(from FOUNDRY_BENCH_ACCELERATORS\): the catalog lists \d+\n/);
    expect(output).toMatch(
      /! NPU builds +this machine has Test NPU \(from FOUNDRY_BENCH_ACCELERATORS\), but the catalog lists no NPU build; which execution providers registered is unknown/,
    );
    // The endpoint and the GPU builds pass, the unknown version and the NPU warn.
    expect(output).toMatch(/\n2 passed, 2 warning\(s\), 3 failed\n$/);
  });

  test('doctor on the specs: a model the specs use that a run skips (not downloaded) is shown as skipped', async () => {
    const service = await fake({ generation: 'service', cached: [CPU] });
    const { code, output } = await runCli(['doctor', '--specs', 'test/foundry-specs/*.bench.ts'], { FOUNDRY_LOCAL_ENDPOINT: service.origin, PATH: '' });
    expect(output).toMatch(/\n- phi-4-mini: ready +skipped by a run: /);
    expect(output).toContain(`skipped by a run: ${PHI} (phi-4-mini) is not downloaded: run \`foundry model download ${PHI}\`, or rerun with --download`);
    expect(output).toMatch(/\n- qwen2\.5-0\.5b \[gpu\]: ready +skipped by a run: /);
    expect(output).toMatch(/✓ qwen2\.5-0\.5b \[cpu\]: deterministic/);
    expect(output).toMatch(/\n4 passed, 2 warning\(s\), 0 failed, 2 skipped\n$/);
    expect(code).toBe(0);
  }, 60_000);

  test('models: one row per variant, the resolved one starred, with cache, load and disk state', async () => {
    const service = await fake({ generation: 'service', cached: [CPU], loaded: [CPU] });
    const { code, output } = await runCli(['models'], { FOUNDRY_LOCAL_ENDPOINT: service.origin, PATH: '' });
    expect(code).toBe(0);
    const row = (id: string) =>
      output
        .split('\n')
        .find((line) => line.includes(` ${id} `))
        ?.split(/\s{2,}/);
    // The older generation's alias pick is the catalog's first build, cached or not (as its SDKs and CLI pick).
    expect(row(CPU)).toEqual(['qwen2.5-0.5b', CPU, 'CPU', 'CPUExecutionProvider', '822 MiB', 'apache-2.0', 'yes', 'yes', '0.1 MiB', 'chat, tools']);
    expect(row(GPU)?.slice(0, 10)).toEqual(['qwen2.5-0.5b', '*', GPU, 'GPU', 'WebGpuExecutionProvider', '696 MiB', 'apache-2.0', 'no', 'no', '-']);
    expect(output).toContain('not in this Foundry Local catalog: ');
    expect(output).toContain(
      `target: ${service.origin}/v1 (foundry-local, Foundry Local (version unknown) (service generation), from env:FOUNDRY_LOCAL_ENDPOINT)`,
    );
  });
});
