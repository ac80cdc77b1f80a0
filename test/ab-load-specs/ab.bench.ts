// A/B under load (test/load-gate.test.ts): base and case share four users, their requests interleaved in ABBA blocks.
import { benchModel } from '../../harness/index.ts';

benchModel('sim-ab', {
  warmup: 1,
  maxTokens: 8,
  timeoutMs: 5_000,
  stabilize: false,
  prompts: [{ id: 'hello', text: 'Say hello.' }],
  load: { concurrency: 4, requests: 24 },
  // The serial server's requests wait for each other's: most miss a 90 ms TTFT that the four-slot server meets.
  slo: { ttftMs: 90, attainment: 0.5 },
  regression: { adaptive: false },
});
