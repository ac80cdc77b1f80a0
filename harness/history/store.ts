/**
 * The history's store: files on a git branch of its own (default `foundry-bench-history`), so it needs no server
 * and CI keeps it with the credentials it already has. Written with git's plumbing (blobs, a tree, a commit, a push
 * of that commit), so the user's work tree, index and branches are never touched. Two jobs that push at once both
 * land: a push that lost the race fetches the branch again, appends its lines to what is there now, and pushes again.
 *
 * Without `--repo` the current repository and its `origin` are used (its credentials apply, as actions/checkout
 * leaves them); with `--repo URL|PATH` a temporary bare repository talks to that remote.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

export const DEFAULT_HISTORY_BRANCH = 'foundry-bench-history';

/** Where a history lives. */
export interface HistoryLocation {
  /** A remote URL or path; null: this repository's `origin`. */
  repo: string | null;
  branch: string;
  /** The directory commands run from (this repository). */
  cwd: string;
}

/** The branch's files as last pushed: name to text. */
export interface HistorySnapshot {
  commit: string | null;
  files: Map<string, string>;
}

/** The largest history file read (a 200-run x 30-case history with samples is about 10 MB). */
const MAX_FILE_BYTES = 512 * 2 ** 20;

/** How often a push that lost a race is tried again. */
const PUSH_ATTEMPTS = 10;

const BRANCH_NAME = /^(?!-)(?!.*\.\.)(?!.*\/\/)[A-Za-z0-9._/-]{1,200}(?<![./])$/;

export class HistoryError extends Error {}

interface GitResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** A git command; never throws for a non-zero exit. Prompts for credentials are off: CI has no one to answer. */
function git(cwd: string, args: string[], input?: string, env: Record<string, string> = {}): Promise<GitResult> {
  return new Promise((done, fail) => {
    const child = spawn('git', args, {
      cwd,
      // biome-ignore lint/style/noProcessEnv: git inherits the environment (HOME, credentials); nothing here configures the run.
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', ...env },
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    // A git that exits before reading its input (it failed) must not take this process down with EPIPE.
    child.stdin?.on('error', () => {});
    const out: Buffer[] = [];
    let size = 0;
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_FILE_BYTES) child.kill();
      else out.push(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < 16_384) stderr += String(chunk);
    });
    child.on('error', (error) => fail(new HistoryError(`git ${args[0]}: ${error.message} (is git installed?)`)));
    child.on('close', (code) =>
      size > MAX_FILE_BYTES
        ? fail(new HistoryError(`git ${args[0]}: output over ${MAX_FILE_BYTES / 2 ** 20} MB`))
        : done({ code: code ?? 1, stdout: Buffer.concat(out), stderr: stderr.trim() }),
    );
    child.stdin?.end(input);
  });
}

async function gitText(cwd: string, args: string[], input?: string, env?: Record<string, string>): Promise<string> {
  const result = await git(cwd, args, input, env);
  if (result.code !== 0) throw new HistoryError(`git ${args.join(' ')}: ${result.stderr || `exit ${result.code}`}`);
  return result.stdout.toString('utf8');
}

/** A repository to hold objects, the remote to fetch from and push to, and how to clean up. */
interface Workspace {
  dir: string;
  remote: string;
  /** Fetch only the tip: a temporary repository needs nothing older. */
  shallow: boolean;
  close(): void;
}

