// `benchModel.skip`, as a user parks a model: its cases do not run and nothing is sent for them.
import { benchModel } from '../../harness/index.ts';

const quick = { warmup: 0, iterations: 2, maxTokens: 4, timeoutMs: 5_000, stabilize: false, prompts: [{ id: 'hello', text: 'Say hello.' }] };

benchModel.skip('sim-fast', quick);
benchModel('sim-other', quick);
