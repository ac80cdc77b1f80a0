/**
 * The run's options: made once from flags, the config file and the
 * environment (first match wins, in that order), validated with the name of
 * the flag or variable at fault.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { checkBaselineAtRef } from '../harness/cli/run-bench.ts';
import { benchVitestOptions } from '../harness/cli/vitest-options.ts';
import { runOptions } from '../harness/cli/options.ts';
import { runCli } from './helpers/cli.ts';

const ROOT = '/project';
const options = (flags: Parameters<typeof runOptions>[0] = {}, config: Parameters<typeof runOptions>[1] = {}, env: Record<string, string> = {}) =>
  runOptions(flags, config, env, ROOT);

describe('run options', () => {
  test('built-in defaults, with paths resolved against the project root', () => {
    const o = options();
    expect(o).toMatchObject({
      root: ROOT,
      specs: 'bench/**/*.bench.ts',
      baseUrl: null,
      apiKey: 'not-needed',
      overrides: { iterations: null, warmup: null, stream: null },
      models: null,
      outputDir: '/project/bench-results',
      baselineDir: '/project/fixtures/baselines',
      profile: 'default',
      updateBaseline: false,
      failOn: null,
      reporters: ['console', 'json', 'junit', 'markdown', 'csv', 'github', 'html'],
      embedded: { modelDir: '/project/node_modules/.cache/foundry-bench/models', threads: 1 },
      output: { noColor: false, githubActions: false, stepSummary: null },
    });
    expect(o.foundry).toMatchObject({
      discover: true,
      startService: false,
      download: false,
      downloadRetries: 3,
      retryDelayMs: 2000,
      ttlSeconds: 3600,
      unload: true,
      endpoint: null,
      sdkModule: 'foundry-local-sdk',
    });
  });

  test('a flag beats the environment, which beats the config file', () => {
    const config = { outputDir: 'from-config', baselineDir: 'config-baselines', profile: 'config-profile', foundry: { download: false, discover: true } };
    const env = { BENCH_OUTPUT_DIR: 'from-env', BENCH_PROFILE: 'env-profile', BENCH_DOWNLOAD: '1', BENCH_FOUNDRY: '0', BENCH_FAIL_ON: 'inconclusive' };
    const fromEnv = options({}, config, env);
    expect(fromEnv).toMatchObject({ outputDir: '/project/from-env', baselineDir: '/project/config-baselines', profile: 'env-profile', failOn: 'inconclusive' });
    expect(fromEnv.foundry).toMatchObject({ download: true, discover: false });
    const fromFlags = options({ output: 'from-flag', profile: 'flag-profile', failOn: 'regressed' }, config, env);
    expect(fromFlags).toMatchObject({ outputDir: '/project/from-flag', profile: 'flag-profile', failOn: 'regressed' });
  });

  test('run-wide overrides, models, target and key come from flags or the environment', () => {
    const o = options(
      { iterations: '5', noStream: true, models: 'a, b,' },
      {},
      { BENCH_WARMUP: '0', BENCH_BASE_URL: 'http://127.0.0.1:9', OPENAI_API_KEY: 'sk-x' },
    );
    expect(o.overrides).toEqual({ iterations: 5, warmup: 0, stream: false });
    expect(o.models).toEqual(['a', 'b']);
    expect(o.baseUrl).toBe('http://127.0.0.1:9');
    expect(o.baseUrlSource).toBe('env:BENCH_BASE_URL');
    // The flag wins, and the reports name it as where the target came from.
    expect(options({ target: 'http://127.0.0.1:8' }, {}, { BENCH_BASE_URL: 'http://127.0.0.1:9' })).toMatchObject({
      baseUrl: 'http://127.0.0.1:8',
      baseUrlSource: '--target',
    });
    expect(o.apiKey).toBe('sk-x');
    expect(options({}, {}, { BENCH_API_KEY: 'sk-bench', OPENAI_API_KEY: 'sk-x' }).apiKey).toBe('sk-bench');
    // An empty variable unsets a setting, as it does for the shell's users.
    expect(options({}, {}, { BENCH_BASE_URL: '', BENCH_ITERATIONS: '' })).toMatchObject({ baseUrl: null, overrides: { iterations: null } });
  });

  test('bad values name the flag or variable', () => {
    expect(() => options({ iterations: '0' })).toThrow('--iterations must be an integer >= 1, got "0"');
    expect(() => options({}, {}, { BENCH_WARMUP: 'two' })).toThrow('BENCH_WARMUP must be an integer >= 0, got "two"');
    expect(() => options({}, {}, { BENCH_STREAM: 'maybe' })).toThrow('BENCH_STREAM must be 0 or 1, got "maybe"');
    expect(() => options({}, {}, { BENCH_FAIL_ON: 'sometimes' })).toThrow('BENCH_FAIL_ON must be "regressed" or "inconclusive", got "sometimes"');
    expect(() => options({ profile: '../etc' })).toThrow('profile "../etc" may only contain letters');
    expect(() => options({}, {}, { FOUNDRY_BENCH_THREADS: '-1' })).toThrow('FOUNDRY_BENCH_THREADS must be an integer >= 1');
  });

  test('the CLI exits 2 on a bad value, before running anything, and leaves process.env alone', async () => {
    const before = { ...process.env };
    const { code, output } = await runCli(['--iterations', 'lots', '--specs', 'test/specs/sim.bench.ts'], { BENCH_BASE_URL: 'http://127.0.0.1:1' });
    expect(code).toBe(2);
    expect(output).toBe('foundry-bench: --iterations must be an integer >= 1, got "lots"\n\nRun foundry-bench --help for usage.\n');
    expect(process.env).toEqual(before);
  });
});

