/**
 * A case under its load profile: its warmup requests one after another, then the timed ones as the profile sends
 * them (measure/load.ts), each slot in flight with a client of its own. A capacity search (`load.sweep`) probes one
 * level after another (run/sweep.ts), each in batches until its attainment is decisive or its budget spent; the
 * case's samples and figures are then its capacity's (the first level's when none passed).
 */
import { loadResult, sinceDue } from '../evaluate/load.ts';
import { quantile } from '../evaluate/stats.ts';
import { loadLabel } from '../files/case-id.ts';
import { type LoadArm, type LoadArmRun, measureLoad } from '../measure/load.ts';
import { createClient, measureRequest, type RequestClient, type RequestSpec } from '../measure/request.ts';
import type { ArmRun } from '../measure/runner.ts';
import type { CaseParams, LoadProfile, LoadResult, RequestSample, SweepProbe, SweepProfile } from '../types.ts';
import { type ProgressSink, progressReporter } from './progress.ts';
import { abbaOrder, arrivalTimes } from './schedule.ts';
import { searchCapacity } from './sweep.ts';

/** A level of load: one closed or open loop. */
type Level = Exclude<LoadProfile, { kind: 'sweep' }>;

export interface LoadCase {
  request: RequestSpec;
  /** The case's own client (slot 0); other slots get clients to the same server. */
  client: RequestClient;
  baseURL: string;
  apiKey: string;
  warmup: number;
  slo: CaseParams['slo'];
  /** `model > prompt`, for progress. */
  name: string;
  /** Seeds arrivals and the A/B order: the same case gets the same schedule every run. */
  seed: number;
  signal: AbortSignal;
  progress: ProgressSink;
  /** A sweep also probes this level (the reference's capacity) when its search did not reach it: the gate judges it. */
  probeAlso?: number | null | undefined;
  /**
   * A/B at one level: the base's request, sent interleaved with the case's under one load (the users or arrivals
   * shared, in randomised ABBA blocks), so both see the same load at every moment. Not used by a sweep.
   */
  base?: { request: RequestSpec; client: RequestClient; baseURL: string } | null;
}

export interface LoadMeasurement {
  head: ArmRun;
  /** A/B: the base's requests, measured alongside; null without a base. */
  base: ArmRun | null;
  durationMs: number;
  load: LoadResult;
}

/** One level's requests: the case's (and the base's), with the load's bounds. */
interface LevelRun {
  head: LoadArmRun;
  base: LoadArmRun | null;
  notSent: number;
  wallMs: number;
}

export async function measureUnderLoad(profile: LoadProfile, input: LoadCase): Promise<LoadMeasurement> {
  const started = performance.now();
  const base = profile.kind === 'sweep' ? null : (input.base ?? null);
  const warm = async (client: RequestClient, request: RequestSpec) => {
    const samples: RequestSample[] = [];
    for (let i = 0; i < input.warmup && !input.signal.aborted; i++) samples.push((await measureRequest(client, request, input.signal)).sample);
    return samples;
  };
  const warmupSamples = await warm(input.client, input.request);
  const baseWarmup = base ? await warm(base.client, base.request) : [];
  const headArm: LoadArm = { request: input.request, clients: clientPool(input.client, input.baseURL, input.apiKey) };
  const arms = base ? [{ request: base.request, clients: clientPool(base.client, base.baseURL, input.apiKey) }, headArm] : [headArm];
  const head = arms.length - 1;
  let batches = 0;
  const batch = async (level: Level): Promise<LevelRun> => {
    const progress = progressReporter(`${input.name} @${loadLabel(level)}`, 0, level.requests, input.progress);
    const total = level.requests * arms.length;
    const due = level.kind === 'open' ? arrivalTimes(level.rate, level.arrival, total, input.seed + batches) : [];
    batches++;
    let headDone = 0;
    const run = await measureLoad(level, arms, {
      signal: input.signal,
      due,
      ...(base ? { order: abbaOrder(2, input.seed) } : {}),
      onSample: (sample, arm) => {
        if (arm === head) progress({ phase: 'run', done: ++headDone, sample });
      },
    });
    return { head: run.arms[head] as LoadArmRun, base: base ? (run.arms[0] as LoadArmRun) : null, notSent: run.notSent, wallMs: run.wallMs };
  };
  const finish = (run: LevelRun, load: LoadResult): LoadMeasurement => ({
    head: { samples: run.head.samples, positions: run.head.positions, warmupSamples, firstText: run.head.firstText },
    base: run.base ? { samples: run.base.samples, positions: run.base.positions, warmupSamples: baseWarmup, firstText: run.base.firstText } : null,
    durationMs: performance.now() - started,
    load,
  });
  const figures = (level: Level, run: LevelRun) => loadResult(level, { samples: run.head.samples, notSent: run.notSent, wallMs: run.wallMs }, input.slo);
  if (profile.kind !== 'sweep') {
    const run = await batch(profile);
    return finish(run, figures(profile, run));
  }
  const measured = new Map<number, { run: LevelRun; load: LoadResult }>();
  const probe = async (value: number) => {
    const level = levelOf(profile, value);
    const probed = await probeLevel(level, profile, batch, (run) => figures(level, run), input.signal);
    measured.set(value, probed);
    return probeFigures(value, probed.load, probed.run.head.samples);
  };
  const sweep = await searchCapacity(profile, probe);
  const also = input.probeAlso;
  if (also != null && also <= profile.limit && !measured.has(also) && (sweep.capacity === null || sweep.capacity < also)) sweep.probes.push(await probe(also));
  const chosen = measured.get(sweep.capacity ?? 1) ?? [...measured.values()][0];
  if (!chosen) throw new Error('a capacity search probed no level');
  return finish(chosen.run, { ...chosen.load, label: loadLabel(profile), sweep });
}

