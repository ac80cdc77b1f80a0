// A Foundry Local candidate on the four-prompt comparison set.
import { benchModel } from '../harness/index.ts';

benchModel('qwen2.5-0.5b', {
  prompts: 'fixtures/prompts/comparison.yaml',
  warmup: 2,
  iterations: 20,
  maxTokens: 150,
  budgets: { maxErrorRate: 0 },
  // On Foundry Local, compare execution providers side by side (each variant its own cases):
  // variant: ['cpu', 'gpu'],
});
