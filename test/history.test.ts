/**
 * Memory across commits: runs kept on a git branch (here a bare repository in a temporary folder), change points
 * found over a case's series and confirmed run against run, marks for intended changes, the exports to Bencher and
 * github-action-benchmark, and the dashboard.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseSnapshot } from '../harness/cli/history.ts';
import { schemaProblems } from '../harness/files/schemas.ts';
import { findChanges } from '../harness/history/changes.ts';
import { toBencher, toGithubActionBenchmark } from '../harness/history/export.ts';
import { recordsOf } from '../harness/history/record.ts';
import { readHistory } from '../harness/history/store.ts';
import type { HistoryRecord, RunResults } from '../harness/types.ts';
import { renderDashboard } from '../reporters/dashboard.ts';
import { sparkline, trendSection } from '../reporters/trend.ts';
import { CHROMIUM_PATH, launchChromium } from './helpers/browser.ts';
import { runCli } from './helpers/cli.ts';
import { shaOf, simulatedSeries } from './helpers/history.ts';
import { REALISTIC } from './helpers/noise.ts';
import { makeCase, makeResults } from './helpers/results.ts';

const bare = () => {
  const dir = mkdtempSync(join(tmpdir(), 'history-remote-'));
  execFileSync('git', ['init', '-q', '--bare', dir]);
  return dir;
};

/** A results file of one run at commit i, two measured cases and a skipped one. */
function resultsFile(i: number, latencies = [100, 104, 98, 101, 99, 103]): string {
  const results = makeResults([
    makeCase({ promptId: 'hello', latencies }),
    makeCase({ promptId: 'summary', latencies: latencies.map((ms) => ms * 2) }),
    makeCase({ promptId: 'skipped', status: 'skipped', skipReason: 'not served' }),
  ]);
  results.run.gitSha = shaOf(i);
  results.run.startedAt = new Date(Date.UTC(2026, 10, 1) + i * 3_600_000).toISOString();
  const file = join(mkdtempSync(join(tmpdir(), 'history-results-')), 'results.json');
  writeFileSync(file, JSON.stringify(results));
  return file;
}

describe('what the history keeps of a run', () => {
  test('one line per measured case, with its figures, samples, testbed and commit; a valid history line', () => {
    const results = JSON.parse(readFileSync(resultsFile(3), 'utf8')) as RunResults;
    const records = recordsOf(results, 'main');
    expect(records.map((r) => r.case)).toEqual(['tiny-1m/hello', 'tiny-1m/summary']);
    const [hello] = records as [HistoryRecord];
    expect(hello).toMatchObject({ gitSha: shaOf(3), branch: 'main', n: 6, status: 'passed', machine: 'Test CPU, 2 cores, 24 GiB, linux/x64' });
    expect(hello.testbed).toMatch(/^[0-9a-f]{12}$/);
    expect(hello.samples.e2eMs).toEqual([100, 104, 98, 101, 99, 103]);
    expect(hello.e2eMs?.p50).toBe(100.5);
    for (const record of records) expect(schemaProblems('history', record)).toEqual([]);
    expect(schemaProblems('history', { ...hello, surprise: 1 })).not.toEqual([]);
  });
});

