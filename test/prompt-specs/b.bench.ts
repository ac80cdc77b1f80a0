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

// Load profiles out of range: both loops at once, a sweep without objectives, an unknown arrival.
benchModel('sim-load', { prompts: [{ id: 'a', text: 'x' }], load: { concurrency: 2, rate: 3 } });
benchModel('sim-sweep', { prompts: [{ id: 'a', text: 'x' }], load: { sweep: 'concurrency' } });
benchModel('sim-arrival', { prompts: [{ id: 'a', text: 'x' }], load: { rate: 1, arrival: 'bursty' as never }, slo: { ttftMs: -1 } });
