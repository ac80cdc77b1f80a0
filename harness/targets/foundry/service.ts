/**
 * The lifecycle calls of one discovered Foundry Local service: what is cached
 * and loaded, load and unload, downloads with retries, disk and memory
 * footprints. The target is plain data, so any process of a run can call it.
 *
 * Generations (docs/foundry-local.md lists the versions followed):
 * - `service` (CLI <= 0.8.x): GET /openai/models, /openai/loadedmodels,
 *   /openai/load/{id}?ttl=, /openai/unload/{id}; POST /openai/download streams
 *   `Total 45.67%` lines.
 * - `server` (Core 1.x: CLI 0.10+, SDK 1.x): GET /models/loaded,
 *   /models/load/{id}, /models/unload/{id}; no download endpoint (the CLI or
 *   the SDK has one).
 */
import { plainText } from '../../files/sanitize.ts';
import type { FoundryTarget, FoundryVariant } from '../../types.ts';
import { findById, splitId } from './catalog.ts';
import { cacheDirName, cacheEntries, directoryBytes } from './cache.ts';
import { cliDownload, progressLines, runCli } from './cli.ts';
import { classify, FoundryError } from './errors.ts';
import { pidListeningOn, residentBytes } from './process-memory.ts';
import { call, callJson, idPath } from './rest.ts';
import { describeFetchError } from '../openai.ts';

/** The `ep` values gen-1's load endpoint documents, by execution provider. */
// No `ep` for CPU builds: the default, and what every Microsoft client sends (none of them sends `ep=cpu`).
const LOAD_EP: Record<string, string> = {
  CUDAExecutionProvider: 'cuda',
  WebGpuExecutionProvider: 'webgpu',
  DmlExecutionProvider: 'dml',
  QNNExecutionProvider: 'qnn',
};

export interface DownloadOptions {
  /** Attempts after the first, for interrupted downloads. */
  retries: number;
  /** Wait before the first retry; doubles each time. */
  retryDelayMs: number;
  signal?: AbortSignal;
  onProgress: (event: { percent: number; attempt: number }) => void;
  /**
   * An attempt that reports no progress for this long is stopped as stalled (and retried).
   * @default 600000 (10 minutes)
   */
  stallMs?: number;
  /**
   * An attempt is stopped after this long, progress or not.
   * @default 21600000 (6 hours)
   */
  timeoutMs?: number;
}

