import { describe, expect, test } from 'vitest';
import { mergeResults } from '../harness/results/merge.ts';
import { resultsProblems } from '../harness/results/results-file.ts';
import { renderMarkdown } from '../reporters/markdown.ts';
import { outputFileName, resultsFileName } from '../harness/results/results-file.ts';
import { makeCase, makeResults } from './helpers/results.ts';

const files = ['bench/a.bench.ts', 'bench/b.bench.ts', 'bench/c.bench.ts'];
const unsharded = makeResults(
  files.flatMap((file, f) =>
    ['p1', 'p2'].map((promptId, p) =>
      makeCase({ file, model: `model-${f}`, promptId, latencies: [100 + f, 101 + p, 99], status: f === 2 && p === 1 ? 'skipped' : undefined }),
    ),
  ),
);
/** What three shards (vitest splits by file) would have written. */
const shard = (file: string, i: number) => ({
  file: `results-${i}-of-3.json`,
  results: {
    ...makeResults(unsharded.cases.filter((c) => c.file === file)),
    run: { ...unsharded.run, shard: `${i}/3`, startedAt: `2026-11-25T10:0${i}:00.000Z`, finishedAt: `2026-11-25T10:0${i}:30.000Z` },
  },
});

describe('merging shard results', () => {
  test('three shards merge to the unsharded cases, in the same order, whatever order the files come in', () => {
    const merged = mergeResults([shard(files[2]!, 3), shard(files[0]!, 1), shard(files[1]!, 2)]);
    expect(merged.cases).toEqual(unsharded.cases);
    expect(merged.summary).toEqual(unsharded.summary);
    expect(merged.run).toMatchObject({
      startedAt: '2026-11-25T10:01:00.000Z',
      finishedAt: '2026-11-25T10:03:30.000Z',
      shard: '3/3, 1/3, 2/3',
      profile: 'default',
    });
    expect(resultsProblems(merged)).toEqual([]);
  });

  test('a case in two shards of one profile is an error naming both files', () => {
    expect(() => mergeResults([shard(files[0]!, 1), shard(files[0]!, 2)])).toThrow(
      'case model-0/p1 (profile default) is in both results-1-of-3.json and results-2-of-3.json: shards must not overlap',
    );
  });

  test('the same case on two hardware profiles is two cases, each with its fingerprint, grouped in the report', () => {
    const cpu = makeResults([makeCase({ model: 'qwen', promptId: 'p', profile: 'cpu-2core' })]);
    const gpu = makeResults([makeCase({ model: 'qwen', promptId: 'p', profile: 'gpu-a10' })]);
    gpu.run.profile = 'gpu-a10';
    gpu.cases[0]!.fingerprint = { ...gpu.cases[0]!.fingerprint!, cpuModel: 'EPYC' };
    const merged = mergeResults([
      { file: 'gpu.json', results: gpu },
      { file: 'cpu.json', results: cpu },
    ]);
    expect(merged.cases.map((c) => [c.profile, c.fingerprint?.cpuModel])).toEqual([
      ['cpu-2core', 'Test CPU'],
      ['gpu-a10', 'EPYC'],
    ]);
    expect(merged.run.profile).toBe('mixed');
    const md = renderMarkdown(merged);
    expect(md.indexOf('#### Profile `cpu-2core`')).toBeGreaterThan(0);
    expect(md.indexOf('#### Profile `gpu-a10`')).toBeGreaterThan(md.indexOf('#### Profile `cpu-2core`'));
  });

  test('shards write their own files', () => {
    expect(resultsFileName('2/3')).toBe('results-2-of-3.json');
    expect(resultsFileName(null)).toBe('results.json');
    expect(['report.md', 'junit.xml', 'results.csv', 'report.html'].map((name) => outputFileName(name, '1/2'))).toEqual([
      'report-1-of-2.md',
      'junit-1-of-2.xml',
      'results-1-of-2.csv',
      'report-1-of-2.html',
    ]);
    expect(outputFileName('report.md', null)).toBe('report.md');
  });
});
