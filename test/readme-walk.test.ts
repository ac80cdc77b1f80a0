/**
 * The README walked as a newcomer walks it: a fresh clone (no `fixtures/baselines/`, no `bench-results/`), the
 * README's own commands in order, against the simulated server (the README's way to try the harness without a
 * model server). Each command must exit as the README says and write what it says it writes.
 *
 * Every command in COMMANDS is quoted from README.md, and a test checks that it still is: when the README changes
 * a command, this walk must change with it. The first baseline (`npm run bench -- --update-baseline`, through npm
 * and the package's bin) and the merge (`npx foundry-bench` with a shell glob) are typed into a shell, so the
 * process boundary is walked once each way; the rest, and the variants the README gives in prose (the other report
 * formats, `--baseline-dir`, `doctor --models X`), go through the same CLI function in this process, in the clone,
 * the way the other tests call it: a child process costs 3 to 6 s of CPU, and the suite has to stay fast on two
 * cores. The clone is of HEAD with the working tree's uncommitted changes laid over it (in CI, HEAD itself),
 * sharing node_modules through a link.
 */
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { schemaProblems } from '../harness/files/schemas.ts';
import { resultsProblems } from '../harness/results/results-file.ts';
import type { BaselineFile, RunResults } from '../harness/types.ts';
import { runCli, SECRET, testEnv } from './helpers/cli.ts';
import { spawnSimServer, type SimServer } from './fakes/sim-server.ts';

