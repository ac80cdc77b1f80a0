/** Spec files run in path order whatever vitest's cache says about the last run. */
import { describe, expect, test } from 'vitest';
import type { TestSpecification, Vitest } from 'vitest/node';
import { DeclaredOrderSequencer } from '../harness/cli/sequencer.ts';

describe('the bench sequencer', () => {
  test('sorts spec files by path, ignoring failed-first and duration caches', async () => {
    // The default sequencer consults ctx.cache; this one must not touch it.
    const ctx = {
      get cache(): never {
        throw new Error('the cache was read');
      },
    } as unknown as Vitest;
    const files = ['/p/bench/tiny-8m.bench.ts', '/p/bench/gemma.bench.ts', '/p/bench/tiny-1m.bench.ts'].map((moduleId) => ({ moduleId }) as TestSpecification);
    const sorted = await new DeclaredOrderSequencer(ctx).sort(files);
    expect(sorted.map((f) => f.moduleId)).toEqual(['/p/bench/gemma.bench.ts', '/p/bench/tiny-1m.bench.ts', '/p/bench/tiny-8m.bench.ts']);
    expect(files.map((f) => f.moduleId)[0]).toBe('/p/bench/tiny-8m.bench.ts');
  });
});
