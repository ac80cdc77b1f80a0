// A capacity search gated against its baseline (test/load-gate.test.ts): the same spec on a server with four slots, then
// on one with two.
import { benchModel } from '../../harness/index.ts';

benchModel('sim-cap', {
  warmup: 1,
  maxTokens: 8,
  timeoutMs: 5_000,
  stabilize: false,
  prompts: [{ id: 'hello', text: 'Say hello.' }],
  // Four levels: 1, 2, 4, 8 on four slots (capacity 4); 1, 2, 4, 3 on two (capacity 2).
  load: { sweep: 'concurrency', requests: 10, maxRequests: 20, maxProbes: 4 },
  slo: { ttftMs: 90, attainment: 0.7 },
});
