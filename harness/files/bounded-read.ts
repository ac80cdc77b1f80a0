/**
 * Reading a file the user or a pull request named, bounded: only a regular file is read (a FIFO would block
 * forever, `/dev/zero` or `/dev/urandom` never end, and all three report a size of 0), and the cap counts the
 * bytes actually read, not what `stat` says.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/** Why a file was not read: `code` as Node names it (ENOENT, ...), or one of ours. */
export class BoundedReadError extends Error {
  constructor(
    readonly code: 'not-a-file' | 'too-large' | string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The file's text, read through one descriptor: opened without blocking (a FIFO with no writer would hang the
 * open), refused unless that descriptor is a regular file (a symbolic link is followed to what it names, and
 * judged by that), and refused once more than `maxBytes` have been read.
 */
export function readBoundedText(path: string, maxBytes: number): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new BoundedReadError(code, `cannot read (${code})`);
  }
  try {
    if (!fstatSync(fd).isFile()) throw new BoundedReadError('not-a-file', 'not a regular file (a device, a FIFO or a socket): refusing to read it');
    const chunks: Buffer[] = [];
    let total = 0;
    const chunk = Buffer.allocUnsafe(Math.min(1 << 20, maxBytes + 1));
    for (;;) {
      const read = readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) break;
      total += read;
      if (total > maxBytes) throw new BoundedReadError('too-large', `over the ${maxBytes}-byte limit (read ${total} bytes and stopped)`);
      chunks.push(Buffer.from(chunk.subarray(0, read)));
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
