import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { baselinePath, readBaseline, updateBaseline } from '../harness/gate/baseline.ts';
import { fingerprintMismatch } from '../harness/gate/fingerprint.ts';
import { withFileLock } from '../harness/files/lock.ts';
import { readJsonFile, schemaProblems } from '../harness/files/schemas.ts';
import { FINGERPRINT, makeCase, makeResults } from './helpers/results.ts';
import { runBench } from './helpers/cli.ts';
import { spawnSimServer } from './fakes/sim-server.ts';

const tempBaseline = () => join(mkdtempSync(join(tmpdir(), 'baseline-')), 'default.json');

describe('baseline files', () => {
  test('are written from a run, valid against their schema, one entry per case id', () => {
    const path = tempBaseline();
    const { written, kept } = updateBaseline(path, makeResults([makeCase({ promptId: 'a' }), makeCase({ promptId: 'b', status: 'skipped' })]), 'default');
    expect(written).toEqual(['tiny-1m/a']);
    expect(kept).toBe(0);
    const file = JSON.parse(readFileSync(path, 'utf8'));
    expect(schemaProblems('baseline', file)).toEqual([]);
    const entry = file.cases['tiny-1m/a'];
    expect(entry.samples).toHaveLength(5);
    expect(entry.samples[0]).toEqual({ ok: true, e2eMs: 100, ttftMs: 20, e2eTokPerSec: 160 });
    expect(entry.fingerprint).toEqual(FINGERPRINT);
    expect(entry.stats.e2eMs.p50).toBe(100);
  });

  test('keep the entries of cases that did not run', () => {
    const path = tempBaseline();
    updateBaseline(path, makeResults([makeCase({ promptId: 'a', latencies: [50, 51, 52] }), makeCase({ promptId: 'b' })]), 'default');
    const { written, kept } = updateBaseline(path, makeResults([makeCase({ promptId: 'a', latencies: [70, 71, 72] })]), 'default');
    expect(written).toEqual(['tiny-1m/a']);
    expect(kept).toBe(1);
    const baseline = readBaseline(path);
    expect(Object.keys(baseline?.cases ?? {})).toEqual(['tiny-1m/a', 'tiny-1m/b']);
    expect(baseline?.cases['tiny-1m/a']?.stats.e2eMs?.p50).toBe(71);
  });

  test('a missing file is no baseline; a broken one is an error naming the file', () => {
    const path = tempBaseline();
    expect(readBaseline(path)).toBeNull();
    writeFileSync(path, '{"kind": "foundry-bench-baseline", ');
    expect(() => readBaseline(path)).toThrow(`baseline ${path}: not valid JSON`);
    writeFileSync(
      path,
      JSON.stringify({ kind: 'foundry-bench-baseline', schemaVersion: 1, profile: 'default', updatedAt: 'yesterday', cases: { x: { model: 1 } } }),
    );
    expect(() => readBaseline(path)).toThrow(/not a foundry-bench baseline[\s\S]*\/updatedAt must match format "date-time"[\s\S]*\/cases\/x/);
  });

  test('live per profile under the baseline directory', () => {
    expect(baselinePath('/repo/b', 'gpu-a10')).toBe('/repo/b/gpu-a10.json');
    expect(baselinePath('/repo/fixtures/baselines', 'default')).toBe('/repo/fixtures/baselines/default.json');
  });

  test('fingerprints differ on what makes runs incomparable, not on patch levels', () => {
    expect(fingerprintMismatch(FINGERPRINT, { ...FINGERPRINT, node: 'v20.21.0', osRelease: '6.2' })).toEqual([]);
    expect(fingerprintMismatch(FINGERPRINT, { ...FINGERPRINT, cpuModel: 'Other CPU', node: 'v22.1.0' })).toEqual([
      'cpuModel: Test CPU -> Other CPU',
      'node: v20 -> v22',
    ]);
  });
});

