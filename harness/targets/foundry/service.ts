/**
 * Foundry Local as a target: discovery (where the service listens and which
 * generation answers), its catalog, cache and loaded models, and the model
 * lifecycle calls (download, load, unload). Requests themselves go through
 * the same OpenAI-compatible path as every other target.
 *
 * Generations (docs/foundry-local.md lists the versions followed):
 * - `service` (CLI <= 0.8.x): GET /openai/status, /foundry/list, /openai/models,
 *   /openai/loadedmodels, /openai/load/{id}?ttl=, /openai/unload/{id}; POST
 *   /openai/download streams `Total 45.67%` lines.
 * - `server` (Core 1.x: CLI 0.10+, SDK 1.x): GET /status, /models/loaded,
 *   /models/load/{id}, /models/unload/{id}; no catalog or download endpoint
 *   (the CLI or the SDK has them).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { httpFetch } from '../../measure/http-fetch.ts';
import { pidListeningOn, residentBytes } from './process-memory.ts';
import { describeFetchError, redactURL } from '../openai.ts';
import type { FoundryGeneration, FoundryTarget, FoundryVariant, TargetInfo } from '../../types.ts';
import { aliasFromId, findById, parseCatalog, runtimeFromId, splitId } from './catalog.ts';
import { cliDownload, findFoundryCli, parsePercents, parseServiceStatus, parseStartOutput, parseVersion, runCli } from './cli.ts';
import { startSdk } from './sdk.ts';

export type FoundryErrorKind = 'unreachable' | 'not_found' | 'not_cached' | 'out_of_memory' | 'download_unavailable' | 'download_failed' | 'failed';

/** A lifecycle call that failed, with what it means for the user. */
export class FoundryError extends Error {
  constructor(
    readonly kind: FoundryErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'FoundryError';
  }
}

/** What to do about each kind of failure; doctor and skipped cases print these. */
export const FOUNDRY_HINTS: Record<FoundryErrorKind, string> = {
  unreachable: 'the Foundry Local service stopped answering: check `foundry service status` (or `foundry server status`)',
  not_found: 'the service does not know this model id: list the catalog with `foundry model list` or `foundry-bench models`',
  not_cached: 'download it first: `foundry model download <alias>`, or rerun with --download',
  out_of_memory: 'out of memory: pick a smaller variant or a stronger quantisation (e.g. variant: cpu, or a smaller alias), or unload other models',
  download_unavailable: 'this service has no download endpoint and no foundry CLI was found: run `foundry model download <alias>` where the CLI is installed',
  download_failed: 'the download was interrupted: rerun with --download (downloads resume), and check disk space and network',
  failed: 'see the Foundry Local log (`foundry service logs`, or `foundry status`)',
};

/** The `ep` values gen-1's load endpoint documents, by execution provider. */
const LOAD_EP: Record<string, string> = {
  CPUExecutionProvider: 'cpu',
  CUDAExecutionProvider: 'cuda',
  WebGpuExecutionProvider: 'webgpu',
  DmlExecutionProvider: 'dml',
  QNNExecutionProvider: 'qnn',
};

/** Foundry ids contain `:` (name:version), which the service expects unescaped in paths. */
function idPath(id: string): string {
  return encodeURIComponent(id).replace(/%3A/gi, ':');
}

function classify(status: number, text: string): FoundryErrorKind {
  if (/not cached|not downloaded|must be downloaded|No OpenAIService provider found/i.test(text)) return 'not_cached';
  if (/out of memory|insufficient memory|not enough memory|bad_alloc|\bOOM\b/i.test(text)) return 'out_of_memory';
  if (status === 404) return 'not_found';
  return 'failed';
}

async function call(origin: string, method: 'GET' | 'POST', path: string, options: { timeoutMs?: number; body?: unknown; signal?: AbortSignal } = {}): Promise<Response> {
  const signals = [AbortSignal.timeout(options.timeoutMs ?? 30_000), ...(options.signal ? [options.signal] : [])];
  try {
    return await httpFetch(`${origin}${path}`, {
      method,
      signal: AbortSignal.any(signals),
      ...(options.body !== undefined ? { body: JSON.stringify(options.body), headers: { 'content-type': 'application/json' } } : {}),
    });
  } catch (error) {
    throw new FoundryError('unreachable', `${method} ${redactURL(origin)}${path} failed: ${describeFetchError(error)}`);
  }
}

