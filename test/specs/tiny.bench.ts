// A quick run on the embedded engine's tiny models, for the end-to-end tests.
import { benchModel } from '../../harness/index.ts';

for (const model of ['tiny-1m', 'tiny-30m']) {
  // The warm-up until stable runs, in small windows and bounded, to keep the suite quick.
  benchModel(model, {
    warmup: 1,
    iterations: 3,
    maxTokens: 8,
    stabilize: { window: 3, maxRequests: 12 },
    prompts: [{ id: 'privacy', text: 'List 3 privacy benefits of local inference.' }],
  });
}
