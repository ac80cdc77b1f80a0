/**
 * The GPUs and NPUs this machine has, for one question doctor asks: the hardware is there, so why does Foundry
 * Local's catalog list no build for it? (It happens when an execution provider failed to register or its driver is
 * missing: microsoft/Foundry-Local #1109, #995.) Linux reads sysfs; Windows asks PowerShell for display adapters and
 * compute accelerators (the device class Windows gives NPUs); an Apple silicon Mac has its GPU. What cannot be read is
 * null ("unknown"), never a guess; virtual display adapters do not count.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { plainText } from '../../files/sanitize.ts';

export interface Accelerators {
  /** Names of the GPUs found, e.g. `NVIDIA GeForce RTX 4060` or `NVIDIA GPU (PCI 0x10de)`. */
  gpu: string[];
  /** Names of the NPUs found, e.g. `Intel(R) AI Boost`. */
  npu: string[];
  /** Where they were read from, for the doctor line. */
  source: string;
}

/** PCI vendors whose GPUs Foundry Local has builds for (CUDA, DirectML/WebGPU); a VM's emulated adapter is none. */
const GPU_VENDORS: Record<string, string> = { '0x10de': 'NVIDIA', '0x1002': 'AMD', '0x8086': 'Intel', '0x5143': 'Qualcomm' };

/** Adapters Windows lists that are no hardware to run a model on. */
const VIRTUAL_ADAPTER = /basic (display|render)|remote display|hyper-v|virtual|vmware|virtualbox|parsec|citrix|indirect display/i;

export type RunCommand = (command: string, args: string[]) => Promise<string | null>;

export interface AcceleratorProbe {
  platform?: NodeJS.Platform;
  arch?: string;
  /** Where sysfs is mounted (a test's folder). */
  sysfs?: string;
  run?: RunCommand;
}

/** This machine's accelerators; null when the platform or its tools do not say. */
export async function detectAccelerators({
  platform = process.platform,
  arch = process.arch,
  sysfs = '/sys',
  run = runQuiet,
}: AcceleratorProbe = {}): Promise<Accelerators | null> {
  if (platform === 'linux') return linuxAccelerators(sysfs);
  if (platform === 'win32') return windowsAccelerators(run);
  if (platform === 'darwin') return arch === 'arm64' ? { gpu: ['Apple silicon GPU'], npu: [], source: 'the CPU architecture' } : null;
  return null;
}

function linuxAccelerators(sysfs: string): Accelerators | null {
  const drm = listDir(join(sysfs, 'class/drm'));
  if (drm === null) return null;
  const gpu: string[] = [];
  // card0, card1 ...; card0-HDMI-A-1 and the like are its connectors.
  for (const card of drm.filter((name) => /^card\d+$/.test(name))) {
    const vendor = readText(join(sysfs, 'class/drm', card, 'device/vendor'))
      ?.trim()
      .toLowerCase();
    const name = vendor ? GPU_VENDORS[vendor] : undefined;
    if (name) gpu.push(`${name} GPU (PCI ${vendor})`);
  }
  // The kernel's compute-accelerator class: Intel's NPU (ivpu), AMD's XDNA.
  const npu = (listDir(join(sysfs, 'class/accel')) ?? []).filter((name) => /^accel\d+$/.test(name)).map((name) => `NPU (${name})`);
  return { gpu, npu, source: 'sysfs' };
}

async function windowsAccelerators(run: RunCommand): Promise<Accelerators | null> {
  const script =
    "Get-CimInstance Win32_VideoController | ForEach-Object { 'gpu:' + $_.Name }; " +
    "Get-PnpDevice -Class ComputeAccelerator -PresentOnly -ErrorAction SilentlyContinue | ForEach-Object { 'npu:' + $_.FriendlyName }";
  const output = await run('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', script]);
  return output === null ? null : parseWindowsDevices(output);
}

/** PowerShell's `gpu:<name>` / `npu:<name>` lines, virtual adapters left out. */
export function parseWindowsDevices(output: string): Accelerators {
  const gpu: string[] = [];
  const npu: string[] = [];
  for (const line of output.split(/\r?\n/)) {
    const match = /^(gpu|npu):(.+)$/.exec(line.trim());
    const name = match?.[2] ? plainText(match[2]).trim().slice(0, 120) : undefined;
    if (!match || !name || VIRTUAL_ADAPTER.test(name)) continue;
    (match[1] === 'gpu' ? gpu : npu).push(name);
  }
  return { gpu, npu, source: 'Windows device manager' };
}

/**
 * `FOUNDRY_BENCH_ACCELERATORS` when set (`none`, or `gpu:<name>,npu:<name>`: for a machine whose devices detection
 * cannot see, such as a container given a GPU without sysfs), else what detection finds.
 */
export function declaredOrDetected(declared: string | undefined, probe?: AcceleratorProbe): Promise<Accelerators | null> {
  if (declared === undefined || declared.trim() === '') return detectAccelerators(probe);
  const listed = parseWindowsDevices(declared.split(',').join('\n'));
  return Promise.resolve({ ...listed, source: 'FOUNDRY_BENCH_ACCELERATORS' });
}

function runQuiet(command: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 15_000, windowsHide: true, maxBuffer: 2 ** 20 }, (error, stdout) => resolve(error ? null : String(stdout)));
  });
}

function listDir(path: string): string[] | null {
  try {
    return readdirSync(path);
  } catch {
    return null;
  }
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}
