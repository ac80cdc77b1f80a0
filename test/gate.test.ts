import { describe, expect, test } from 'vitest';
import { compareCase, compareMetric, DEFAULT_GATE, forRun, gateOptions, levelPercent, worstVerdict } from '../harness/gate/verdict.ts';
import { lognormalLatencies } from './helpers/lognormal.ts';
import { formatChange, formatPercent } from '../reporters/format.ts';
import { bodyLevel } from '../harness/gate/bootstrap.ts';
import { harrellDavisSorted, incompleteBeta, normalFrom, seededRandom, sortAscending } from '../harness/evaluate/stats.ts';
import type { GateSample } from '../harness/types.ts';

/** The within-run statistics alone: one stored run, no between-run drift term, any sample count. */
const WITHIN_RUN = { ...DEFAULT_GATE, drift: 0, minSamples: 2 };
const run = (base: readonly GateSample[]) => ({ runs: [base] });

const samples = (latencies: readonly number[], tokPerSec?: readonly number[]): GateSample[] =>
  latencies.map((e2eMs, i) => ({ ok: true, e2eMs, ttftMs: e2eMs / 4, e2eTokPerSec: tokPerSec?.[i] ?? null }));

describe('Harrell-Davis and the incomplete beta function (reference: scipy)', () => {
  test('incompleteBeta matches scipy.special.betainc', () => {
    expect(incompleteBeta(0.3, 2.5, 3.5)).toBeCloseTo(0.29675298929566646, 12);
    expect(incompleteBeta(0.97, 47.5, 2.55)).toBeCloseTo(0.7214617339229601, 12);
    expect(incompleteBeta(0.25, 1, 1)).toBeCloseTo(0.25, 14);
  });

  test('harrellDavisSorted matches scipy.stats.mstats.hdquantiles', () => {
    const sorted = sortAscending([12.1, 15.3, 9.8, 22.4, 18.0, 11.1, 13.7, 30.2, 16.6, 14.9]);
    expect(harrellDavisSorted(sorted, 0.5)).toBeCloseTo(15.16267538, 6);
    expect(harrellDavisSorted(sorted, 0.95)).toBeCloseTo(28.76992121, 6);
  });
});

describe('the p95 gate under lognormal noise (sigma 0.15 per request, 50 iterations per side)', () => {
  const TRIALS = 40;
  const verdicts = (factor: number, seedBase: number) =>
    Array.from({ length: TRIALS }, (_, t) => {
      const base = samples(lognormalLatencies(50, 100, 0.15, seedBase + t));
      const head = samples(lognormalLatencies(50, 100 * factor, 0.15, seedBase + 1000 + t));
      return compareMetric('e2eP95', run(base), head, WITHIN_RUN).verdict;
    });

  test('detects a +25% slowdown in at least 36 of 40 seeded trials', () => {
    const found = verdicts(1.25, 100).filter((v) => v === 'regressed').length;
    expect(found).toBeGreaterThanOrEqual(36);
  });

  test('raises at most 1 false alarm in 40 seeded trials without a change', () => {
    const alarms = verdicts(1, 5000).filter((v) => v === 'regressed').length;
    expect(alarms).toBeLessThanOrEqual(1);
  });
});