/** Clients by slot to one server, the first one given (connection reuse keeps setup out of the samples). */
function clientPool(first: RequestClient, baseURL: string, apiKey: string): (slot: number) => RequestClient {
  const slots = new Map<number, RequestClient>([[0, first]]);
  return (slot) => {
    let client = slots.get(slot);
    if (!client) {
      client = createClient(baseURL, apiKey);
      slots.set(slot, client);
    }
    return client;
  };
}

/** One level of a sweep as a closed or open loop of one batch. */
function levelOf(profile: SweepProfile, value: number): Level {
  const { requests, durationMs } = profile;
  return profile.over === 'concurrency'
    ? { kind: 'closed', concurrency: value, requests, durationMs }
    : { kind: 'open', rate: value, arrival: profile.arrival, maxInFlight: profile.maxInFlight, requests, durationMs };
}

/** A level's batches, pooled, until its attainment is decisive, it saturates, or its budget is spent. */
async function probeLevel(
  level: Level,
  profile: SweepProfile,
  batch: (level: Level) => Promise<LevelRun>,
  figures: (run: LevelRun) => LoadResult,
  signal: AbortSignal,
): Promise<{ run: LevelRun; load: LoadResult }> {
  let run = await batch(level);
  let load = figures(run);
  while (load.slo?.verdict === 'uncertain' && !load.saturated && run.head.samples.length + level.requests <= profile.maxRequests && !signal.aborted) {
    const more = await batch(level);
    const offset = run.head.positions.length;
    run = {
      head: {
        samples: [...run.head.samples, ...more.head.samples],
        positions: [...run.head.positions, ...more.head.positions.map((p) => p + offset)],
        firstText: run.head.firstText ?? more.head.firstText,
      },
      base: null,
      notSent: run.notSent + more.notSent,
      wallMs: run.wallMs + more.wallMs,
    };
    load = figures(run);
  }
  return { run, load };
}

function probeFigures(level: number, load: LoadResult, samples: readonly RequestSample[]): SweepProbe {
  const slo = load.slo;
  const verdict = slo?.verdict ?? 'uncertain';
  const ttft = samples.flatMap((s) => {
    const value = s.ok ? sinceDue(s, 'ttftMs') : null;
    return value === null ? [] : [value];
  });
  return {
    level,
    sent: load.sent,
    achievedRate: load.achievedRate,
    outputTokensPerSec: load.outputTokensPerSec,
    e2eP95Ms: load.e2eWithQueueMs?.p95 ?? null,
    ttftP95Ms: ttft.length > 0 ? quantile(ttft, 0.95) : null,
    attainment: slo?.attainment ?? 0,
    interval: slo?.interval ?? { lo: 0, hi: 1 },
    verdict,
    saturated: load.saturated,
    passed: verdict === 'met' && !load.saturated,
  };
}
