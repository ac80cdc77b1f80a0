/** A process's state and parent from Linux's /proc (null elsewhere, or when it is gone). */
import { readFileSync } from 'node:fs';

export interface ProcStat {
  /** R running, S sleeping, Z zombie, ... */
  state: string;
  ppid: number;
}

export function procStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // "pid (command) state ppid ...": the command may hold spaces and parentheses, so read after its last ")".
  const [state, ppid] = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return state && ppid ? { state, ppid: Number(ppid) } : null;
}
