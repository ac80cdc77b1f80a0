/**
 * The optional `foundry-local-sdk` 1.x, which runs Foundry Local inside this
 * process. The harness starts the SDK's web service and measures over HTTP,
 * as with every other target (the SDK's own chat call is synchronous and
 * would block the event loop that times requests). Downloads are the one
 * thing the web service lacks; a small loopback endpoint in this process
 * runs the SDK's `model.download(onProgress)` for the spec workers and
 * streams its progress in the older generation's `Total 45.67%` format, so
 * one parser reads both.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { plainText } from '../../files/sanitize.ts';
import { isModuleNotFound } from '../missing-module.ts';
import type { FoundryVariant } from '../../types.ts';
import { variantFromJson } from './catalog.ts';

interface SdkVariant {
  id?: unknown;
  alias?: unknown;
  info?: unknown;
  download?(onProgress?: (percent: number) => void, signal?: AbortSignal): Promise<unknown>;
}

interface SdkManager {
  startWebService(): unknown;
  downloadAndRegisterEps?(progress?: (name: string, percent: number) => void): Promise<unknown>;
  stopWebService?(): unknown;
  urls?: string[];
  catalog?: { getModels(): unknown; getModelVariant?(id: string): unknown };
}

interface SdkModule {
  FoundryLocalManager?: { create?(config: object): SdkManager; createAsync?(config: object): Promise<SdkManager> };
}

export interface StartedSdk {
  /** What registering the execution providers answered, when it said. */
  executionProviders?: { registered: string[]; failed: string[]; status: string | null } | undefined;
  origin: string;
  /** Things worth saying that did not stop it (the cache it uses, execution providers it could not register). */
  notes: string[];
  catalog: FoundryVariant[] | undefined;
  version: string | null;
  /** The loopback download endpoint (with its secret path), for the spec workers. */
  downloadBridge: string;
  stop(): Promise<void>;
}

/**
 * Starts Foundry Local through the SDK (`specifier` is the module to import, normally `foundry-local-sdk`);
 * null when it is not installed, a note when it is but cannot start.
 */
export async function startSdk(
  specifier: string,
  modelCacheDir: string,
  log: (line: string) => void = () => {},
): Promise<StartedSdk | { note: string } | null> {
  let sdk: SdkModule;
  try {
    sdk = (await import(/* @vite-ignore */ specifier)) as SdkModule;
  } catch (error) {
    const missing = isModuleNotFound(error);
    if (missing && specifier === 'foundry-local-sdk') return null;
    return { note: `foundry-local-sdk failed to load: ${(error as Error).message}` };
  }
  const factory = sdk.FoundryLocalManager;
  if (!factory?.create && !factory?.createAsync) {
    return { note: 'foundry-local-sdk 0.x drives the foundry CLI, which is not on PATH; install the CLI or foundry-local-sdk 1.x' };
  }
  try {
    // The cache the foundry CLI shares, not one of foundry-bench's own: models downloaded with the CLI count as cached.
    const config = { appName: 'foundry-bench', logLevel: 'warn', modelCacheDir };
    const manager = factory.createAsync ? await factory.createAsync(config) : (factory.create as (c: object) => SdkManager)(config);
    const notes = [`foundry-local-sdk: model cache ${modelCacheDir}`];
    // As the SDK's samples do before reading the catalog: without registered execution providers the GPU and NPU
    // builds are not listed at all. A first run downloads them: progress in quarters, per provider.
    let executionProviders: StartedSdk['executionProviders'];
    try {
      const shown = new Map<string, number>();
      const answered = await manager.downloadAndRegisterEps?.((name, percent) => {
        const quarter = Math.floor(percent / 25);
        if (shown.get(name) === quarter) return;
        shown.set(name, quarter);
        log(`foundry-local-sdk: downloading execution provider ${plainText(name)}: ${Math.round(percent)}%`);
      });
      executionProviders = epResult(answered);
      if (executionProviders) notes.push(epNote(executionProviders));
    } catch (error) {
      notes.push(`foundry-local-sdk: execution providers not registered (${(error as Error).message}); GPU and NPU builds may be missing`);
    }
    await manager.startWebService();
    const url = manager.urls?.[0];
    if (!url) throw new Error('the SDK started its web service but reported no URL');
    const models = (await manager.catalog?.getModels()) as unknown[] | undefined;
    const bridge = await startDownloadBridge(manager);
    return {
      origin: new URL(url.replace('://localhost', '://127.0.0.1')).origin,
      notes,
      catalog: Array.isArray(models) ? sdkVariants(models) : undefined,
      executionProviders,
      version: sdkVersion(specifier),
      downloadBridge: bridge.url,
      stop: async () => {
        await bridge.close();
        await manager.stopWebService?.();
      },
    };
  } catch (error) {
    return { note: `foundry-local-sdk is installed but could not start Foundry Local: ${(error as Error).message}` };
  }
}

