/**
 * Runs the foundry-bench CLI the two ways tests need: in this process (every
 * command, `npm run bench` included: the environment and the output streams
 * are arguments, so nothing leaks between tests), or in a child process,
 * exactly as `npm run bench` runs, for the end-to-end checks of the process
 * boundary itself.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { cli } from '../../harness/cli/main.ts';
import type { RunResults } from '../../harness/types.ts';

/** An API key the CLI gets and must never print. */
export const SECRET = 'sk-test-secret-do-not-print';

/** The environment of every CLI run in tests: no developer's BENCH_* settings, colours off, a key to keep secret. */
export function testEnv(env: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '', BENCH_API_KEY: SECRET, NO_COLOR: '1', ...env };
}

export interface CliRun {
  code: number;
  output: string;
  results: RunResults | null;
  raw: string;
  outDir: string;
}

/** A stream that keeps what is written to it, synchronously (a plain Writable buffers until the next tick). */
class Capture extends Writable {
  constructor(
    private readonly chunks: string[],
    readonly isTTY = false,
  ) {
    super();
  }

  override write(chunk: unknown): boolean {
    this.chunks.push(String(chunk));
    return true;
  }
}

/** The CLI in this process, with its own environment and output (`tty`: output as if to a terminal). */
export async function runCli(args: string[], env: Record<string, string> = {}, { tty = false } = {}): Promise<{ code: number; output: string }> {
  const chunks: string[] = [];
  const out = new Capture(chunks, tty);
  const code = await cli(args, testEnv(env), { stdout: out, stderr: out });
  return { code, output: chunks.join('') };
}

/** The CLI in a child process, as `npm run bench` runs it. */
export function runCliProcess(args: string[], env: Record<string, string> = {}): Promise<{ code: number; output: string }> {
  const { BENCH_BASE_URL: _b, FOUNDRY_LOCAL_ENDPOINT: _f, ...inherited } = process.env;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'harness/cli/main.ts', ...args],
      { env: { ...inherited, ...testEnv(env), GITHUB_ACTIONS: '', GITHUB_STEP_SUMMARY: '' }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
    );
  });
}

/** Runs the specs (in this process unless `child`), with their own results directory and an empty baseline directory unless given one. */
export async function runBench(
  env: Record<string, string>,
  args: string[] = [],
  specs = 'test/specs/**/*.bench.ts',
  { child = false, tty = false } = {},
): Promise<CliRun> {
  const outDir = mkdtempSync(join(tmpdir(), 'foundry-bench-'));
  const baselineDir = mkdtempSync(join(tmpdir(), 'foundry-bench-baselines-'));
  const argv = ['--specs', specs, '--output', outDir, '--baseline-dir', baselineDir, ...args];
  const { code, output } = child ? await runCliProcess(argv, env) : await runCli(argv, env, { tty });
  const file = join(outDir, 'results.json');
  const raw = existsSync(file) ? readFileSync(file, 'utf8') : '';
  return { code, output, results: raw ? (JSON.parse(raw) as RunResults) : null, raw, outDir };
}
