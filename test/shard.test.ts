/** Shards balanced by the cases that will run (harness/cli/shard.ts). */
import { describe, expect, test } from 'vitest';
import { assignShards } from '../harness/cli/shard.ts';
import { willRun } from '../harness/run/selection.ts';
import { checkSpecs } from '../harness/cli/spec-preflight.ts';
import type { PreflightCase, RunTarget } from '../harness/types.ts';

const served = (...models: string[]): RunTarget => ({
  kind: 'ready',
  info: { baseURL: 'http://127.0.0.1:9/v1', source: 'env:BENCH_BASE_URL', kind: 'embedded' },
  models,
  modelInfo: {},
  foundry: null,
});
const cases = (model: string, count: number, extra: Partial<PreflightCase> = {}): PreflightCase[] =>
  Array.from({ length: count }, (_, i) => ({ model, suite: model, fullName: `${model} p${i}`, skipped: false, ownTarget: false, ...extra }));

/** The shipped specs, as the CLI's preflight finds them: on the embedded engine, three files it serves, three it skips. */
const SHIPPED = (await checkSpecs(process.cwd(), 'bench/**/*.bench.ts', [])).byFile as Record<string, PreflightCase[]>;
const embedded = served('tiny-1m', 'tiny-8m', 'tiny-30m');

function split(count: number, target: RunTarget, options: { models: string[] | null } = { models: null }, pattern: RegExp | null = null) {
  const weights = Object.entries(SHIPPED).map(([file, list]) => ({ file, weight: list.filter((c) => willRun(c, options, pattern, target)).length }));
  const assigned = assignShards(weights, count);
  return Array.from({ length: count }, (_, i) => {
    const files = weights.filter((w) => assigned.get(w.file) === i);
    return { files: files.map((w) => w.file), cases: files.reduce((sum, w) => sum + w.weight, 0) };
  });
}

describe('shards', () => {
  test('the shipped specs on the embedded engine: three shards of three cases each, every file in exactly one', () => {
    const shards = split(3, embedded);
    expect(shards.map((s) => s.cases)).toEqual([3, 3, 3]);
    expect(shards.flatMap((s) => s.files).sort()).toEqual(Object.keys(SHIPPED).sort());
    expect(Object.keys(SHIPPED)).toHaveLength(6);
    // The skipped files spread too: each shard reports its share of them.
    expect(shards.map((s) => s.files.length)).toEqual([2, 2, 2]);
  });

  test('two shards: the served files split 2 + 1 (a file is not divided); vitest by path hash had put all three in one', () => {
    expect(split(2, embedded).map((s) => s.cases)).toEqual([6, 3]);
  });

  test('--models, -t, benchModel.skip and a spec of its own server decide what runs', () => {
    expect(split(2, embedded, { models: ['tiny-1m', 'tiny-8m'] }).map((s) => s.cases)).toEqual([3, 3]);
    expect(split(3, embedded, { models: null }, /rag-summary$/).map((s) => s.cases)).toEqual([1, 1, 1]);
    const skip = cases('tiny-1m', 1, { skipped: true })[0] as PreflightCase;
    const own = cases('elsewhere', 1, { ownTarget: true })[0] as PreflightCase;
    expect([willRun(skip, { models: null }, null, embedded), willRun(own, { models: null }, null, embedded)]).toEqual([false, true]);
    // A target that lists nothing (or cannot be reached) skips nothing: every case counts (3 x 4 + 3 x 3).
    expect(split(2, { kind: 'unusable', info: null, error: 'down' }).map((s) => s.cases)).toEqual([11, 10]);
  });

  test('the same input gives every shard the same assignment', () => {
    const files = Object.keys(SHIPPED).map((file, i) => ({ file, weight: i % 3 }));
    expect([...assignShards(files, 4)]).toEqual([...assignShards([...files].reverse(), 4)]);
  });
});
