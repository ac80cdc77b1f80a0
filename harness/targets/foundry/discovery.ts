/**
 * Finding Foundry Local: FOUNDRY_LOCAL_ENDPOINT, the `foundry` CLI of either
 * generation (the port changes at every start), or the optional SDK; which
 * generation answers; and its catalog. Requests themselves go through the
 * same OpenAI-compatible path as every other target.
 */
import type { FoundryGeneration, FoundryOptions, FoundryTarget, FoundryVariant, TargetInfo } from '../../types.ts';
import { redactURL } from '../openai.ts';
import { aliasFromId, parseCatalog, runtimeFromId, splitId } from './catalog.ts';
import { jsonOutput, parseServiceStatus, parseServiceStatusJson, parseStartOutput, parseVersion, runCli, runStart } from './cli.ts';
import { call, callJson } from './rest.ts';
import { startSdk } from './sdk.ts';

/** What a service's status endpoints say. `localListing`: its GET /v1/models lists only the models on this machine (Core 1.x). */
interface ServiceStatus {
  generation: FoundryGeneration;
  cacheDir: string | null;
  pid: number | null;
  localListing: boolean;
}

/** Which generation answers at `origin`, and what its status says; null when neither does (not Foundry Local). */
export async function detectGeneration(origin: string): Promise<ServiceStatus | null> {
  const object = (value: unknown) => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null);
  // The C++ Core (CLI 0.11+, SDK 2.x): GET /status, and a /v1/models that lists every build.
  const server = object(await probeJson(origin, '/status'));
  if (server && ('modelCachePath' in server || 'endpoints' in server)) {
    return {
      generation: 'server',
      cacheDir: stringOrNull(server.modelCachePath),
      pid: typeof server.pid === 'number' ? server.pid : null,
      localListing: false,
    };
  }
  const service = object(await probeJson(origin, '/openai/status'));
  if (service) return { generation: 'service', cacheDir: stringOrNull(service.ModelDirPath ?? service.modelDirPath), pid: null, localListing: false };
  // Core 1.x (CLI 0.10, SDK 1.x) is not known to serve GET /status; its GET /models/loaded answers a JSON array.
  if (Array.isArray(await probeJson(origin, '/models/loaded'))) return { generation: 'server', cacheDir: null, pid: null, localListing: true };
  return null;
}

