/**
 * Requests under load, as serving benchmarks send them (vLLM `bench serve`, AIPerf, guidellm): a closed loop of N
 * users, each sending its next request when its last one ended, or an open loop that sends requests on a seeded
 * schedule of arrivals (Poisson, evenly spaced, or gamma-distributed gaps as vLLM's burstiness), at most
 * `maxInFlight` at once; a request due while the cap is reached waits, and that wait is its queue time, kept apart
 * from its TTFT and e2e. Always bounded: a number of requests, and a time after which none starts.
 *
 * Each request in flight has a client of its own (a client's clock and body limit are per request).
 */
import type { LoadProfile, RequestSample } from '../types.ts';
import { measureRequest, type RequestClient, type RequestSpec } from './request.ts';

/** What a load phase measured. */
export interface LoadRun {
  /** Timed requests, in the order they were due, each with when it was due and how long it waited. */
  samples: RequestSample[];
  /** Requests scheduled but not sent: the time bound came first. */
  notSent: number;
  /** From the start of the phase to the end of its last request, ms. */
  wallMs: number;
  /** Output text of the first successful request. */
  firstText: string | null;
}

export interface LoadOptions {
  signal?: AbortSignal | undefined;
  /** An open loop's due times, ms from the start (run/schedule.ts `arrivalTimes`). */
  due: readonly number[];
  onSample?: (sample: RequestSample, done: number, planned: number) => void;
}

/** Sends a load phase's timed requests; `clients` gives each slot in flight its own client. */
export async function measureLoad(
  profile: Exclude<LoadProfile, { kind: 'sweep' }>,
  request: RequestSpec,
  clients: (slot: number) => RequestClient,
  options: LoadOptions,
): Promise<LoadRun> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  const samples: Array<RequestSample | undefined> = [];
  let firstText: string | null = null;
  let done = 0;
  const send = async (index: number, slot: number, dueAt: number): Promise<void> => {
    const sentAt = elapsed();
    const { sample, text } = await measureRequest(clients(slot), request, options.signal);
    const timed: RequestSample = { ...sample, scheduledAtMs: round(dueAt), queueMs: round(Math.max(0, sentAt - dueAt)) };
    samples[index] = timed;
    if (firstText === null && sample.ok) firstText = text;
    options.onSample?.(timed, ++done, profile.requests);
  };
  const open = (index: number) => elapsed() < profile.durationMs && !options.signal?.aborted && index < profile.requests;

  if (profile.kind === 'closed') {
    let next = 0;
    // Each user sends its next request as soon as its last one ended: due when sent, no queue.
    const user = async (slot: number) => {
      while (open(next)) {
        const index = next++;
        await send(index, slot, elapsed());
      }
    };
    await Promise.all(Array.from({ length: Math.min(profile.concurrency, profile.requests) }, (_, slot) => user(slot)));
  } else {
    const due = options.due.slice(0, profile.requests);
    const free = Array.from({ length: profile.maxInFlight }, (_, slot) => profile.maxInFlight - 1 - slot);
    const waiting: Array<() => void> = [];
    const inFlight: Promise<void>[] = [];
    for (const [index, dueAt] of due.entries()) {
      const wait = dueAt - elapsed();
      if (wait > 0) await sleep(wait, options.signal);
      if (!open(index) || dueAt >= profile.durationMs) break;
      // At the cap, the request waits for a slot: its queue time runs from when it was due.
      while (free.length === 0) await new Promise<void>((resolve) => waiting.push(resolve));
      // The wait may have outlasted the time bound, or the run was stopped meanwhile.
      if (!open(index)) break;
      const slot = free.pop() as number;
      inFlight.push(
        send(index, slot, dueAt).finally(() => {
          free.push(slot);
          waiting.shift()?.();
        }),
      );
    }
    await Promise.all(inFlight);
  }
  const measured = samples.filter((s): s is RequestSample => s !== undefined);
  return { samples: measured, notSent: profile.requests - measured.length, wallMs: elapsed(), firstText };
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;
