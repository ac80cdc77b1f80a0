/** The commit a run measured, recorded in results and baselines. */
import { execFileSync } from 'node:child_process';

/** The checked-out commit, or null outside a git work tree. */
export function gitSha(cwd = process.cwd()): string | null {
  try {
    return (
      execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 })
        .toString()
        .trim() || null
    );
  } catch {
    return null;
  }
}