describe('the history branch', () => {
  test('push creates the branch, list and show read it; a run pushed twice is kept once; a broken line is named', async () => {
    const repo = bare();
    const first = await runCli(['history', 'push', resultsFile(1), '--repo', repo]);
    expect(first.output).toMatch(/2 case run\(s\) pushed to .* foundry-bench-history \([0-9a-f]{12}\)/);
    expect(first.code).toBe(0);
    await runCli(['history', 'import', resultsFile(2), resultsFile(3), '--repo', repo]);
    const again = await runCli(['history', 'push', resultsFile(3), '--repo', repo]);
    expect(again.output).toMatch(/nothing new for .* foundry-bench-history: 2 case run\(s\) already there/);
    const { records } = parseSnapshot(await readHistory({ repo, branch: 'foundry-bench-history', cwd: process.cwd() }));
    expect(records.filter((r) => r.case === 'tiny-1m/hello').map((r) => r.gitSha)).toEqual([shaOf(1), shaOf(2), shaOf(3)]);
    const list = await runCli(['history', 'list', '--repo', repo]);
    expect(list.output).toMatch(
      /testbed [0-9a-f]{12}: Test CPU, 2 cores, 24 GiB, linux\/x64\n {2}tiny-1m\/hello {2}3 run\(s\), 2026-11-01 \.\. 2026-11-01, latest /,
    );
    const show = await runCli(['history', 'show', 'summary', '--repo', repo]);
    expect(show.output.split('\n').filter((line) => line.includes(' ms '))).toHaveLength(3);
    expect(show.output).toContain(shaOf(2).slice(0, 7));
    // The branch's own files: a README and one JSON Lines file per testbed.
    const files = execFileSync('git', ['--git-dir', repo, 'ls-tree', '--name-only', 'foundry-bench-history']).toString().trim().split('\n');
    expect(files.sort()).toEqual([`${records[0]?.testbed}.jsonl`, 'README.md'].sort());
    const ambiguous = await runCli(['history', 'show', 'tiny', '--repo', repo]);
    expect([ambiguous.code, ambiguous.output]).toEqual([2, expect.stringContaining('"tiny" matches 2 cases: tiny-1m/hello, tiny-1m/summary')]);
    expect(() => parseSnapshot({ commit: null, files: new Map([['abc.jsonl', '{"schemaVersion":1}\n']]) })).toThrow(
      /^history abc\.jsonl:1: not a foundry-bench history line/,
    );
  });

  test('three jobs pushing at once all land (two processes and this one, one bare repository)', async () => {
    const repo = bare();
    const push = (file: string) =>
      new Promise<{ code: number; stderr: string }>((done) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'harness/bin.js', 'history', 'push', file, '--repo', repo], {
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (chunk) => (stderr += String(chunk)));
        child.on('close', (code) => done({ code: code ?? 1, stderr }));
      });
    // Two processes and this one: three pushes at once.
    const pushes = await Promise.all([
      push(resultsFile(10)),
      push(resultsFile(11)),
      runCli(['history', 'push', resultsFile(12), '--repo', repo]).then(({ code, output }) => ({ code, stderr: output })),
    ]);
    expect(pushes.map((p) => [p.code, p.code === 0 ? '' : p.stderr])).toEqual([
      [0, ''],
      [0, ''],
      [0, ''],
    ]);
    const { records } = parseSnapshot(await readHistory({ repo, branch: 'foundry-bench-history', cwd: process.cwd() }));
    expect(records.filter((r) => r.case === 'tiny-1m/hello').map((r) => r.gitSha)).toEqual([shaOf(10), shaOf(11), shaOf(12)]);
  }, 60_000);

  test('bad input: an unreachable repository and a bad branch name are named; exit 2', async () => {
    const missing = await runCli(['history', 'list', '--repo', join(tmpdir(), 'no-such-history-repo')]);
    expect(missing.code).toBe(2);
    expect(missing.output).toMatch(/cannot fetch the history \(branch foundry-bench-history of .*no-such-history-repo\)/);
    const branch = await runCli(['history', 'list', '--repo', bare(), '--branch=-x']);
    expect(branch.output).toContain('--branch "-x" is not a usable branch name');
    // A repository URL's password is never printed, even in git's own error.
    const secret = await runCli(['history', 'list', '--repo', 'http://user:hunter2-secret@127.0.0.1:9/history.git']);
    expect(secret.code).toBe(2);
    expect(secret.output).toContain('cannot fetch the history');
    expect(secret.output).not.toContain('hunter2-secret');
    const nothing = await runCli(['history', 'push', join(tmpdir(), 'no-such-results.json'), '--repo', bare()]);
    expect([nothing.code, nothing.output]).toEqual([2, expect.stringContaining('no results file at ')]);
    expect(nothing.output).toContain('run the benchmark first (npm run bench), or name a results file');
    const empty = await runCli(['history', 'list', '--repo', bare()]);
    expect([empty.code, empty.output]).toEqual([0, 'the history is empty: push a run with foundry-bench history push\n']);
  });
});