/** `downloadAndRegisterEps()`'s answer (`{success, status, registeredEps, failedEps}`); undefined when it said nothing usable. */
function epResult(value: unknown): StartedSdk['executionProviders'] {
  const answer = value as { success?: unknown; status?: unknown; registeredEps?: unknown; failedEps?: unknown } | null | undefined;
  if (!answer || typeof answer !== 'object') return undefined;
  const names = (list: unknown) => (Array.isArray(list) ? list.filter((n): n is string => typeof n === 'string').map(plainText) : []);
  const failed = names(answer.failedEps);
  // `success: false` with no provider named is a failure too: said with its status.
  if (answer.success === false && failed.length === 0) failed.push('(unnamed)');
  return { registered: names(answer.registeredEps), failed, status: typeof answer.status === 'string' ? plainText(answer.status) : null };
}

/** What registering the providers came to, as a discovery note (and doctor's check). */
function epNote(eps: NonNullable<StartedSdk['executionProviders']>): string {
  const registered = `registered: ${eps.registered.join(', ') || 'none'}`;
  if (eps.failed.length === 0) return `foundry-local-sdk: execution providers ${registered}`;
  return (
    `foundry-local-sdk: execution providers failed: ${eps.failed.join(', ')}${eps.status ? ` (${eps.status})` : ''}; ${registered}. ` +
    'The GPU and NPU builds of a failed provider are missing from the catalog: check its drivers, then run again'
  );
}

/** SDK 1.x models carry their variants, each with `id`, `alias` and `info` (the catalog's ModelInfo). */
function sdkVariants(models: unknown[]): FoundryVariant[] {
  return allVariants(models).flatMap((v) => variantFromJson({ ...((v.info as object) ?? {}), id: v.id, alias: v.alias }) ?? []);
}

/**
 * Every variant of every model. In SDK 1.x `id`, `alias`, `info` and `variants` are getters on the classes'
 * prototypes, so they are read one by one: a spread (`{...variant}`) copies own fields only and loses them all.
 */
function allVariants(models: unknown[]): SdkVariant[] {
  return (models as Array<SdkVariant & { variants?: unknown[] }>).flatMap((model) => {
    const variants = Array.isArray(model.variants) && model.variants.length > 0 ? (model.variants as SdkVariant[]) : [model];
    return variants.map((v) => readVariant(v, model.alias));
  });
}

/** A variant's getters read into a plain object (a spread would copy own fields only); `alias` of its model by default. */
function readVariant(v: SdkVariant, modelAlias?: unknown): SdkVariant {
  return { id: v.id, alias: v.alias ?? modelAlias, info: v.info, download: v.download?.bind(v) };
}

async function findVariant(manager: SdkManager, id: string): Promise<SdkVariant | null> {
  try {
    // SDK 1.x throws for an id it does not know (it does not answer undefined).
    const direct = (await manager.catalog?.getModelVariant?.(id)) as SdkVariant | undefined;
    if (direct) return readVariant(direct);
  } catch {
    // not in the catalog: look through the models, then give up
  }
  const models = (await manager.catalog?.getModels()) as unknown[] | undefined;
  return allVariants(models ?? []).find((v) => v.id === id) ?? null;
}

/** `POST <url>/<model id>`: runs the SDK's download and streams `Total N%` lines, then `{"success":..}`. */
async function startDownloadBridge(manager: SdkManager): Promise<{ url: string; close(): Promise<void> }> {
  // A secret path: other local processes cannot trigger downloads through it.
  const prefix = `/download/${randomBytes(16).toString('hex')}/`;
  const server: Server = createServer((req, res) => {
    if (req.method !== 'POST' || !req.url?.startsWith(prefix)) return void res.writeHead(404).end();
    const id = decodeURIComponent(req.url.slice(prefix.length));
    void (async () => {
      let variant: SdkVariant | null;
      try {
        variant = await findVariant(manager, id);
      } catch (error) {
        // The SDK's catalog failed (getModels rejected): said, not an unhandled rejection in a detached task.
        return void res.writeHead(502, { 'content-type': 'text/plain' }).end(`the SDK's catalog failed: ${(error as Error).message}`);
      }
      if (!variant?.download) return void res.writeHead(404, { 'content-type': 'text/plain' }).end(`no downloadable variant ${id}`);
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      const abort = new AbortController();
      res.on('close', () => res.writableEnded || abort.abort());
      try {
        await variant.download((percent) => res.write(`Total ${percent.toFixed(2)}%\n`), abort.signal);
        res.end(JSON.stringify({ success: true, errorMessage: null }));
      } catch (error) {
        res.end(JSON.stringify({ success: false, errorMessage: (error as Error).message }));
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${prefix.slice(0, -1)}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function sdkVersion(specifier: string): string | null {
  try {
    const path = createRequire(import.meta.url).resolve(`${specifier}/package.json`);
    return `sdk ${(JSON.parse(readFileSync(path, 'utf8')) as { version?: string }).version ?? '?'}`;
  } catch {
    return null;
  }
}