describe("a run's vitest", () => {
  test("keeps its transform cache in the project's node_modules/.cache, and none where there is no node_modules", async () => {
    const project = mkdtempSync(join(tmpdir(), 'foundry-bench-cache-'));
    const bare = await benchVitestOptions(runOptions({}, {}, {}, project), []);
    expect(bare.experimental).toEqual({ fsModuleCache: false });
    mkdirSync(join(project, 'node_modules'));
    const installed = await benchVitestOptions(runOptions({}, {}, {}, project), []);
    expect(installed.experimental).toEqual({ fsModuleCache: true, fsModuleCachePath: join(project, 'node_modules/.cache/foundry-bench/vitest') });
  });
});

describe('--base-ref, hostile or empty', () => {
  test('a ref that starts with a dash never reaches git as an option', () => {
    expect(() => options({ baseRef: '-O/tmp/pwned' })).toThrow('--base-ref "-O/tmp/pwned" is not a git ref');
    expect(() => options({}, {}, { BENCH_BASE_REF: '--output=/tmp/x' })).toThrow('is not a git ref');
    expect(options({ baseRef: 'origin/main' }).baseReplay).toEqual({ ref: 'origin/main' });
  });

  test('a ref whose baseline file is {} is refused before the run, saying it holds no baseline', () => {
    const repo = mkdtempSync(join(tmpdir(), 'base-ref-'));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'pipe' });
    git('init', '-q');
    mkdirSync(join(repo, 'fixtures/baselines'), { recursive: true });
    writeFileSync(join(repo, 'fixtures/baselines/default.json'), '{}');
    git('add', '.');
    git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'empty baseline');
    const file = join(repo, 'fixtures/baselines/default.json');
    expect(() => checkBaselineAtRef('HEAD', file, repo)).toThrow(
      `--base-ref HEAD: ${file} there holds no valid baseline (/ must have required property 'kind'`,
    );
    expect(() => checkBaselineAtRef('no-such-ref', file, repo)).toThrow(`--base-ref no-such-ref: cannot read ${file} at that ref`);
  });
});
