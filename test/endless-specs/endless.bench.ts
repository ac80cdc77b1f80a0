// A spec for the unbounded-server tests: streamed and whole requests to a server whose answers never end.
import { benchModel } from '../../harness/index.ts';

benchModel('endless', {
  warmup: 0,
  iterations: 3,
  maxTokens: 16,
  timeoutMs: 10_000,
  stabilize: false,
  budgets: { maxErrorRate: 0 },
  prompts: [{ id: 'never-stops', text: 'Go on.' }],
});
