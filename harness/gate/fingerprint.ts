/** Facts about the machine and checkout a run happened on, recorded in every results file. */
import { execFileSync } from 'node:child_process';
import os from 'node:os';

export interface MachineInfo {
  node: string;
  os: { platform: string; release: string; arch: string };
  cpu: { model: string; cores: number };
  memoryBytes: number;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    node: process.version,
    os: { platform: os.platform(), release: os.release(), arch: os.arch() },
    cpu: { model: cpus[0]?.model.trim() ?? 'unknown', cores: cpus.length },
    memoryBytes: os.totalmem(),
  };
}

/** The checked-out commit, or null outside a git work tree. */
export function gitSha(cwd = process.cwd()): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).toString().trim() || null;
  } catch {
    return null;
  }
}
