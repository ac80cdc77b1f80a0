/**
 * Which cases a run will measure, known before vitest collects them: from the CLI's preflight of the spec files
 * and the resolved target. Shards are balanced by them (cli/shard.ts) and the gate shares the run's false-alarm
 * budget among them (gate/verdict.ts forRun).
 */
import { findModel } from '../targets/openai.ts';
import type { PreflightCase, RunOptions, RunTarget } from '../types.ts';

/** Whether --models and -t let a case run (vitest matches -t against `suite test`). */
export function selects(options: Pick<RunOptions, 'models'>, pattern: RegExp | null, c: Pick<PreflightCase, 'model' | 'fullName'>): boolean {
  if (options.models && !options.models.includes(c.model)) return false;
  return !pattern || pattern.test(c.fullName);
}

/** Whether a case will be measured: selected, not `benchModel.skip`, and served (a target that lists its models and lacks this one skips it). */
export function willRun(c: PreflightCase, options: Pick<RunOptions, 'models'>, pattern: RegExp | null, target: RunTarget | null): boolean {
  if (c.skipped || !selects(options, pattern, c)) return false;
  if (c.ownTarget || target?.kind !== 'ready' || target.foundry || !target.models) return true;
  return findModel(target.models, c.model) !== null;
}

/** How many of one spec file's cases will be measured; a file the preflight could not import (null) counts one. */
export function casesToRunIn(
  cases: readonly PreflightCase[] | null,
  options: Pick<RunOptions, 'models' | 'testNamePattern'>,
  target: RunTarget | null,
): number {
  const pattern = options.testNamePattern ? new RegExp(options.testNamePattern) : null;
  return cases?.filter((c) => willRun(c, options, pattern, target)).length ?? 1;
}

/** The cases the run will measure, every spec file (every shard) together. */
export function casesToRun(
  specCases: Record<string, PreflightCase[] | null>,
  options: Pick<RunOptions, 'models' | 'testNamePattern'>,
  target: RunTarget | null,
): number {
  return Object.values(specCases).reduce((sum, cases) => sum + casesToRunIn(cases, options, target), 0);
}
