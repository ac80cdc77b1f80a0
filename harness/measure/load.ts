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
import { measureRequest, type RequestClient, type RequestSpec, roundMs } from './request.ts';

/** One side of a load: its request and a client per slot in flight. */
export interface LoadArm {
  request: RequestSpec;
  clients: (slot: number) => RequestClient;
}

/** What one arm measured under load. */
export interface LoadArmRun {
  /** Its timed requests, in the order they were due, each with when it was due and how long it waited. */
  samples: RequestSample[];
  /** Each request's position among all arms' requests (for pairing requests sent close together). */
  positions: number[];
  /** Output text of its first successful request. */
  firstText: string | null;
}

/** What a load phase measured. */
export interface LoadRun {
  /** Per arm, in the order given. */
  arms: LoadArmRun[];
  /** Requests scheduled but not sent: the time bound came first. */
  notSent: number;
  /** From the start of the phase to the end of its last request, ms. */
  wallMs: number;
}

export interface LoadOptions {
  signal?: AbortSignal | undefined;
  /** An open loop's due times, ms from the start (run/schedule.ts `arrivalTimes`), for every arm's requests. */
  due: readonly number[];
  /** Which arm sends the request at a position (A/B: randomised ABBA blocks); the only arm when absent. */
  order?: (position: number) => number;
  onSample?: (sample: RequestSample, arm: number, done: number) => void;
}

/**
 * Sends a load phase's timed requests: `profile.requests` a arm, the arms' requests interleaved in `order` under
 * one load (A/B: base and head share the users or the arrivals, so both see the same load at every moment).
 */
export async function measureLoad(profile: Exclude<LoadProfile, { kind: 'sweep' }>, arms: readonly LoadArm[], options: LoadOptions): Promise<LoadRun> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  const total = profile.requests * arms.length;
  const order = options.order ?? ((position: number) => position % arms.length);
  const runs: LoadArmRun[] = arms.map(() => ({ samples: [], positions: [], firstText: null }));
  const sent: Array<{ arm: number; sample: RequestSample } | undefined> = [];
  let done = 0;
  /** `dueAt` null: due when sent (a closed loop's users), so no queue, not the few microseconds of this call. */
  const send = async (position: number, slot: number, dueAt: number | null): Promise<void> => {
    const arm = order(position);
    const { request, clients } = arms[arm] as LoadArm;
    const sentAt = elapsed();
    const due = dueAt ?? sentAt;
    const { sample, text } = await measureRequest(clients(slot), request, options.signal);
    const timed: RequestSample = { ...sample, scheduledAtMs: roundMs(due), queueMs: roundMs(Math.max(0, sentAt - due)) };
    sent[position] = { arm, sample: timed };
    const run = runs[arm] as LoadArmRun;
    if (run.firstText === null && sample.ok) run.firstText = text;
    options.onSample?.(timed, arm, ++done);
  };
  const open = (position: number) => elapsed() < profile.durationMs && !options.signal?.aborted && position < total;

  if (profile.kind === 'closed') {
    let next = 0;
    // Each user sends its next request as soon as its last one ended: due when sent, no queue.
    const user = async (slot: number) => {
      while (open(next)) {
        const position = next++;
        await send(position, slot, null);
      }
    };
    await Promise.all(Array.from({ length: Math.min(profile.concurrency, total) }, (_, slot) => user(slot)));
  } else {
    const due = options.due.slice(0, total);
    const free = Array.from({ length: profile.maxInFlight }, (_, slot) => profile.maxInFlight - 1 - slot);
    const waiting: Array<() => void> = [];
    const inFlight: Promise<void>[] = [];
    for (const [position, dueAt] of due.entries()) {
      const wait = dueAt - elapsed();
      if (wait > 0) await sleep(wait, options.signal);
      if (!open(position) || dueAt >= profile.durationMs) break;
      // At the cap, the request waits for a slot: its queue time runs from when it was due.
      while (free.length === 0) await new Promise<void>((resolve) => waiting.push(resolve));
      // The wait may have outlasted the time bound, or the run was stopped meanwhile.
      if (!open(position)) break;
      const slot = free.pop() as number;
      inFlight.push(
        send(position, slot, dueAt).finally(() => {
          free.push(slot);
          waiting.shift()?.();
        }),
      );
    }
    await Promise.all(inFlight);
  }
  // In the order they were due, whatever order they ended in.
  for (const [position, entry] of sent.entries()) {
    if (!entry) continue;
    const run = runs[entry.arm] as LoadArmRun;
    run.samples.push(entry.sample);
    run.positions.push(position);
  }
  const measured = runs.reduce((sum, run) => sum + run.samples.length, 0);
  return { arms: runs, notSent: total - measured, wallMs: elapsed() };
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