/** The JSON a GET answers with, briefly; null when it fails, errs or is not JSON. */
async function probeJson(origin: string, path: string): Promise<unknown> {
  try {
    const response = await call(origin, 'GET', path, { timeoutMs: 5_000 });
    const text = await response.text();
    return response.ok ? (JSON.parse(text) as unknown) : null;
  } catch {
    return null;
  }
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** A variant known only by its `/v1/models` entry: the alias from `parent` (Core 1.x), else inferred from the name, as the runtime is. */
function variantFromId(id: string, parent: string | null): FoundryVariant {
  return { id, alias: parent ?? aliasFromId(id), version: splitId(id).version, ...runtimeFromId(id), fileSizeMb: null, license: null, task: null };
}

/** The catalog: gen-1 `/foundry/list`; gen-2 `foundry model list --variants -o json` when the CLI is there, else the ids of `/v1/models`. */
export async function readCatalog(
  origin: string,
  { generation, localListing }: Pick<ServiceStatus, 'generation' | 'localListing'>,
  cli: string | null,
): Promise<{ catalog: FoundryVariant[]; source: FoundryTarget['catalogSource']; note: string | null }> {
  if (generation === 'service') {
    try {
      return { catalog: parseCatalog(await callJson(origin, '/foundry/list', { timeoutMs: 120_000 })), source: 'foundry/list', note: null };
    } catch (error) {
      return { catalog: [], source: 'foundry/list', note: `catalog unavailable (GET /foundry/list): ${(error as Error).message}` };
    }
  }
  let note: string | null = null;
  if (cli) {
    // Every build this machine can run needs `--variants` (without it, one build per alias); older CLIs lack the
    // flag and list every build under `models`.
    const problems: string[] = [];
    // A CLI that refuses `--limit` may still take `--variants`: drop the limit first.
    for (const args of [
      ['model', 'list', '--variants', '--limit', '500', '-o', 'json'],
      ['model', 'list', '--variants', '-o', 'json'],
      ['model', 'list', '-o', 'json'],
    ]) {
      const result = await runCli(cli, args, 120_000);
      try {
        if (result.code !== 0) throw new Error(result.stderr.trim().split('\n')[0] || `exit code ${result.code}`);
        const catalog = parseCatalog(jsonOutput(result.stdout));
        if (catalog.length > 0) return { catalog, source: 'cli', note: null };
        throw new Error('no models');
      } catch (error) {
        problems.push(`\`foundry ${args.join(' ')}\`: ${(error as Error).message}`);
      }
    }
    note = `the foundry CLI gave no catalog (${problems.join('; ')}); aliases are inferred from /v1/models ids`;
  }
  const listing = (await callJson(origin, '/v1/models', { timeoutMs: 30_000 })) as { data?: Array<{ id?: unknown; parent?: unknown }> } | null;
  const entries = (listing?.data ?? []).filter((entry): entry is { id: string; parent?: unknown } => typeof entry?.id === 'string');
  const catalog = entries.map((entry) => variantFromId(entry.id, stringOrNull(entry.parent)));
  // On Core 1.x GET /v1/models lists the models on this machine (downloaded or loaded), not the catalog; the C++
  // Core lists every build there, without `parent`.
  const partial = localListing
    ? 'GET /v1/models lists only the models already on this machine, so other aliases are unknown and --download cannot fetch them: install the foundry CLI for the whole catalog'
    : entries.some((entry) => stringOrNull(entry.parent) === null)
      ? 'aliases are inferred from the GET /v1/models ids (it names no alias): install the foundry CLI for the catalog with its aliases'
      : null;
  const said = [note, partial].filter(Boolean).join('; ');
  return { catalog, source: 'v1/models', note: said || null };
}

/** `foundry cache location --output json` (`{"path", "userSet"}`, CLI 0.10+); null when it says nothing usable. */
async function cliCacheLocation(cli: string): Promise<string | null> {
  try {
    const result = await runCli(cli, ['cache', 'location', '--output', 'json'], 20_000);
    if (result.code !== 0) return null;
    return stringOrNull((jsonOutput(result.stdout) as { path?: unknown } | null)?.path);
  } catch {
    return null;
  }
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

/** Why Foundry Local is not the target, for the log; null when it is simply not installed. */
export type DiscoveryResult = { found: FoundryDiscovery; note: null } | { found: null; note: string | null };

/**
 * Finds Foundry Local, in order: FOUNDRY_LOCAL_ENDPOINT; the `foundry` CLI on
 * PATH (`foundry server status`, then `foundry service status`; the port is
 * dynamic); the optional `foundry-local-sdk` 1.x, whose web service is started
 * so requests are measured over HTTP like every other target. Throws only when
 * the user asked to start the service and that failed.
 */
export async function discoverFoundry(
  options: Pick<FoundryOptions, 'endpoint' | 'cli' | 'sdkModule' | 'sdkCacheDir' | 'startService'>,
  log: (line: string) => void = () => {},
): Promise<DiscoveryResult> {
  const { endpoint, cli } = options;
  if (endpoint) {
    let origin: string;
    try {
      origin = new URL(endpoint).origin;
    } catch {
      return { found: null, note: null }; // the explicit-URL path reports the bad URL
    }
    const found = await inspect(origin, 'env:FOUNDRY_LOCAL_ENDPOINT', cli, {});
    return found
      ? { found: { ...found, stop: null }, note: null }
      : {
          found: null,
          note: `FOUNDRY_LOCAL_ENDPOINT ${redactURL(endpoint)} does not answer Foundry Local's status endpoints; treating it as a plain OpenAI-compatible server`,
        };
  }
  if (cli) return discoverWithCli(cli, options.startService);
  return discoverWithSdk(options.sdkModule, options.sdkCacheDir, log);
}

async function discoverWithCli(cli: string, startService: boolean): Promise<DiscoveryResult> {
  // The current generation first; the older one answers `server` with "Unrecognized command".
  // Any failing `server status` without a URL may be an older CLI that words its refusal differently: ask
  // `service status` too, and keep the `server` answer when that one is not understood either.
  let command = 'server';
  // The JSON form first (CLI 0.10+), then the text, which every gen-2 CLI prints.
  const json = await runCli(cli, ['server', 'status', '-o', 'json'], 20_000);
  const server = json.code === 0 && parseServiceStatusJson(json) ? json : await runCli(cli, ['server', 'status'], 20_000);
  let status = parseServiceStatusJson(server) ?? parseServiceStatus(server);
  if (!status.running && (status.unrecognized || server.code !== 0)) {
    const older = parseServiceStatus(await runCli(cli, ['service', 'status'], 20_000));
    if (older.running || !older.unrecognized || status.unrecognized) {
      command = 'service';
      status = older;
    }
  }
  let stop: FoundryDiscovery['stop'] = null;
  let pid: number | null = null;
  let origin: string;
  if (status.running) {
    origin = status.url;
    pid = status.pid;
  } else {
    if (!startService) {
      return {
        found: null,
        note: `Foundry Local is installed but its service is not running (\`foundry ${command} status\`: ${status.message}); start it with \`foundry ${command} start\` or pass --start-service`,
      };
    }
    const result = await runStart(cli, [command, 'start'], 180_000);
    const started = parseStartOutput(result);
    if (!started)
      throw new Error(`\`foundry ${command} start\` did not report a URL (exit ${result.code}): ${`${result.stdout}${result.stderr}`.trim().slice(0, 300)}`);
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

/**
 * Where a Foundry Local service that stopped answering went. The server the CLI starts may stop when idle and come
 * back on another port (CLI 0.10+ `server start --idle-timeout`; the harness passes neither that nor `--port`, which
 * drop GPU and NPU builds from the catalog, #1065): ask `foundry server status` again. The new origin when it moved
 * and answers as the same generation; null when it did not move, or cannot be found (the caller's errors say the rest).
 */
export async function movedOrigin(target: FoundryTarget): Promise<string | null> {
  if (!target.cli || (await detectGeneration(target.origin))) return null;
  const command = target.generation === 'server' ? 'server' : 'service';
  const json = command === 'server' ? await runCli(target.cli, ['server', 'status', '-o', 'json'], 20_000) : null;
  const status = (json && json.code === 0 ? parseServiceStatusJson(json) : null) ?? parseServiceStatus(await runCli(target.cli, [command, 'status'], 20_000));
  if (!status.running || status.url === target.origin) return null;
  const now = await detectGeneration(status.url);
  return now?.generation === target.generation ? status.url : null;
}

/** The SDK 1.x runs Foundry Local in this process; its web service gives the same HTTP surface as the CLI's. */
async function discoverWithSdk(sdkModule: string, cacheDir: string, log: (line: string) => void): Promise<DiscoveryResult> {
  const started = await startSdk(sdkModule, cacheDir, log);
  if (!started || 'note' in started) return { found: null, note: started?.note ?? null };
  const found = await inspect(started.origin, 'foundry-local-sdk', null, {
    pid: process.pid,
    cacheDir,
    version: started.version,
    downloadBridge: started.downloadBridge,
    ...(started.catalog ? { catalog: started.catalog } : {}),
    ...(started.executionProviders ? { executionProviders: started.executionProviders } : {}),
  });
  if (!found) {
    await started.stop();
    return { found: null, note: `the SDK's web service at ${started.origin} does not answer GET /status` };
  }
  return { found: { ...found, notes: [...started.notes, ...found.notes], stop: () => started.stop() }, note: null };
}

async function inspect(
  origin: string,
  discoveredBy: string,
  cli: string | null,
  known: {
    pid?: number | null;
    version?: string | null;
    catalog?: FoundryVariant[];
    downloadBridge?: string;
    cacheDir?: string;
    executionProviders?: FoundryTarget['executionProviders'];
  },
): Promise<Omit<FoundryDiscovery, 'stop'> | null> {
  const status = await detectGeneration(origin);
  if (!status) return null;
  const version = known.version !== undefined ? known.version : cli ? parseVersion(await runCli(cli, ['--version'], 10_000)) : null;
  const read = known.catalog ? { catalog: known.catalog, source: 'sdk' as const, note: null } : await readCatalog(origin, status, cli);
  // Without GET /status (Core 1.x) the cache folder comes from the CLI, or is the one the SDK was started with.
  const cacheDir = status.cacheDir ?? known.cacheDir ?? (status.generation === 'server' && cli ? await cliCacheLocation(cli) : null);
  const target: FoundryTarget = {
    generation: status.generation,
    origin,
    version,
    discoveredBy,
    catalog: read.catalog,
    catalogSource: read.source,
    cacheDir,
    pid: status.pid ?? known.pid ?? null,
    cli,
    downloadBridge: known.downloadBridge ?? null,
    ...(known.executionProviders ? { executionProviders: known.executionProviders } : {}),
  };
  return { target, notes: read.note ? [read.note] : [] };
}
