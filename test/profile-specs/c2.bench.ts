// The capacity spec's prompt under another profile (test/load-gate.test.ts): a new case, saying the profile changed.
import { benchModel } from '../../harness/index.ts';

benchModel('sim-cap', {
  warmup: 0,
  maxTokens: 8,
  timeoutMs: 5_000,
  stabilize: false,
  prompts: [{ id: 'hello', text: 'Say hello.' }],
  load: { concurrency: 2, requests: 4 },
});
