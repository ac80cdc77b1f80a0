/** The commit a run measured, recorded in results and baselines. */
import { execFileSync } from 'node:child_process';
import { relative, resolve, sep } from 'node:path';

/** The checked-out commit, or null outside a git work tree. */
export function gitSha(cwd = process.cwd()): string | null {
  return revParse(['HEAD'], cwd);
}

/** The checked-out branch; null outside a git work tree or on a detached HEAD. */
export function gitBranch(cwd = process.cwd()): string | null {
  const name = revParse(['--abbrev-ref', 'HEAD'], cwd);
  return name === 'HEAD' ? null : name;
}

function revParse(args: string[], cwd: string): string | null {
  try {
    return (
      execFileSync('git', ['rev-parse', ...args], { cwd, stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 })
        .toString()
        .trim() || null
    );
  } catch {
    return null;
  }
}

/**
 * A file's text as committed at `ref` (`git show REF:path`), `path` relative to the work tree's root or absolute
 * inside it. Throws naming the ref and the file when git cannot show it.
 */
export function fileAtRef(ref: string, path: string, cwd = process.cwd()): string {
  const git = (args: string[]) => execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout: 15_000, maxBuffer: 256 * 2 ** 20 }).toString();
  try {
    const top = git(['rev-parse', '--show-toplevel']).trim();
    const relativePath = relative(top, resolve(cwd, path)).split(sep).join('/');
    // `--end-of-options`: whatever the ref, git reads it as a revision, never as an option.
    return git(['show', '--end-of-options', `${ref}:${relativePath}`]);
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`--base-ref ${ref}: cannot read ${path} at that ref (${stderr || (error as Error).message})`);
  }
}
