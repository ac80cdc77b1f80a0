/** Runs the foundry-bench CLI the two ways tests need: in this process (offline commands), or as `npm run bench` does. */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import { cli } from '../../harness/cli/main.ts';
import type { RunResults } from '../../harness/types.ts';

/** An API key the CLI gets and must never print. */
export const SECRET = 'sk-test-secret-do-not-print';

export interface CliRun {
  code: number;
  output: string;
  results: RunResults | null;
  raw: string;
  outDir: string;
}

/** Runs the foundry-bench CLI in a child process, as `npm run bench` does. */
export function runCliProcess(args: string[], env: Record<string, string> = {}): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'harness/cli/main.ts', ...args],
      { env: { ...process.env, BENCH_API_KEY: SECRET, NO_COLOR: '1', GITHUB_ACTIONS: '', GITHUB_STEP_SUMMARY: '', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
    );
  });
}

/** Runs `npm run bench` on some specs, with its own results directory and an empty baseline directory unless given one. */
export async function runBench(env: Record<string, string>, args: string[] = [], specs = 'test/specs/**/*.bench.ts'): Promise<CliRun> {
  const outDir = mkdtempSync(join(tmpdir(), 'foundry-bench-'));
  const baselineDir = mkdtempSync(join(tmpdir(), 'foundry-bench-baselines-'));
  const { code, output } = await runCliProcess(['--specs', specs, '--output', outDir, '--baseline-dir', baselineDir, ...args], env);
  const file = join(outDir, 'results.json');
  const raw = existsSync(file) ? readFileSync(file, 'utf8') : '';
  return { code, output, results: raw ? (JSON.parse(raw) as RunResults) : null, raw, outDir };
}

export async function runCliInProcess(args: string[]): Promise<{ code: number; output: string }> {
  const chunks: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  // The CLI turns flags into environment variables; keep them out of later tests.
  const env = { ...process.env };
  try {
    return { code: await cli(args), output: chunks.join('') };
  } finally {
    out.mockRestore();
    err.mockRestore();
    for (const key of Object.keys(process.env)) if (!(key in env)) delete process.env[key];
    Object.assign(process.env, env);
  }
}
