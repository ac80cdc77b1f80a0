/** Runs the foundry-bench CLI in this process, capturing what it prints and undoing the environment it sets. */
import { vi } from 'vitest';
import { cli } from '../../harness/cli.ts';

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
