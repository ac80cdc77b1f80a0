/**
 * A capacity search (`load.sweep`), as guidellm's sweep and AIPerf's SLA search do it, under the objectives: start at
 * 1, double while levels pass, then bisect between the highest that passed and the lowest that failed, at most
 * `maxProbes` levels. A level passes when its attainment's interval lies above the target and, at a rate, the server
 * kept up (not saturated). Concurrency is searched on whole users; a rate on a geometric scale, to within 10%, and
 * below 1 request a second when 1 already fails.
 */
import type { SweepProbe, SweepProfile, SweepResult } from '../types.ts';

/** How close two rates must be to count as bracketed. */
const RATE_RESOLUTION = 1.1;
/** The lowest rate a search goes down to when 1 request a second already fails. */
const MIN_RATE = 1 / 16;

export async function searchCapacity(profile: SweepProfile, probe: (level: number) => Promise<SweepProbe>): Promise<SweepResult> {
  const probes: SweepProbe[] = [];
  let passed: number | null = null;
  let failed: number | null = null;
  let level = 1;
  let stoppedBecause: SweepResult['stoppedBecause'] = 'max-probes';
  while (probes.length < profile.maxProbes) {
    const result = await probe(level);
    probes.push(result);
    if (result.passed) passed = Math.max(passed ?? 0, level);
    else failed = Math.min(failed ?? Number.POSITIVE_INFINITY, level);
    const next = nextLevel(profile, passed, failed, level);
    if (typeof next === 'string') {
      stoppedBecause = next;
      break;
    }
    level = next;
  }
  return {
    over: profile.over,
    capacity: passed,
    bound: failed,
    probes,
    knee: knee(probes),
    serialises: serialises(profile, probes),
    stoppedBecause,
  };
}

/** The next level to probe, or why the search ends. */
function nextLevel(profile: SweepProfile, passed: number | null, failed: number | null, level: number): number | SweepResult['stoppedBecause'] {
  const integer = profile.over === 'concurrency';
  if (failed === null) {
    // Nothing failed yet: double, up to the limit.
    if (level >= profile.limit) return 'limit';
    return Math.min(level * 2, profile.limit);
  }
  if (passed === null) {
    // Even the first level failed: a rate can go lower; one user cannot.
    if (integer || level / 2 < MIN_RATE) return 'none-met';
    return level / 2;
  }
  if (integer) {
    if (failed - passed <= 1) return 'bracketed';
    return Math.floor((passed + failed) / 2);
  }
  if (failed / passed <= RATE_RESOLUTION) return 'bracketed';
  return Math.sqrt(passed * failed);
}

/** The level with the most output tokens per second per ms of e2e p95 (Kleinrock's power): past it, latency grows faster than throughput. */
function knee(probes: readonly SweepProbe[]): number | null {
  let best: { level: number; power: number } | null = null;
  for (const p of probes) {
    if (!p.e2eP95Ms || p.e2eP95Ms <= 0) continue;
    const power = p.outputTokensPerSec / p.e2eP95Ms;
    if (!best || power > best.power) best = { level: p.level, power };
  }
  return best?.level ?? null;
}

/** Two users against one: under 10% more throughput means the server serves one request at a time. */
function serialises(profile: SweepProfile, probes: readonly SweepProbe[]): boolean | null {
  if (profile.over !== 'concurrency') return null;
  const one = probes.find((p) => p.level === 1);
  const two = probes.find((p) => p.level === 2);
  if (!one || !two || one.achievedRate <= 0) return null;
  return two.achievedRate < 1.1 * one.achievedRate;
}
