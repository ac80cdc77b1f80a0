/**
 * Resolves the parameters a case runs with: spec option, else the config
 * file's `defaults`, else the built-in default; run-wide overrides
 * (`--iterations`, `--warmup`, `--no-stream`) win over all, as they exist to
 * shorten or reshape a whole run without editing specs. Also the names and ids
 * cases are known by.
 */
import { sha256 } from '../measure/request.ts';
import type { BenchOptions, CaseParams, HarnessConfig, ParamOverrides, Prompt, VariantSelector } from '../types.ts';

export const DEFAULT_PARAMS: CaseParams = {
  warmup: 2,
  iterations: 30,
  timeMs: 0,
  maxTokens: 150,
  temperature: 0,
  seed: 42,
  stream: true,
  timeoutMs: 60_000,
};

export function resolveParams(options: BenchOptions, prompt: Prompt, overrides: ParamOverrides, config: HarnessConfig): CaseParams {
  const defaults = { ...DEFAULT_PARAMS, ...config.defaults };
  // With only a time budget, iterations is the minimum tinybench must reach besides the time: one.
  const params: CaseParams = {
    warmup: overrides.warmup ?? options.warmup ?? defaults.warmup,
    iterations: options.iterations ?? (options.timeMs !== undefined ? 1 : defaults.iterations),
    timeMs: options.timeMs ?? defaults.timeMs,
    maxTokens: prompt.maxTokens ?? options.maxTokens ?? defaults.maxTokens,
    temperature: options.temperature ?? defaults.temperature,
    seed: options.seed ?? defaults.seed,
    stream: overrides.stream ?? options.stream ?? defaults.stream,
    timeoutMs: options.timeoutMs ?? defaults.timeoutMs,
  };
  // A run-wide iteration count replaces a time budget too: it exists to shorten runs.
  if (overrides.iterations !== null) {
    params.iterations = overrides.iterations;
    params.timeMs = 0;
  }
  validateParams(params);
  return params;
}

function validateParams(params: CaseParams): void {
  const checks: Array<[keyof CaseParams, boolean]> = [
    ['warmup', Number.isInteger(params.warmup) && params.warmup >= 0],
    ['iterations', Number.isInteger(params.iterations) && params.iterations >= 1],
    ['timeMs', Number.isFinite(params.timeMs) && params.timeMs >= 0],
    ['maxTokens', Number.isInteger(params.maxTokens) && params.maxTokens >= 1],
    ['temperature', Number.isFinite(params.temperature) && params.temperature >= 0 && params.temperature <= 2],
    ['seed', Number.isInteger(params.seed)],
    ['timeoutMs', Number.isFinite(params.timeoutMs) && params.timeoutMs > 0],
  ];
  for (const [field, ok] of checks) {
    if (!ok) throw new Error(`option ${field} has an invalid value: ${JSON.stringify(params[field])}`);
  }
}

/**
 * Hash of everything that changes what the model is asked: the messages and
 * the generation parameters. It is not part of the case id (`model/promptId`):
 * the gate compares it with the reference's to say what changed in the input
 * (`gate/input.ts`), and the case is still compared and gated.
 */
export function promptHash(prompt: Prompt, params: CaseParams): string {
  const { maxTokens, temperature, seed, stream } = params;
  return sha256(JSON.stringify({ messages: prompt.messages, maxTokens, temperature, seed, stream }));
}

/** `qwen2.5-0.5b`, or `qwen2.5-0.5b [cpu]` for a chosen variant; doctor reads the variant back from the name. */
export function suiteName(model: string, selector: VariantSelector | undefined): string {
  return selector === undefined ? model : `${model} [${selector}]`;
}

/** The inverse of `suiteName`. */
export function parseSuiteName(name: string): { model: string; selector: VariantSelector | undefined } {
  const match = /^(.*) \[([^\]]+)\]$/.exec(name);
  return match ? { model: match[1] as string, selector: match[2] as string } : { model: name, selector: undefined };
}