describe('verdicts', () => {
  const base = samples(lognormalLatencies(50, 100, 0.05, 1));

  test('regressed: names the metric, the move, the change and the CI', () => {
    const result = compareMetric('e2eP95', run(base), samples(lognormalLatencies(50, 150, 0.05, 2)), WITHIN_RUN);
    expect(result.verdict).toBe('regressed');
    expect(result.ratio).toBeGreaterThan(1.3);
    expect(result.ci?.lo).toBeGreaterThan(1);
    expect(result.message).toMatch(
      /^e2e p95 \d+ ms -> \d+ ms \(\+\d+\.\d%, 99% CI \+\d+\.\d% \.\. \+\d+\.\d%\); p50-p80 \+\d+\.\d% \(96% CI \+\d+\.\d% \.\. \+\d+\.\d%\); run-to-run drift ±0% assumed \(1 stored run\): regressed: p50-p80 moved beyond the tolerance 10%, and the change is significant$/,
    );
    expect(result).toMatchObject({ decidedBy: 'shift', shift: { ratio: expect.closeTo(1.5, 1) } });
  });

  test('improved is the mirror image', () => {
    expect(compareMetric('e2eP95', run(base), samples(lognormalLatencies(50, 60, 0.05, 3)), WITHIN_RUN).verdict).toBe('improved');
  });

  test('inconclusive when the estimate crosses the tolerance but the CI includes no change', () => {
    const noisyBase = samples(lognormalLatencies(5, 100, 0.4, 4));
    const noisyHead = samples(lognormalLatencies(5, 130, 0.4, 5));
    const result = compareMetric('e2eP95', run(noisyBase), noisyHead, WITHIN_RUN);
    expect(result.ratio).toBeGreaterThan(1.1);
    expect(result.ci?.lo).toBeLessThan(1);
    expect(result.verdict).toBe('inconclusive');
    expect(result.message).toContain('rerun with more iterations');
  });

  test('unchanged within the tolerance, and below the noise floor whatever the ratio', () => {
    expect(compareMetric('e2eP95', run(base), samples(lognormalLatencies(50, 103, 0.05, 6)), WITHIN_RUN).verdict).toBe('unchanged');
    const fast = samples(lognormalLatencies(50, 0.5, 0.05, 7));
    const slower = samples(lognormalLatencies(50, 0.9, 0.05, 8));
    const result = compareMetric('e2eP95', run(fast), slower, WITHIN_RUN);
    expect(result.ratio).toBeGreaterThan(1.5);
    expect(result.verdict).toBe('unchanged');
    expect(result.message).toContain('noise floor');
  });

  test('"unchanged" needs equivalence: a CI that includes no change but reaches past the tolerance is inconclusive', () => {
    // Same median, wide noise, few samples: the point estimate is near 1, the CI spans both directions.
    const result = compareMetric('e2eP95', run(samples(lognormalLatencies(8, 100, 0.35, 20))), samples(lognormalLatencies(8, 100, 0.35, 21)), WITHIN_RUN);
    expect(result.ci?.lo).toBeLessThan(1 / 1.1);
    expect(result.ci?.hi).toBeGreaterThan(1.1);
    expect(result.verdict).toBe('inconclusive');
    expect(result.message).toContain('CI reaches beyond the tolerance 10%, so neither a change nor its absence can be claimed');
    // With enough quiet samples the whole CI sits inside the band.
    const equivalent = compareMetric('e2eP95', run(base), samples(lognormalLatencies(50, 104, 0.05, 22)), WITHIN_RUN);
    expect(equivalent.ci?.lo).toBeGreaterThanOrEqual(1 / 1.1);
    expect(equivalent.ci?.hi).toBeLessThanOrEqual(1.1);
    expect(equivalent).toMatchObject({
      verdict: 'unchanged',
      message: expect.stringContaining('the p50-p80 CI lies within the tolerance 10%, and p95 moved less than that'),
    });
  });

  test('no case is unchanged with an interval wider than its band: crafted samples, stored and A/B, quiet to spiky, sub-ms to slow', () => {
    let unchanged = 0;
    let seed = 5000;
    for (const n of [8, 20, 50])
      for (const sigma of [0.03, 0.2, 0.6])
        for (const level of [0.4, 3, 150])
          for (const spikes of [0, 0.1]) {
            const draw = () => lognormalLatencies(n, level, sigma, seed++).map((x, i) => (i % 10 === 0 && spikes > 0 && i > 0 ? x * 3 : x));
            const base = samples(draw());
            const head = samples(draw());
            const blocks = Array.from({ length: n }, (_, i) => Math.floor(i / 2));
            for (const side of [run(base), { runs: [base], pairing: { baseBlocks: blocks, headBlocks: blocks } }]) {
              const result = compareMetric('e2eP95', side, head, WITHIN_RUN);
              if (result.verdict !== 'unchanged') continue;
              unchanged++;
              // The interval the verdict rests on (the body's), and the band it was held to: the tolerance, or the
              // 1 ms noise floor as a share of the body's level where that is wider; the message names which.
              const interval = result.shift?.ci ?? result.ci;
              const body = Math.exp(bodyLevel(sortAscending(base.map((b) => b.e2eMs))));
              const band = Math.max(1.1, 1 + 1 / body);
              expect(interval?.lo, result.message).toBeGreaterThanOrEqual(1 / band - 1e-9);
              expect(interval?.hi, result.message).toBeLessThanOrEqual(band + 1e-9);
              expect(result.message).toContain(band > 1.1 + 1e-9 ? 'band (the 1 ms noise floor)' : 'tolerance 10%');
              // The report shows that interval beside the verdict.
              expect(formatChange(result)).toContain(`decided by p50-p80 ${formatPercent(result.shift?.ratio ?? 1)}`);
            }
          }
    expect(unchanged).toBeGreaterThan(20);
    // The issue's own case: a slow case whose p95 interval is ±30% and whose body is as wide is not unchanged.
    const wide = compareMetric('e2eP95', run(samples(lognormalLatencies(20, 150, 0.35, 7001))), samples(lognormalLatencies(20, 150, 0.35, 7002)), WITHIN_RUN);
    expect(wide.verdict).toBe('inconclusive');
    expect(wide.reason).toMatch(/^the p50-p80 CI reaches beyond the tolerance 10%, so neither a change nor its absence can be claimed/);
  });

  test('new without baseline samples', () => {
    expect(compareMetric('e2eP95', null, base)).toMatchObject({ verdict: 'new', base: null, ratio: null });
  });

  test('throughput regresses when it drops', () => {
    const latencies = lognormalLatencies(50, 100, 0.05, 9);
    const before = samples(latencies, lognormalLatencies(50, 200, 0.05, 10));
    const after = samples(latencies, lognormalLatencies(50, 120, 0.05, 11));
    const result = compareMetric('tokensPerSec', run(before), after, WITHIN_RUN);
    expect(result.verdict).toBe('regressed');
    expect(result.ratio).toBeLessThan(0.7);
  });

  test('a case takes its worst metric verdict; failed requests are left out', () => {
    const head = samples(lognormalLatencies(50, 150, 0.05, 12));
    head.push({ ok: false, e2eMs: 1, ttftMs: null, e2eTokPerSec: null });
    const comparison = compareCase(run(base), head, { ...WITHIN_RUN, metrics: ['ttftP95', 'e2eP95'] });
    expect(comparison.verdict).toBe('regressed');
    expect(comparison.metrics.map((m) => m.headSamples)).toEqual([50, 50]);
    expect(worstVerdict(['unchanged', 'inconclusive', 'improved'])).toBe('inconclusive');
  });

  test('is reproducible: the same samples give the same CI', () => {
    const head = samples(lognormalLatencies(30, 110, 0.15, 13));
    expect(compareMetric('e2eP95', run(base), head)).toEqual(compareMetric('e2eP95', run(base), head));
  });
});

