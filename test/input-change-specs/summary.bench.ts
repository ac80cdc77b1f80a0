// A spec whose prompt text comes from the file FB_TEST_PROMPT_FILE names, so a test can lengthen a case's prompt
// between runs the way a pull request would, without editing this file.
import { existsSync, readFileSync } from 'node:fs';
import { benchModel } from '../../harness/index.ts';

const file = process.env.FB_TEST_PROMPT_FILE;
const text = file && existsSync(file) ? readFileSync(file, 'utf8') : 'Summarise: the build is green.';
benchModel('sim-prefill', { warmup: 1, iterations: 20, maxTokens: 16, timeoutMs: 5_000, stabilize: false, prompts: [{ id: 'summary', text }] });
