/**
 * The project's harness configuration, `foundry-bench.config.(yaml|yml|json|ts)`
 * at the project root: defaults for spec options, the gate, the quality
 * rubric, the cost estimate, paths and reporters. The CLI loads and validates
 * it once and hands it to vitest's processes as JSON in
 * `FOUNDRY_BENCH_CONFIG_JSON`, so spec workers read it synchronously.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DataFileError, loadDataFile } from './data-file.ts';
import { schemaProblems } from './schemas.ts';
import type { CaseParams, RegressionOptions } from '../types.ts';

export const REPORTER_NAMES = ['console', 'json', 'junit', 'markdown', 'csv', 'github'] as const;
export type ReporterName = (typeof REPORTER_NAMES)[number];

export interface HarnessConfig {
  target?: string;
  specs?: string;
  defaults?: Partial<CaseParams>;
  regression?: RegressionOptions;
  quality?: { minScore?: number; judge?: { model: string; maxTokens?: number } };
  energy?: { deviceWatts: number; pricePerKWh?: number; currency?: string };
  catalog?: string;
  annotations?: string;
  promptsDir?: string;
  baselineDir?: string;
  profile?: string;
  outputDir?: string;
  reporters?: ReporterName[];
  foundry?: Partial<FoundryOptions>;
}

/** How the harness treats Foundry Local (config `foundry:`, flags and environment). */
export interface FoundryOptions {
  /** Look for Foundry Local (CLI, SDK) when no target is set; `BENCH_FOUNDRY=0` turns it off. Default true. */
  discover: boolean;
  /** Start the service when it is installed but not running (`--start-service`). Default false. */
  startService: boolean;
  /** Download models that are not in the cache (`--download`); otherwise their cases are skipped. Default false. */
  download: boolean;
  /** Retries of an interrupted download. Default 3. */
  downloadRetries: number;
  /** Wait before the first retry, doubled each time, ms. Default 2000. */
  retryDelayMs: number;
  /** How long the service keeps a model loaded (gen-1 `ttl`), s. Default 3600. */
  ttlSeconds: number;
  /** Unload, after its cases, a model the harness loaded. Default true. */
  unload: boolean;
}

export const CONFIG_FILES = ['foundry-bench.config.yaml', 'foundry-bench.config.yml', 'foundry-bench.config.json', 'foundry-bench.config.ts'];
const ENV_KEY = 'FOUNDRY_BENCH_CONFIG_JSON';

/** The config file of a project, or null when it has none. `FOUNDRY_BENCH_CONFIG` names another one. */
export function findConfigFile(root = process.cwd(), env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.FOUNDRY_BENCH_CONFIG) return resolve(root, env.FOUNDRY_BENCH_CONFIG);
  return CONFIG_FILES.map((name) => join(root, name)).find((path) => existsSync(path)) ?? null;
}

/** Loads and validates the config; a TypeScript config's default export is validated like a YAML one. */
export async function loadConfig(file: string | null): Promise<HarnessConfig> {
  if (!file) return {};
  if (!file.endsWith('.ts')) return loadDataFile<HarnessConfig>(file, 'config').value;
  const module = (await import(pathToFileURL(file).href)) as { default?: unknown };
  const problems = schemaProblems('config', module.default);
  if (problems.length > 0) throw new DataFileError(problems.map((p) => `${file}: default export ${p}`));
  return module.default as HarnessConfig;
}

/** Hands the config to child processes (vitest's workers inherit the environment). */
export function shareConfig(config: HarnessConfig, env: NodeJS.ProcessEnv = process.env): void {
  env[ENV_KEY] = JSON.stringify(config);
}

let shared: { raw: string | undefined; config: HarnessConfig } | undefined;

/** The config the CLI shared, or an empty one when specs run without the CLI. */
export function sharedConfig(env: NodeJS.ProcessEnv = process.env): HarnessConfig {
  const raw = env[ENV_KEY];
  if (shared === undefined || shared.raw !== raw) shared = { raw, config: raw ? (JSON.parse(raw) as HarnessConfig) : {} };
  return shared.config;
}

/** Foundry options: environment (set by the CLI's flags) over the config file over defaults. */
export function foundryOptions(config: HarnessConfig = sharedConfig(), env: NodeJS.ProcessEnv = process.env): FoundryOptions {
  const flag = (name: string): boolean | undefined => (env[name] === undefined || env[name] === '' ? undefined : !/^(0|false|no|off)$/i.test(env[name] as string));
  const f = config.foundry ?? {};
  return {
    discover: flag('BENCH_FOUNDRY') ?? f.discover ?? true,
    startService: flag('BENCH_START_SERVICE') ?? f.startService ?? false,
    download: flag('BENCH_DOWNLOAD') ?? f.download ?? false,
    downloadRetries: f.downloadRetries ?? 3,
    retryDelayMs: f.retryDelayMs ?? 2000,
    ttlSeconds: f.ttlSeconds ?? 3600,
    unload: f.unload ?? true,
  };
}
