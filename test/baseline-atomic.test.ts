import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test, vi } from 'vitest';
import { updateBaseline } from '../harness/gate/baseline.ts';
import { makeCase, makeResults } from './helpers/results.ts';

// Fails the rename that would publish a written file, as a crash between write and rename would.
const failRename = vi.hoisted(() => ({ on: false }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return {
    ...fs,
    renameSync: (from: string, to: string) => {
      if (failRename.on) throw new Error('injected failure before rename');
      fs.renameSync(from, to);
    },
  };
});

describe('--update-baseline interrupted mid-write', () => {
  test('leaves the previous baseline intact and no temporary file behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'baseline-atomic-'));
    const path = join(dir, 'default.json');
    updateBaseline(path, makeResults([makeCase({ promptId: 'a', latencies: [50, 51, 52] })]), 'default');
    const before = readFileSync(path, 'utf8');

    failRename.on = true;
    expect(() => updateBaseline(path, makeResults([makeCase({ promptId: 'a', latencies: [90, 91, 92] })]), 'default')).toThrow(
      'injected failure before rename',
    );
    failRename.on = false;

    expect(readFileSync(path, 'utf8')).toBe(before);
    expect(JSON.parse(readFileSync(path, 'utf8')).cases['tiny-1m/a'].stats.e2eMs.p50).toBe(51);
    expect(readdirSync(dir)).toEqual(['default.json']);
  });
});
