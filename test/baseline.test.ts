import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { baselinePath, readBaseline, updateBaseline } from '../harness/gate/baseline.ts';
import { fingerprintMismatch } from '../harness/gate/fingerprint.ts';
import { schemaProblems } from '../harness/files/schemas.ts';
import { FINGERPRINT, makeCase, makeResults } from './helpers/results.ts';

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
