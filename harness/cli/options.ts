/**
 * The run's options, made once from the command line's flags, the config file
 * and the environment. This is the only module that reads foundry-bench's
 * environment variables: everything below the CLI gets a `RunOptions` value
 * (vitest's workers through `provide`, reporters through their constructor).
 *
 * Precedence, first match wins: flag, environment variable, config file,
 * built-in default (docs/specs.md, "Where a setting comes from").
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { REPORTER_NAMES } from '../files/config.ts';
import { hasControlCharacters, secretsOf } from '../files/sanitize.ts';
import { findFoundryCli } from '../targets/foundry/cli.ts';
import type { FailOn, HarnessConfig, RunOptions } from '../types.ts';
import { UsageError } from './errors.ts';

/** Where benchmark specs live unless the command line or config says otherwise. */
export const DEFAULT_SPECS = 'bench/**/*.bench.ts';

/** An environment: `process.env` in the CLI, a plain object in tests. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** The run flags of the command line, as parsed (strings where the user typed text). */
export interface RunFlags {
  target?: string | undefined;
  baseTarget?: string | undefined;
  baseReplay?: boolean | undefined;
  baseRef?: string | undefined;
  baselineRuns?: string | undefined;
  specs?: string | undefined;
  iterations?: string | undefined;
  warmup?: string | undefined;
  noStream?: boolean | undefined;
  output?: string | undefined;
  updateBaseline?: boolean | undefined;
  baselineDir?: string | undefined;
  profile?: string | undefined;
  failOn?: string | undefined;
  models?: string | undefined;
  download?: boolean | undefined;
  startService?: boolean | undefined;
  testNamePattern?: string | undefined;
  shard?: string | undefined;
  filters?: string[] | undefined;
}

/** A non-empty value, or undefined for unset and empty alike (an empty variable unsets a setting). */
function value(raw: string | undefined): string | undefined {
  const trimmed = raw?.trim();
  return trimmed ? trimmed : undefined;
}

/** `1/true/yes/on` or `0/false/no/off`; undefined when unset. */
function envFlag(env: Environment, name: string): boolean | undefined {
  const raw = value(env[name]);
  return raw === undefined ? undefined : !/^(0|false|no|off)$/i.test(raw);
}

function integer(raw: string | undefined, name: string, min: number): number | null {
  if (raw === undefined) return null;
  const parsed = Number(raw);
  if (!Number.isInteger(parsed) || parsed < min) throw new UsageError(`${name} must be an integer >= ${min}, got "${raw}"`);
  return parsed;
}

function stream(noStream: boolean | undefined, env: Environment): boolean | null {
  if (noStream) return false;
  const raw = value(env.BENCH_STREAM);
  if (raw === undefined) return null;
  if (!['0', '1', 'true', 'false'].includes(raw)) throw new UsageError(`BENCH_STREAM must be 0 or 1, got "${raw}"`);
  return raw === '1' || raw === 'true';
}

function failOn(raw: string | undefined, name: string): FailOn | null {
  if (raw === undefined) return null;
  if (raw !== 'regressed' && raw !== 'inconclusive') throw new UsageError(`${name} must be "regressed" or "inconclusive", got "${raw}"`);
  return raw;
}

export function profileName(raw: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(raw)) throw new UsageError(`profile "${raw}" may only contain letters, digits, ".", "_" and "-"`);
  return raw;
}

/** `--base-replay` (replays the working tree's baseline) or `--base-ref REF` (the baseline as committed at REF). */
function baseReplay(flags: RunFlags, env: Environment): RunOptions['baseReplay'] {
  const ref = value(flags.baseRef) ?? value(env.BENCH_BASE_REF);
  // A leading dash would reach `git show` as an option (`-O/path`): no ref starts with one.
  if (ref !== undefined && !/^[\w./@^~][\w./@^~-]*$/.test(ref)) throw new UsageError(`--base-ref "${ref}" is not a git ref`);
  if (ref !== undefined) return { ref };
  return flags.baseReplay || envFlag(env, 'BENCH_BASE_REPLAY') ? { ref: null } : null;
}

/**
 * The options of a run (also of `doctor` and `models`, which resolve a target
 * the way a run does). Throws a UsageError naming the flag or variable of a bad value.
 */