describe('change points', () => {
  test('a +25% step is found where it happened, confirmed with its size and interval; drift alone raises none', () => {
    const series = simulatedSeries(60, 30, 1.25, 7, REALISTIC);
    const points = findChanges(series).filter((p) => p.metric === 'e2eP95');
    expect(points).toHaveLength(1);
    const [point] = points as [(typeof points)[number]];
    expect(point.direction).toBe('regressed');
    expect(Math.abs(point.index - 30)).toBeLessThanOrEqual(2);
    expect(point.size).toBeGreaterThan(0.15);
    expect(point.size).toBeLessThan(0.35);
    expect(point.ci.lo).toBeGreaterThan(0);
    expect(point.ci.lo).toBeLessThan(point.size);
    expect(point.after.gitSha).toBe(shaOf(point.index));
    expect(point.before.gitSha).toBe(shaOf(point.index - 1));
    expect(point.message).toMatch(/^p50-p80 \+\d+\.\d% \(95% CI \+\d+\.\d% \.\. \+\d+\.\d%\), \d+ runs after against \d+ before$/);
    expect(point.alsoChanged).toEqual([]);
    for (let seed = 1; seed <= 10; seed++) expect(findChanges(simulatedSeries(100, 100, 1, seed, REALISTIC))).toEqual([]);
    // The server upgraded between the same two runs: the step may be its, and the change point says so.
    const upgraded = series.map((r, i) => (i >= point.index ? { ...r, server: { ...r.server, version: 'node-llama-cpp 3.22.0' } } : r));
    expect(findChanges(upgraded).find((p) => p.metric === 'e2eP95')?.alsoChanged).toEqual(['server node-llama-cpp 3.21.1 -> node-llama-cpp 3.22.0']);
  });

  test('one slow run is not a step; a step back is an improvement; a mark makes a change intended', () => {
    const series = simulatedSeries(40, 40, 1, 3, REALISTIC);
    const spiky = series.map((r, i) => (i === 20 ? { ...r, samples: { ...r.samples, e2eMs: r.samples.e2eMs.map((ms) => ms * 2) } } : r));
    expect(findChanges(spiky)).toEqual([]);
    const faster = simulatedSeries(40, 20, 0.7, 4, REALISTIC);
    const [improved] = findChanges(faster).filter((p) => p.metric === 'e2eP95');
    expect(improved?.direction).toBe('improved');
    const mark = { schemaVersion: 1 as const, gitSha: shaOf(improved?.index ?? 0).slice(0, 10), reason: 'a smaller model', time: '2026-12-01T00:00:00.000Z' };
    expect(findChanges(faster, [mark]).find((p) => p.metric === 'e2eP95')?.intended).toEqual(mark);
  });

  test('history changes and bisect through the CLI, on a pushed history with a step', async () => {
    const repo = bare();
    const files = Array.from({ length: 24 }, (_, i) => resultsFile(i, i < 12 ? [100, 104, 98, 101, 99, 103] : [130, 135, 128, 131, 129, 134]));
    await runCli(['history', 'import', ...files, '--repo', repo]);
    const table = await runCli(['history', 'changes', '--repo', repo]);
    expect(table.output).toContain(`tiny-1m/hello [`);
    expect(table.output).toMatch(/e2e regressed p50-p80 \+29\.9% .* in [0-9a-f]{7}\.\.[0-9a-f]{7}/);
    const json = JSON.parse((await runCli(['history', 'changes', '--format', 'json', '--repo', repo])).output) as Array<{ case: string; index: number }>;
    expect(json.filter((p) => p.case === 'tiny-1m/hello').map((p) => p.index)).toEqual([12, 12]);
    // Under GitHub Actions: a warning annotation per change point, and a table in the job summary.
    const summary = join(mkdtempSync(join(tmpdir(), 'summary-')), 'summary.md');
    const actions = await runCli(['history', 'changes', '--repo', repo], { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary });
    expect(actions.output).toMatch(/^::warning title=foundry-bench change point%3A tiny-1m\/hello::e2e regressed p50-p80 \+29\.9%/m);
    expect(readFileSync(summary, 'utf8')).toMatch(
      /^## foundry-bench history: change points\n\n\| case \| testbed \| change \|\n\|---\|---\|---\|\n\| tiny-1m\/hello \|/,
    );
    await runCli(['history', 'mark', shaOf(12).slice(0, 8), '--reason', 'longer answers on purpose', '--repo', repo]);
    expect((await runCli(['history', 'changes', '--repo', repo])).output).toContain('(intended: longer answers on purpose)');
    const bisect = await runCli(['history', 'bisect', 'hello', '--repo', repo]);
    expect(bisect.output).toMatch(/are not in this clone|commit\(s\) from/);
  });
});

