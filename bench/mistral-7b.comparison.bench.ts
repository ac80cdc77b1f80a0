// A Foundry Local candidate on the four-prompt comparison set.
import { benchModel } from '../harness/index.ts';

benchModel('mistral-7b', {
  prompts: 'fixtures/prompts/comparison.yaml',
  warmup: 2,
  iterations: 20,
  maxTokens: 150,
  budgets: { maxErrorRate: 0 },
});
