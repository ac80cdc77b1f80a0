/**
 * `foundry-bench history <push|import|list|show|changes|mark|bisect|export|dashboard>`: memory across commits.
 * Runs are appended to a git branch (history/store.ts), one line per case (history/record.ts); change points are
 * found over each case's series and confirmed run against run (history/changes.ts).
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { formatMsUnit } from '../evaluate/numbers.ts';
import { dirname, join, resolve } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../files/atomic.ts';
import { machineInfo } from '../gate/fingerprint.ts';
import { baselineFromHistory } from '../history/baseline.ts';
import { parseJsonText } from '../files/schemas.ts';
import { schemaProblems } from '../files/schemas.ts';
import { type ChangePoint, findChanges, level, seriesOf } from '../history/changes.ts';
import { EXPORT_FORMATS, type ExportFormat, exportRun } from '../history/export.ts';
import { machineTestbed, recordsOf } from '../history/record.ts';
import { appendToHistory, DEFAULT_HISTORY_BRANCH, type HistoryLocation, type HistorySnapshot, readHistory } from '../history/store.ts';
import { gitBranch } from '../results/git.ts';
import { readResults } from '../results/results-file.ts';
import type { HistoryMark, HistoryRecord, RunResults } from '../types.ts';
import { escapeMarkdownCell } from '../../reporters/format.ts';
import { escapeData, escapeProperty } from '../../reporters/github.ts';
import { firstNew, measureAt } from './bisect.ts';
import { UsageError } from './errors.ts';
import { type Environment, profileName } from './options.ts';
import type { Io } from './run-bench.ts';

export interface HistoryFlags {
  repo: string | undefined;
  branch: string | undefined;
  format: string | undefined;
  out: string | undefined;
  reason: string | undefined;
  case: string | undefined;
  output: string | undefined;
  runs: string | undefined;
  testbed: string | undefined;
  profile: string | undefined;
  /** bisect: measure commits (in worktrees) until the first at the new level is found. */
  run?: boolean | undefined;
  /** bisect --run: the bench command (default `node harness/bin.js`). */
  command?: string | undefined;
  /** bisect --run: `npm ci` in each worktree instead of linking node_modules. */
  install?: boolean | undefined;
}

const USAGE = `foundry-bench history <command> [--repo URL|PATH] [--branch NAME]
  push [results.json]            append a run (default: bench-results/results.json)
  import <results.json...>       append existing results files, oldest first
  list                           testbeds and cases, with their runs
  show <case>                    a case's runs, and its change points
  changes [--format table|json]  confirmed change points
  mark <sha> --reason TEXT [--case ID]   a change that was meant: shown, not raised
  bisect <case> [--run [--install] [--command CMD]]
                                 the commits between a case's latest change point's runs; --run measures them
  baseline [-o FILE] [--runs N] [--testbed ID] [--profile NAME]
                                 a baseline of this machine's recent runs since each case's last change point
  trend [results.json]           Markdown: each case's recent history on main, for the PR comment
  export [results.json] --format ${EXPORT_FORMATS.join('|')}
  dashboard -o DIR               a static page of every case's trend`;

