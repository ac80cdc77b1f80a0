/**
 * Resident memory of a local model server, for "memory before and after
 * load". The server is found by its pid, or by the loopback port it listens
 * on when it does not say (Foundry Local's older generation). Linux reads
 * /proc; macOS asks `lsof` and `ps`; Windows `netstat` and `tasklist`.
 * Anything that cannot be read is null ("unknown"), never a guess.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

function run(command: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 5_000, windowsHide: true }, (error, stdout) => resolve(error ? null : String(stdout)));
  });
}

/** Resident set size of a process, bytes; null when it cannot be read or the process is gone. */
export async function residentBytes(pid: number): Promise<number | null> {
  if (process.platform === 'linux') {
    try {
      const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return match ? Number(match[1]) * 1024 : null;
    } catch {
      return null;
    }
  }
  if (process.platform === 'win32') {
    // "name","pid","session","#","123,456 K"
    const line = await run('tasklist', ['/FI', `PID eq ${pid}`, '/FO', 'CSV', '/NH']);
    const kb = line ? /"([\d.,\s]+)\s*K"\s*$/m.exec(line)?.[1]?.replace(/[^\d]/g, '') : undefined;
    return kb ? Number(kb) * 1024 : null;
  }
  const kb = Number((await run('ps', ['-o', 'rss=', '-p', String(pid)]))?.trim());
  return Number.isFinite(kb) && kb > 0 ? kb * 1024 : null;
}

/** The process listening on a local TCP port; null when none is found or the platform hides it. */
export async function pidListeningOn(port: number): Promise<number | null> {
  if (process.platform === 'linux') return linuxListener(port);
  if (process.platform === 'win32') {
    const table = await run('netstat', ['-ano', '-p', 'TCP']);
    const line = table?.split(/\r?\n/).find((l) => /LISTENING/i.test(l) && new RegExp(`:${port}\\s`).test(l));
    const pid = line ? Number(line.trim().split(/\s+/).at(-1)) : NaN;
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  }
  const pid = Number((await run('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-t']))?.trim().split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** /proc/net/tcp lists listening sockets (state 0A) with their inode; /proc/<pid>/fd links to `socket:[inode]`. */
function linuxListener(port: number): number | null {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[1]?.endsWith(`:${hexPort}`) && fields[3] === '0A' && fields[9]) inodes.add(fields[9]);
    }
  }
  if (inodes.size === 0) return null;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue; // another user's process, or gone
    }
    for (const fd of fds) {
      try {
        const link = readlinkSync(`/proc/${entry}/fd/${fd}`);
        if (link.startsWith('socket:[') && inodes.has(link.slice(8, -1))) return Number(entry);
      } catch {
        // closed meanwhile
      }
    }
  }
  return null;
}
