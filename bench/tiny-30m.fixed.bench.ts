// The embedded engine's tiny-30m model on the three-prompt fixed set. The tiny
// models answer with meaningless words: they measure the harness and this
// machine, not answer quality.
import { benchModel } from '../harness/index.ts';

benchModel('tiny-30m', {
  prompts: 'fixtures/prompts/fixed.yaml',
  warmup: 2,
  iterations: 20,
  maxTokens: 64,
  budgets: { maxErrorRate: 0 },
});