const ROOT = resolve(import.meta.dirname, '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The README's commands this walk runs, by what they are for. */
const COMMANDS = {
  run: 'npm run bench',
  record: 'npm run bench -- --update-baseline',
  commit: 'git add fixtures/baselines/default.json',
  replay: 'npm run bench -- --base-replay',
  shard1: 'npm run bench -- --shard=1/2',
  html: 'npx foundry-bench report bench-results/results.json --format html -o report.html',
  compare: 'npx foundry-bench compare fixtures/baselines/default.json bench-results/results.json',
  merge: 'npx foundry-bench merge bench-results/results-*.json -o bench-results/results.json',
  models: 'npx foundry-bench models',
  doctor: 'npx foundry-bench doctor',
  historyPush: 'npx foundry-bench history push',
  historyChanges: 'npx foundry-bench history changes',
  dashboard: 'npx foundry-bench history dashboard -o site',
} as const;

/** What the README gives in prose or as a variant of a quoted command ("or md, junit, csv"; "--baseline-dir DIR"): foundry-bench's arguments. */
const VARIANTS = {
  shard2: ['--shard=2/2'],
  md: ['report', 'bench-results/results.json', '--format', 'md', '-o', 'report.md'],
  junit: ['report', 'bench-results/results.json', '--format', 'junit', '-o', 'junit.xml'],
  csv: ['report', 'bench-results/results.json', '--format', 'csv', '-o', 'results.csv'],
  newDir: ['--update-baseline', '--baseline-dir', 'new/dir', '--profile', 'laptop', '--output', 'new/results'],
  doctorNoSuch: ['doctor', '--models', 'nosuch'],
} as const;

interface Step {
  code: number;
  output: string;
}

let sim: SimServer;
let clone: string;
let historyOrigin: string | undefined;
let env: Record<string, string>;
const cwd = process.cwd();

/** A clone of HEAD with this working tree's uncommitted changes (edited, new, deleted files) applied. */
function cloneWorkingTree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'foundry-bench-walk-'));
  execFileSync('git', ['clone', '--quiet', '--shared', ROOT, dir]);
  const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  const deleted = new Set(git('ls-files', '-z', '--deleted'));
  for (const file of git('ls-files', '-z', '--modified', '--others', '--exclude-standard')) {
    if (deleted.has(file)) continue;
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(ROOT, file), join(dir, file));
  }
  for (const file of deleted) rmSync(join(dir, file), { force: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

/** foundry-bench's CLI in this process, in the clone (the working directory is the clone's for the whole walk). */
function call(args: readonly string[]): Promise<Step> {
  return runCli([...args], { BENCH_BASE_URL: sim.url });
}

/** A README command (`npx foundry-bench ARGS`, `npm run bench -- ARGS`; no quotes or globs) through the CLI in this process. */
function callQuoted(command: string): Promise<Step> {
  const prefix = ['npm run bench -- ', 'npx foundry-bench '].find((p) => command.startsWith(p));
  const args = command === 'npm run bench' ? [] : prefix ? command.slice(prefix.length).split(/\s+/) : null;
  if (args === null || /['"*?]/.test(command)) throw new Error(`not a plain foundry-bench command: ${command}`);
  return call(args);
}

/** One command typed into a shell in the clone, as the README gives it. */
function type(command: string): Promise<Step> {
  return new Promise((done) => {
    execFile('bash', ['-c', command], { cwd: clone, env, timeout: 120_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) =>
      done({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
    );
  });
}

const read = (file: string) => readFileSync(join(clone, file), 'utf8');

/**
 * The README's exit code for a gated run: 0, or 1 when a case regressed, and nothing else failed. Whether the gate
 * is right about unchanged code on a busy machine is not this walk's question (a p95 of 20 requests of 8 ms moves
 * by more than the 10% tolerance under load; `npm run bench:gate-reality` measures the gate on the real engine):
 * this walk checks that the command does what the README says with whatever it measured.
 */
function expectGatedExit(step: Step | undefined, document: RunResults): void {
  const failed = document.cases.filter((c) => c.status === 'failed');
  for (const c of failed) expect(c.gate?.verdict, `${c.name}: ${c.failures.join('; ')}`).toBe('regressed');
  expect(step?.code, step?.output).toBe(failed.length > 0 ? 1 : 0);
  expect(document.cases.filter((c) => c.status === 'passed').length + failed.length).toBe(4);
}
const results = (file = 'bench-results/results.json') => JSON.parse(read(file)) as RunResults;
const served = (document: RunResults) => document.cases.filter((c) => c.status !== 'skipped');
/** The first run: the two shards' cases together. */
const mergedShards = (): RunResults => {
  const [one, two] = [results('bench-results/results-1-of-2.json'), results('bench-results/results-2-of-2.json')];
  return { ...one, cases: [...one.cases, ...two.cases] };
};

const steps: Partial<Record<keyof typeof COMMANDS | keyof typeof VARIANTS, Step>> = {};
const snapshots: { first?: RunResults; compared?: RunResults; replayed?: RunResults } = {};
const written: { afterShards?: string[]; afterRun?: string[] } = {};

describe('the README, walked on a fresh clone against the simulated server', () => {
  beforeAll(async () => {
    // The server serves one of the example specs' models: the others are skipped, as on any server that lacks them.
    // In a process of its own, as a real one runs, so the runs in this process do not share its event loop.
    sim = await spawnSimServer({ models: [{ id: 'qwen2.5-0.5b', ttftMs: 4, tokenMs: 0.5, tokens: 8, jitter: 0.05 }] });
    clone = cloneWorkingTree();
    process.chdir(clone);
    env = {
      ...testEnv({ BENCH_BASE_URL: sim.url }),
      HOME: process.env.HOME ?? tmpdir(),
      // npx must find this package's own bin, never reach for the registry.
      npm_config_offline: 'true',
      npm_config_update_notifier: 'false',
    };
    // A fresh clone: nothing measured, no baseline folder (git keeps no empty folders).
    expect(existsSync(join(clone, 'fixtures/baselines'))).toBe(false);
    expect(existsSync(join(clone, 'bench-results'))).toBe(false);

    // The first run, as CI runs it: in two shards, merged later. The plain `npm run bench` follows once there is a
    // baseline. (One CLI run at a time in this process: a run reads vitest's verdict from process.exitCode.)
    steps.shard1 = await callQuoted(COMMANDS.shard1);
    steps.shard2 = await call(VARIANTS.shard2);
    snapshots.first = mergedShards();
    written.afterShards = readdirSync(join(clone, 'bench-results')).sort();
    // The first baselines: the default folder, and a new --baseline-dir with a --profile (recording gates nothing).
    [steps.record, steps.newDir] = await Promise.all([type(COMMANDS.record), call(VARIANTS.newDir)]);
    steps.commit = await type(COMMANDS.commit);
    // The gate, against the stored baseline and then A/B, one at a time: each is timed.
    steps.run = await callQuoted(COMMANDS.run);
    snapshots.compared = results();
    written.afterRun = readdirSync(join(clone, 'bench-results')).sort();
    steps.replay = await callQuoted(COMMANDS.replay);
    snapshots.replayed = results();
    // Offline commands read files only (doctor and models ask the server, untimed).
    [steps.html, steps.compare, steps.models, steps.doctor] = await Promise.all(
      [COMMANDS.html, COMMANDS.compare, COMMANDS.models, COMMANDS.doctor].map(callQuoted),
    );
    [steps.md, steps.junit, steps.csv, steps.doctorNoSuch] = await Promise.all([VARIANTS.md, VARIANTS.junit, VARIANTS.csv, VARIANTS.doctorNoSuch].map(call));
    // Last: merge rewrites bench-results/results.json, which the others read.
    steps.merge = await type(COMMANDS.merge);
    // The history, on the clone's origin: a bare repository here (the clone's own origin is the developer's tree).
    const origin = mkdtempSync(join(tmpdir(), 'foundry-bench-walk-origin-'));
    execFileSync('git', ['init', '-q', '--bare', origin]);
    execFileSync('git', ['remote', 'set-url', 'origin', origin], { cwd: clone });
    steps.historyPush = await callQuoted(COMMANDS.historyPush);
    [steps.historyChanges, steps.dashboard] = await Promise.all([COMMANDS.historyChanges, COMMANDS.dashboard].map(callQuoted));
    historyOrigin = origin;
  }, 240_000);
  afterAll(async () => {
    process.chdir(cwd);
    await sim?.close();
    if (clone) rmSync(clone, { recursive: true, force: true });
    if (historyOrigin) rmSync(historyOrigin, { recursive: true, force: true });
  });

  test('every command walked is the README’s own', () => {
    for (const command of Object.values(COMMANDS)) expect(README, command).toContain(command);
  });

  test('the first run, in two shards: exit 0, the target named, every report written, the served model measured and the rest skipped', () => {
    for (const step of [steps.shard1, steps.shard2]) {
      expect(step?.code, step?.output).toBe(0);
      expect(step?.output).toContain(`foundry-bench: target ${sim.url} (openai-compatible, from env:BENCH_BASE_URL)`);
    }
    for (const file of ['results-1-of-2.json', 'results-2-of-2.json']) expect(resultsProblems(results(`bench-results/${file}`)), file).toEqual([]);
    const first = snapshots.first as RunResults;
    expect(first.cases.map((c) => c.status).filter((s) => s === 'passed')).toHaveLength(4);
    for (const c of served(first)) {
      expect(c.model).toBe('qwen2.5-0.5b');
      expect(c.samples).toHaveLength(20);
      expect(c.gate?.verdict).toBe('new');
    }
    const skipped = first.cases.filter((c) => c.status === 'skipped');
    expect(skipped.length).toBe(first.cases.length - 4);
    for (const c of skipped) expect(c.skipReason).toContain(`is not served by ${sim.url}`);
    // What a run writes, to a folder that did not exist: each shard its own set, never a mix.
    const shardFiles = (i: number) => [
      `junit-${i}-of-2.xml`,
      `report-${i}-of-2.html`,
      `report-${i}-of-2.md`,
      `results-${i}-of-2.csv`,
      `results-${i}-of-2.json`,
    ];
    expect(written.afterShards).toEqual([...shardFiles(1), ...shardFiles(2)].sort());
    // Balanced by what runs: the served model's file in one shard, the files that only skip in the other.
    const [one, two] = [results('bench-results/results-1-of-2.json'), results('bench-results/results-2-of-2.json')];
    expect([served(one).length, served(two).length].sort()).toEqual([0, 4]);
  });

  test('--update-baseline on a fresh clone makes the folder and writes the baseline, as do --baseline-dir and --profile', () => {
    expect(steps.record?.code, steps.record?.output).toBe(0);
    expect(steps.record?.output).toContain('fixtures/baselines/default.json');
    for (const [file, step] of [
      ['fixtures/baselines/default.json', steps.record],
      ['new/dir/laptop.json', steps.newDir],
    ] as const) {
      expect(step?.code, step?.output).toBe(0);
      const baseline = JSON.parse(read(file)) as BaselineFile;
      expect(schemaProblems('baseline', baseline), file).toEqual([]);
      expect(Object.keys(baseline.cases), file).toEqual([
        'qwen2.5-0.5b/local-privacy',
        'qwen2.5-0.5b/rag-two-sentences',
        'qwen2.5-0.5b/size-vs-latency',
        'qwen2.5-0.5b/slm-scenarios',
      ]);
      // The editor's schema reference resolves from wherever the file was written.
      expect(existsSync(resolve(dirname(join(clone, file)), baseline.$schema ?? '')), file).toBe(true);
    }
    expect(steps.commit?.code).toBe(0);
  });

  test('npm run bench compares with the stored baseline: results.json written, no case new, exit 1 only for a regression', () => {
    const compared = snapshots.compared as RunResults;
    expect(resultsProblems(compared)).toEqual([]);
    expect(written.afterRun).toContain('results.json');
    expectGatedExit(steps.run, compared);
    for (const c of served(compared)) {
      expect(c.gate?.baseline?.file).toMatch(/fixtures\/baselines\/default\.json$/);
      expect(c.gate?.verdict).not.toBe('new');
      expect(c.gate?.drift?.runs).toBe(1);
      // The run gates 4 cases: its 5% false-alarm budget shared, 1.25% each (p50-p80 at 80% of it, the p95 at 20%).
      expect(c.gate?.metrics[0]?.message).toMatch(/\(\+?-?[\d.]+%, 99\.8% CI .*\); p50-p80 .*\(99% CI /);
    }
  });

  test('--base-replay measures the recorded requests alongside: every case paired, exit 1 only for a regression', () => {
    const replayed = snapshots.replayed as RunResults;
    expectGatedExit(steps.replay, replayed);
    for (const c of served(replayed)) {
      expect(c.gate?.paired?.replayOf).toMatch(/default\.json$/);
      expect(c.gate?.verdict).not.toBe('new');
    }
  });

  test('report renders html, md, junit and csv from results.json alone', () => {
    for (const step of [steps.html, steps.md, steps.junit, steps.csv]) expect(step?.code, step?.output).toBe(0);
    expect(read('report.html')).toMatch(/^<!DOCTYPE html>/);
    expect(read('report.html')).toContain('qwen2.5-0.5b');
    expect(read('report.md')).toMatch(/\| qwen2\.5-0\.5b \| local-privacy \|/);
    const junit = new XMLParser({ ignoreAttributes: false }).parse(read('junit.xml')) as { testsuites: { '@_tests': string } };
    expect(Number(junit.testsuites['@_tests'])).toBe(snapshots.replayed?.cases.length);
    expect(read('results.csv').split('\r\n')[0]).toMatch(/^file,case_id,model,/);
  });

  test('compare diffs the baseline and the last run offline: a Markdown table, exit 1 only for a regression', () => {
    const regressed = steps.compare?.output.includes('🔴') ?? false;
    expect(steps.compare?.code, steps.compare?.output).toBe(regressed ? 1 : 0);
    expect(steps.compare?.output).toMatch(/\| qwen2\.5-0\.5b \| rag-two-sentences \|/);
  });

  test('models lists the catalog and what the target serves', () => {
    expect(steps.models?.code, steps.models?.output).toBe(0);
    expect(steps.models?.output).toMatch(/qwen2\.5-0\.5b\s.*\syes/);
  });

  test('doctor passes where the run passes; doctor --models nosuch says no, with the hint', () => {
    expect(steps.doctor?.code, steps.doctor?.output).toBe(0);
    expect(steps.doctor?.output).toContain('✓ qwen2.5-0.5b: deterministic');
    expect(steps.doctor?.output).toMatch(/- gemma-2-2b: listed +skipped by a run: /);
    expect(steps.doctorNoSuch?.code, steps.doctorNoSuch?.output).toBe(1);
    expect(steps.doctorNoSuch?.output).toMatch(/× nosuch: listed +model "nosuch" is not served by/);
    expect(steps.doctorNoSuch?.output).toContain('hint: download or load it on the server, or fix the name');
  });

  test('the shards write results-i-of-n.json and merge gives the unsharded run, case for case', () => {
    for (const step of [steps.shard1, steps.shard2, steps.merge]) expect(step?.code, step?.output).toBe(0);
    const merged = results();
    expect(resultsProblems(merged)).toEqual([]);
    expect(merged.run.shard).toBe('1/2, 2/2');
    // In the unsharded run's order: what the plain `npm run bench` ran.
    expect(merged.cases.map((c) => c.id)).toEqual(snapshots.compared?.cases.map((c) => c.id));
  });

  test("history: the run pushed to origin's history branch, no change point in one run, the dashboard written", () => {
    expect(steps.historyPush?.code, steps.historyPush?.output).toBe(0);
    expect(steps.historyPush?.output).toMatch(/4 case run\(s\) pushed to origin foundry-bench-history \([0-9a-f]{12}\)/);
    const branch = execFileSync('git', ['--git-dir', historyOrigin as string, 'ls-tree', '--name-only', 'foundry-bench-history'], { encoding: 'utf8' });
    expect(branch.split('\n').filter((f) => f.endsWith('.jsonl'))).toHaveLength(1);
    expect([steps.historyChanges?.code, steps.historyChanges?.output]).toEqual([0, 'no change points in 4 case run(s)\n']);
    expect(steps.dashboard?.code, steps.dashboard?.output).toBe(0);
    expect((read('site/index.html').match(/<svg[^>]* class="plot"/g) ?? []).length).toBe(8);
  });

  test('no output of the walk shows the API key', () => {
    for (const [name, step] of Object.entries(steps)) expect(step?.output, name).not.toContain(SECRET);
  });
});