/** A JSON answer, or a FoundryError that names the endpoint and classifies the failure. */
async function callJson(origin: string, path: string, options: { timeoutMs?: number } = {}): Promise<unknown> {
  const response = await call(origin, 'GET', path, options);
  const text = await response.text();
  if (!response.ok) throw new FoundryError(classify(response.status, text), `GET ${path} answered HTTP ${response.status}: ${text.slice(0, 300)}`);
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Which generation answers at `origin`, and what its status says; null when neither does (not Foundry Local). */
export async function detectGeneration(origin: string): Promise<{ generation: FoundryGeneration; cacheDir: string | null; pid: number | null } | null> {
  const probe = async (path: string) => {
    try {
      const response = await call(origin, 'GET', path, { timeoutMs: 5_000 });
      const text = await response.text();
      if (!response.ok) return null;
      const value = JSON.parse(text) as unknown;
      return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  };
  const server = await probe('/status');
  if (server && ('modelCachePath' in server || 'endpoints' in server)) {
    return { generation: 'server', cacheDir: stringOrNull(server.modelCachePath), pid: typeof server.pid === 'number' ? server.pid : null };
  }
  const service = await probe('/openai/status');
  if (service) return { generation: 'service', cacheDir: stringOrNull(service.ModelDirPath ?? service.modelDirPath), pid: null };
  return null;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** A variant known only by its id (gen-2 `/v1/models`): alias and runtime inferred from the name. */
function variantFromId(id: string): FoundryVariant {
  return { id, alias: aliasFromId(id), version: splitId(id).version, ...runtimeFromId(id), fileSizeMb: null, license: null, task: null };
}

/** The catalog: gen-1 `/foundry/list`; gen-2 `foundry model list -o json` when the CLI is there, else the ids of `/v1/models`. */
export async function readCatalog(origin: string, generation: FoundryGeneration, cli: string | null): Promise<{ catalog: FoundryVariant[]; source: FoundryTarget['catalogSource']; note: string | null }> {
  if (generation === 'service') {
    try {
      return { catalog: parseCatalog(await callJson(origin, '/foundry/list', { timeoutMs: 120_000 })), source: 'foundry/list', note: null };
    } catch (error) {
      return { catalog: [], source: 'foundry/list', note: `catalog unavailable (GET /foundry/list): ${(error as Error).message}` };
    }
  }
  let note: string | null = null;
  if (cli) {
    const result = await runCli(cli, ['model', 'list', '-o', 'json'], 120_000);
    try {
      if (result.code !== 0) throw new Error(result.stderr.trim().split('\n')[0] || `exit code ${result.code}`);
      const catalog = parseCatalog(JSON.parse(result.stdout));
      if (catalog.length > 0) return { catalog, source: 'cli', note: null };
      throw new Error('no models');
    } catch (error) {
      note = `\`foundry model list -o json\` gave no catalog (${(error as Error).message}); aliases are inferred from /v1/models ids`;
    }
  }
  const listing = (await callJson(origin, '/v1/models', { timeoutMs: 30_000 })) as { data?: Array<{ id?: unknown }> } | null;
  const ids = (listing?.data ?? []).map((entry) => entry?.id).filter((id): id is string => typeof id === 'string');
  return { catalog: ids.map(variantFromId), source: 'v1/models', note };
}

export interface DownloadOptions {
  /** Attempts after the first, for interrupted downloads. */
  retries: number;
  /** Wait before the first retry; doubles each time. */
  retryDelayMs: number;
  signal?: AbortSignal;
  onProgress: (event: { percent: number; attempt: number }) => void;
}

/** The lifecycle calls of one discovered service, usable from any process (the target is plain data). */
export class FoundryService {
  constructor(readonly target: FoundryTarget) {}

  private get origin(): string {
    return this.target.origin;
  }

  /** Ids in the local cache; null when the service cannot say (gen-2 without a cache path). */
  async cached(): Promise<Set<string> | null> {
    if (this.target.generation === 'service') {
      return new Set(this.catalogIds(idList(await callJson(this.origin, '/openai/models'))));
    }
    const entries = cacheEntries(this.target.cacheDir);
    if (!entries) return null;
    return new Set(this.target.catalog.filter((v) => entries.has(cacheDirName(v.id))).map((v) => v.id));
  }

  /** Loaded model ids, as the catalog spells them. */
  async loaded(): Promise<string[]> {
    return this.catalogIds(idList(await callJson(this.origin, this.target.generation === 'service' ? '/openai/loadedmodels' : '/models/loaded')));
  }

  /**
   * Ids as the service reports them, spelled as in the catalog: the same id in
   * another case, or a name without `:version` (then its highest version);
   * ids the catalog does not know are kept as they are.
   */
  private catalogIds(reported: string[]): string[] {
    return reported.map((id) => findById(this.target.catalog, id)?.id ?? id);
  }

  /**
   * Loads a model and keeps it loaded for `ttlSeconds` (gen-1 unloads idle models, by default after 600 s).
   * Gen-1 also takes the execution provider: naming the variant's own keeps a generic-gpu variant from being
   * routed to another provider behind the benchmark's back.
   */
  async load(variant: FoundryVariant, ttlSeconds: number): Promise<'loaded' | 'already_loaded'> {
    const id = variant.id;
    if (this.target.generation === 'service') {
      const ep = LOAD_EP[variant.executionProvider ?? ''];
      await callJson(this.origin, `/openai/load/${idPath(id)}?ttl=${ttlSeconds}${ep ? `&ep=${ep}` : ''}`, { timeoutMs: 600_000 });
      return 'loaded';
    }
    const answer = (await callJson(this.origin, `/models/load/${idPath(id)}`, { timeoutMs: 600_000 })) as { status?: unknown } | null;
    return answer?.status === 'already_loaded' ? 'already_loaded' : 'loaded';
  }

  async unload(id: string): Promise<void> {
    const path = this.target.generation === 'service' ? `/openai/unload/${idPath(id)}?force=true` : `/models/unload/${idPath(id)}`;
    await callJson(this.origin, path, { timeoutMs: 120_000 });
  }

  /** Bytes the model takes in the local cache; null when the cache is not readable from here. */
  diskBytes(id: string): number | null {
    const path = cacheEntries(this.target.cacheDir)?.get(cacheDirName(id));
    return path ? directoryBytes(path) : null;
  }

  /** Resident memory of the service process; null when it is not on this machine or cannot be found. */
  async residentBytes(): Promise<number | null> {
    if (!isLoopback(this.origin)) return null;
    // The older generation does not report its pid: find who listens on its port.
    this.pid ??= this.target.pid ?? (await pidListeningOn(Number(new URL(this.origin).port)));
    return this.pid === null ? null : residentBytes(this.pid);
  }

  private pid: number | null | undefined;

  /** Downloads a variant, retrying an interrupted download with exponential back-off. */
  async download(variant: FoundryVariant, options: DownloadOptions): Promise<{ ms: number; attempts: number }> {
    const started = performance.now();
    for (let attempt = 1; ; attempt++) {
      try {
        await this.downloadOnce(variant, (percent) => options.onProgress({ percent, attempt }), options.signal);
        return { ms: performance.now() - started, attempts: attempt };
      } catch (error) {
        const kind = error instanceof FoundryError ? error.kind : 'failed';
        const retriable = kind === 'download_failed' || kind === 'unreachable';
        if (!retriable || attempt > options.retries || options.signal?.aborted) {
          throw new FoundryError(kind === 'unreachable' ? 'download_failed' : kind, `download of ${variant.id} failed after ${attempt} attempt(s): ${(error as Error).message}`);
        }
        await new Promise((resolve) => setTimeout(resolve, options.retryDelayMs * 2 ** (attempt - 1)));
      }
    }
  }

  private async downloadOnce(variant: FoundryVariant, onPercent: (percent: number) => void, signal?: AbortSignal): Promise<void> {
    // The SDK's downloads run in the process that holds the SDK, behind a loopback endpoint (foundry-sdk.ts).
    if (this.target.downloadBridge) return streamDownload(this.target.downloadBridge, `/${encodeURIComponent(variant.id)}`, {}, onPercent, signal);
    if (this.target.generation === 'server') {
      if (!this.target.cli) throw new FoundryError('download_unavailable', 'the server generation has no download endpoint and the foundry CLI is not installed');
      const { code, tail } = await cliDownload(this.target.cli, variant.id, onPercent, signal);
      if (code !== 0) throw new FoundryError('download_failed', `\`foundry model download ${variant.id}\` exited with ${code}: ${tail}`);
      return;
    }
    const ref = variant.downloadRef;
    const body = {
      model: { Name: variant.id, Uri: ref?.uri ?? '', Publisher: ref?.publisher ?? '', ProviderType: 'AzureFoundryLocal', PromptTemplate: ref?.promptTemplate ?? null },
      token: '',
      IgnorePipeReport: true,
    };
    return streamDownload(this.origin, '/openai/download', body, onPercent, signal);
  }
}

/** Progress lines (`Total 45.67% Downloading ...`) stream in; the JSON verdict comes last. */
async function streamDownload(origin: string, path: string, body: unknown, onPercent: (percent: number) => void, signal?: AbortSignal): Promise<void> {
  const response = await call(origin, 'POST', path, { body, timeoutMs: 6 * 3_600_000, ...(signal ? { signal } : {}) });
  if (!response.ok || !response.body) throw new FoundryError(classify(response.status, ''), `POST ${path} answered HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`);
  let text = '';
  const decoder = new TextDecoder();
  try {
    for await (const chunk of response.body) {
      const piece = decoder.decode(chunk as Uint8Array, { stream: true });
      text = (text + piece).slice(-4096);
      for (const percent of parsePercents(piece)) onPercent(percent);
    }
  } catch (error) {
    throw new FoundryError('download_failed', `the download stream broke: ${describeFetchError(error)}`);
  }
  const verdict = parseDownloadVerdict(text);
  if (!verdict) throw new FoundryError('download_failed', 'the download stream ended without a result');
  if (!verdict.success) throw new FoundryError('download_failed', verdict.errorMessage ?? 'the service reported failure');
}

/** The `{"success":..,"errorMessage":..}` object that ends a gen-1 download stream. */
export function parseDownloadVerdict(text: string): { success: boolean; errorMessage: string | null } | null {
  const start = text.lastIndexOf('{');
  if (start < 0) return null;
  try {
    const value = JSON.parse(text.slice(start)) as { success?: unknown; errorMessage?: unknown };
    if (typeof value.success !== 'boolean') return null;
    return { success: value.success, errorMessage: typeof value.errorMessage === 'string' ? value.errorMessage : null };
  } catch {
    return null;
  }
}

function idList(value: unknown): string[] {
  const entries = Array.isArray(value) ? value : Array.isArray((value as { data?: unknown })?.data) ? (value as { data: unknown[] }).data : [];
  return entries.map((e) => (typeof e === 'string' ? e : (e as { id?: unknown })?.id)).filter((id): id is string => typeof id === 'string');
}

/** Cache layout: `<cache>/<publisher>/<name>-<version>/...`. */
function cacheDirName(id: string): string {
  const { name, version } = splitId(id);
  return (version === null ? name : `${name}-${version}`).toLowerCase();
}

/** The model directories of a cache; null when it is not readable from here (remote service, permissions). */
function cacheEntries(cacheDir: string | null): Map<string, string> | null {
  if (!cacheDir || !existsSync(cacheDir)) return null;
  const entries = new Map<string, string>();
  try {
    for (const publisher of readdirSync(cacheDir, { withFileTypes: true })) {
      if (!publisher.isDirectory()) continue;
      for (const model of readdirSync(join(cacheDir, publisher.name), { withFileTypes: true })) {
        if (model.isDirectory()) entries.set(model.name.toLowerCase(), join(cacheDir, publisher.name, model.name));
      }
    }
  } catch {
    return null;
  }
  return entries;
}

function directoryBytes(path: string): number | null {
  try {
    let total = 0;
    for (const entry of readdirSync(path, { withFileTypes: true, recursive: true })) {
      if (entry.isFile()) total += statSync(join(entry.parentPath, entry.name)).size;
    }
    return total;
  } catch {
    return null;
  }
}

export function isLoopback(origin: string): boolean {
  const host = new URL(origin).hostname;
  return host === 'localhost' || host === '[::1]' || host.startsWith('127.');
}

/** The OpenAI-compatible view of a Foundry target, for requests and reports. */
export function foundryTargetInfo(target: FoundryTarget): TargetInfo {
  const generation = target.generation === 'service' ? 'service generation' : 'server generation';
  return {
    baseURL: `${target.origin}/v1`,
    source: target.discoveredBy,
    kind: 'foundry-local',
    server: `Foundry Local ${target.version ?? '(version unknown)'} (${generation})`,
  };
}

export interface FoundryDiscovery {
  target: FoundryTarget;
  /** Stops what discovery started (the service, or the SDK's web service); null when it was already running. */
  stop: (() => Promise<void>) | null;
  /** Problems worth telling (e.g. catalog unavailable) that did not stop discovery. */
  notes: string[];
}

export interface DiscoveryOptions {
  env?: NodeJS.ProcessEnv;
  /** Start the service when the CLI says it is not running (`--start-service`). */
  startService?: boolean;
}

/** Why Foundry Local is not the target, for the log; null when it is simply not installed. */
export type DiscoveryResult = { found: FoundryDiscovery; note: null } | { found: null; note: string | null };

/**
 * Finds Foundry Local, in order: FOUNDRY_LOCAL_ENDPOINT; the `foundry` CLI on
 * PATH (`foundry server status`, then `foundry service status`; the port is
 * dynamic); the optional `foundry-local-sdk` 1.x, whose web service is started
 * so requests are measured over HTTP like every other target. Throws only when
 * the user asked to start the service and that failed.
 */
export async function discoverFoundry(options: DiscoveryOptions = {}): Promise<DiscoveryResult> {
  const env = options.env ?? process.env;
  const cli = findFoundryCli(env);
  const endpoint = env.FOUNDRY_LOCAL_ENDPOINT?.trim();
  if (endpoint) {
    let origin: string;
    try {
      origin = new URL(endpoint).origin;
    } catch {
      return { found: null, note: null }; // the explicit-URL path reports the bad URL
    }
    const found = await inspect(origin, 'env:FOUNDRY_LOCAL_ENDPOINT', cli, {});
    return found ? { found: { ...found, stop: null }, note: null } : { found: null, note: `FOUNDRY_LOCAL_ENDPOINT ${redactURL(endpoint)} does not answer Foundry Local's status endpoints; treating it as a plain OpenAI-compatible server` };
  }
  if (cli) return discoverWithCli(cli, options.startService === true);
  return discoverWithSdk(env);
}

async function discoverWithCli(cli: string, startService: boolean): Promise<DiscoveryResult> {
  // The current generation first; the older one answers `server` with "Unrecognized command".
  let command = 'server';
  let status = parseServiceStatus(await runCli(cli, ['server', 'status'], 20_000));
  if (!status.running && status.unrecognized) {
    command = 'service';
    status = parseServiceStatus(await runCli(cli, ['service', 'status'], 20_000));
  }
  let stop: FoundryDiscovery['stop'] = null;
  let pid: number | null = null;
  let origin: string;
  if (status.running) {
    origin = status.url;
    pid = status.pid;
  } else {
    if (!startService) {
      return { found: null, note: `Foundry Local is installed but its service is not running (\`foundry ${command} status\`: ${status.message}); start it with \`foundry ${command} start\` or pass --start-service` };
    }
    const result = await runCli(cli, [command, 'start'], 180_000);
    const started = parseStartOutput(result);
    if (!started) throw new Error(`\`foundry ${command} start\` did not report a URL (exit ${result.code}): ${`${result.stdout}${result.stderr}`.trim().slice(0, 300)}`);
    origin = started.url;
    pid = started.pid;
    stop = async () => {
      await runCli(cli, [command, 'stop'], 60_000);
    };
  }
  const found = await inspect(origin, `foundry ${command} status`, cli, { pid });
  if (!found) {
    await stop?.(); // leave the machine as found
    throw new Error(`\`foundry ${command} status\` reported ${origin}, but nothing there answers Foundry Local's status endpoints`);
  }
  return { found: { ...found, stop }, note: null };
}

/** The SDK 1.x runs Foundry Local in this process; its web service gives the same HTTP surface as the CLI's. */
async function discoverWithSdk(env: NodeJS.ProcessEnv): Promise<DiscoveryResult> {
  const started = await startSdk(env);
  if (!started || 'note' in started) return { found: null, note: started?.note ?? null };
  const found = await inspect(started.origin, 'foundry-local-sdk', null, {
    pid: process.pid,
    version: started.version,
    downloadBridge: started.downloadBridge,
    ...(started.catalog ? { catalog: started.catalog } : {}),
  });
  if (!found) {
    await started.stop();
    return { found: null, note: `the SDK's web service at ${started.origin} does not answer GET /status` };
  }
  return { found: { ...found, stop: () => started.stop() }, note: null };
}

async function inspect(
  origin: string,
  discoveredBy: string,
  cli: string | null,
  known: { pid?: number | null; version?: string | null; catalog?: FoundryVariant[]; downloadBridge?: string },
): Promise<Omit<FoundryDiscovery, 'stop'> | null> {
  const status = await detectGeneration(origin);
  if (!status) return null;
  const version = known.version !== undefined ? known.version : cli ? parseVersion(await runCli(cli, ['--version'], 10_000)) : null;
  const read = known.catalog ? { catalog: known.catalog, source: 'sdk' as const, note: null } : await readCatalog(origin, status.generation, cli);
  const target: FoundryTarget = {
    generation: status.generation,
    origin,
    version,
    discoveredBy,
    catalog: read.catalog,
    catalogSource: read.source,
    cacheDir: status.cacheDir,
    pid: status.pid ?? known.pid ?? null,
    cli,
    downloadBridge: known.downloadBridge ?? null,
  };
  return { target, notes: read.note ? [read.note] : [] };
}
