/**
 * Scale of the offline commands (`npm run bench:scale`): two results files of
 * CASES cases (30 samples each, lognormal sigma 0.15; every tenth head case
 * 25% slower), then `foundry-bench compare` of the two and `report` in every
 * format, each a process of its own started the way a user starts the CLI
 * (harness/bin.js), timed on the wall clock from spawn to exit.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { determinism, errorSummary } from '../../harness/evaluate/metrics.ts';
import { FORMATS } from '../../reporters/render.ts';
import type { CaseResult } from '../../harness/types.ts';
import { lognormalLatencies } from '../helpers/lognormal.ts';
import { makeCase, makeResults, sample } from '../helpers/results.ts';

const CASES = Number(process.env.CASES ?? 10_000);

function results(slowEvery: number, seed: number) {
  const template = makeCase({ promptId: 'template', latencies: lognormalLatencies(30, 100, 0.15, seed) });
  const cases = Array.from({ length: CASES }, (_, i): CaseResult => {
    const factor = slowEvery > 0 && i % slowEvery === 0 ? 1.25 : 1;
    const samples = lognormalLatencies(30, 100 * factor, 0.15, seed * 1_000_003 + i).map((ms) => sample(ms));
    const promptId = `prompt-${i}`;
    return {
      ...template,
      id: `tiny-1m/${promptId}`,
      name: `tiny-1m > ${promptId}`,
      promptId,
      samples,
      // The reports' statistics come from the template (their bootstrap CIs would take minutes to make here); the gate reads the samples.
      stats: template.stats,
      errors: errorSummary(samples),
      determinism: determinism(samples),
      gate: null,
    };
  });
  return makeResults(cases);
}

function timed(label: string, argv: string[]): number {
  const started = performance.now();
  const { status } = spawnSync(process.execPath, ['harness/bin.js', ...argv], { stdio: ['ignore', 'ignore', 'inherit'] });
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`${label.padEnd(34)} ${seconds.toFixed(2).padStart(7)} s   exit ${status}\n`);
  return seconds;
}

const dir = mkdtempSync(join(tmpdir(), 'foundry-bench-scale-'));
const base = join(dir, 'base.json');
const head = join(dir, 'head.json');
writeFileSync(base, JSON.stringify(results(0, 1)));
writeFileSync(head, JSON.stringify(results(10, 2)));
process.stdout.write(`${CASES} cases per file, 30 samples per case\n\n`);
timed('compare base head --format json', ['compare', base, head, '--format', 'json', '-o', join(dir, 'compared.json')]);
for (const format of FORMATS) timed(`report head --format ${format}`, ['report', head, '--format', format, '-o', join(dir, `report.${format}`)]);
