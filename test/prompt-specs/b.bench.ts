import { benchModel } from '../../harness/index.ts';
benchModel('sim-fast', { prompts: 'fixtures/prompts/nope.yaml', iterations: 2 });
benchModel('sim-slow', { prompts: [], iterations: 2 });
benchModel('sim-x', {
  prompts: [
    { id: 'a', text: 'x' },
    { id: 'a', text: 'y' },
    { id: 'bad\nid', text: 'z' },
  ],
  iterations: 2,
});
benchModel('evil\n::error::x', { prompts: [{ id: 'a', text: 'x' }] });
benchModel('sim-values', { prompts: [{ id: 'a', text: 'x' }], regression: { tolerance: -1 }, stabilize: { window: 0 } });
