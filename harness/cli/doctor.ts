/**
 * `foundry-bench doctor [--target URL] [--models a,b]`: resolves the target as a
 * run would (starting the embedded engine when nothing is configured), finds
 * the models the specs use, and checks each (see doctor-checks.ts).
 */
import { parseSuiteName } from '../run/params.ts';
import { declaredOrDetected } from '../targets/foundry/accelerators.ts';
import { resolveRunTarget } from '../targets/resolve.ts';
import type { RunOptions } from '../types.ts';
import { doctor, renderChecks, type SpecModel } from './doctor-checks.ts';
import type { Environment } from './options.ts';
import type { Io } from './run-bench.ts';
import { checkSpecs } from './spec-preflight.ts';
import { benchVitestOptions } from './vitest-options.ts';

/**
 * The model (and variant) of every `benchModel` in the specs (nothing runs): from the spec preflight, which imports
 * the specs in this process, or, for specs it cannot import, as vitest collects them (a second or two more).
 */
export async function specModels(options: RunOptions): Promise<SpecModel[]> {
  const { cases } = await checkSpecs(options.root, options.specs, options.filters);
  if (cases) return [...new Set(cases.map((c) => c.suite))].sort().map(parseSuiteName);
  const { createVitest } = await import('vitest/node');
  const vitest = await createVitest('test', { ...(await benchVitestOptions(options, [])), globalSetup: [] });
  try {
    const { testModules } = await vitest.collect();
    const models = new Set<string>();
    for (const module of testModules) for (const suite of module.children.suites()) models.add(suite.name);
    return [...models].sort().map(parseSuiteName);
  } finally {
    await vitest.close();
  }
}

/** `--models` names models (`"qwen2.5-0.5b [cpu]"` a variant); without it, the specs' models are checked. */
export async function doctorCommand(options: RunOptions, models: string | undefined, io: Io, env: Environment): Promise<number> {
  const checked = models
    ? models
        .split(',')
        .map((m) => ({ ...parseSuiteName(m.trim()), requested: true }))
        .filter((m) => m.model !== '')
    : await specModels(options);
  const { target, close } = await resolveRunTarget(options, (line) => void io.stderr.write(`foundry-bench: ${line}\n`));
  try {
    const accelerators = () => declaredOrDetected(env.FOUNDRY_BENCH_ACCELERATORS);
    const checks = await doctor(target, checked, { apiKey: options.apiKey, foundry: options.foundry, accelerators });
    io.stdout.write(renderChecks(checks));
    return checks.some((c) => c.status === 'fail') ? 1 : 0;
  } finally {
    await close();
  }
}
