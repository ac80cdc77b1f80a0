import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadResult, requestsToShow, sloResult, wilson } from '../harness/evaluate/load.ts';
import { attainmentVerdict } from '../harness/gate/capacity.ts';
import { profileChange } from '../harness/gate/input.ts';
import { resolveLoad } from '../harness/run/params.ts';
import { arrivalTimes } from '../harness/run/schedule.ts';
import type { CaseResult, RequestSample } from '../harness/types.ts';
import { renderCsv } from '../reporters/csv.ts';
import { renderHtml } from '../reporters/html.ts';
import { renderMarkdown } from '../reporters/markdown.ts';
import { renderTable } from '../reporters/table.ts';
import { runBench } from './helpers/cli.ts';
import { sample } from './helpers/results.ts';
import { spawnSimServer, type SimServer } from './fakes/sim-server.ts';

describe('arrivals', () => {
  const gaps = (times: number[]) => times.slice(1).map((t, i) => t - (times[i] as number));
  const stats = (values: number[]) => {
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
    return { mean, cv: sd / mean };
  };

  test('constant is evenly spaced; Poisson has exponential gaps (cv 1); gamma k has cv 1/sqrt(k); all seeded', () => {
    expect(arrivalTimes(4, 'constant', 4, 1)).toEqual([0, 250, 500, 750]);
    const poisson = stats(gaps(arrivalTimes(10, 'poisson', 4000, 7)));
    expect(poisson.mean).toBeCloseTo(100, -1);
    expect(poisson.cv).toBeCloseTo(1, 1);
    const bursty = stats(gaps(arrivalTimes(10, { gamma: 0.25 }, 4000, 7)));
    expect(bursty.mean).toBeGreaterThan(90);
    expect(bursty.mean).toBeLessThan(110);
    expect(bursty.cv).toBeGreaterThan(1.8);
    expect(bursty.cv).toBeLessThan(2.2);
    const smooth = stats(gaps(arrivalTimes(10, { gamma: 4 }, 4000, 7)));
    expect(smooth.cv).toBeCloseTo(0.5, 1);
    expect(arrivalTimes(10, 'poisson', 50, 3)).toEqual(arrivalTimes(10, 'poisson', 50, 3));
  });

  test('a prompt stored under another profile: the change is named (sequential, a level, a sweep)', () => {
    expect(profileChange('m/hello@c4', ['m/hello', 'm/other@c4'])).toBe('load profile sequential -> c4: a new case, not compared across profiles');
    expect(profileChange('m/hello', ['m/hello@r2-poisson'])).toBe('load profile r2-poisson -> sequential: a new case, not compared across profiles');
    expect(profileChange('q@q-cpu:4(CPUExecutionProvider)/hello@c2', ['q@q-cpu:4(CPUExecutionProvider)/hello@sweep-c'])).toContain('sweep-c -> c2');
    expect(profileChange('m/hello@c4', ['m/hello2@c2', 'n/hello@c2'])).toBeNull();
  });

  test('a profile is checked: exactly one of concurrency and rate, a known arrival, bounds', () => {
    expect(resolveLoad({ concurrency: 2 }, 30)).toEqual({ kind: 'closed', concurrency: 2, requests: 30, durationMs: 120_000 });
    expect(resolveLoad({ rate: 0.5, arrival: { gamma: 0.5 }, maxInFlight: 8, requests: 10 }, 30)).toEqual({
      kind: 'open',
      rate: 0.5,
      arrival: { gamma: 0.5 },
      maxInFlight: 8,
      requests: 10,
      durationMs: 120_000,
    });
    expect(() => resolveLoad({ concurrency: 2, rate: 1 }, 30)).toThrow('give exactly one of load.concurrency (closed loop) and load.rate (open loop)');
    expect(() => resolveLoad({}, 30)).toThrow('give exactly one of');
    expect(() => resolveLoad({ rate: 1, arrival: 'bursty' as never }, 30)).toThrow(`option load.arrival has an invalid value: "bursty"`);
    expect(() => resolveLoad({ concurrency: 0 }, 30)).toThrow('a whole number from 1 to 1024');
  });
});