async function workspace(location: HistoryLocation): Promise<Workspace> {
  if (!BRANCH_NAME.test(location.branch)) throw new HistoryError(`--branch "${location.branch}" is not a usable branch name`);
  if (location.repo === null) {
    const inside = await git(location.cwd, ['rev-parse', '--show-toplevel']);
    if (inside.code !== 0) throw new HistoryError(`${location.cwd} is not in a git repository: give the history's repository with --repo URL|PATH`);
    const origin = await git(location.cwd, ['remote', 'get-url', 'origin']);
    if (origin.code !== 0) throw new HistoryError('this repository has no remote "origin": give the history\'s repository with --repo URL|PATH');
    return { dir: location.cwd, remote: 'origin', shallow: false, close: () => {} };
  }
  const dir = mkdtempSync(join(tmpdir(), 'foundry-bench-history-'));
  await gitText(dir, ['init', '-q', '--bare']);
  // A local path is taken relative to where the command ran, not to the temporary repository.
  const remote =
    /^[a-z][a-z0-9+.-]*:\/\/|^[^/\\]+@[^:]+:/i.test(location.repo) || isAbsolute(location.repo) ? location.repo : resolve(location.cwd, location.repo);
  return { dir, remote, shallow: true, close: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The branch's tip and files; an empty history when the branch does not exist yet. Fetched into a ref of this
 * call's own, removed again: two commands in one clone at once must not read each other's FETCH_HEAD.
 */
async function fetchTip(space: Workspace, branch: string): Promise<HistorySnapshot> {
  const ref = `refs/foundry-bench/fetch-${process.pid}-${randomBytes(4).toString('hex')}`;
  const args = ['fetch', '-q', '--no-tags', ...(space.shallow ? ['--depth=1'] : []), '--', space.remote, `+refs/heads/${branch}:${ref}`];
  const fetched = await git(space.dir, args);
  if (fetched.code !== 0) {
    if (/couldn't find remote ref|no such ref|not our ref/i.test(fetched.stderr)) return { commit: null, files: new Map() };
    throw new HistoryError(`cannot fetch the history (branch ${branch} of ${space.remote}): ${fetched.stderr}`);
  }
  let commit: string;
  try {
    commit = (await gitText(space.dir, ['rev-parse', '--verify', `${ref}^{commit}`])).trim();
  } finally {
    await git(space.dir, ['update-ref', '-d', ref]);
  }
  const files = new Map<string, string>();
  for (const entry of (await gitText(space.dir, ['ls-tree', '-z', commit])).split('\0')) {
    const match = /^\d+ blob ([0-9a-f]+)\t(.+)$/s.exec(entry);
    if (!match?.[1] || !match[2]) continue;
    files.set(match[2], (await git(space.dir, ['cat-file', 'blob', match[1]])).stdout.toString('utf8'));
  }
  return { commit, files };
}

/** Reads the history as last pushed. */
export async function readHistory(location: HistoryLocation): Promise<HistorySnapshot> {
  const space = await workspace(location);
  try {
    return await fetchTip(space, location.branch);
  } finally {
    space.close();
  }
}

/** A change to the branch: lines appended per file, given what is there now (called again after a lost race). */
export type Append = (current: HistorySnapshot) => Map<string, string[]>;

/** What a push did. */
export interface PushResult {
  commit: string;
  attempts: number;
  files: string[];
}

/**
 * Appends lines to the branch's files in one commit and pushes it. A push that lost a race to another job is
 * fetched and appended again (at most PUSH_ATTEMPTS times, with a growing random pause), so concurrent jobs all land.
 */
export async function appendToHistory(location: HistoryLocation, append: Append, message: string): Promise<PushResult> {
  const space = await workspace(location);
  try {
    for (let attempt = 1; ; attempt++) {
      const current = await fetchTip(space, location.branch);
      const additions = append(current);
      // Nothing new (a run pushed twice): no empty commit.
      if ([...additions.values()].every((lines) => lines.length === 0)) return { commit: current.commit ?? '', attempts: attempt, files: [] };
      const commit = await commitAppend(space.dir, current, additions, message);
      const pushed = await git(space.dir, ['push', '-q', '--', space.remote, `${commit}:refs/heads/${location.branch}`]);
      if (pushed.code === 0) return { commit, attempts: attempt, files: [...additions.keys()] };
      const lostRace = /rejected|non-fast-forward|fetch first|cannot lock ref|failed to update ref|incorrect old value|stale info/i.test(pushed.stderr);
      if (!lostRace || attempt >= PUSH_ATTEMPTS)
        throw new HistoryError(`cannot push the history to branch ${location.branch} of ${space.remote} (attempt ${attempt}): ${pushed.stderr}`);
      await new Promise((r) => setTimeout(r, Math.random() * 200 * attempt));
    }
  } finally {
    space.close();
  }
}

const README = `# foundry-bench history

Written by \`foundry-bench history push\`: one JSON Lines file per testbed (machine), one line per case per run
(schemas/history.schema.json in foundry-bench), and \`marks.jsonl\` for changes people meant. Read it with
\`foundry-bench history list | show | changes | dashboard\`; do not edit by hand.
`;

async function commitAppend(dir: string, current: HistorySnapshot, additions: Map<string, string[]>, message: string): Promise<string> {
  const blobs = new Map<string, string>();
  const write = async (text: string) => (await gitText(dir, ['hash-object', '-w', '--stdin'], text)).trim();
  const entries = new Map<string, string>();
  if (current.commit) {
    for (const entry of (await gitText(dir, ['ls-tree', '-z', current.commit])).split('\0')) {
      const match = /^(\d+ blob [0-9a-f]+)\t(.+)$/s.exec(entry);
      if (match?.[1] && match[2]) entries.set(match[2], match[1]);
    }
  } else entries.set('README.md', `100644 blob ${await write(README)}`);
  for (const [name, lines] of additions) {
    if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new HistoryError(`history file name "${name}" is not plain`);
    const before = current.files.get(name) ?? '';
    const text = `${before}${before === '' || before.endsWith('\n') ? '' : '\n'}${lines.map((line) => `${line}\n`).join('')}`;
    blobs.set(name, await write(text));
    entries.set(name, `100644 blob ${blobs.get(name)}`);
  }
  const tree = (await gitText(dir, ['mktree', '-z'], [...entries].map(([name, entry]) => `${entry}\t${name}\0`).join(''))).trim();
  // The commit's author is the tool, whoever runs it: no git identity needs setting up in CI.
  const identity = {
    GIT_AUTHOR_NAME: 'foundry-bench',
    GIT_AUTHOR_EMAIL: 'foundry-bench@users.noreply.github.com',
    GIT_COMMITTER_NAME: 'foundry-bench',
    GIT_COMMITTER_EMAIL: 'foundry-bench@users.noreply.github.com',
  };
  const parent = current.commit ? ['-p', current.commit] : [];
  return (await gitText(dir, ['commit-tree', tree, ...parent, '-m', message], undefined, identity)).trim();
}
