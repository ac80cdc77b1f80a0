/**
 * The spec API. `benchModel(model, options)` expands to a vitest `describe`
 * per model (per variant) and a `test` per prompt, so vitest's filters,
 * `.only`, sharding and IDE integrations work on benchmark cases as they do
 * on tests. Each test runs its case through the pipeline in case.ts.
 */
import { afterAll, describe, inject, test } from 'vitest';
import { loadLabel } from '../files/case-id.ts';
import { loadPrompts } from '../files/prompts.ts';
import { escapeControlCharacters, hasControlCharacters, runSanitizer } from '../files/sanitize.ts';
import { adaptivePlan } from '../gate/sequential.ts';
import { forRun, gateOptions, type GateOptions } from '../gate/verdict.ts';
import type { BenchOptions, CaseParams, PreflightCase, Prompt, ParamOverrides, RunOptions, VariantSelector } from '../types.ts';
import { benchFailure, ModelSlot, runBenchCase, type CaseSpec } from './case.ts';
import { loadOptions, promptHash, resolveParams, suiteName } from './params.ts';
import { INVALID_SPEC_OPTIONS, specOptionProblems } from './spec-options.ts';
import { stabilizeOptions } from './stabilize.ts';

const NO_OVERRIDES: ParamOverrides = { iterations: null, warmup: null, stream: null };

/** How a model's suites are declared: vitest's `describe`, or its `.only` / `.skip`. */
type Declare = typeof describe | typeof describe.only | typeof describe.skip;

/** Declares a model's cases; `benchModel.only` and `benchModel.skip` are vitest's `.only` and `.skip` for them. */
export const benchModel = Object.assign((model: string, options: BenchOptions): void => declareModel(describe, model, options), {
  only: (model: string, options: BenchOptions): void => declareModel(describe.only, model, options),
  skip: (model: string, options: BenchOptions): void => declareModel(describe.skip, model, options),
});

/**
 * Set by the CLI while it imports the spec files itself, before vitest starts anything: benchModel then only
 * checks its options and prompts, records what is wrong and the cases it would declare, and declares nothing.
 */
export interface SpecPreflight {
  root: string;
  problems: Array<{ model: string; problems: string[] }>;
  /**
   * Each case as vitest will name it (`suite test`, what `-t` matches), its suite (`model` or `model [variant]`) and
   * the model `--models` matches; `skipped` for `benchModel.skip`, `ownTarget` when the spec names its own server.
   */
  cases: PreflightCase[];
}
export const SPEC_PREFLIGHT = Symbol.for('foundry-bench.spec-preflight');

/** `benchModel('name')` as messages show it, control characters escaped (a name may be anything a spec passes). */
export function modelCall(model: unknown): string {
  return `benchModel('${escapeControlCharacters(String(model))}')`;
}

