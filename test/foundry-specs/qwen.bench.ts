// Specs the Foundry Local tests run through the CLI against the fake service.
import { benchModel } from '../../harness/index.ts';

// Exact request counts are asserted on these: no warm-up until stable (its own tests cover it).
const quick = { warmup: 1, iterations: 3, maxTokens: 8, timeoutMs: 5_000, stabilize: false };

// CPU and GPU variants of one alias, side by side.
benchModel('qwen2.5-0.5b', { ...quick, prompts: [{ id: 'hello', text: 'Say hello.' }, 'Count to three.'], variant: ['cpu', 'gpu'] });

// Not in the fake's cache: skipped, or downloaded with --download.
benchModel('phi-4-mini', { ...quick, prompts: [{ id: 'hello', text: 'Say hello.' }] });
