// A model and a prompt that look like GitHub workflow commands and hold control characters: under Actions they
// must be stored and replayed exactly, and neutralised only where printed.
import { benchModel } from '../../harness/index.ts';
import { ACTIONS_PROMPT } from './prompt.ts';

benchModel('::m', { warmup: 0, iterations: 3, maxTokens: 4, stabilize: false, prompts: [{ id: 'p', text: ACTIONS_PROMPT }] });
