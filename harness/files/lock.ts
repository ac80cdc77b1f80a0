/**
 * An exclusive lock on a file that several processes update (the baseline): a `<file>.lock` created with O_EXCL,
 * holding the owner's pid. A lock whose owner is gone (killed mid-update) is taken over; a live owner is waited
 * for. Synchronous, as the reporter that updates the baseline is.
 */
import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { procStat } from './proc.ts';

/** How long to wait for another run's update; baseline updates take milliseconds, so this is generous. */
const WAIT_MS = 30_000;
const POLL_MS = 25;
/** A lock older than this is stale whoever holds it (a pid can be reused by an unrelated process). */
const STALE_MS = 10 * 60_000;

export class LockTimeoutError extends Error {
  constructor(lockPath: string, owner: string) {
    super(`${lockPath} is held by ${owner}; if no foundry-bench run is updating it, remove the lock file`);
    this.name = 'LockTimeoutError';
  }
}

/** Runs `update` while holding the lock on `path`. */
export function withFileLock<T>(path: string, update: () => T, waitMs = WAIT_MS): T {
  const lockPath = `${path}.lock`;
  acquire(lockPath, waitMs);
  try {
    return update();
  } finally {
    rmSync(lockPath, { force: true });
  }
}

function acquire(lockPath: string, waitMs: number): void {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = ownerOf(lockPath);
    if (owner === null || !owner.alive) {
      // Whoever held it is gone: remove it and race for it again with O_EXCL. (Two runs that find the same stale
      // lock in the same few microseconds could both get through; stale locks only follow a killed run.)
      rmSync(lockPath, { force: true });
      continue;
    }
    if (Date.now() >= deadline) throw new LockTimeoutError(lockPath, `process ${owner.pid}`);
    sleepSync(POLL_MS);
  }
}

/** The lock's owner, or null when the lock vanished or holds no pid (a writer that died between open and write). */
function ownerOf(lockPath: string): { pid: number; alive: boolean } | null {
  try {
    const pid = Number(readFileSync(lockPath, 'utf8').trim());
    const age = Date.now() - statSync(lockPath).mtimeMs;
    if (!Number.isInteger(pid) || pid <= 0) return age > 1_000 ? null : { pid: 0, alive: true };
    return { pid, alive: age < STALE_MS && isAlive(pid) };
  } catch {
    return null;
  }
}

/**
 * Whether a process is running: signal 0 checks without sending anything (EPERM: it exists, owned by someone else).
 * A process that exited stays a zombie until its parent reaps it, and a container's init may never reap an orphan:
 * on Linux a zombie (state Z in /proc/<pid>/stat) counts as gone.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' && !isZombie(pid);
  }
  return !isZombie(pid);
}

function isZombie(pid: number): boolean {
  return procStat(pid)?.state === 'Z';
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