describe('objectives', () => {
  test("Wilson's interval: 16 of 16 is not yet 95%; 95 of 100 straddles it", () => {
    const all = wilson(16, 16);
    expect(all.hi).toBe(1);
    expect(all.lo).toBeCloseTo(0.806, 3);
    // 73 good requests in a row are the fewest that can show 95%.
    expect([requestsToShow(0.95), requestsToShow(0.8)]).toEqual([73, 16]);
    const most = wilson(95, 100);
    expect(most.lo).toBeCloseTo(0.888, 3);
    expect(most.hi).toBeCloseTo(0.978, 3);
  });

  test('a request is good when it succeeded and met every objective; TPOT is not judged for one token; queue time counts', () => {
    const failed: RequestSample = { ...sample(50), ok: false, error: { kind: 'http', message: 'x', status: 500 } as RequestSample['error'] };
    const samples: RequestSample[] = [
      { ...sample(100), ttftMs: 20, tpotMs: 5 },
      { ...sample(100), ttftMs: 20, tpotMs: 5, queueMs: 50 },
      { ...sample(100), ttftMs: 20, tpotMs: null, outputTokens: 1 },
      { ...sample(100), ttftMs: 20, tpotMs: 12 },
      failed,
    ];
    const slo = sloResult(samples, { ttftMs: 60, tpotMs: 10, attainment: 0.9 }, 1);
    // Good: the first and the one-token answer (TPOT not judged); the queued one misses TTFT, one misses TPOT.
    expect([slo.good, slo.judged]).toEqual([2, 5]);
    expect(slo.attainment).toBeCloseTo(0.4, 9);
    expect(slo.perObjective).toEqual([
      { objective: 'ttftMs', limit: 60, passed: 3, judged: 4, rate: 0.75 },
      { objective: 'tpotMs', limit: 10, passed: 2, judged: 3, rate: 2 / 3 },
    ]);
    expect(slo.binding).toBe('ttftMs');
    expect(slo.verdict).toBe('missed');
    expect(slo.goodputRps).toBe(2);
    expect(slo.goodTokensPerSec).toBe(17);
  });

  test("attainment against the reference's: a drop the interval confirms, beyond the tolerance, is a regression", () => {
    expect(attainmentVerdict({ good: 23, judged: 24 }, { good: 12, judged: 24 }, 0.1).verdict).toBe('regressed');
    expect(attainmentVerdict({ good: 12, judged: 24 }, { good: 23, judged: 24 }, 0.1).verdict).toBe('improved');
    expect(attainmentVerdict({ good: 20, judged: 24 }, { good: 19, judged: 24 }, 0.1).verdict).toBe('inconclusive');
    const same = attainmentVerdict({ good: 200, judged: 200 }, { good: 199, judged: 200 }, 0.1);
    expect(same.verdict).toBe('unchanged');
    expect(same.interval.lo).toBeLessThan(0);
    expect(same.interval.hi).toBeGreaterThan(0);
  });

  test('effective concurrency is the sum of e2e over wall time; a rate not kept up with is saturation', () => {
    const samples = [0, 1, 2, 3].map((i) => ({ ...sample(100), scheduledAtMs: i * 10, queueMs: 0 }));
    const result = loadResult(
      { kind: 'open', rate: 100, arrival: 'constant', maxInFlight: 4, requests: 4, durationMs: 1000 },
      { samples, notSent: 0, wallMs: 200 },
      undefined,
    );
    expect(result.effectiveConcurrency).toBe(2);
    expect(result.achievedRate).toBe(20);
    expect(result.saturated).toBe(true);
    expect(result.label).toBe('r100-constant-m4');
    expect(result.slo).toBeNull();
  });
});

/**
 * The capacity searches' answers: about 110 ms each, the first token after 40 ms. Under a 90 ms TTFT objective a
 * request served at once passes by 50 ms and one that waits a whole answer fails by 60: margins a busy machine keeps.
 */
const slow = { ttftMs: 40, tokenMs: 10, tokens: 8 };

