/**
 * Where a measurement was taken: the machine (recorded in every results file)
 * and the fingerprint each case carries, so a baseline measured on another
 * machine, server or model is flagged instead of passing as a regression.
 */
import os from 'node:os';
import type { Fingerprint, TargetInfo } from '../types.ts';

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

/** The fingerprint of a case measured here, on `target`, with `model` (and a Foundry variant's provider). */
export function fingerprint(target: TargetInfo, model: string, executionProvider?: string | null): Fingerprint {
  const machine = machineInfo();
  return {
    cpuModel: machine.cpu.model,
    cores: machine.cpu.cores,
    memoryGiB: Math.round(machine.memoryBytes / 2 ** 30),
    platform: machine.os.platform,
    arch: machine.os.arch,
    osRelease: machine.os.release,
    node: machine.node,
    targetKind: target.kind,
    server: target.server ?? null,
    model,
    ...(executionProvider !== undefined ? { executionProvider } : {}),
  };
}

/**
 * Fields that make two measurements incomparable. The OS release and Node
 * patch level change too often on CI runners to count; Node's major version does.
 */
export function fingerprintMismatch(base: Fingerprint, head: Fingerprint): string[] {
  const differences: string[] = [];
  const compare = (field: string, a: unknown, b: unknown) => {
    if (a !== b) differences.push(`${field}: ${String(a)} -> ${String(b)}`);
  };
  compare('cpuModel', base.cpuModel, head.cpuModel);
  compare('cores', base.cores, head.cores);
  compare('memoryGiB', base.memoryGiB, head.memoryGiB);
  compare('platform', `${base.platform}/${base.arch}`, `${head.platform}/${head.arch}`);
  compare('node', base.node.split('.')[0], head.node.split('.')[0]);
  compare('targetKind', base.targetKind, head.targetKind);
  compare('server', base.server, head.server);
  compare('model', base.model, head.model);
  compare('executionProvider', base.executionProvider ?? null, head.executionProvider ?? null);
  return differences;
}
