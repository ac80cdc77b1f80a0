import { benchModel } from '../../harness/index.ts';
benchModel('sim-fast', { prompts: 'fixtures/prompts/nope.yaml', iterations: 2 });