describe('gate options', () => {
  test('accept the spec aliases and reject bad values with the field name', () => {
    expect(gateOptions({ metric: 'p95', tolerance: 0.2 })).toMatchObject({ metrics: ['e2eP95'], tolerance: 0.2 });
    expect(gateOptions({ metric: ['p99', 'ttftP95'] }).metrics).toEqual(['e2eP99', 'ttftP95']);
    expect(() => gateOptions({ metric: 'p42' as never })).toThrow(/regression.metric "p42"/);
    expect(() => gateOptions({ tolerance: -1 })).toThrow(/regression.tolerance/);
    // The run's --fail-on beats the config's, a spec's own beats both.
    expect(gateOptions({}, 'inconclusive', { failOn: 'regressed' }).failOn).toBe('inconclusive');
    expect(gateOptions({ failOn: 'regressed' }, 'inconclusive').failOn).toBe('regressed');
    expect(() => gateOptions({}, null, { failOn: 'sometimes' as never })).toThrow(/regression.failOn must be "regressed" or "inconclusive", got "sometimes"/);
    // A changed input is replayed alongside unless the spec or config says otherwise.
    expect(gateOptions().onInputChange).toBe('replay');
    expect(gateOptions({}, null, { onInputChange: 'compare' }).onInputChange).toBe('compare');
    expect(() => gateOptions({ onInputChange: 'guess' as never })).toThrow('regression.onInputChange must be "replay", "compare" or "new", got "guess"');
  });
});

