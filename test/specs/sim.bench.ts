// Specs the harness's own tests run through the CLI against the simulated server.
import { benchModel } from '../../harness/index.ts';

// Exact request counts and fault schedules are asserted on these: no warm-up until stable (its own tests cover it).
const quick = { warmup: 1, iterations: 4, maxTokens: 16, timeoutMs: 5_000, stabilize: false };

benchModel('sim-fast', { ...quick, prompts: [{ id: 'hello', text: 'Say hello.' }, 'Count to three.'], budgets: { p95Ms: 5_000 } });

benchModel('sim-flaky', { ...quick, prompts: [{ id: 'hello', text: 'Say hello.' }] });

benchModel('sim-flaky', {
  ...quick,
  prompts: [{ id: 'tolerated', system: 'Be brief.', text: 'Say hello.' }],
  budgets: { maxErrorRate: 0.5 },
});

benchModel('not-served', { ...quick, prompts: 'fixtures/prompts/fixed.yaml' });
