// A spec for the hostile-server tests: one case against a server that echoes the credentials it gets.
import { benchModel } from '../../harness/index.ts';

benchModel('echo', {
  warmup: 0,
  iterations: 4,
  maxTokens: 16,
  timeoutMs: 5_000,
  stabilize: false,
  budgets: { maxErrorRate: 0 },
  prompts: [{ id: 'hello', text: 'Say hello.' }],
});
