// A quick run on the embedded engine's tiny models, for the end-to-end tests.
import { benchModel } from '../../harness/index.ts';

for (const model of ['tiny-1m', 'tiny-30m']) {
  benchModel(model, { warmup: 1, iterations: 3, maxTokens: 8, prompts: [{ id: 'privacy', text: 'List 3 privacy benefits of local inference.' }] });
}
