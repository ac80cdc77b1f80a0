/**
 * `foundry-bench`: runs the benchmark specs under vitest with the harness's
 * own configuration and flags (vitest's file filters, `-t` and `--shard` pass
 * through, so cases are selected the way tests are), serves the embedded
 * engine, and renders or compares results files offline.
 *
 * This is the process boundary: flags, the config file and the environment
 * become one `RunOptions` here (options.ts), and every command gets its
 * output streams from here, so the whole CLI runs in-process in tests.
 *
 * Exit codes: 0 all passed (or skipped), 1 a case failed or regressed,
 * 2 bad usage or unreadable input.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { findConfigFile, loadConfig } from '../files/config.ts';
import { DataFileError } from '../files/data-file.ts';
import { Sanitizer, urlSecrets } from '../files/sanitize.ts';
import type { RegressionOptions, RunOptions } from '../types.ts';
import { FORMATS } from '../../reporters/render.ts';
import { UsageError } from './errors.ts';
import { untilStopped } from './until-stopped.ts';
import { configFileOption, DEFAULT_SPECS, outputSecrets, runOptions, type Environment } from './options.ts';
import type { Io } from './run-bench.ts';

const HELP = `foundry-bench: latency benchmarks for local language models

Usage:
  foundry-bench [run] [file filters...] [options]    run the specs (npm run bench)
  foundry-bench report <results.json> [--format F] [-o FILE]
  foundry-bench compare <base.json> <head.json> [--format F] [-o FILE] [--fail-on V] [--tolerance X] [--metric M]
  foundry-bench merge <results...> -o FILE           merge the results files of shards or profiles
  foundry-bench summary <results.json>               key=value counts (for $GITHUB_OUTPUT): cases, regressions, ...
  foundry-bench comment --file report.md [--pr N] [--repo owner/name] [--artifact-url URL]
                                                     create or update the one PR comment (GITHUB_TOKEN)
  foundry-bench models [--target URL]                the model catalog; on Foundry Local its variants, cached and loaded
  foundry-bench doctor [--target URL] [--models A,B] check the target and every model the specs use
  foundry-bench serve [--port N]                     run the embedded engine as an OpenAI-compatible server
  foundry-bench history <push|import|list|show|changes|mark|bisect|baseline|trend|export|dashboard> [--repo URL|PATH] [--branch NAME]
                                                     runs kept on a git branch; change points across commits
  foundry-bench help | --help, foundry-bench version | --version

Run options:
  --target URL           base URL of an OpenAI-compatible server (or BENCH_BASE_URL)
  --base-replay          A/B against the baseline's recorded requests, replayed alongside in ABBA blocks (BENCH_BASE_REPLAY=1)
  --base-ref REF         like --base-replay, with the baseline file as committed at REF, e.g. origin/main (BENCH_BASE_REF)
  --base-target URL      compare every case with this server, measured alongside in ABBA blocks (A/B; BENCH_BASE_TARGET)
  --specs GLOB           spec files to run (default ${DEFAULT_SPECS})
  --iterations N         timed requests per case, overriding specs (BENCH_ITERATIONS)
  --warmup N             warmup requests per case, overriding specs (BENCH_WARMUP)
  --no-stream            time whole responses instead of streams (BENCH_STREAM=0)
  --output DIR           where results.json and reports go (BENCH_OUTPUT_DIR, default bench-results)
  --update-baseline      write this run's figures into the baseline (BENCH_UPDATE_BASELINE=1)
  --baseline-runs N      runs a baseline entry keeps; --update-baseline appends (BENCH_BASELINE_RUNS, default 5)
  --baseline-dir DIR     where baselines live (BENCH_BASELINE_DIR, default fixtures/baselines)
  --profile NAME         hardware profile: baseline file DIR/NAME.json (BENCH_PROFILE, default "default")
  --fail-on VERDICT      regressed (default) or inconclusive (BENCH_FAIL_ON)
  --models A,B           run only these model aliases (BENCH_MODELS)
  --download             Foundry Local: download models missing from the cache (BENCH_DOWNLOAD=1)
  --start-service        Foundry Local: start the service if it is not running, stop it after (BENCH_START_SERVICE=1)
  --config FILE          config file (FOUNDRY_BENCH_CONFIG; default foundry-bench.config.{yaml,yml,json,ts})
  -t, --testNamePattern  run only cases whose "model prompt" name matches
  --shard i/n            run the i-th of n shards of the spec files

Report and compare options:
  --format F             ${FORMATS.join(', ')} (default md; compare to a terminal: table)
  -o, --out FILE         write to FILE (atomically) instead of stdout
  --tolerance X          allowed relative change (compare; default 0.10)
  --metric M             e2eP95 (default), e2eP99, ttftP95 or tokensPerSec; repeatable (compare)

Targets, first found wins: --target or BENCH_BASE_URL; FOUNDRY_LOCAL_ENDPOINT; the config file's target;
Foundry Local found through the foundry CLI or foundry-local-sdk (BENCH_FOUNDRY=0 skips it); the embedded engine.
Environment: BENCH_API_KEY or OPENAI_API_KEY (never printed).
Exit codes: 0 passed, 1 a case failed or regressed, 2 bad usage or input.
`;

const OPTIONS = {
  target: { type: 'string' },
  'base-target': { type: 'string' },
  'base-replay': { type: 'boolean' },
  'base-ref': { type: 'string' },
  'baseline-runs': { type: 'string' },
  specs: { type: 'string' },
  iterations: { type: 'string' },
  warmup: { type: 'string' },
  'no-stream': { type: 'boolean' },
  output: { type: 'string' },
  testNamePattern: { type: 'string', short: 't' },
  shard: { type: 'string' },
  port: { type: 'string' },
  'update-baseline': { type: 'boolean' },
  'baseline-dir': { type: 'string' },
  profile: { type: 'string' },
  'fail-on': { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string', short: 'o' },
  tolerance: { type: 'string' },
  metric: { type: 'string', multiple: true },
  models: { type: 'string' },
  download: { type: 'boolean' },
  'start-service': { type: 'boolean' },
  config: { type: 'string' },
  file: { type: 'string' },
  pr: { type: 'string' },
  repo: { type: 'string' },
  branch: { type: 'string' },
  reason: { type: 'string' },
  case: { type: 'string' },
  runs: { type: 'string' },
  testbed: { type: 'string' },
  run: { type: 'boolean' },
  command: { type: 'string' },
  install: { type: 'boolean' },
  'artifact-url': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

const COMMANDS = new Set(['run', 'serve', 'report', 'compare', 'models', 'merge', 'summary', 'comment', 'doctor', 'history']);

export async function main(argv: string[], env: Environment, io: Io): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help || positionals[0] === 'help') {
    io.stdout.write(HELP);
    return 0;
  }
  if (values.version || positionals[0] === 'version') {
    io.stdout.write(`foundry-bench ${packageVersion()}\n`);
    return 0;
  }
  const [command, ...rest] = COMMANDS.has(positionals[0] ?? '') ? positionals : ['run', ...positionals];
  const root = process.cwd();
  const config = await loadConfig(findConfigFile(root, configFileOption(values.config, env)));
  io.conceal?.(urlSecrets(config.target));
  // Run, doctor and models resolve a target the same way, from the same options.
  const options = () => runOptions(runFlags(values, rest), config, env, root);
  // Each command's modules are loaded when it runs: a report or `--version` does not wait for vitest or openai.
  const offline = () => import('./offline.ts');
  switch (command) {
    case 'serve':
      return serve(values.port, options(), io);
    case 'report': {
      const { parseFormat, reportCommand } = await offline();
      return reportCommand(rest, parseFormat(values.format, 'md'), values.out, io);
    }
    case 'compare': {
      const { compareCommand, parseFormat } = await offline();
      // A person at a terminal reads the table; a file or a pipe (a PR comment) gets Markdown.
      const fallback = !values.out && (io.stdout as { isTTY?: boolean }).isTTY ? 'table' : 'md';
      return compareCommand(rest, parseFormat(values.format, fallback), values.out, { ...config.regression, ...regressionFlags(values) }, io);
    }
    case 'models': {
      const { modelsCommand } = await import('./models.ts');
      return modelsCommand(options(), io);
    }
    case 'merge':
      return (await offline()).mergeCommand(rest, values.out, io);
    case 'doctor':
      return (await import('./doctor.ts')).doctorCommand(options(), values.models, io, env);
    case 'summary':
      return (await offline()).summaryCommand(rest, io);
    case 'history': {
      const { historyCommand } = await import('./history.ts');
      const { repo, branch, format, out, reason, case: caseId, output, runs, testbed, profile, run, command, install } = values;
      return historyCommand(rest, { repo, branch, format, out, reason, case: caseId, output, runs, testbed, profile, run, command, install }, env, io);
    }
    case 'comment': {
      const { commentCommand } = await import('./comment.ts');
      return commentCommand({ file: values.file, pr: values.pr, repo: values.repo, artifactUrl: values['artifact-url'] }, env, io);
    }
    default:
      return (await (await import('./run-bench.ts')).runBench(options(), io)).code;
  }
}

function runFlags(values: Values, filters: string[]) {
  return {
    target: values.target,
    baseTarget: values['base-target'],
    baseReplay: values['base-replay'],
    baseRef: values['base-ref'],
    baselineRuns: values['baseline-runs'],
    specs: values.specs,
    iterations: values.iterations,
    warmup: values.warmup,
    noStream: values['no-stream'],
    output: values.output,
    updateBaseline: values['update-baseline'],
    baselineDir: values['baseline-dir'],
    profile: values.profile,
    failOn: values['fail-on'],
    models: values.models,
    download: values.download,
    startService: values['start-service'],
    testNamePattern: values.testNamePattern,
    shard: values.shard,
    filters,
  };
}

function regressionFlags(values: Values): RegressionOptions {
  const options: RegressionOptions = {};
  if (values['fail-on']) options.failOn = values['fail-on'] as RegressionOptions['failOn'];
  if (values.tolerance !== undefined) {
    const tolerance = Number(values.tolerance);
    if (!Number.isFinite(tolerance)) throw new UsageError(`--tolerance must be a number, got "${values.tolerance}"`);
    options.tolerance = tolerance;
  }
  if (values.metric) options.metric = values.metric as RegressionOptions['metric'];
  return options;
}

/** Serves until stopped (cli/until-stopped.ts); prints the URL on its first line of output. */
async function serve(port: string | undefined, options: RunOptions, io: Io): Promise<number> {
  const { startEmbedded } = await import('../targets/embedded/load.ts');
  const server = await startEmbedded({ ...options.embedded, ...(port ? { port: Number(port) } : {}) });
  io.stdout.write(`embedded engine (node-llama-cpp ${server.engineVersion}) serving ${server.models.map((m) => m.id).join(', ')} on ${server.url}\n`);
  const why = await untilStopped();
  io.stderr.write(`foundry-bench: embedded engine stopping (${why})\n`);
  await server.close();
  return 0;
}