export function runOptions(flags: RunFlags, config: HarnessConfig, env: Environment, root: string): RunOptions {
  const f = config.foundry ?? {};
  const threads = integer(value(env.FOUNDRY_BENCH_THREADS), 'FOUNDRY_BENCH_THREADS', 1) ?? 1;
  const models = value(flags.models) ?? value(env.BENCH_MODELS);
  const replay = baseReplay(flags, env);
  const baseTarget = flags.baseTarget ?? value(env.BENCH_BASE_TARGET) ?? null;
  if (replay && baseTarget) throw new UsageError('--base-target and --base-replay/--base-ref each name the A/B base: give one');
  refuseControlCharacters([
    [env.BENCH_API_KEY ? 'BENCH_API_KEY' : 'OPENAI_API_KEY', value(env.BENCH_API_KEY) ?? value(env.OPENAI_API_KEY)],
    [flags.target ? '--target' : 'BENCH_BASE_URL', flags.target ?? value(env.BENCH_BASE_URL)],
    [flags.baseTarget ? '--base-target' : 'BENCH_BASE_TARGET', baseTarget],
    ['FOUNDRY_LOCAL_ENDPOINT', value(env.FOUNDRY_LOCAL_ENDPOINT)],
    ["the config file's target", config.target],
  ]);
  return {
    root,
    config,
    specs: flags.specs ?? config.specs ?? DEFAULT_SPECS,
    filters: flags.filters ?? [],
    testNamePattern: flags.testNamePattern ?? null,
    shard: flags.shard ?? null,
    baseUrl: flags.target ?? value(env.BENCH_BASE_URL) ?? null,
    baseUrlSource: flags.target ? '--target' : value(env.BENCH_BASE_URL) ? 'env:BENCH_BASE_URL' : null,
    baseTarget,
    apiKey: value(env.BENCH_API_KEY) ?? value(env.OPENAI_API_KEY) ?? 'not-needed',
    overrides: {
      iterations: integer(flags.iterations ?? value(env.BENCH_ITERATIONS), flags.iterations ? '--iterations' : 'BENCH_ITERATIONS', 1),
      warmup: integer(flags.warmup ?? value(env.BENCH_WARMUP), flags.warmup ? '--warmup' : 'BENCH_WARMUP', 0),
      stream: stream(flags.noStream, env),
    },
    models: models
      ? models
          .split(',')
          .map((m) => m.trim())
          .filter(Boolean)
      : null,
    outputDir: resolve(root, flags.output ?? value(env.BENCH_OUTPUT_DIR) ?? config.outputDir ?? 'bench-results'),
    baselineDir: resolve(root, flags.baselineDir ?? value(env.BENCH_BASELINE_DIR) ?? config.baselineDir ?? 'fixtures/baselines'),
    profile: profileName(flags.profile ?? value(env.BENCH_PROFILE) ?? config.profile ?? 'default'),
    updateBaseline: flags.updateBaseline === true || env.BENCH_UPDATE_BASELINE === '1' || env.BENCH_UPDATE_BASELINE === 'true',
    baselineRuns: integer(flags.baselineRuns ?? value(env.BENCH_BASELINE_RUNS), flags.baselineRuns ? '--baseline-runs' : 'BENCH_BASELINE_RUNS', 1) ?? 5,
    baseReplay: replay,
    failOn: failOn(flags.failOn, '--fail-on') ?? failOn(value(env.BENCH_FAIL_ON), 'BENCH_FAIL_ON'),
    foundry: {
      discover: envFlag(env, 'BENCH_FOUNDRY') ?? f.discover ?? true,
      startService: flags.startService || (envFlag(env, 'BENCH_START_SERVICE') ?? f.startService ?? false),
      download: flags.download || (envFlag(env, 'BENCH_DOWNLOAD') ?? f.download ?? false),
      downloadRetries: f.downloadRetries ?? 3,
      retryDelayMs: f.retryDelayMs ?? 2000,
      ttlSeconds: f.ttlSeconds ?? 3600,
      unload: f.unload ?? true,
      endpoint: value(env.FOUNDRY_LOCAL_ENDPOINT) ?? null,
      cli: findFoundryCli(env.PATH ?? '', value(env.FOUNDRY_CLI)),
      sdkModule: value(env.FOUNDRY_BENCH_SDK_MODULE) ?? 'foundry-local-sdk',
      sdkCacheDir: value(env.FOUNDRY_BENCH_SDK_CACHE) ?? join(env.HOME ?? env.USERPROFILE ?? homedir(), '.foundry', 'cache', 'models'),
    },
    embedded: {
      modelDir: value(env.FOUNDRY_BENCH_MODEL_DIR) ?? resolve(root, 'node_modules/.cache/foundry-bench/models'),
      threads,
    },
    reporters: config.reporters ?? [...REPORTER_NAMES],
    output: {
      noColor: Boolean(env.NO_COLOR),
      githubActions: env.GITHUB_ACTIONS === 'true',
      stepSummary: value(env.GITHUB_STEP_SUMMARY) ?? null,
    },
  };
}

/** The config file the user named: `--config`, else `FOUNDRY_BENCH_CONFIG`; undefined to look for the default names. */
export function configFileOption(flag: string | undefined, env: Environment): string | undefined {
  return flag ?? value(env.FOUNDRY_BENCH_CONFIG);
}

/**
 * What the CLI's output must never show, known before any option is parsed (a usage error is printed too): the keys
 * in the environment and the credentials of every URL in the environment or on the command line.
 */
export function outputSecrets(env: Environment, argv: readonly string[]): string[] {
  return secretsOf(
    [env.BENCH_API_KEY, env.OPENAI_API_KEY, env.GITHUB_TOKEN],
    [env.BENCH_BASE_URL, env.BENCH_BASE_TARGET, env.FOUNDRY_LOCAL_ENDPOINT, ...argv.flatMap(urlsIn)],
  );
}

/** Every URL in an argument, in any spelling of a flag: `URL`, `--target=URL`, `-tURL`. */
function urlsIn(arg: string): string[] {
  return arg.match(/[a-z][a-z0-9+.-]*:\/\/\S+/gi) ?? [];
}

/**
 * A key or URL with a control character in it (a CR/LF pasted in with it) cannot be sent as it is, and once the
 * character is stripped from some output it would no longer match the secret redacted there: refuse it, by name.
 */
function refuseControlCharacters(values: ReadonlyArray<[string, string | null | undefined]>): void {
  for (const [name, raw] of values) {
    if (raw && hasControlCharacters(raw)) throw new UsageError(`${name} contains a control character (a line break?): fix it, it is not used as it is`);
  }
}