/** A download attempt's own signal: the caller's, a total timeout, and a stall timer that progress restarts. */
function downloadWatchdog(options: Pick<DownloadOptions, 'signal' | 'stallMs' | 'timeoutMs'>): {
  signal: AbortSignal;
  progressed(): void;
  why(): string | null;
  stop(): void;
} {
  const controller = new AbortController();
  const stallMs = options.stallMs ?? 600_000;
  const timeoutMs = options.timeoutMs ?? 6 * 3_600_000;
  let why: string | null = null;
  const stopWith = (reason: string) => {
    why ??= reason;
    controller.abort(new Error(reason));
  };
  const minutes = (ms: number) => (ms < 60_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`);
  const total = setTimeout(() => stopWith(`no result after ${minutes(timeoutMs)}`), timeoutMs);
  let stall = setTimeout(() => stopWith(`stalled: no progress for ${minutes(stallMs)}`), stallMs);
  const onAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  return {
    signal: controller.signal,
    progressed() {
      clearTimeout(stall);
      stall = setTimeout(() => stopWith(`stalled: no progress for ${minutes(stallMs)}`), stallMs);
    },
    why: () => why,
    stop() {
      clearTimeout(total);
      clearTimeout(stall);
      options.signal?.removeEventListener('abort', onAbort);
    },
  };
}

/** The lifecycle calls of one discovered service, usable from any process (the target is plain data). */
export class FoundryService {
  constructor(readonly target: FoundryTarget) {}

  private get origin(): string {
    return this.target.origin;
  }

  /**
   * Ids in the local cache; null when nothing can say. The older generation lists them; the newer one: its cache
   * folder (`GET /status`, `foundry cache location`, the SDK's), else the `cached` field of the catalog's listing
   * (CLI 0.10+), with what this service downloaded since.
   */
  async cached(): Promise<Set<string> | null> {
    if (this.target.generation === 'service') {
      return new Set(this.catalogIds(idList(await callJson(this.origin, '/openai/models'))));
    }
    const entries = cacheEntries(this.target.cacheDir);
    if (entries) return new Set(this.target.catalog.filter((v) => entries.has(cacheDirName(v.id))).map((v) => v.id));
    if (!this.target.catalog.some((v) => v.cached !== undefined)) return null;
    return new Set([...this.target.catalog.filter((v) => v.cached).map((v) => v.id), ...this.downloaded]);
  }

  /** Variants downloaded through this service (the catalog's `cached` field predates them). */
  private readonly downloaded = new Set<string>();

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
   * Gen-1 also takes the execution provider. A generic-gpu build goes to CUDA when the catalog has CUDA builds,
   * as Foundry Local's own SDKs and CLI send it (issue #400), otherwise to its own provider.
   */
  async load(variant: FoundryVariant, ttlSeconds: number): Promise<'loaded' | 'already_loaded'> {
    const id = variant.id;
    if (this.target.generation === 'service') {
      const ep = LOAD_EP[this.loadProvider(variant) ?? ''];
      await callJson(this.origin, `/openai/load/${idPath(id)}?ttl=${ttlSeconds}${ep ? `&ep=${ep}` : ''}`, { timeoutMs: 600_000 });
      return 'loaded';
    }
    const loadBy = async (name: string) =>
      ((await callJson(this.origin, `/models/load/${idPath(name)}`, { timeoutMs: 600_000 })) as { status?: unknown } | null)?.status === 'already_loaded'
        ? 'already_loaded'
        : 'loaded';
    try {
      const status = await loadBy(id);
      this.loadedVia.set(id, 'id');
      return status;
    } catch (error) {
      // The newest Core looks `/models/load/{name}` up as an alias only (404 "Model not found" for a variant id).
      if (!(error instanceof FoundryError) || error.kind !== 'not_found') throw error;
      this.loadFallback = await this.loadWithoutId(variant, loadBy, error);
      return 'loaded';
    }
  }

  /**
   * The execution provider a load asks for: the build's own, except that the older generation runs a generic-GPU
   * build on CUDA when the catalog has CUDA builds (what the load sends, as Foundry Local's SDKs and CLI do), so
   * that is what runs and what results record (audit L4).
   */
  loadProvider(variant: FoundryVariant): string | null {
    const cudaHere = this.target.catalog.some((v) => v.executionProvider === 'CUDAExecutionProvider');
    const genericGpu = /-generic-gpu(:\d+)?$/i.test(variant.id);
    return this.target.generation === 'service' && genericGpu && cudaHere ? 'CUDAExecutionProvider' : variant.executionProvider;
  }

  /** How the last load got round a Core that loads by alias only; null when the id loaded directly. Doctor says it. */
  loadFallback: string | null = null;

  /** How each variant this service loaded was loaded, so it is unloaded the same way. */
  private readonly loadedVia = new Map<string, 'id' | 'alias' | 'cli'>();

  /**
   * Whether the Core, given the alias alone, picks this build: its first cached build of the alias (the C++ Core's
   * SelectDefaultVariant), else the alias's first; the catalog's first when the cache cannot be read.
   */
  private async isAliasDefault(variant: FoundryVariant): Promise<boolean> {
    const builds = this.target.catalog.filter((v) => v.alias === variant.alias);
    const cached = await this.cached().catch(() => null);
    const pick = (cached ? builds.find((v) => cached.has(v.id)) : undefined) ?? builds[0];
    return pick?.id === variant.id;
  }

  /**
   * A variant the Core would not load by id: by its alias when it is the build the Core picks for the alias, else
   * through `foundry model load <id>`.
   */
  private async loadWithoutId(variant: FoundryVariant, loadBy: (name: string) => Promise<unknown>, original: FoundryError): Promise<string> {
    if (await this.isAliasDefault(variant)) {
      await loadBy(variant.alias);
      this.loadedVia.set(variant.id, 'alias');
      return `loaded by alias ${variant.alias}: this Core loads by alias only (${variant.id} is the build it picks for the alias)`;
    }
    if (!this.target.cli) {
      throw new FoundryError(
        'not_found',
        `${original.message}; this Core loads by alias only, and ${variant.id} is not the build it picks for ${variant.alias} (install the foundry CLI to load it by id)`,
      );
    }
    await this.cliModel('load', variant.id);
    this.loadedVia.set(variant.id, 'cli');
    return `loaded with \`foundry model load ${variant.id}\`: this Core loads by alias only`;
  }

  /** `foundry model load|unload <id>`, a failure as a FoundryError quoting the CLI. */
  private async cliModel(command: 'load' | 'unload', id: string): Promise<void> {
    const cli = this.target.cli as string;
    const result = await runCli(cli, ['model', command, id], 600_000);
    if (result.code !== 0)
      throw new FoundryError(
        classify(404, `${result.stdout}${result.stderr}`),
        `\`foundry model ${command} ${id}\` exited with ${result.code}: ${`${result.stdout}${result.stderr}`.trim().slice(0, 300)}`,
      );
  }

  /**
   * Unloads a variant the way it was loaded: by id, by its alias, or through the CLI. A Core that unloads by alias
   * only (404 for the id) gets the alias when the variant is the build it picks for it, else the CLI; when neither
   * is possible the error says the model stays loaded.
   */
  async unload(variant: FoundryVariant): Promise<void> {
    const { id } = variant;
    if (this.target.generation === 'service') {
      await callJson(this.origin, `/openai/unload/${idPath(id)}?force=true`, { timeoutMs: 120_000 });
      return;
    }
    const byName = (name: string) => callJson(this.origin, `/models/unload/${idPath(name)}`, { timeoutMs: 120_000 });
    const via = this.loadedVia.get(id) ?? 'id';
    if (via === 'alias') return void (await byName(variant.alias));
    if (via === 'cli') return this.cliModel('unload', id);
    try {
      await byName(id);
    } catch (error) {
      if (!(error instanceof FoundryError) || error.kind !== 'not_found') throw error;
      if (await this.isAliasDefault(variant)) return void (await byName(variant.alias));
      if (this.target.cli) return this.cliModel('unload', id);
      throw new FoundryError(
        'not_found',
        `${error.message}; this Core unloads by alias only, and ${variant.id} is not the build it picks for ${variant.alias}: it stays loaded (unload it with \`foundry model unload ${id}\`)`,
      );
    }
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
      const watchdog = downloadWatchdog(options);
      try {
        const onPercent = (percent: number) => {
          watchdog.progressed();
          options.onProgress({ percent, attempt });
        };
        try {
          await this.downloadOnce(variant, onPercent, watchdog.signal);
        } catch (error) {
          // Stopped by the watchdog: a failed attempt that says why (and is retried), not a cancellation.
          const why = watchdog.why();
          throw why ? new FoundryError('download_failed', why) : error;
        } finally {
          watchdog.stop();
        }
        this.downloaded.add(variant.id);
        return { ms: performance.now() - started, attempts: attempt };
      } catch (error) {
        const kind = error instanceof FoundryError ? error.kind : 'failed';
        const retriable = kind === 'download_failed' || kind === 'unreachable';
        if (!retriable || attempt > options.retries || options.signal?.aborted) {
          throw new FoundryError(
            kind === 'unreachable' ? 'download_failed' : kind,
            `download of ${variant.id} failed after ${attempt} attempt(s): ${(error as Error).message}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, options.retryDelayMs * 2 ** (attempt - 1)));
      }
    }
  }

  private async downloadOnce(variant: FoundryVariant, onPercent: (percent: number) => void, signal?: AbortSignal): Promise<void> {
    // The SDK's downloads run in the process that holds the SDK, behind a loopback endpoint (foundry-sdk.ts).
    if (this.target.downloadBridge) return streamDownload(this.target.downloadBridge, `/${encodeURIComponent(variant.id)}`, {}, onPercent, signal);
    if (this.target.generation === 'server') {
      if (!this.target.cli)
        throw new FoundryError('download_unavailable', 'the server generation has no download endpoint and the foundry CLI is not installed');
      // The variant id (name:version, the CLI's own `variantId`) first; a CLI that refuses it without starting gets
      // the variant's name, when this is the name's latest version (what the name means to it).
      let name = variant.id;
      let result = await cliDownload(this.target.cli, name, onPercent, signal);
      const { name: bare, version } = splitId(variant.id);
      const latest = version !== null && !this.target.catalog.some((v) => splitId(v.id).name === bare && (splitId(v.id).version ?? 0) > version);
      if (result.code !== 0 && !result.progressed && latest && !signal?.aborted) {
        name = bare;
        result = await cliDownload(this.target.cli, name, onPercent, signal);
      }
      if (result.code !== 0 || signal?.aborted)
        throw new FoundryError('download_failed', `\`foundry model download ${name}\` exited with ${result.code}: ${result.tail}`);
      return;
    }
    const ref = variant.downloadRef;
    const body = {
      model: {
        Name: variant.id,
        Uri: ref?.uri ?? '',
        Publisher: ref?.publisher ?? '',
        ProviderType: 'AzureFoundryLocal',
        PromptTemplate: ref?.promptTemplate ?? null,
      },
      token: '',
      IgnorePipeReport: true,
    };
    return streamDownload(this.origin, '/openai/download', body, onPercent, signal);
  }
}

/** Progress lines (`Total 45.67% Downloading ...`) stream in; the JSON verdict comes last. */
async function streamDownload(origin: string, path: string, body: unknown, onPercent: (percent: number) => void, signal?: AbortSignal): Promise<void> {
  // Hours of progress lines: only the last 4 KiB are kept (below), so the body itself is not capped.
  const response = await call(origin, 'POST', path, { body, timeoutMs: 6 * 3_600_000, maxBodyBytes: Number.POSITIVE_INFINITY, ...(signal ? { signal } : {}) });
  if (!response.ok || !response.body)
    throw new FoundryError(classify(response.status, ''), `POST ${path} answered HTTP ${response.status}: ${plainText((await response.text()).slice(0, 200))}`);
  let text = '';
  const decoder = new TextDecoder();
  const progress = progressLines(onPercent);
  try {
    for await (const chunk of response.body) {
      const piece = decoder.decode(chunk as Uint8Array, { stream: true });
      text = (text + piece).slice(-4096);
      progress.push(piece);
    }
  } catch (error) {
    throw new FoundryError('download_failed', `the download stream broke: ${describeFetchError(error)}`);
  }
  progress.end();
  const verdict = parseDownloadVerdict(text);
  if (!verdict) throw new FoundryError('download_failed', 'the download stream ended without a result');
  if (!verdict.success) throw new FoundryError('download_failed', verdict.errorMessage ?? 'the service reported failure');
}

/** The `{"success":..,"errorMessage":..}` object that ends a gen-1 download stream. */
export function parseDownloadVerdict(text: string): { success: boolean; errorMessage: string | null } | null {
  const start = text.lastIndexOf('{');
  if (start < 0) return null;
  try {
    // camelCase from the REST API, PascalCase from some builds.
    const value = JSON.parse(text.slice(start)) as { success?: unknown; errorMessage?: unknown; Success?: unknown; ErrorMessage?: unknown };
    const success = value.success ?? value.Success;
    const errorMessage = value.errorMessage ?? value.ErrorMessage;
    if (typeof success !== 'boolean') return null;
    return { success, errorMessage: typeof errorMessage === 'string' ? errorMessage : null };
  } catch {
    return null;
  }
}

function idList(value: unknown): string[] {
  const entries = Array.isArray(value) ? value : Array.isArray((value as { data?: unknown })?.data) ? (value as { data: unknown[] }).data : [];
  return entries.map((e) => (typeof e === 'string' ? e : (e as { id?: unknown })?.id)).filter((id): id is string => typeof id === 'string');
}

export function isLoopback(origin: string): boolean {
  const host = new URL(origin).hostname;
  return host === 'localhost' || host === '[::1]' || host.startsWith('127.');
}
