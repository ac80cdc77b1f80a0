// A/B with the warm-up until stable on, in a small bounded form, and fixed sampling: exact request counts.
import { benchModel } from '../../harness/index.ts';

benchModel('sim-fast', {
  warmup: 1,
  iterations: 20,
  maxTokens: 16,
  timeoutMs: 5_000,
  stabilize: { window: 3, maxRequests: 12 },
  regression: { adaptive: false },
  prompts: [{ id: 'hello', text: 'Say hello.' }],
});