export async function historyCommand(args: string[], flags: HistoryFlags, env: Environment, io: Io): Promise<number> {
  const [sub, ...rest] = args;
  const location: HistoryLocation = { repo: flags.repo ?? null, branch: flags.branch ?? DEFAULT_HISTORY_BRANCH, cwd: process.cwd() };
  switch (sub) {
    case 'push':
      return push(location, [rest[0] ?? defaultResults(flags)], env, io);
    case 'import':
      if (rest.length === 0) throw new UsageError('history import takes results files: foundry-bench history import results/*.json');
      return push(location, rest, env, io);
    case 'list':
      io.stdout.write(listText(parseSnapshot(await readHistory(location)).records));
      return 0;
    case 'show':
      return show(location, rest[0], io);
    case 'changes':
      return changes(location, flags.format ?? 'table', env, io);
    case 'mark':
      return mark(location, rest[0], flags, io);
    case 'bisect':
      return bisect(location, rest[0], flags, env, io);
    case 'baseline':
      return baseline(location, flags, io);
    case 'trend': {
      const { trendSection } = await import('../../reporters/trend.ts');
      const results = readResults(rest[0] ?? defaultResults(flags));
      const { records, marks } = parseSnapshot(await readHistory(location));
      const text = trendSection(results, records, findChanges(records, marks));
      if (flags.out) writeFileAtomic(flags.out, text);
      else io.stdout.write(text);
      return 0;
    }
    case 'export':
      return exportCommand(rest[0] ?? defaultResults(flags), flags, io);
    case 'dashboard': {
      if (!flags.out) throw new UsageError('history dashboard needs -o DIR: the folder the page is written to');
      const { writeDashboard } = await import('../../reporters/dashboard.ts');
      const history = parseSnapshot(await readHistory(location));
      // Under GitHub Actions, change points link to their commits.
      const commitUrl = env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/commit/{sha}` : null;
      const written = writeDashboard(flags.out, history.records, findChanges(history.records, history.marks), { commitUrl });
      io.stderr.write(`foundry-bench: dashboard of ${history.records.length} case runs written to ${written}\n`);
      return 0;
    }
    default:
      throw new UsageError(`history needs a command:\n${USAGE}`);
  }
}

const defaultResults = (flags: HistoryFlags) => `${flags.output ?? 'bench-results'}/results.json`;

/** The history's lines, checked against the schema; a broken line is named by file and line. */
export function parseSnapshot(snapshot: HistorySnapshot): { records: HistoryRecord[]; marks: HistoryMark[] } {
  const records: HistoryRecord[] = [];
  const marks: HistoryMark[] = [];
  for (const [name, text] of snapshot.files) {
    if (!name.endsWith('.jsonl')) continue;
    for (const [i, line] of text.split('\n').entries()) {
      if (line.trim() === '') continue;
      const where = `history ${name}:${i + 1}`;
      const value = parseJsonText(line, where);
      const problems = schemaProblems('history', value);
      if (problems.length > 0) throw new Error(`${where}: not a foundry-bench history line: ${problems.slice(0, 3).join('; ')}`);
      if (name === 'marks.jsonl') marks.push(value as HistoryMark);
      else records.push(value as HistoryRecord);
    }
  }
  records.sort((a, b) => a.time.localeCompare(b.time));
  return { records, marks };
}

/** The branch the run measured: the CI's, else the checked-out one. */
function runBranch(env: Environment): string | null {
  return env.GITHUB_HEAD_REF || env.GITHUB_REF_NAME || gitBranch();
}

async function push(location: HistoryLocation, files: string[], env: Environment, io: Io): Promise<number> {
  for (const file of files) {
    if (!existsSync(file)) throw new UsageError(`no results file at ${file}: run the benchmark first (npm run bench), or name a results file`);
  }
  const runs: RunResults[] = files.map((file) => readResults(file)).sort((a, b) => a.run.startedAt.localeCompare(b.run.startedAt));
  const branch = runBranch(env);
  const fresh = runs.flatMap((results) => recordsOf(results, branch));
  if (fresh.length === 0) {
    io.stderr.write(`foundry-bench: nothing to push: no case was measured in ${files.join(', ')}\n`);
    return 0;
  }
  let added = 0;
  let skipped = 0;
  const result = await appendToHistory(
    location,
    (current) => {
      // A run pushed twice (a job retried, an import repeated) is kept once.
      const known = new Set(parseSnapshot(current).records.map(runKey));
      const additions = new Map<string, string[]>();
      added = 0;
      skipped = 0;
      for (const record of fresh) {
        if (known.has(runKey(record))) {
          skipped++;
          continue;
        }
        known.add(runKey(record));
        const file = `${record.testbed}.jsonl`;
        additions.set(file, [...(additions.get(file) ?? []), JSON.stringify(record)]);
        added++;
      }
      return additions;
    },
    `history: ${runs.length} run(s), ${fresh.length} case(s) at ${runs.at(-1)?.run.gitSha?.slice(0, 12) ?? 'no commit'}`,
  );
  const where = `${location.repo ?? 'origin'} ${location.branch}`;
  const races = result.attempts > 1 ? `, after ${result.attempts - 1} lost race(s)` : '';
  io.stderr.write(
    added === 0
      ? `foundry-bench: nothing new for ${where}: ${skipped} case run(s) already there\n`
      : `foundry-bench: ${added} case run(s) pushed to ${where} (${result.commit.slice(0, 12)}${races})${skipped > 0 ? `; ${skipped} already there` : ''}\n`,
  );
  return 0;
}

const runKey = (r: HistoryRecord) => `${r.testbed} ${r.case} ${r.time} ${r.gitSha ?? ''}`;

function listText(records: readonly HistoryRecord[]): string {
  if (records.length === 0) return 'the history is empty: push a run with foundry-bench history push\n';
  const lines: string[] = [];
  const testbeds = new Map<string, HistoryRecord[]>();
  for (const r of records) testbeds.set(r.testbed, [...(testbeds.get(r.testbed) ?? []), r]);
  for (const [testbed, rows] of testbeds) {
    lines.push(`testbed ${testbed}: ${rows[0]?.machine}`);
    for (const series of seriesOf(rows)) {
      const first = series[0] as HistoryRecord;
      const last = series.at(-1) as HistoryRecord;
      lines.push(
        `  ${first.case}  ${series.length} run(s), ${day(first.time)} .. ${day(last.time)}, latest ${short(last.gitSha)} e2e p95 ${formatMsUnit(last.e2eMs?.p95)}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The one case a name means: its exact id, else the only id containing it. */
function pickCase(records: readonly HistoryRecord[], name: string | undefined): string {
  if (!name) throw new UsageError('name a case: foundry-bench history show <case id>');
  const ids = [...new Set(records.map((r) => r.case))];
  if (ids.includes(name)) return name;
  const matches = ids.filter((id) => id.includes(name));
  if (matches.length === 1) return matches[0] as string;
  throw new UsageError(
    matches.length === 0
      ? `no case "${name}" in the history (foundry-bench history list shows them)`
      : `"${name}" matches ${matches.length} cases: ${matches.join(', ')}`,
  );
}

async function show(location: HistoryLocation, name: string | undefined, io: Io): Promise<number> {
  const { records, marks } = parseSnapshot(await readHistory(location));
  const id = pickCase(records, name);
  const mine = records.filter((r) => r.case === id);
  const points = findChanges(mine, marks);
  const lines = [`${id}`, 'time              commit        n  e2e p50   e2e p95   TTFT p95  tok/s  errors'];
  for (const r of mine) {
    const point = points.find((p) => p.after.time === r.time && p.testbed === r.testbed);
    lines.push(
      `${r.time.slice(0, 16).replace('T', ' ')}  ${short(r.gitSha).padEnd(12)} ${String(r.n).padStart(3)}  ${formatMsUnit(r.e2eMs?.p50).padStart(8)}  ${formatMsUnit(r.e2eMs?.p95).padStart(8)}  ${formatMsUnit(r.ttftMs?.p95).padStart(8)}  ${(r.tokensPerSec?.toFixed(1) ?? '-').padStart(5)}  ${String(r.errors.count).padStart(6)}` +
        (point ? `  <- ${describe(point)}` : ''),
    );
  }
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

async function changes(location: HistoryLocation, format: string, env: Environment, io: Io): Promise<number> {
  if (format !== 'table' && format !== 'json') throw new UsageError(`history changes --format must be table or json, got "${format}"`);
  const { records, marks } = parseSnapshot(await readHistory(location));
  const points = findChanges(records, marks);
  if (env.GITHUB_ACTIONS === 'true') announce(points, env.GITHUB_STEP_SUMMARY, io);
  if (format === 'json') {
    io.stdout.write(`${JSON.stringify(points, null, 2)}\n`);
    return 0;
  }
  if (points.length === 0) {
    io.stdout.write(`no change points in ${records.length} case run(s)\n`);
    return 0;
  }
  io.stdout.write(`${points.map((p) => `${p.case} [${p.testbed}]: ${describe(p)}`).join('\n')}\n`);
  return 0;
}

/**
 * Under GitHub Actions: each change point not marked as intended a warning annotation, and all of them a table in
 * the job summary. Workflow commands on purpose, past the sanitising stream, their data escaped.
 */
function announce(points: readonly ChangePoint[], summary: string | undefined, io: Io): void {
  for (const p of points.filter((point) => !point.intended)) {
    const line = `::warning title=${escapeProperty(`foundry-bench change point: ${p.case}`)}::${escapeData(describe(p))}`;
    (io.commands ?? io.stdout).write(`${line}\n`);
  }
  if (!summary) return;
  const rows = points.map((p) => `| ${escapeMarkdownCell(p.case)} | ${p.testbed} | ${escapeMarkdownCell(describe(p))} |`);
  const table = points.length === 0 ? 'No change points.' : ['| case | testbed | change |', '|---|---|---|', ...rows].join('\n');
  appendFileSync(summary, `## foundry-bench history: change points\n\n${table}\n\n`);
}

/** One change point in words: what moved, by how much, between which commits, and whether it was meant. */
export function describe(point: ChangePoint): string {
  const metric = point.metric === 'e2eP95' ? 'e2e' : 'TTFT';
  const range = `${short(point.before.gitSha)}..${short(point.after.gitSha)}`;
  const p95 = point.from !== null && point.to !== null ? `, p95 ${formatMsUnit(point.from)} -> ${formatMsUnit(point.to)}` : '';
  const intended = point.intended ? ` (intended: ${point.intended.reason})` : '';
  const besides = point.alsoChanged.length > 0 ? ` (also changed between these runs: ${point.alsoChanged.join('; ')})` : '';
  return `${metric} ${point.direction} ${point.message}${p95}, in ${range}${besides}${intended}`;
}

async function mark(location: HistoryLocation, sha: string | undefined, flags: HistoryFlags, io: Io): Promise<number> {
  if (!sha || !/^[0-9a-f]{7,40}$/i.test(sha))
    throw new UsageError('history mark takes a commit sha (7 to 40 hex digits): foundry-bench history mark <sha> --reason TEXT');
  if (!flags.reason?.trim()) throw new UsageError('history mark needs --reason: why the change was meant');
  const line: HistoryMark = {
    schemaVersion: 1,
    gitSha: sha.toLowerCase(),
    reason: flags.reason.trim().slice(0, 500),
    ...(flags.case ? { case: flags.case } : {}),
    time: new Date().toISOString(),
  };
  await appendToHistory(location, () => new Map([['marks.jsonl', [JSON.stringify(line)]]]), `history: mark ${line.gitSha.slice(0, 12)}`);
  io.stderr.write(`foundry-bench: marked ${line.gitSha}${line.case ? ` for ${line.case}` : ''} as intended: ${line.reason}\n`);
  return 0;
}

async function bisect(location: HistoryLocation, name: string | undefined, flags: HistoryFlags, env: Environment, io: Io): Promise<number> {
  const { records, marks } = parseSnapshot(await readHistory(location));
  const id = pickCase(records, name);
  const mine = records.filter((r) => r.case === id);
  const point = findChanges(mine, marks).at(-1);
  if (!point) {
    io.stdout.write(`${id}: no change point to bisect\n`);
    return 0;
  }
  io.stdout.write(`${id}: ${describe(point)}\n`);
  const { before, after } = point;
  if (!before.gitSha || !after.gitSha) {
    io.stdout.write('the runs on either side have no commit recorded\n');
    return 0;
  }
  let commits: string[];
  try {
    commits = execFileSync('git', ['rev-list', '--reverse', '--ancestry-path', '--end-of-options', `${before.gitSha}..${after.gitSha}`], {
      cwd: location.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 15_000,
    })
      .toString()
      .split('\n')
      .filter(Boolean);
  } catch {
    io.stdout.write(`commits ${before.gitSha}..${after.gitSha} are not in this clone: fetch them (git fetch --unshallow) and run again\n`);
    return 0;
  }
  io.stdout.write(`${commits.length} commit(s) from ${short(before.gitSha)} (exclusive) to ${short(after.gitSha)}\n`);
  if (!flags.run) {
    const middle = commits[Math.floor((commits.length - 1) / 2)];
    for (const sha of commits) io.stdout.write(`  ${sha}${sha === middle && commits.length > 2 ? '  <- measure this one next' : ''}\n`);
    if (commits.length > 2) io.stdout.write('measure them: foundry-bench history bisect <case> --run\n');
    return 0;
  }
  // The two levels, from the history's runs on either side (up to five each).
  const afterRun = mine.find((r) => r.time === after.time && r.testbed === point.testbed) as HistoryRecord;
  const series = mine.filter((r) => r.testbed === point.testbed && r.inputHash === afterRun.inputHash);
  const at = series.indexOf(afterRun);
  const meanLevel = (runs: readonly HistoryRecord[]) => {
    const values = runs.map((r) => level(r, point.metric)).filter((v): v is number => v !== null);
    return values.reduce((a, b) => a + b, 0) / values.length;
  };
  const oldLevel = meanLevel(series.slice(Math.max(0, at - 5), at));
  const newLevel = meanLevel(series.slice(at, at + 5));
  const probe = {
    cwd: location.cwd,
    command: (flags.command ?? 'node harness/bin.js').split(/\s+/).filter(Boolean),
    model: afterRun.model,
    promptId: afterRun.promptId,
    caseId: id,
    metric: point.metric,
    install: flags.install ?? false,
    env: { ...env } as NodeJS.ProcessEnv,
  };
  const found = await firstNew(commits, async (sha) => {
    const measured = await measureAt(sha, probe);
    const side = Math.abs(measured - oldLevel) <= Math.abs(measured - newLevel) ? 'old' : 'new';
    io.stdout.write(
      `  ${sha.slice(0, 12)}: ${Math.exp(measured).toFixed(1)} ms (before ${Math.exp(oldLevel).toFixed(1)}, after ${Math.exp(newLevel).toFixed(1)}): ${side}\n`,
    );
    return side;
  });
  io.stdout.write(`first commit at the new level: ${found.first} (${found.probes.length} probe(s))\n`);
  return 0;
}

async function baseline(location: HistoryLocation, flags: HistoryFlags, io: Io): Promise<number> {
  const runs = flags.runs === undefined ? 10 : Number(flags.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new UsageError(`--runs must be a whole number of runs, at least 1, got "${flags.runs}"`);
  const profile = profileName(flags.profile ?? 'default');
  const here = machineTestbed(machineInfo());
  const testbed = flags.testbed ?? here.id;
  const { records, marks } = parseSnapshot(await readHistory(location));
  const made = baselineFromHistory(records, findChanges(records, marks), testbed, profile, runs);
  const out = flags.out ?? join(flags.output ?? 'bench-results', 'history-baseline', `${profile}.json`);
  if (made.basis.length === 0) {
    const known = [...new Set(records.map((r) => `${r.testbed} (${r.machine})`))];
    io.stderr.write(
      `foundry-bench: the history has no runs on testbed ${testbed}${testbed === here.id ? ` (this machine: ${here.machine})` : ''}; nothing written. ` +
        `Testbeds in it: ${known.join(', ') || 'none'}\n`,
    );
    return 0;
  }
  mkdirSync(dirname(resolve(out)), { recursive: true });
  writeJsonAtomic(out, made.file);
  for (const b of made.basis) io.stderr.write(`  ${b.case}: the last ${b.runs} run(s) since ${short(b.since)}\n`);
  io.stderr.write(
    `foundry-bench: baseline of ${made.basis.length} case(s) on testbed ${testbed} written to ${out}; gate a run on it with --baseline-dir ${dirname(out)}${profile === 'default' ? '' : ` --profile ${profile}`}\n`,
  );
  return 0;
}

function exportCommand(file: string, flags: HistoryFlags, io: Io): number {
  const format = flags.format as ExportFormat | undefined;
  if (!format || !(EXPORT_FORMATS as readonly string[]).includes(format))
    throw new UsageError(`history export --format must be one of ${EXPORT_FORMATS.join(', ')}`);
  const text = exportRun(readResults(file), format);
  if (flags.out) writeFileAtomic(flags.out, text);
  else io.stdout.write(text);
  return 0;
}

const short = (sha: string | null | undefined) => (sha ? sha.slice(0, 7) : '-------');
const day = (time: string) => time.slice(0, 10);
