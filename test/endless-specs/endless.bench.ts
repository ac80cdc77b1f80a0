// A spec for the unbounded-server tests: streamed and whole requests to a server whose answers never end.
import { benchModel } from '../../harness/index.ts';
import type { BenchOptions } from '../../harness/types.ts';

const options: BenchOptions = {
  warmup: 0,
  iterations: 3,
  maxTokens: 16,
  timeoutMs: 10_000,
  stabilize: false,
  budgets: { maxErrorRate: 0 },
  prompts: [{ id: 'never-stops', text: 'Go on.' }],
};

benchModel('endless', options);
benchModel('endless-whole', { ...options, stream: false });
