/**
 * Drives the requests of one case with tinybench: warmup requests first, then
 * timed iterations, each one chat completion. A case measures one or more
 * arms (one, or an A/B case's base and head), and their requests alternate,
 * so warm-up, drift and load hit every arm alike.
 *
 * The task function never throws for a failed request (the failure is part of
 * the sample), and tinybench runs with `throws: true` so a bug in the harness
 * itself surfaces instead of being swallowed into an "errored" task with
 * nonsense figures.
 */
import { Bench } from 'tinybench';
import type { CaseParams, RequestSample } from '../types.ts';
import { measureRequest, type RequestClient, type RequestSpec } from './request.ts';

/** One side of a measurement: a request and the client that sends it. */
export interface Arm {
  client: RequestClient;
  request: RequestSpec;
}

/** How many requests a case sends per arm: untimed first, then timed (a minimum when `timeMs` is set). */
export type SamplingPlan = Pick<CaseParams, 'warmup' | 'iterations' | 'timeMs'>;

/** What one arm measured. */
export interface ArmRun {
  /** Timed requests, in the order they were sent. */
  samples: RequestSample[];
  /** For each timed request, its position among all arms' timed requests (for pairing requests sent close together). */
  positions: number[];
  /** Untimed requests before timing. */
  warmupSamples: RequestSample[];
  /** Output text of the first successful timed request. */
  firstText: string | null;
}

/** What a case measured: one run per arm, in the order of the arms given. */
export interface Measurement {
  arms: ArmRun[];
  /** Wall time of warmup plus timed requests, ms. */
  durationMs: number;
}

/** Reported after every request, between requests (never inside a timed one). */
export interface Progress {
  /** Index of the arm the request belonged to. */
  arm: number;
  phase: 'warmup' | 'run';
  /** Requests of this arm done in this phase. */
  done: number;
  /** Requests of this arm planned in this phase. */
  planned: number;
  sample: RequestSample;
}

export interface MeasureOptions {
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  /**
   * Which arm sends the request at a position of the sequence (counted from 0 in each phase).
   * @default round robin: A B A B ...
   */
  order?: (position: number) => number;
  /**
   * Position of the first timed request: a measurement that continues an earlier one (adaptive sampling) goes on
   * where it stopped, in order and in positions.
   * @default 0
   */
  firstPosition?: number;
}

/** Measures the arms request by request, in the given order, in warmup and timed phases alike. */
export async function measureArms(arms: readonly Arm[], plan: SamplingPlan, options: MeasureOptions = {}): Promise<Measurement> {
  if (arms.length === 0) throw new RangeError('a measurement needs at least one arm');
  const order = options.order ?? ((position: number) => position % arms.length);
  const runs: ArmRun[] = arms.map(() => ({ samples: [], positions: [], warmupSamples: [], firstText: null }));
  let phase: 'warmup' | 'run' = 'warmup';
  let turn = 0;
  const signal = detachable(options.signal);

  const bench = new Bench({
    name: arms[0]?.request.model ?? 'case',
    iterations: plan.iterations * arms.length,
    time: plan.timeMs,
    warmup: plan.warmup > 0,
    warmupIterations: plan.warmup * arms.length,
    warmupTime: 0,
    throws: true,
    now: () => performance.now(),
    ...(signal.signal ? { signal: signal.signal } : {}),
  });
  bench.add(
    arms[0]?.request.model ?? 'case',
    async () => {
      const position = (phase === 'run' ? (options.firstPosition ?? 0) : 0) + turn++;
      const index = order(position);
      const arm = arms[index] as Arm;
      const run = runs[index] as ArmRun;
      const { sample, text } = await measureRequest(arm.client, arm.request, options.signal);
      const into = phase === 'run' ? run.samples : run.warmupSamples;
      into.push(sample);
      if (phase === 'run') run.positions.push(position);
      if (phase === 'run' && run.firstText === null && sample.ok) run.firstText = text;
      options.onProgress?.({ arm: index, phase, done: into.length, planned: phase === 'run' ? plan.iterations : plan.warmup, sample });
      // tinybench's own clock would include the bookkeeping above; the request's e2e is the sample.
      return { overriddenDuration: sample.e2eMs };
    },
    {
      beforeAll(mode) {
        phase = mode === 'warmup' ? 'warmup' : 'run';
        turn = 0;
      },
    },
  );
  const started = performance.now();
  try {
    await bench.run();
  } finally {
    signal.detach();
  }
  return { arms: runs, durationMs: performance.now() - started };
}

/**
 * A signal of one measurement that follows the run's. tinybench adds abort listeners to the signal it is given and
 * never removes them; handed the run's own signal, every measurement of a run (each adaptive look is one) would
 * leave two behind, and Node warns of a leak at eleven. The run's signal holds one listener per measurement in
 * progress instead.
 */
function detachable(parent: AbortSignal | undefined): { signal: AbortSignal | undefined; detach(): void } {
  if (!parent) return { signal: undefined, detach() {} };
  const controller = new AbortController();
  const forward = () => controller.abort(parent.reason);
  if (parent.aborted) forward();
  else parent.addEventListener('abort', forward, { once: true });
  return { signal: controller.signal, detach: () => parent.removeEventListener('abort', forward) };
}

/** One arm's run with its wall time: a plain (unpaired) case. */
export async function runCase(
  client: RequestClient,
  request: RequestSpec,
  plan: SamplingPlan,
  options: MeasureOptions = {},
): Promise<ArmRun & { durationMs: number }> {
  const { arms, durationMs } = await measureArms([{ client, request }], plan, options);
  return { ...(arms[0] as ArmRun), durationMs };
}