describe('paired A/B: base and head measured in the same ABBA blocks', () => {
  // 15 blocks; each block runs under its own machine speed (lognormal drift, sigma 0.3: load, heat, other jobs),
  // with 2 base and 2 head requests in it (sigma 0.05 each). Independent resampling cannot tell the drift from
  // a change; resampling whole blocks can.
  const trial = (factor: number, seed: number) => {
    const random = normalFrom(seededRandom(seed));
    const base: GateSample[] = [];
    const head: GateSample[] = [];
    const baseBlocks: number[] = [];
    const headBlocks: number[] = [];
    for (let block = 0; block < 15; block++) {
      const speed = Math.exp(0.3 * random());
      for (let i = 0; i < 2; i++) {
        base.push(...samples([100 * speed * Math.exp(0.05 * random())]));
        head.push(...samples([100 * factor * speed * Math.exp(0.05 * random())]));
        baseBlocks.push(block);
        headBlocks.push(block);
      }
    }
    return {
      paired: compareMetric('e2eP95', { runs: [base], pairing: { baseBlocks, headBlocks } }, head, WITHIN_RUN),
      independent: compareMetric('e2eP95', run(base), head, WITHIN_RUN),
    };
  };
  const trials = (factor: number, seed: number) => Array.from({ length: 20 }, (_, t) => trial(factor, seed + t));

  test('without a change: never regressed, and mostly shown unchanged, where independent resampling mostly says inconclusive', () => {
    const results = trials(1, 300);
    expect(results.filter((r) => r.paired.verdict === 'regressed')).toHaveLength(0);
    // Measured on these seeds: paired 17 of 20 unchanged, independent 6 of 20.
    expect(results.filter((r) => r.paired.verdict === 'unchanged').length).toBeGreaterThanOrEqual(15);
    expect(results.filter((r) => r.independent.verdict === 'unchanged').length).toBeLessThanOrEqual(8);
    expect(results[0]?.paired.message).toContain('paired over 15 blocks');
  });

  test('a +25% slowdown is regressed in every trial, with a much narrower interval', () => {
    const results = trials(1.25, 700);
    expect(results.filter((r) => r.paired.verdict === 'regressed')).toHaveLength(20);
    const width = (v: { ci: { lo: number; hi: number } | null }) => (v.ci ? v.ci.hi - v.ci.lo : Number.NaN);
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
    expect(median(results.map((r) => width(r.paired)))).toBeLessThan(median(results.map((r) => width(r.independent))) / 2);
  });
});

describe("the run's false-alarm budget", () => {
  test('shared among the cases a run gates (Bonferroni): 5% for a run of 9 is 0.56% a case; one case keeps it all', () => {
    expect(forRun(DEFAULT_GATE, 1)).toBe(DEFAULT_GATE);
    expect(1 - forRun(DEFAULT_GATE, 9).confidence).toBeCloseTo(0.05 / 9, 12);
    expect(forRun({ ...DEFAULT_GATE, confidence: 0.99 }, 10).confidence).toBeCloseTo(0.999, 12);
    // Messages name the levels that result, never a rounded "100%".
    expect([0.96, 0.99, 0.9975, 0.99944, 0.99996].map(levelPercent)).toEqual(['96', '99', '99.8', '99.9', '99.996']);
  });
});