describe('bisect --run', () => {
  test('measures commits in worktrees until the first at the new level is found, in log2(n) probes', async () => {
    // A project of 9 commits whose bench (bench.mjs: the template results scaled by speed.txt) is 1.4x slower from c5 on.
    const project = mkdtempSync(join(tmpdir(), 'bisect-project-'));
    const git = (...args: string[]) =>
      execFileSync('git', args, {
        cwd: project,
        env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' },
      })
        .toString()
        .trim();
    git('init', '-q');
    const template = makeResults([makeCase({ promptId: 'hello', latencies: Array.from({ length: 20 }, (_, i) => 100 + (i % 5)) })]);
    writeFileSync(join(project, 'template.json'), JSON.stringify(template));
    writeFileSync(
      join(project, 'bench.mjs'),
      [
        "import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';",
        "const out = process.argv[process.argv.indexOf('--output') + 1];",
        "const speed = Number(readFileSync('speed.txt', 'utf8'));",
        "const results = JSON.parse(readFileSync('template.json', 'utf8'));",
        'for (const c of results.cases) for (const s of c.samples) { s.e2eMs *= speed; s.ttftMs *= speed; }',
        "mkdirSync(out, { recursive: true }); writeFileSync(out + '/results.json', JSON.stringify(results));",
      ].join('\n'),
    );
    const shas: string[] = [];
    for (let i = 0; i < 9; i++) {
      writeFileSync(join(project, 'speed.txt'), i < 5 ? '1' : '1.4');
      git('add', '-A');
      git('commit', '-q', '--allow-empty', '-m', `c${i}`);
      shas.push(git('rev-parse', 'HEAD'));
    }
    // The history: six runs at c0 and six at c8 (fewer could not be told from chance at 1%).
    const runAt = (sha: string, k: number, speed: number) => {
      const results = structuredClone(template);
      for (const c of results.cases) for (const s of c.samples) s.e2eMs *= speed;
      results.cases[0] = {
        ...(results.cases[0] as (typeof results.cases)[number]),
        stats: makeCase({ latencies: results.cases[0]?.samples.map((s) => s.e2eMs) }).stats,
      };
      results.run.gitSha = sha;
      results.run.startedAt = new Date(Date.UTC(2026, 10, 1) + k * 3_600_000).toISOString();
      const file = join(mkdtempSync(join(tmpdir(), 'bisect-run-')), 'results.json');
      writeFileSync(file, JSON.stringify(results));
      return file;
    };
    const repo = bare();
    const runs = [0, 1, 2, 3, 4, 5]
      .map((k) => runAt(shas[0] as string, k, 1 + k * 0.01))
      .concat([6, 7, 8, 9, 10, 11].map((k) => runAt(shas[8] as string, k, 1.4 + k * 0.01)));
    await runCli(['history', 'import', ...runs, '--repo', repo]);
    const cwd = process.cwd();
    process.chdir(project);
    try {
      const listed = await runCli(['history', 'bisect', 'hello', '--repo', repo]);
      expect(listed.output).toContain(`8 commit(s) from ${shas[0]?.slice(0, 7)} (exclusive) to ${shas[8]?.slice(0, 7)}`);
      const run = await runCli(['history', 'bisect', 'hello', '--repo', repo, '--run', '--command', `${process.execPath} bench.mjs`]);
      expect(run.code, run.output).toBe(0);
      expect(run.output).toContain(`first commit at the new level: ${shas[5]} (3 probe(s))`);
      expect(run.output).toMatch(new RegExp(`${shas[4]?.slice(0, 12)}: 10\\d\\.\\d ms \\(before 10\\d\\.\\d, after 15\\d\\.\\d\\): old`));
      // Each probe's worktree is gone.
      expect(git('worktree', 'list').split('\n')).toHaveLength(1);
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('the gate on history', () => {
  test("a baseline of a testbed's runs since each case's last change point; compare gates a run on it", async () => {
    const repo = bare();
    // The gate needs 20 successful requests a side.
    const fast = [100, 104, 98, 101, 99, 103, 102, 97, 105, 100].flatMap((ms) => [ms, ms + 1]);
    const slow = fast.map((ms) => ms * 1.3);
    const files = Array.from({ length: 24 }, (_, i) => resultsFile(i, i < 12 ? fast : slow.map((ms) => ms + (i % 3))));
    await runCli(['history', 'import', ...files, '--repo', repo]);
    const { records } = parseSnapshot(await readHistory({ repo, branch: 'foundry-bench-history', cwd: process.cwd() }));
    const testbed = records[0]?.testbed as string;
    const out = join(mkdtempSync(join(tmpdir(), 'history-baseline-')), 'default.json');
    const made = await runCli(['history', 'baseline', '--repo', repo, '--testbed', testbed, '--runs', '20', '-o', out]);
    // The step at run 12 resets the level: 12 runs since it, not 20.
    expect(made.output).toContain(`tiny-1m/hello: the last 12 run(s) since ${shaOf(12).slice(0, 7)}`);
    expect(made.output).toContain(`baseline of 2 case(s) on testbed ${testbed} written to ${out}`);
    const baseline = JSON.parse(readFileSync(out, 'utf8')) as { cases: Record<string, { gitSha: string; history: unknown[] }> };
    expect(baseline.cases['tiny-1m/hello']?.gitSha).toBe(shaOf(23));
    expect(baseline.cases['tiny-1m/hello']?.history).toHaveLength(11);
    const same = await runCli(['compare', out, resultsFile(24, slow)]);
    expect(same.code).toBe(0);
    const slower = await runCli([
      'compare',
      out,
      resultsFile(
        25,
        slow.map((ms) => ms * 1.5),
      ),
      '--format',
      'md',
    ]);
    expect(slower.code).toBe(1);
    expect(slower.output).toContain(`from the last 12 runs on this machine since ${shaOf(12).slice(0, 7)}: regressed`);
    const elsewhere = await runCli(['history', 'baseline', '--repo', repo, '--testbed', '000000000000', '-o', out]);
    expect(elsewhere.output).toMatch(/the history has no runs on testbed 000000000000; nothing written\. Testbeds in it: [0-9a-f]{12} \(Test CPU/);
  });
});

describe('the PR comment looks back', () => {
  test("each case's recent p95 as a sparkline with this run's after it, and the trend's verdict", () => {
    const results = makeResults([makeCase({ promptId: 'hello', latencies: [120, 125, 118, 121, 119, 123] })]);
    const [template] = recordsOf(results, 'main') as [HistoryRecord];
    const runs = Array.from({ length: 12 }, (_, i) => ({
      ...template,
      gitSha: shaOf(i),
      time: new Date(Date.UTC(2026, 10, 1) + i * 3_600_000).toISOString(),
      e2eMs: { ...(template.e2eMs as NonNullable<HistoryRecord['e2eMs']>), p95: 100 + i },
    }));
    const section = trendSection(results, runs, []);
    expect(section).toMatch(/^### History on main, this machine \(last 20 runs\)\n/);
    const row = section.split('\n').find((line) => line.startsWith('| tiny-1m/hello |')) as string;
    // Rising p95 from 100 to 111 ms, then this run's above them all.
    expect(row).toContain('| `▁▂▂▃▄▄▅▅▆▇▇█` **█** | 100 ms .. 111 ms |');
    expect(row).toMatch(/\| 12\d ms \(\+1\d\.\d%\) \| level since [0-9a-f]{7} \|$/);
    // A case the history does not know: no section at all.
    expect(trendSection(makeResults([makeCase({ promptId: 'other' })]), runs, [])).toBe('');
    // Equal values, or values a few hundredths of a millisecond apart, draw flat.
    expect(sparkline([1, 1, 1])).toBe('▄▄▄');
    expect(sparkline([40.02, 40.0203])).toBe('▄▄');
  });
});

describe('exports', () => {
  const results = makeResults([makeCase({ promptId: 'hello' }), makeCase({ promptId: 'skipped', status: 'skipped' })]);

  test("Bencher Metric Format: valid against Bencher's published schema, one measure per metric with its CI", () => {
    // https://bencher.dev/docs/reference/bencher-metric-format (draft-07)
    const bmf = {
      type: 'object',
      patternProperties: {
        '.+': {
          type: 'object',
          patternProperties: {
            '.+': {
              type: 'object',
              properties: { value: { type: 'number' }, lower_value: { type: 'number' }, upper_value: { type: 'number' } },
              required: ['value'],
            },
          },
        },
      },
    };
    const document = toBencher(results);
    expect(new Ajv().validate(bmf, document)).toBe(true);
    expect(Object.keys(document)).toEqual(['tiny-1m/hello']);
    const e2e = document['tiny-1m/hello']?.['e2e-p95-ms'];
    expect(e2e?.value).toBe(results.cases[0]?.stats.e2eMs?.p95);
    expect(e2e?.lower_value).toBeLessThanOrEqual(e2e?.value as number);
    expect(Object.keys(document['tiny-1m/hello'] ?? {})).toEqual(['e2e-p50-ms', 'e2e-p95-ms', 'e2e-p99-ms', 'ttft-p95-ms', 'tokens-per-second', 'error-rate']);
  });

  test("github-action-benchmark's custom tools: name, unit, value, range and extra as its README shows them", async () => {
    const entry = {
      type: 'object',
      properties: { name: { type: 'string' }, unit: { type: 'string' }, value: { type: 'number' }, range: { type: 'string' }, extra: { type: 'string' } },
      required: ['name', 'unit', 'value'],
      additionalProperties: false,
    };
    const smaller = toGithubActionBenchmark(results, false);
    const bigger = toGithubActionBenchmark(results, true);
    for (const doc of [smaller, bigger]) expect(new Ajv().validate({ type: 'array', items: entry }, doc)).toBe(true);
    expect(smaller.map((b) => [b.name, b.unit])).toEqual([
      ['tiny-1m/hello e2e p95', 'ms'],
      ['tiny-1m/hello TTFT p95', 'ms'],
    ]);
    expect(bigger.map((b) => b.unit)).toEqual(['tokens/s']);
    const file = join(mkdtempSync(join(tmpdir(), 'export-')), 'results.json');
    writeFileSync(file, JSON.stringify(results));
    const cli = await runCli(['history', 'export', file, '--format', 'github-action-benchmark']);
    expect(JSON.parse(cli.output)).toEqual(smaller);
    expect((await runCli(['history', 'export', file, '--format', 'csv'])).code).toBe(2);
  });
});

describe('the dashboard', () => {
  const records = [
    ...simulatedSeries(60, 30, 1.25, 7, REALISTIC, 30, 'tiny/chat'),
    ...simulatedSeries(60, 60, 1, 8, REALISTIC, 30, 'tiny/<script>alert(1)</script>'),
  ];
  const changes = findChanges(records);
  const html = renderDashboard(records, changes, { commitUrl: 'https://github.com/o/r/commit/{sha}' });

  test('static: a CSP that forbids scripts and requests, text escaped, change points listed with commit links', () => {
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`);
    expect(html).not.toContain('<script>');
    expect(html).toContain('tiny/&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toMatch(/<h2>Latest change points<\/h2>\n<ul><li>tiny\/chat: <span class="regressed">e2e regressed \+\d/);
    expect(html).toContain(`<a href="https://github.com/o/r/commit/${changes[0]?.after.gitSha}">`);
  });

  describe.skipIf(!CHROMIUM_PATH)('in headless Chromium', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchChromium();
    }, 30_000);
    afterAll(() => browser?.close());

    test('opens from disk with no request and no error; every case has its two trend charts', async () => {
      const file = resolve(mkdtempSync(join(tmpdir(), 'dashboard-')), 'index.html');
      writeFileSync(file, html);
      const page = await browser.newPage();
      const requests: string[] = [];
      const errors: string[] = [];
      page.on('request', (request) => void (request.url().startsWith('file:') || requests.push(request.url())));
      page.on('pageerror', (error) => void errors.push(error.message));
      await page.goto(`file://${file}`);
      const charts = await page.$$eval('svg.plot', (svgs) => svgs.map((svg) => svg.getBoundingClientRect().width));
      expect(charts).toHaveLength(4);
      for (const width of charts) expect(width).toBeGreaterThan(200);
      expect([requests, errors]).toEqual([[], []]);
      await page.close();
    });
  });
});
