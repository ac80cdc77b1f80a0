import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { promisify } from 'node:util';
import { parse } from 'yaml';

const FILES = [
  '.github/workflows/ci.yml',
  '.github/workflows/bench.yml',
  '.github/workflows/refresh-baselines.yml',
  '.github/workflows/history.yml',
  '.github/actions/foundry-bench/action.yml',
];

function validate(file: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('node_modules/.bin/action-validator', [file], { timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
    );
  });
}

const load = (file: string) => parse(readFileSync(file, 'utf8')) as Record<string, any>;

describe('GitHub workflows and the action', () => {
  test.each(FILES)('%s validates with action-validator', async (file) => {
    const { code, output } = await validate(file);
    expect(output).toBe('');
    expect(code).toBe(0);
  });

  test('the validator does reject a broken workflow', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'wf-')), 'bad.yml');
    writeFileSync(file, 'name: x\non: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: []\n');
    expect((await validate(file)).code).not.toBe(0);
  });

  test('ci runs typecheck and tests on Node 20 and 22 with the npm cache', () => {
    const job = load('.github/workflows/ci.yml').jobs.test;
    expect(job.strategy.matrix.node).toEqual([20, 22]);
    const steps = JSON.stringify(job.steps);
    for (const expected of ['npm ci', 'npm run typecheck', 'npm test', '"cache":"npm"']) expect(steps).toContain(expected);
  });

  test('bench runs on PRs and by hand, in shards, through the action, then merges, comments once and gates', () => {
    const workflow = load('.github/workflows/bench.yml');
    expect(Object.keys(workflow.on)).toEqual(['pull_request', 'workflow_dispatch']);
    expect(Object.keys(workflow.on.workflow_dispatch.inputs)).toEqual(['target', 'models', 'iterations', 'runs-on', 'profile']);
    expect(workflow.jobs.bench['runs-on']).toContain('inputs.runs-on');
    expect(workflow.jobs.bench.strategy.matrix.shard).toEqual(['1/3', '2/3', '3/3']);
    const benchSteps = JSON.stringify(workflow.jobs.bench.steps);
    expect(benchSteps).toContain('./.github/actions/foundry-bench');
    expect(benchSteps).toContain('git checkout FETCH_HEAD -- fixtures/baselines');
    expect(benchSteps).toContain('actions/upload-artifact');
    const report = JSON.stringify(workflow.jobs.report.steps);
    for (const expected of ['harness/bin.js merge', 'GITHUB_STEP_SUMMARY', 'harness/bin.js comment', 'exit 1']) expect(report).toContain(expected);
  });

  test('the action has the documented inputs and outputs, and its comment step is the tested module', () => {
    const action = load('.github/actions/foundry-bench/action.yml');
    expect(action.runs.using).toBe('composite');
    for (const input of ['specs', 'baseline-dir', 'target', 'comment', 'fail-on', 'profile', 'shard']) expect(action.inputs).toHaveProperty([input]);
    expect(Object.keys(action.outputs)).toEqual(expect.arrayContaining(['regressions', 'report-path']));
    const comment = action.runs.steps.find((s: { name: string }) => s.name === 'Update the PR comment');
    expect(comment.run).toContain('comment --file');
  });

  test('the action turns its inputs into flags, A/B modes included; pull requests are gated A/B', async () => {
    const action = load('.github/actions/foundry-bench/action.yml');
    const run = action.runs.steps.find((s: { id?: string }) => s.id === 'run');
    // The step's own script, with `echo` standing in for foundry-bench.
    const flags = async (inputs: Record<string, string>) => {
      const output = join(mkdtempSync(join(tmpdir(), 'action-')), 'out');
      const env = { PATH: process.env.PATH ?? '', GITHUB_OUTPUT: output, FOUNDRY_BENCH: 'echo', BENCH_SPECS: 'bench/**/*.bench.ts', ...inputs };
      const { stdout } = await promisify(execFile)('bash', ['-c', run.run], { env });
      return stdout.trim();
    };
    expect(await flags({ BENCH_BASE_REPLAY_INPUT: 'false' })).toBe('--specs bench/**/*.bench.ts');
    expect(await flags({ BENCH_BASE_REPLAY_INPUT: 'true', BENCH_SHARD_INPUT: '1/2' })).toBe('--specs bench/**/*.bench.ts --shard 1/2 --base-replay');
    expect(await flags({ BENCH_BASE_REF_INPUT: 'origin/main' })).toBe('--specs bench/**/*.bench.ts --base-ref origin/main');
    expect(await flags({ BENCH_BASE_TARGET_INPUT: 'http://127.0.0.1:8080/v1' })).toBe('--specs bench/**/*.bench.ts --base-target http://127.0.0.1:8080/v1');
    const bench = load('.github/workflows/bench.yml').jobs.bench.steps.find((s: { id?: string }) => s.id === 'bench');
    // A GitHub expression, not a template string.
    expect(bench.with['base-replay']).toBe(['$', "{{ github.event_name == 'pull_request' }}"].join(''));
  });

  test('baselines are refreshed only through a pull request', () => {
    const steps = JSON.stringify(load('.github/workflows/refresh-baselines.yml').jobs.refresh.steps);
    expect(steps).toContain('--update-baseline');
    expect(steps).toContain('gh pr create');
  });

  test('on main, history gates on its recent runs, pushes the run, announces change points and publishes the dashboard', () => {
    const steps = load('.github/workflows/history.yml').jobs.history.steps as Array<{ run?: string; uses?: string }>;
    const runs = steps.map((s) => s.run ?? s.uses ?? '');
    const at = (text: string) => runs.findIndex((r) => r.includes(text));
    expect(load('.github/workflows/history.yml').on.push.branches).toEqual(['main']);
    expect(at('history baseline')).toBeGreaterThan(-1);
    expect(at('history baseline')).toBeLessThan(at('--baseline-dir'));
    expect(at('--baseline-dir')).toBeLessThan(at('history push'));
    expect(at('history push')).toBeLessThan(at('history changes'));
    expect(at('history dashboard -o site')).toBeLessThan(at('actions/upload-pages-artifact'));
    expect(at('actions/deploy-pages')).toBeGreaterThan(at('actions/upload-pages-artifact'));
  });
});
