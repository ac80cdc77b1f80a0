/**
 * Hardware without builds (Foundry-Local #1109, #995): a machine with a GPU or NPU whose catalog lists no build for
 * it has an execution provider that did not register. Detection reads a sysfs tree (a folder here), PowerShell's
 * device listing (a stand-in command here) or a declaration; doctor says which devices lack builds and what the
 * providers reported.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { deviceBuilds } from '../harness/cli/doctor-checks.ts';
import { declaredOrDetected, detectAccelerators, parseWindowsDevices } from '../harness/targets/foundry/accelerators.ts';
import type { DeviceType, FoundryVariant } from '../harness/types.ts';

function sysfs(cards: Record<string, string>, accel: string[] = []): string {
  const root = mkdtempSync(join(tmpdir(), 'sysfs-'));
  mkdirSync(join(root, 'class/drm'), { recursive: true });
  for (const [card, vendor] of Object.entries(cards)) {
    mkdirSync(join(root, 'class/drm', card, 'device'), { recursive: true });
    writeFileSync(join(root, 'class/drm', card, 'device/vendor'), `${vendor}\n`);
  }
  for (const name of accel) mkdirSync(join(root, 'class/accel', name), { recursive: true });
  return root;
}

const variant = (id: string, deviceType: DeviceType): FoundryVariant => ({
  id,
  alias: 'qwen2.5-0.5b',
  version: 4,
  deviceType,
  executionProvider: null,
  fileSizeMb: null,
  license: null,
  task: null,
});

describe('which accelerators this machine has', () => {
  test('Linux: GPUs of known vendors from sysfs, connectors and emulated adapters left out; NPUs from the accel class', async () => {
    const root = sysfs({ card0: '0x10de', 'card0-HDMI-A-1': '0x10de', card1: '0x1234' }, ['accel0']);
    expect(await detectAccelerators({ platform: 'linux', sysfs: root })).toEqual({
      gpu: ['NVIDIA GPU (PCI 0x10de)'],
      npu: ['NPU (accel0)'],
      source: 'sysfs',
    });
    // No drm class at all (a container): unknown, not "no GPU".
    expect(await detectAccelerators({ platform: 'linux', sysfs: mkdtempSync(join(tmpdir(), 'sysfs-')) })).toBeNull();
  });

  test("Windows: PowerShell's display adapters and compute accelerators, virtual adapters left out; its failure is unknown", async () => {
    const listing = 'gpu:NVIDIA GeForce RTX 4060 Laptop GPU\r\ngpu:Microsoft Basic Display Adapter\r\nnpu:Intel(R) AI Boost\r\n';
    const asked: string[][] = [];
    const found = await detectAccelerators({ platform: 'win32', run: async (command, args) => (asked.push([command, ...args]), listing) });
    expect(found).toEqual({ gpu: ['NVIDIA GeForce RTX 4060 Laptop GPU'], npu: ['Intel(R) AI Boost'], source: 'Windows device manager' });
    expect(asked[0]?.[0]).toBe('powershell.exe');
    expect(await detectAccelerators({ platform: 'win32', run: async () => null })).toBeNull();
    // A device name is plain text: control sequences do not reach the terminal.
    expect(parseWindowsDevices('gpu:Evil\u001b]0;title\u0007 GPU').gpu[0]).not.toContain('\u001b');
  });

  test('Apple silicon has its GPU; a declaration overrides detection (none, or named devices)', async () => {
    expect((await detectAccelerators({ platform: 'darwin', arch: 'arm64' }))?.gpu).toEqual(['Apple silicon GPU']);
    expect(await detectAccelerators({ platform: 'darwin', arch: 'x64' })).toBeNull();
    expect(await declaredOrDetected('none')).toEqual({ gpu: [], npu: [], source: 'FOUNDRY_BENCH_ACCELERATORS' });
    expect(await declaredOrDetected('gpu:RTX 4090,npu:Hexagon')).toEqual({ gpu: ['RTX 4090'], npu: ['Hexagon'], source: 'FOUNDRY_BENCH_ACCELERATORS' });
  });
});

describe('doctor: hardware without builds', () => {
  const hardware = { gpu: ['NVIDIA GeForce RTX 4060'], npu: ['Intel(R) AI Boost'], source: 'Windows device manager' };
  const cpuOnly = [variant('qwen2.5-0.5b-instruct-generic-cpu:4', 'CPU')];

  test('a GPU and an NPU with no build in the catalog warn, naming what the providers reported', () => {
    const checks = deviceBuilds(
      { catalog: cpuOnly, executionProviders: { registered: ['WebGpuExecutionProvider'], failed: ['CUDAExecutionProvider'], status: null } },
      hardware,
    );
    expect(checks.map((c) => [c.status, c.name])).toEqual([
      ['warn', 'GPU builds'],
      ['warn', 'NPU builds'],
    ]);
    expect(checks[0]?.detail).toBe(
      'this machine has NVIDIA GeForce RTX 4060 (from Windows device manager), but the catalog lists no GPU build; ' +
        'execution providers registered: WebGpuExecutionProvider; failed: CUDAExecutionProvider',
    );
    expect(checks[0]?.hint).toMatch(/^the GPU's execution provider did not register/);
  });

  test('on the CLI path the providers are unknown, and said so; builds present pass; no devices, no lines', () => {
    const [gpu] = deviceBuilds({ catalog: cpuOnly, executionProviders: undefined }, { ...hardware, npu: [] });
    expect(gpu?.detail).toMatch(/which execution providers registered is unknown \(only the SDK reports it\)$/);
    const withGpu = [...cpuOnly, variant('qwen2.5-0.5b-instruct-generic-gpu:4', 'GPU'), variant('phi-4-mini-instruct-cuda-gpu:1', 'GPU')];
    expect(deviceBuilds({ catalog: withGpu }, { ...hardware, npu: [] })).toEqual([
      { status: 'pass', name: 'GPU builds', detail: 'NVIDIA GeForce RTX 4060 (from Windows device manager): the catalog lists 2', hint: null },
    ]);
    expect(deviceBuilds({ catalog: cpuOnly }, { gpu: [], npu: [], source: 'sysfs' })).toEqual([]);
    expect(deviceBuilds({ catalog: cpuOnly }, null)).toEqual([]);
  });
});
