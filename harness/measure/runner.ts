/**
 * Drives the requests of one case with tinybench: warmup requests first,
 * then timed iterations, each one chat completion. The task function never
 * throws for a failed request (the failure is part of the sample), and
 * tinybench runs with `throws: true` so a bug in the harness itself surfaces
 * instead of being swallowed into an "errored" task with nonsense figures.
 */
import { Bench } from 'tinybench';
import { measureRequest, type RequestClient, type RequestSpec } from './request.ts';
import type { CaseParams, RequestSample } from '../types.ts';

export interface CaseRun {
  samples: RequestSample[];
  warmupSamples: RequestSample[];
  /** Output text of the first successful timed request. */
  firstText: string | null;
  durationMs: number;
}

export interface Progress {
  phase: 'warmup' | 'run';
  done: number;
  planned: number;
  sample: RequestSample;
}

export async function runCase(
  client: RequestClient,
  request: RequestSpec,
  params: CaseParams,
  options: { signal?: AbortSignal; onProgress?: (progress: Progress) => void } = {},
): Promise<CaseRun> {
  const samples: RequestSample[] = [];
  const warmupSamples: RequestSample[] = [];
  let firstText: string | null = null;
  let phase: 'warmup' | 'run' = 'warmup';

  const bench = new Bench({
    name: `${request.model}`,
    iterations: params.iterations,
    time: params.timeMs,
    warmup: params.warmup > 0,
    warmupIterations: params.warmup,
    warmupTime: 0,
    throws: true,
    now: () => performance.now(),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  bench.add(
    request.model,
    async () => {
      const { sample, text } = await measureRequest(client, request, options.signal);
      const into = phase === 'run' ? samples : warmupSamples;
      into.push(sample);
      if (phase === 'run' && firstText === null && sample.ok) firstText = text;
      options.onProgress?.({ phase, done: into.length, planned: phase === 'run' ? params.iterations : params.warmup, sample });
      // tinybench's own clock would include the bookkeeping above; the request's e2e is the sample.
      return { overriddenDuration: sample.e2eMs };
    },
    {
      beforeAll(mode) {
        phase = mode === 'warmup' ? 'warmup' : 'run';
      },
    },
  );
  const started = performance.now();
  await bench.run();
  return { samples, warmupSamples, firstText, durationMs: performance.now() - started };
}
