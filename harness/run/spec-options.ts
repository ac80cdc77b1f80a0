/**
 * The options a spec passes to `benchModel`, checked when vitest collects the spec: tsx runs specs without
 * type-checking them, so a typo (`iteratons: 5`, `budgets: { p95: 1 }`) would otherwise be ignored silently and
 * change what the run measures or gates. Every unknown key is named, with the closest known one.
 */
import type { BenchOptions, Budgets, LoadOptions, PromptInput, RegressionOptions, SloOptions, StabilizeOptions } from '../types.ts';

type Keys<T> = ReadonlyArray<keyof T & string>;

/** How the error a spec file fails with begins; the CLI exits 2 for it (bad input, not a failed case). */
export const INVALID_SPEC_OPTIONS = 'invalid options in';

const OPTION_KEYS: Keys<BenchOptions> = [
  'prompts',
  'warmup',
  'iterations',
  'timeMs',
  'maxTokens',
  'temperature',
  'seed',
  'stream',
  'budgets',
  'timeoutMs',
  'target',
  'regression',
  'quality',
  'stabilize',
  'variant',
  'load',
  'slo',
];
const LOAD_KEYS: Keys<LoadOptions> = ['concurrency', 'rate', 'arrival', 'maxInFlight', 'requests', 'durationMs', 'sweep', 'maxProbes', 'maxRequests', 'limit'];
const SLO_KEYS: Keys<SloOptions> = ['ttftMs', 'tpotMs', 'e2eMs', 'attainment'];
const BUDGET_KEYS: Keys<Budgets> = ['minQuality', 'p95Ms', 'p99Ms', 'ttftP95Ms', 'minTokensPerSec', 'maxErrorRate'];
const REGRESSION_KEYS: Keys<RegressionOptions> = [
  'metric',
  'tolerance',
  'noiseFloorMs',
  'failOn',
  'estimator',
  'minSamples',
  'onInputChange',
  'drift',
  'adaptive',
];
const ADAPTIVE_KEYS = ['maxIterations', 'maxTimeMs'] as const;
const QUALITY_KEYS = ['minScore'] as const;
const STABILIZE_KEYS: Keys<StabilizeOptions> = ['window', 'tolerance', 'maxRequests', 'maxMs'];
const PROMPT_KEYS: Keys<PromptInput> = ['id', 'text', 'messages', 'system', 'maxTokens', 'expected'];

/** Problems with a spec's options, one line each, naming the key's path; empty when every key is known. */
export function specOptionProblems(options: unknown): string[] {
  const problems: string[] = [];
  const check = (value: unknown, known: readonly string[], path: string) => {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return;
    for (const key of Object.keys(value)) {
      if (known.includes(key)) continue;
      const near = closest(key, known);
      problems.push(`unknown option ${path}${key}${near ? ` (did you mean ${path}${near}?)` : ''}`);
    }
  };
  const o = (options ?? {}) as Record<string, unknown>;
  check(o, OPTION_KEYS, '');
  check(o.budgets, BUDGET_KEYS, 'budgets.');
  check(o.regression, REGRESSION_KEYS, 'regression.');
  check((o.regression as Record<string, unknown> | undefined)?.adaptive, ADAPTIVE_KEYS, 'regression.adaptive.');
  check(o.quality, QUALITY_KEYS, 'quality.');
  check(o.stabilize, STABILIZE_KEYS, 'stabilize.');
  check(o.load, LOAD_KEYS, 'load.');
  check(o.slo, SLO_KEYS, 'slo.');
  if (Array.isArray(o.prompts)) {
    for (const [i, prompt] of o.prompts.entries()) check(prompt, PROMPT_KEYS, `prompts[${i}].`);
  }
  return problems;
}

/** The known key nearest to a typo (edit distance at most a third of its length, at least 2); null when none is. */
function closest(key: string, known: readonly string[]): string | null {
  let best: { name: string; distance: number } | null = null;
  for (const name of known) {
    const distance = editDistance(key.toLowerCase(), name.toLowerCase());
    if (!best || distance < best.distance) best = { name, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(key.length / 3)) ? best.name : null;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] as number;
}
