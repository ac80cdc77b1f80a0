// A spec for the HTML report tests: two models on the simulated server, one of which answers with markup and a
// script, which the report must show as text. Run as A/B against the same server (fixed sample size).
import { benchModel } from '../../harness/index.ts';
import type { BenchOptions } from '../../harness/types.ts';

const options: BenchOptions = {
  warmup: 2,
  iterations: 20,
  maxTokens: 16,
  stabilize: false,
  regression: { adaptive: false },
  prompts: [{ id: 'hello', text: 'Say hello.' }],
};

benchModel('sim-html', options);
benchModel('sim-plain', options);