/** What is wrong with one benchModel call's input (option typos, its prompts), and its prompts when none is. */
function checkInput(model: string, options: BenchOptions, root: string): { problems: string[]; prompts: Prompt[] } {
  // Specs run without type-checking: a misspelt option would be ignored silently. Fail the file instead.
  const problems = specOptionProblems(options);
  // A model name becomes part of case ids, file names in reports and log lines: no control characters.
  if (typeof model !== 'string' || model.trim() === '' || hasControlCharacters(model)) {
    problems.push(`the model name ${JSON.stringify(model)} must be a non-empty string without control characters`);
  }
  let prompts: Prompt[] = [];
  try {
    prompts = loadPrompts(options.prompts, root);
  } catch (error) {
    problems.push(...(error as Error).message.split('\n'));
  }
  // Values out of range (a negative tolerance, a zero window): the spec's own, as the config's are schema-checked.
  const checks = [() => gateOptions(options.regression, null, undefined), () => stabilizeOptions(options.stabilize), () => loadOptions(options, 1)];
  for (const validate of checks) {
    try {
      validate();
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  return { problems, prompts };
}

/** Several variants (Foundry Local: `variant: ['cpu', 'gpu']`) run side by side, each as its own suite. */
function variantSelectors(options: BenchOptions): Array<VariantSelector | undefined> {
  return options.variant === undefined ? [undefined] : [options.variant].flat();
}

function declareModel(declare: Declare, model: string, options: BenchOptions): void {
  const preflight = (globalThis as { [SPEC_PREFLIGHT]?: SpecPreflight })[SPEC_PREFLIGHT];
  if (preflight) {
    const { problems, prompts } = checkInput(model, options, preflight.root);
    if (problems.length > 0) preflight.problems.push({ model, problems });
    for (const selector of variantSelectors(options)) {
      const suite = suiteName(model, selector);
      for (const prompt of prompts)
        preflight.cases.push({ model, suite, fullName: `${suite} ${prompt.id}`, skipped: declare === describe.skip, ownTarget: options.target !== undefined });
    }
    return;
  }
  // Provided by foundry-bench; undefined when a spec runs under vitest alone (its cases then fail, saying so).
  const run = inject('runOptions') as RunOptions | undefined;
  const root = run?.root ?? process.cwd();
  const config = run?.config ?? {};
  // Checked again while vitest collects the file (a spec run by vitest alone gets no preflight): bad input, exit 2.
  const { problems, prompts } = checkInput(model, options, root);
  if (problems.length > 0) throw new Error(`${INVALID_SPEC_OPTIONS} ${modelCall(model)}:\n  ${problems.join('\n  ')}`);
  // The run's false-alarm budget shared among the cases it gates (counted by the global setup).
  const gate = forRun(gateOptions(options.regression, run?.failOn ?? null, config.regression), inject('gatedCases') ?? 1);
  const stabilize = stabilizeOptions(options.stabilize);
  const minQuality = options.quality?.minScore ?? config.quality?.minScore;
  const budgets = { ...options.budgets, ...(minQuality !== undefined ? { minQuality } : {}) };
  // --models narrows a run to some aliases; the others are not run at all.
  const suite = run?.models && !run.models.includes(model) ? describe.skip : declare;
  const selectors = variantSelectors(options);
  const specs = prompts.map((prompt): CaseSpec => {
    const params = resolveParams(options, prompt, run?.overrides ?? NO_OVERRIDES, config);
    return { model, prompt, params, budgets, gate, promptHash: promptHash(prompt, params), target: options.target, run: run ?? null };
  });
  for (const selector of selectors) {
    suite(suiteName(model, selector), () => {
      // Prepared once, by the first case that runs (resolve, download, load, cold request, warm-up), released after the last.
      const slot = new ModelSlot(selector, specs[0], stabilize);
      afterAll(() => slot.release(), 300_000);
      for (const spec of specs) {
        const { prompt, params } = spec;
        // Declared up front, so a case that never finishes (a vitest timeout) is still reported with its identity.
        const declared = { model, promptId: prompt.id, promptHash: spec.promptHash, params, budgets };
        const name = params.load ? `${prompt.id} @${loadLabel(params.load)}` : prompt.id;
        test(name, { timeout: testTimeout(params, run, gate), meta: { benchCase: declared } }, async (context) => {
          const outcome = await runBenchCase(spec, slot, context);
          // Sanitised where it is made: the record reaches the console, every report and the baseline.
          const record = run ? runSanitizer(run).record(outcome.record) : outcome.record;
          context.task.meta.bench = record;
          if (outcome.kind === 'skip') context.skip(record.skipReason ?? '');
          if (outcome.kind === 'fail') throw benchFailure(record.failures);
        });
      }
    });
  }
}

/**
 * Generous enough for every request to hit its own timeout, which is what bounds a hung server, plus the
 * model's preparation, which the first case to run waits for (downloads take long; loads of large models
 * on CPU take minutes).
 */
function testTimeout(params: CaseParams, run: RunOptions | undefined, gate: GateOptions): number {
  const setup = run?.foundry.download ? 6 * 3_600_000 : 20 * 60_000;
  // Two arms in an A/B run; adaptive sampling adds its time budget and the batch that may start just before it ends.
  const adaptive = adaptivePlan(gate.adaptive, true, params.iterations);
  const added = adaptive ? adaptive.maxTimeMs + 2 * adaptive.step * params.timeoutMs : 0;
  const load = params.load ? params.load.durationMs + 2 * params.timeoutMs : 0;
  return params.timeMs + 2 * (params.warmup + params.iterations + 1) * params.timeoutMs + added + load + 30_000 + setup;
}
