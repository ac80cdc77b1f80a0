/**
 * A case under its load profile: its warmup requests one after another, then the timed ones as the profile sends
 * them (measure/load.ts), each slot in flight with a client of its own. A capacity search (`load.sweep`) probes one
 * level after another (run/sweep.ts), each in batches until its attainment is decisive or its budget spent; the
 * case's samples and figures are then its capacity's (the first level's when none passed).
 */
import { loadResult } from '../evaluate/load.ts';
import { quantile } from '../evaluate/stats.ts';
import { loadLabel } from '../files/case-id.ts';
import { measureLoad, type LoadRun } from '../measure/load.ts';
import { createClient, measureRequest, type RequestClient, type RequestSpec } from '../measure/request.ts';
import type { ArmRun } from '../measure/runner.ts';
import type { CaseParams, LoadProfile, LoadResult, RequestSample, SweepProbe, SweepProfile } from '../types.ts';
import { type ProgressSink, progressReporter } from './progress.ts';
import { arrivalTimes } from './schedule.ts';
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
  /** Seeds arrivals: the same case gets the same schedule every run. */
  seed: number;
  signal: AbortSignal;
  progress: ProgressSink;
  /** A sweep also probes this level (the reference's capacity) when its search did not reach it: the gate judges it. */
  probeAlso?: number | null | undefined;
}

export interface LoadMeasurement {
  head: ArmRun;
  durationMs: number;
  load: LoadResult;
}

export async function measureUnderLoad(profile: LoadProfile, input: LoadCase): Promise<LoadMeasurement> {
  const started = performance.now();
  const warmupSamples: RequestSample[] = [];
  for (let i = 0; i < input.warmup && !input.signal.aborted; i++) warmupSamples.push((await measureRequest(input.client, input.request, input.signal)).sample);
  const slots = new Map<number, RequestClient>([[0, input.client]]);
  const clients = (slot: number) => {
    let client = slots.get(slot);
    if (!client) {
      client = createClient(input.baseURL, input.apiKey);
      slots.set(slot, client);
    }
    return client;
  };
  let batches = 0;
  const batch = async (level: Level): Promise<LoadRun> => {
    const progress = progressReporter(`${input.name} @${loadLabel(level)}`, 0, level.requests, input.progress);
    const due = level.kind === 'open' ? arrivalTimes(level.rate, level.arrival, level.requests, input.seed + batches) : [];
    batches++;
    return measureLoad(level, input.request, clients, { signal: input.signal, due, onSample: (sample, done) => progress({ phase: 'run', done, sample }) });
  };
  const finish = (run: LoadRun, load: LoadResult): LoadMeasurement => ({
    head: { samples: run.samples, positions: run.samples.map((_, i) => i), warmupSamples, firstText: run.firstText },
    durationMs: performance.now() - started,
    load,
  });
  if (profile.kind !== 'sweep') {
    const run = await batch(profile);
    return finish(run, loadResult(profile, run, input.slo));
  }
  const measured = new Map<number, { run: LoadRun; level: Level; load: LoadResult }>();
  const probe = async (value: number) => {
    const level = levelOf(profile, value);
    const probed = await probeLevel(level, profile, input.slo, batch, input.signal);
    measured.set(value, { ...probed, level });
    return probeFigures(value, probed.load, probed.run);
  };
  const sweep = await searchCapacity(profile, probe);
  const also = input.probeAlso;
  if (also != null && also <= profile.limit && !measured.has(also) && (sweep.capacity === null || sweep.capacity < also)) sweep.probes.push(await probe(also));
  const chosen = measured.get(sweep.capacity ?? 1) ?? [...measured.values()][0];
  if (!chosen) throw new Error('a capacity search probed no level');
  return finish(chosen.run, { ...chosen.load, label: loadLabel(profile), sweep });
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
  slo: CaseParams['slo'],
  batch: (level: Level) => Promise<LoadRun>,
  signal: AbortSignal,
): Promise<{ run: LoadRun; load: LoadResult }> {
  let run = await batch(level);
  let load = loadResult(level, run, slo);
  while (load.slo?.verdict === 'uncertain' && !load.saturated && run.samples.length + level.requests <= profile.maxRequests && !signal.aborted) {
    const more = await batch(level);
    run = {
      samples: [...run.samples, ...more.samples],
      notSent: run.notSent + more.notSent,
      wallMs: run.wallMs + more.wallMs,
      firstText: run.firstText ?? more.firstText,
    };
    load = loadResult(level, run, slo);
  }
  return { run, load };
}

function probeFigures(level: number, load: LoadResult, run: LoadRun): SweepProbe {
  const slo = load.slo;
  const verdict = slo?.verdict ?? 'uncertain';
  const ttft = run.samples.flatMap((s) => (s.ok && s.ttftMs !== null ? [s.ttftMs + (s.queueMs ?? 0)] : []));
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