describe('baseline files shared between runs', () => {
  test('four processes updating one baseline at once keep every case (locked, re-read and merged)', async () => {
    const path = tempBaseline();
    const startAt = Date.now() + 2_000;
    const writers = ['p', 'q', 'r', 's'].map(
      (name) =>
        new Promise<number | null>((resolve) => {
          const child = spawn(process.execPath, ['--import', 'tsx', 'test/fakes/baseline-writer.ts', path, name, String(startAt), '5'], { stdio: 'inherit' });
          child.once('exit', resolve);
        }),
    );
    expect(await Promise.all(writers)).toEqual([0, 0, 0, 0]);
    const ids = Object.keys(readBaseline(path)?.cases ?? {});
    expect(ids).toHaveLength(20);
    expect(ids).toContain('tiny-1m/s-4');
    expect(readdirSync(dirname(path))).toEqual(['default.json']);
  }, 30_000);

  test('a lock left by a killed run is taken over; a live one is waited for, then named', () => {
    const path = tempBaseline();
    writeFileSync(`${path}.lock`, `${deadPid()}\n`);
    expect(updateBaseline(path, makeResults([makeCase({ promptId: 'a' })]), 'default').written).toEqual(['tiny-1m/a']);
    expect(existsSync(`${path}.lock`)).toBe(false);
    writeFileSync(`${path}.lock`, `${process.ppid}\n`);
    expect(() => withFileLock(path, () => 1, 100)).toThrow(
      `${path}.lock is held by process ${process.ppid}; if no foundry-bench run is updating it, remove the lock file`,
    );
  });

  test('temporary files of killed writers are removed by the next write; a live writer keeps its own', () => {
    const path = tempBaseline();
    const dir = dirname(path);
    const dead = `.default.json.${deadPid()}.0badc0de.tmp`;
    const live = `.default.json.${process.ppid}.0badc0de.tmp`;
    writeFileSync(join(dir, dead), 'x'.repeat(1000));
    writeFileSync(join(dir, live), 'x');
    updateBaseline(path, makeResults([makeCase({ promptId: 'a' })]), 'default');
    expect(readdirSync(dir).sort()).toEqual([live, 'default.json'].sort());
  });

  test('a symbolic link is refused, never followed into its target; an update replaces the link with a file', () => {
    const path = tempBaseline();
    const secret = join(dirname(path), 'secret.txt');
    writeFileSync(secret, 'root:x:0:0:TOPSECRET');
    symlinkSync(secret, path);
    expect(() => readBaseline(path)).toThrow(`baseline ${path}: is a symbolic link; a baseline must be a plain file (not followed)`);
    const update = updateBaseline(path, makeResults([makeCase({ promptId: 'a' })]), 'default');
    expect(update.replaced).toContain('is a symbolic link');
    expect(lstatSync(path).isSymbolicLink()).toBe(false);
    expect(readFileSync(secret, 'utf8')).toBe('root:x:0:0:TOPSECRET');
  });

  test('--update-baseline repairs an invalid baseline (implausible values included) instead of failing on it', () => {
    const path = tempBaseline();
    updateBaseline(path, makeResults([makeCase({ promptId: 'a' })]), 'default');
    const poisoned = JSON.parse(readFileSync(path, 'utf8'));
    poisoned.cases['tiny-1m/a'].stats.outputTokens = 'lots';
    writeFileSync(path, JSON.stringify(poisoned));
    expect(() => readBaseline(path)).toThrow('not a foundry-bench baseline');
    const update = updateBaseline(path, makeResults([makeCase({ promptId: 'b' })]), 'default');
    expect(update).toMatchObject({ written: ['tiny-1m/b'], kept: 0 });
    expect(update.replaced).toMatch(/^baseline .*: not a foundry-bench baseline/);
    expect(Object.keys(readBaseline(path)?.cases ?? {})).toEqual(['tiny-1m/b']);
  });
});

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('a baseline that is not JSON', () => {
  test('is named without quoting what it holds', () => {
    const path = tempBaseline();
    writeFileSync(path, 'root:x:0:0:TOPSECRET');
    expect(() => readBaseline(path)).toThrow(`baseline ${path}: not valid JSON (unexpected token)`);
  });
});

describe('repairing a large baseline with one bad entry (--update-baseline)', () => {
  test('keeps every valid entry, drops the bad one, sets it aside as it was and says which', () => {
    const path = tempBaseline();
    updateBaseline(path, makeResults([makeCase({ promptId: 'a' })]), 'default');
    const file = JSON.parse(readFileSync(path, 'utf8'));
    const entry = file.cases['tiny-1m/a'];
    for (let i = 0; i < 4000; i++) file.cases[`tiny-1m/p${String(i).padStart(4, '0')}`] = entry;
    file.cases['tiny-1m/p0007'] = { ...entry, samples: [{ ...entry.samples[0], e2eMs: 'fast' }] };
    writeFileSync(path, JSON.stringify(file));
    expect(() => readBaseline(path)).toThrow('not a foundry-bench baseline');
    const update = updateBaseline(path, makeResults([makeCase({ promptId: 'a', latencies: [70, 71, 72] })]), 'default');
    expect(update).toMatchObject({ written: ['tiny-1m/a'], kept: 3999, replaced: null, setAside: `${path}.rejected` });
    expect(update.dropped).toEqual([{ id: 'tiny-1m/p0007', problem: expect.stringContaining('/cases/tiny-1m~1p0007/samples/0/e2eMs') }]);
    const repaired = readBaseline(path);
    expect(Object.keys(repaired?.cases ?? {})).toHaveLength(4000);
    expect(repaired?.cases['tiny-1m/a']?.history).toHaveLength(1);
    expect(JSON.parse(readFileSync(`${path}.rejected`, 'utf8'))['tiny-1m/p0007'].samples[0].e2eMs).toBe('fast');
  });
});

