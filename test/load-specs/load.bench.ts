// Load profiles against the simulated server (test/load.test.ts): a server that serves one request at a time and
// one that serves four, each under four users (closed loop) with a 200 ms TTFT objective (answers of ~110 ms, the
// first token after 40 ms: served at once passes by 160 ms, waiting for three others fails by 170); and an open loop at twice what
// the serial server can serve, with at most two requests in flight.
import { benchModel } from '../../harness/index.ts';

const prompts = [{ id: 'hello', text: 'Say hello.' }];
const closed = { warmup: 1, maxTokens: 8, timeoutMs: 5_000, stabilize: false, prompts } as const;

benchModel('sim-serial', { ...closed, load: { concurrency: 4, requests: 16 }, slo: { ttftMs: 200, attainment: 0.8 } });
benchModel('sim-parallel', { ...closed, load: { concurrency: 4, requests: 16 }, slo: { ttftMs: 200, attainment: 0.8 } });
benchModel('sim-open', { ...closed, load: { rate: 60, arrival: 'constant', maxInFlight: 2, requests: 24 } });

// Capacity searches under a 90 ms TTFT objective: the serial server serves one user, the four-slot one four.
const sweep = { ...closed, load: { sweep: 'concurrency', requests: 12, maxRequests: 24, maxProbes: 6 }, slo: { ttftMs: 90, attainment: 0.75 } } as const;
benchModel('sim-serial-sweep', sweep);
benchModel('sim-parallel-sweep', sweep);