describe('a run under load, against servers with one and four slots', () => {
  let sim: SimServer;
  let run: Awaited<ReturnType<typeof runBench>>;
  const byModel = (model: string) => run.results?.cases.find((c) => c.model === model) as CaseResult;

  beforeAll(async () => {
    // The open loop's requests: a TTFT of 20 ms, then 7 more tokens 2 ms apart (about 34 ms in all).
    const shape = { ttftMs: 20, tokenMs: 2, tokens: 8 };
    sim = await spawnSimServer({
      models: [
        { id: 'sim-serial', ...slow, slots: 1 },
        { id: 'sim-parallel', ...slow, slots: 4 },
        { id: 'sim-open', ...shape, slots: 1 },
        { id: 'sim-serial-sweep', ...slow, slots: 1 },
        { id: 'sim-parallel-sweep', ...slow, slots: 4 },
      ],
    });
    run = await runBench({ BENCH_BASE_URL: sim.url }, [], 'test/load-specs/*.bench.ts');
  }, 60_000);
  afterAll(() => sim?.close());

  test('the profile is part of the case id and name; every request was sent', () => {
    expect(run.results?.cases.map((c) => [c.id, c.name])).toEqual([
      ['sim-serial/hello@c4', 'sim-serial > hello @c4'],
      ['sim-parallel/hello@c4', 'sim-parallel > hello @c4'],
      ['sim-open/hello@r60-constant-m2', 'sim-open > hello @r60-constant-m2'],
      ['sim-serial-sweep/hello@sweep-c', 'sim-serial-sweep > hello @sweep-c'],
      ['sim-parallel-sweep/hello@sweep-c', 'sim-parallel-sweep > hello @sweep-c'],
    ]);
    for (const c of run.results?.cases.filter((x) => !x.load?.sweep) ?? []) {
      expect(c.samples).toHaveLength(c.model === 'sim-open' ? 24 : 16);
      expect(c.load?.notSent).toBe(0);
    }
  });

  test('four users on a server that serves one at a time: TTFT waits for three others, the objective is missed and the case fails', () => {
    const serial = byModel('sim-serial');
    const parallel = byModel('sim-parallel');
    // The serial server's TTFT p50 holds about three whole requests of queue (~370 ms); the parallel one's none (~40 ms).
    expect(serial.stats.ttftMs?.p50).toBeGreaterThan(250);
    expect(parallel.stats.ttftMs?.p50).toBeLessThan(150);
    // Four in flight on both (a closed loop keeps its users busy); the parallel server gets through about four times as many.
    // A closed loop's users send when their last request ended: due when sent, never queued.
    for (const c of [serial, parallel]) expect(c.samples.map((s) => s.queueMs)).toEqual(c.samples.map(() => 0));
    expect(serial.load?.effectiveConcurrency).toBeGreaterThan(3);
    expect(parallel.load?.effectiveConcurrency).toBeGreaterThan(3);
    expect((parallel.load?.achievedRate ?? 0) / (serial.load?.achievedRate ?? 1)).toBeGreaterThan(2);
    expect(parallel.load?.slo).toMatchObject({ verdict: 'met', good: 16, judged: 16 });
    expect(serial.load?.slo?.verdict).toBe('missed');
    expect(serial.load?.slo?.binding).toBe('ttftMs');
    expect(serial.status).toBe('failed');
    expect(serial.failures).toContainEqual(
      expect.stringMatching(/^SLO missed under load c4: attainment \d+\.\d% \(95% CI .*\) below 80\.0%; binding: ttftMs <= 200 met by \d+\.\d%$/),
    );
    expect(parallel.status).toBe('passed');
    expect(run.code).toBe(1);
  });

  test('an open loop at twice what the server serves, two in flight at most: queue time grows, kept apart from TTFT; saturated', () => {
    const open = byModel('sim-open');
    const queue = open.samples.map((s) => s.queueMs ?? 0);
    expect(queue.slice(-6).reduce((a, b) => a + b, 0)).toBeGreaterThan(queue.slice(0, 6).reduce((a, b) => a + b, 0));
    expect(open.load?.queueMs?.max).toBeGreaterThan(100);
    expect(open.load?.saturated).toBe(true);
    expect(open.load?.targetRate).toBe(60);
    expect(open.load?.achievedRate).toBeLessThan(50);
    // Scheduled on the constant grid: request i was due at i / 60 s.
    expect(open.samples.map((s) => Math.round(s.scheduledAtMs ?? -1))).toEqual(open.samples.map((_, i) => Math.round((i * 1000) / 60)));
    // e2e with queue is what a user waited: at least e2e.
    expect(open.load?.e2eWithQueueMs?.p95).toBeGreaterThan(open.stats.e2eMs?.p95 ?? Infinity);
  });

  test('every report shows what the load achieved and how the objectives were met', () => {
    const results = run.results as NonNullable<typeof run.results>;
    const markdown = renderMarkdown(results);
    expect(markdown).toContain(
      '| Case under load | Requests/s | In flight (avg) | Output tok/s | Queue p95 | e2e with queue p95 | SLO attainment (95% CI) | Goodput |',
    );
    expect(markdown).toMatch(
      /\| sim-serial\/hello@c4 \| [\d.]+\/s \| [\d.]+ \| [\d.]+ \| [\d.]+ ms \| [\d.]+ ms \| 🔴 [\d.]+% \([\d.]+\.\.[\d.]+%\) of 80%, binding ttftMs \|/,
    );
    expect(markdown).toMatch(/\| sim-open\/hello@r60-constant-m2 \| [\d.]+ of 60\/s ⚠️ saturated \|/);
    expect(renderHtml(results)).toContain('<h2 id="load">Load and objectives</h2>');
    const table = renderTable(results);
    expect(table).toMatch(/\nsim-serial +hello @c4 +16 /);
    expect(table).toMatch(
      /\n {2}load sim-serial > hello @c4: [\d.]+ req\/s; [\d.]+ in flight; SLO missed [\d.]+% \(95% CI .*\) of 80\.0%, binding ttftMs, goodput [\d.]+ req\/s\n/,
    );
    expect(table).toMatch(/\n {2}load sim-open > hello @r60-constant-m2: [\d.]+ of 60 req\/s \(saturated\); [\d.]+ in flight; queue p95 [\d.]+ ms\n/);
    const [head, ...rows] = renderCsv(results).trim().split('\r\n');
    const column = (name: string) => (head as string).split(',').indexOf(name);
    expect(column('slo_verdict')).toBeGreaterThan(-1);
    expect(rows.map((row) => row.split(',')[column('slo_verdict')])).toEqual(['missed', 'met', '', 'met', 'met']);
  });

  test('a capacity search: one user on the serial server (it serialises), four on the four-slot one, each bounded by the level that failed', () => {
    const serial = byModel('sim-serial-sweep').load?.sweep;
    const parallel = byModel('sim-parallel-sweep').load?.sweep;
    expect(serial).toMatchObject({ over: 'concurrency', capacity: 1, bound: 2, serialises: true, stoppedBecause: 'bracketed' });
    expect(serial?.probes.map((p) => [p.level, p.passed])).toEqual([
      [1, true],
      [2, false],
    ]);
    // 1, 2 and 4 users are served at once and pass; 8 wait a whole answer and fail. Between them, a waiting request
    // may wait for less than a whole answer (completions stagger), so the bisection may settle anywhere from 4 to 7.
    expect(parallel).toMatchObject({ serialises: false, stoppedBecause: 'bracketed' });
    expect(parallel?.probes.slice(0, 4).map((p) => [p.level, p.passed])).toEqual([
      [1, true],
      [2, true],
      [4, true],
      [8, false],
    ]);
    expect(parallel?.capacity).toBeGreaterThanOrEqual(4);
    expect(parallel?.capacity).toBeLessThanOrEqual(7);
    expect(parallel?.bound).toBe((parallel?.capacity ?? 0) + 1);
    // A probe near the target takes more requests before it is decisive; none more than its budget.
    for (const p of parallel?.probes ?? []) expect(p.sent).toBeLessThanOrEqual(24);
    // The case's own figures are its capacity's.
    expect(byModel('sim-parallel-sweep').samples).toHaveLength(parallel?.probes.find((p) => p.level === parallel.capacity)?.sent ?? -1);
    expect(byModel('sim-serial-sweep').status).toBe('passed');
    const markdown = renderMarkdown(run.results as NonNullable<typeof run.results>);
    expect(markdown).toMatch(
      /- sim-serial-sweep\/hello@sweep-c: capacity 1 user; bounded by 2 users \(attainment [\d.]+%\); knee at \d users?; the server serialises requests \(2 users got under 10% more throughput than 1\); 2 probe\(s\)/,
    );
    expect(markdown).toMatch(/- sim-parallel-sweep\/hello@sweep-c: capacity [4-7] users; bounded by [5-8] users/);
  });
});
