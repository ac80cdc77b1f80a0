// Misspelt options, as a careless user writes them (tsx does not type-check specs): the run must refuse them.
import { benchModel } from '../../harness/index.ts';
import type { BenchOptions } from '../../harness/types.ts';

benchModel('sim-fast', {
  iteratons: 5,
  budgets: { p95: 1 },
  regression: { metrc: 'p99' },
  quality: { minscore: 3 },
  prompts: [{ id: 'hello', text: 'Say hello.', temprature: 1 }],
} as unknown as BenchOptions);
