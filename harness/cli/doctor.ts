/**
 * `foundry-bench doctor [--target URL] [--models a,b]`: resolves the target as a
 * run would (starting the embedded engine when nothing is configured), finds
 * the models the specs use, and checks each (see doctor.ts).
 */
import { resolveBenchTarget } from '../targets/resolve.ts';
import { shareConfig, type HarnessConfig } from '../files/config.ts';
import { doctor, renderChecks, type SpecModel } from './doctor-checks.ts';
import { parseSuiteName } from '../run/params.ts';

/** The model (and variant) of every `benchModel` in the specs, as vitest collects them (nothing runs). */
export async function specModels(specs: string, root = process.cwd()): Promise<SpecModel[]> {
  const [{ createVitest }, { benchVitestOptions }] = await Promise.all([import('vitest/node'), import('./vitest-options.ts')]);
  const vitest = await createVitest('test', { ...benchVitestOptions({ root, specs }), globalSetup: [], reporters: [] });
  try {
    const { testModules } = await vitest.collect();
    const models = new Set<string>();
    for (const module of testModules) for (const suite of module.children.suites()) models.add(suite.name);
    return [...models].sort().map(parseSuiteName);
  } finally {
    await vitest.close();
  }
}

export async function doctorCommand(options: { target?: string | undefined; models?: string | undefined; specs: string }, config: HarnessConfig): Promise<number> {
  if (options.target) process.env.BENCH_BASE_URL = options.target;
  shareConfig(config);
  const models = options.models ? options.models.split(',').map((m) => parseSuiteName(m.trim())).filter((m) => m.model !== '') : await specModels(options.specs);
  const { target, close } = await resolveBenchTarget((line) => process.stderr.write(`foundry-bench: ${line}\n`));
  try {
    const checks = await doctor(target, models);
    process.stdout.write(renderChecks(checks));
    return checks.some((c) => c.status === 'fail') ? 1 : 0;
  } finally {
    await close();
  }
}
