/**
 * `history bisect <case> --run`: finds the first commit at a change point's new level by measuring commits between
 * the runs on either side, as `asv find` does: each probe checks out a commit in a temporary git worktree, runs the
 * bench on that one case there, and sides with the level (before or after, from the history's runs) its measurement
 * is nearer to, in log terms; about log2(n) probes for n commits. Nothing measured here is pushed to the history.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bodyLevel } from '../gate/bootstrap.ts';
import { sortAscending } from '../evaluate/stats.ts';
import type { HistoryMetric } from '../history/changes.ts';
import { readResults } from '../results/results-file.ts';

/** Which side of the change a probed commit is on. */
export type Side = 'old' | 'new';

/**
 * Bisection over `commits` (oldest first; the last is known to be new, the one before the first known to be old):
 * the first new one, and the probes it took.
 */
export async function firstNew(
  commits: readonly string[],
  side: (sha: string) => Promise<Side>,
): Promise<{ first: string; probes: Array<{ sha: string; side: Side }> }> {
  let lo = -1;
  let hi = commits.length - 1;
  const probes: Array<{ sha: string; side: Side }> = [];
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    const sha = commits[mid] as string;
    const found = await side(sha);
    probes.push({ sha, side: found });
    if (found === 'new') hi = mid;
    else lo = mid;
  }
  return { first: commits[hi] as string, probes };
}

export interface ProbeOptions {
  /** The repository the commits are in (a worktree is added to it). */
  cwd: string;
  /** The bench command and its first arguments (default `node harness/bin.js`); the case's selection is appended. */
  command: readonly string[];
  model: string;
  promptId: string;
  caseId: string;
  metric: HistoryMetric;
  /** Run `npm ci` in each worktree instead of linking this checkout's node_modules. */
  install: boolean;
  env: NodeJS.ProcessEnv;
}

/** The case's level (log body of the metric's samples) measured at a commit; throws saying what failed. */
export async function measureAt(sha: string, options: ProbeOptions): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'foundry-bench-bisect-'));
  const tree = join(dir, 'tree');
  const out = join(dir, 'results');
  await run('git', ['worktree', 'add', '--detach', '--quiet', tree, sha], options.cwd, options.env);
  try {
    if (options.install) await run('npm', ['ci', '--no-audit', '--no-fund'], tree, options.env);
    else if (existsSync(join(options.cwd, 'node_modules')) && !existsSync(join(tree, 'node_modules')))
      symlinkSync(join(options.cwd, 'node_modules'), join(tree, 'node_modules'), 'dir');
    const [command = 'node', ...first] = options.command;
    const pattern = options.promptId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    // Exit 1 (a case failed its gate or a budget) still measured it: only the results file counts.
    await run(command, [...first, '--output', out, '--models', options.model, '-t', pattern], tree, options.env, true);
    const measured = readResults(join(out, 'results.json')).cases.find((c) => c.id === options.caseId);
    const values = (measured?.samples ?? [])
      .filter((s) => s.ok)
      .map((s) => (options.metric === 'e2eP95' ? s.e2eMs : s.ttftMs))
      .filter((v): v is number => v !== null && v > 0);
    if (values.length < 2) throw new Error(`bisect: ${options.caseId} measured no successful requests at ${sha}`);
    return bodyLevel(sortAscending(values));
  } finally {
    await run('git', ['worktree', 'remove', '--force', tree], options.cwd, options.env).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, anyExit = false): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      if (stderr.length < 8192) stderr += String(chunk);
    });
    child.on('error', (error) => fail(new Error(`bisect: ${command}: ${error.message}`)));
    child.on('close', (code) =>
      code === 0 || (anyExit && code === 1)
        ? done()
        : fail(new Error(`bisect: ${command} ${args.slice(0, 3).join(' ')} exited with ${code}: ${stderr.trim().slice(-2000)}`)),
    );
  });
}