describe('the repair a failing run advises, through the CLI', () => {
  test('--update-baseline measures the case, keeps the 400 valid entries and says which one it dropped', { timeout: 60_000 }, async () => {
    const sim = await spawnSimServer({ models: [{ id: 'sim-fast', ttftMs: 1, tokenMs: 0, tokens: 4 }] });
    try {
      const dir = mkdtempSync(join(tmpdir(), 'baseline-repair-'));
      const args = ['--baseline-dir', dir, '--update-baseline', '--iterations', '3', '--warmup', '0'];
      const path = join(dir, 'default.json');
      updateBaseline(path, makeResults([makeCase({ model: 'sim-fast', promptId: 'hello' })]), 'default');
      const file = JSON.parse(readFileSync(path, 'utf8'));
      const entry = file.cases['sim-fast/hello'];
      // 400 here: the 4,000-entry file is repaired above, without the CLI's runs around it.
      for (let i = 0; i < 400; i++) file.cases[`other/p${i}`] = entry;
      file.cases['other/p7'] = { ...entry, samples: [{ ...entry.samples[0], e2eMs: 'fast' }] };
      writeFileSync(path, JSON.stringify(file));
      const before = (await sim.served()).length;
      const repair = await runBench({ BENCH_BASE_URL: sim.url }, args, 'test/replay-specs/*.bench.ts');
      expect(repair.code, repair.output).toBe(0);
      expect((await sim.served()).length - before).toBe(3);
      expect(repair.output).toContain(
        `1 invalid baseline entry dropped, set aside in ${path}.rejected: other/p7 (/cases/other~1p7/samples/0/e2eMs must be number)`,
      );
      expect(repair.output).toContain(`baseline ${path}: 1 case(s) written, 399 kept from before`);
      expect(Object.keys(readBaseline(path)?.cases ?? {})).toHaveLength(400);
    } finally {
      await sim.close();
    }
  });
});

describe('bounds on what a baseline makes every later run read', () => {
  test('a soak run is thinned evenly to 10,000 samples when written; a file holding more is refused by name', () => {
    const path = tempBaseline();
    const soak = makeCase({ promptId: 'a' });
    const first = soak.samples[0];
    if (!first) throw new Error('a sample expected');
    // 25,000 requests (built directly: a case's own statistics over them would take the test's time).
    soak.samples = Array.from({ length: 25_000 }, (_, i) => ({ ...first, e2eMs: 100 + (i % 7) }));
    updateBaseline(path, makeResults([soak]), 'default');
    const written = readBaseline(path)?.cases['tiny-1m/a'];
    expect(written?.samples).toHaveLength(10_000);
    // Every 2.5th request: the 0th, 2nd, 5th ...
    expect(written?.samples.slice(0, 3).map((s) => s.e2eMs)).toEqual([100, 102, 105]);
    const file = JSON.parse(readFileSync(path, 'utf8'));
    file.cases['tiny-1m/a'].samples = Array.from({ length: 10_001 }, () => file.cases['tiny-1m/a'].samples[0]);
    writeFileSync(path, JSON.stringify(file));
    expect(() => readBaseline(path)).toThrow('/cases/tiny-1m~1a/samples must NOT have more than 10000 items');
  });

  test('a JSON file over its byte limit is refused by bytes read, with a code saying so', () => {
    const path = tempBaseline();
    writeFileSync(path, JSON.stringify({ pad: 'x'.repeat(5000) }));
    let error: (Error & { code?: string }) | undefined;
    try {
      readJsonFile(path, 'baseline', 1000);
    } catch (e) {
      error = e as Error & { code?: string };
    }
    expect(error?.code).toBe('too-large');
    expect(error?.message).toMatch(/^baseline .*default\.json: over the 1000-byte limit \(read \d+ bytes and stopped\)$/);
  });
});
