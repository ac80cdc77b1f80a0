/**
 * Runs the foundry-bench CLI in this process (every command, `npm run bench`
 * included: the environment and the output streams are arguments, so nothing
 * leaks between tests). readme-walk.test.ts types the README's commands into a
 * shell for the process boundary itself.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { cli } from '../../harness/cli/main.ts';
import type { RunResults } from '../../harness/types.ts';

/** An API key the CLI gets and must never print. */
export const SECRET = 'sk-test-secret-do-not-print';

/**
 * The environment of every CLI run in tests: no developer's BENCH_* settings, colours off, a key to keep secret, and
 * no GPU or NPU whatever this machine has (doctor's lines would differ).
 */
export function testEnv(env: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '', BENCH_API_KEY: SECRET, NO_COLOR: '1', FOUNDRY_BENCH_ACCELERATORS: 'none', ...env };
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

/** Runs the specs in this process, with their own results directory and an empty baseline directory unless given one. */
export async function runBench(env: Record<string, string>, args: string[] = [], specs = 'test/specs/**/*.bench.ts', { tty = false } = {}): Promise<CliRun> {
  const outDir = mkdtempSync(join(tmpdir(), 'foundry-bench-'));
  const baselineDir = mkdtempSync(join(tmpdir(), 'foundry-bench-baselines-'));
  const argv = ['--specs', specs, '--output', outDir, '--baseline-dir', baselineDir, ...args];
  const { code, output } = await runCli(argv, env, { tty });
  const file = join(outDir, 'results.json');
  const raw = existsSync(file) ? readFileSync(file, 'utf8') : '';
  return { code, output, results: raw ? (JSON.parse(raw) as RunResults) : null, raw, outDir };
}
