/**
 * Writes that never leave a half-written file behind: temp file in the same directory, fsync, rename. A writer
 * killed before its rename leaves its temp file; the next write of the same file removes it.
 */
import { mkdirSync, openSync, closeSync, readdirSync, renameSync, rmSync, statSync, writeSync, fsyncSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { isAlive } from './lock.ts';

/** A temp file older than this is left over whoever wrote it (its pid may have been reused). */
const STALE_TEMP_MS = 60 * 60_000;

export function writeFileAtomic(path: string, data: string): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  removeStaleTemps(dir, basename(path));
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fd = openSync(temp, 'w');
    try {
      writeSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** Temp files of `name` whose writer is gone: `.<name>.<pid>.<8 hex>.tmp`. */
export function removeStaleTemps(dir: string, name: string): string[] {
  const removed: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (!entry.startsWith(`.${name}.`) || !entry.endsWith('.tmp')) continue;
    const pid = Number(/^\.(?:.*)\.(\d+)\.[0-9a-f]{8}\.tmp$/.exec(entry)?.[1]);
    if (!Number.isInteger(pid)) continue;
    const file = join(dir, entry);
    try {
      if (pid !== process.pid && (!isAlive(pid) || Date.now() - statSync(file).mtimeMs > STALE_TEMP_MS)) {
        rmSync(file, { force: true });
        removed.push(entry);
      }
    } catch {
      // Gone already: its writer renamed it.
    }
  }
  return removed;
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
