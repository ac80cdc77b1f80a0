// A spec whose maxTokens comes from the config file (`defaults.maxTokens`), so a test can change a case's input
// between runs the way a pull request would, without editing this file.
import { benchModel } from '../../harness/index.ts';

benchModel('sim-fast', { warmup: 1, iterations: 20, timeoutMs: 5_000, stabilize: false, prompts: [{ id: 'hello', text: 'Say hello.' }] });