/** The CLI with its error handling: returns the exit code instead of throwing. */
export async function cli(argv: string[], env: Environment = process.env, raw: Io = process): Promise<number> {
  const io = sanitizedIo(raw, argv, env);
  try {
    return await main(argv, env, io);
  } catch (error) {
    const message = error instanceof DataFileError ? `invalid input, nothing was run:\n  ${error.problems.join('\n  ')}` : (error as Error).message;
    io.stderr.write(`foundry-bench: ${message}\n${error instanceof UsageError ? '\nRun foundry-bench --help for usage.\n' : ''}`);
    return 2;
  }
}

/** The version in package.json. */
function packageVersion(): string {
  const file = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/**
 * A stream whose writes reach `target` sanitised, synchronously and in order. Ending or destroying it (vitest
 * closes the streams it was given) leaves the target, often the process's own stdout, open.
 */
class SanitizingStream extends Writable {
  constructor(
    private readonly target: Writable & { isTTY?: boolean },
    private readonly sanitizer: Sanitizer,
  ) {
    super();
  }

  get isTTY(): boolean | undefined {
    return this.target.isTTY;
  }

  override write(chunk: unknown, ...rest: unknown[]): boolean {
    const text = chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : String(chunk);
    return (this.target.write as (...args: unknown[]) => boolean)(this.sanitizer.output(text), ...rest);
  }
}

/**
 * The streams every command writes to, sanitised (files/sanitize.ts): the keys in the environment and the
 * credentials in any URL given are never printed, even when a server echoes them, and under GitHub Actions no
 * printed line becomes a workflow command. Intended workflow commands go to `commands`, the raw stdout.
 */
function sanitizedIo(raw: Io, argv: readonly string[], env: Environment): Io {
  const sanitizer = new Sanitizer(outputSecrets(env, argv), env.GITHUB_ACTIONS === 'true');
  const wrap = (target: Writable & { isTTY?: boolean }) => new SanitizingStream(target, sanitizer);
  return {
    stdout: wrap(raw.stdout),
    stderr: wrap(raw.stderr),
    commands: raw.commands ?? raw.stdout,
    conceal: (secrets) => sanitizer.conceal(secrets),
  };
}

// Run when executed (npm run bench, the bin), not when imported by tests.
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  process.exitCode = await cli(process.argv.slice(2));
}
