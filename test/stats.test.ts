import { describe, expect, test } from 'vitest';
import {
  bootstrapInterval,
  mean,
  normalFrom,
  quantile,
  quantileInterval,
  seededRandom,
  standardDeviation,
  summarize,
  summarizeWithIntervals,
} from '../harness/evaluate/stats.ts';

const oneToTen = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];

describe('quantile (numpy linear interpolation)', () => {
  // Expected values are numpy.percentile(x, q) with the default method="linear".
  test.each([
    [oneToTen, 0.5, 5.5],
    [oneToTen, 0.9, 9.1],
    [oneToTen, 0.95, 9.55],
    [oneToTen, 0.99, 9.91],
    [oneToTen, 0, 1],
    [oneToTen, 1, 10],
    [[15, 20, 35, 40, 50], 0.4, 29],
    [[10, 20, 30, 40], 0.95, 38.5],
    [[3, 1, 2], 0.5, 2],
    [[7], 0.99, 7],
  ])('%j at q=%d is %d', (values, q, expected) => {
    expect(quantile(values, q)).toBeCloseTo(expected, 10);
  });

  test('rejects empty samples and q outside [0, 1]', () => {
    expect(() => quantile([], 0.5)).toThrow(/empty/);
    expect(() => quantile([1], 1.5)).toThrow(/outside/);
  });

  test('does not reorder its input', () => {
    const values = [3, 1, 2];
    quantile(values, 0.5);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('summarize', () => {
  test('matches hand-computed values', () => {
    const s = summarize([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(s).not.toBeNull();
    expect(s?.n).toBe(8);
    expect(s?.mean).toBe(5);
    // sample standard deviation: sqrt(32 / 7)
    expect(s?.sd).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(s?.min).toBe(2);
    expect(s?.max).toBe(9);
    expect(s?.p50).toBe(4.5);
    expect(s?.p90).toBeCloseTo(7.6, 12);
    expect(s?.p95).toBeCloseTo(8.3, 12);
    expect(s?.p99).toBeCloseTo(8.86, 12);
  });

  test('empty sample gives null, one value gives sd 0', () => {
    expect(summarize([])).toBeNull();
    expect(summarize([4])).toMatchObject({ n: 1, sd: 0, p50: 4, p99: 4 });
    expect(standardDeviation([4])).toBe(0);
    expect(mean([1, 2, 3, 6])).toBe(3);
  });
});

describe('seeded randomness', () => {
  test('same seed, same sequence; different seed, different sequence', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const c = seededRandom(8);
    const first = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(first);
    expect(Array.from({ length: 5 }, c)).not.toEqual(first);
  });

  test('uniform in [0, 1) and normal deviates with mean 0, sd 1', () => {
    const random = seededRandom(123);
    const uniform = Array.from({ length: 20_000 }, random);
    expect(Math.min(...uniform)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...uniform)).toBeLessThan(1);
    expect(mean(uniform)).toBeCloseTo(0.5, 2);
    const normal = normalFrom(seededRandom(5));
    const deviates = Array.from({ length: 20_000 }, normal);
    expect(mean(deviates)).toBeCloseTo(0, 1);
    expect(standardDeviation(deviates)).toBeCloseTo(1, 1);
  });
});

describe('bootstrap intervals', () => {
  const normal = normalFrom(seededRandom(42));
  const sample = Array.from({ length: 400 }, () => 100 + 10 * normal());

  test('are reproducible for a seed and bracket the point estimate', () => {
    const first = quantileInterval(sample, 0.95);
    expect(quantileInterval(sample, 0.95)).toEqual(first);
    const p95 = quantile(sample, 0.95);
    expect(first.lo).toBeLessThanOrEqual(p95);
    expect(first.hi).toBeGreaterThanOrEqual(p95);
    // The true 95th percentile of N(100, 10) is 116.45; the interval should cover it.
    expect(first.lo).toBeLessThan(116.45);
    expect(first.hi).toBeGreaterThan(116.45);
    expect(quantileInterval(sample, 0.95, { seed: 99 })).not.toEqual(first);
  });

  test('narrow as the sample grows', () => {
    const width = (n: number) => {
      const ci = quantileInterval(sample.slice(0, n), 0.5);
      return ci.hi - ci.lo;
    };
    expect(width(400)).toBeLessThan(width(25));
  });

  test('of a constant sample collapse to the constant', () => {
    expect(bootstrapInterval([3, 3, 3, 3], (r) => mean(r))).toEqual({ lo: 3, hi: 3 });
  });

  test('summarizeWithIntervals adds p50 and p95 intervals', () => {
    const s = summarizeWithIntervals(sample);
    expect(s?.p50CI.lo).toBeLessThanOrEqual(s?.p50 ?? NaN);
    expect(s?.p50CI.hi).toBeGreaterThanOrEqual(s?.p50 ?? NaN);
    expect(s?.p95CI.lo).toBeLessThanOrEqual(s?.p95 ?? NaN);
    expect(summarizeWithIntervals([])).toBeNull();
  });
});
