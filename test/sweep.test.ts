/** The capacity search's strategy (run/sweep.ts), against levels whose outcome is known: no server needed. */
import { describe, expect, test } from 'vitest';
import { searchCapacity } from '../harness/run/sweep.ts';
import type { SweepProbe, SweepProfile } from '../harness/types.ts';

const profile = (over: SweepProfile['over'], overrides: Partial<SweepProfile> = {}): SweepProfile => ({
  kind: 'sweep',
  over,
  arrival: 'poisson',
  maxInFlight: 64,
  requests: 20,
  maxRequests: 100,
  maxProbes: 8,
  limit: 256,
  durationMs: 60_000,
  ...overrides,
});

/** A server that meets the objectives up to `capacity`, serving `perUser` requests/s a user up to `slots` users. */
function server(capacity: number, slots = Number.POSITIVE_INFINITY, perUser = 10) {
  return async (level: number): Promise<SweepProbe> => {
    const passed = level <= capacity;
    const achievedRate = Math.min(level, slots) * perUser;
    return {
      level,
      sent: 20,
      achievedRate,
      outputTokensPerSec: achievedRate * 16,
      e2eP95Ms: 100 * Math.max(1, level / slots),
      ttftP95Ms: 20,
      attainment: passed ? 1 : 0.5,
      interval: passed ? { lo: 0.96, hi: 1 } : { lo: 0.3, hi: 0.7 },
      verdict: passed ? 'met' : 'missed',
      saturated: false,
      passed,
    };
  };
}

describe('the capacity search', () => {
  test('concurrency: doubles until a level fails, then bisects on whole users', async () => {
    const found = await searchCapacity(profile('concurrency'), server(5));
    expect(found.probes.map((p) => p.level)).toEqual([1, 2, 4, 8, 6, 5]);
    expect(found).toMatchObject({ capacity: 5, bound: 6, stoppedBecause: 'bracketed', serialises: false });
  });

  test('at most maxProbes levels; the limit stops the doubling; one user failing is no capacity', async () => {
    expect(await searchCapacity(profile('concurrency', { maxProbes: 3 }), server(100))).toMatchObject({
      capacity: 4,
      bound: null,
      stoppedBecause: 'max-probes',
    });
    expect(await searchCapacity(profile('concurrency', { limit: 8 }), server(100))).toMatchObject({ capacity: 8, stoppedBecause: 'limit' });
    const none = await searchCapacity(profile('concurrency'), server(0));
    expect(none).toMatchObject({ capacity: null, bound: 1, stoppedBecause: 'none-met' });
    expect(none.probes).toHaveLength(1);
  });

  test('a server with one slot serialises: two users get no more than one; the knee is where power peaks', async () => {
    const found = await searchCapacity(profile('concurrency'), server(3, 1));
    expect(found.serialises).toBe(true);
    // Throughput flat from one user on, latency growing: one user gets the most tokens per ms of p95.
    expect(found.knee).toBe(1);
    expect((await searchCapacity(profile('concurrency'), server(16, 4))).knee).toBe(4);
  });

  test('rate: doubles, then bisects geometrically to within 10%; below 1 request a second when 1 fails', async () => {
    const found = await searchCapacity(profile('rate'), server(3));
    expect(found.capacity).toBeGreaterThanOrEqual(2.7);
    expect(found.capacity).toBeLessThanOrEqual(3);
    expect((found.bound as number) / (found.capacity as number)).toBeLessThanOrEqual(1.1);
    expect(found.serialises).toBeNull();
    const slow = await searchCapacity(profile('rate'), server(0.3));
    expect(slow.probes.slice(0, 3).map((p) => p.level)).toEqual([1, 0.5, 0.25]);
    expect(slow.capacity).toBeGreaterThan(0.25);
    expect(slow.capacity).toBeLessThanOrEqual(0.3);
  });
});
