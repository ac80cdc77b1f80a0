/**
 * Resolves the parameters a case runs with: spec option, else the config
 * file's `defaults`, else the built-in default; then run-wide overrides from
 * the CLI or environment (`BENCH_ITERATIONS`, `BENCH_WARMUP`, `BENCH_STREAM`),
 * which exist to shorten or reshape a whole run without editing specs. Also
 * the names and ids cases are known by.
 */
import { sharedConfig, type HarnessConfig } from '../files/config.ts';
import { sha256 } from '../measure/request.ts';
import type { BenchOptions, CaseParams, Prompt, VariantSelector } from '../types.ts';

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

export function resolveParams(
  options: BenchOptions,
  prompt: Prompt,
  env: NodeJS.ProcessEnv = process.env,
  config: HarnessConfig = sharedConfig(env),
): CaseParams {
  const defaults = { ...DEFAULT_PARAMS, ...config.defaults };
  const timeMs = options.timeMs ?? defaults.timeMs;
  // With only a time budget, iterations is the minimum tinybench must reach besides the time: one.
  const iterations = options.iterations ?? (options.timeMs !== undefined ? 1 : defaults.iterations);
  const params: CaseParams = {
    warmup: options.warmup ?? defaults.warmup,
    iterations,
    timeMs,
    maxTokens: prompt.maxTokens ?? options.maxTokens ?? defaults.maxTokens,
    temperature: options.temperature ?? defaults.temperature,
    seed: options.seed ?? defaults.seed,
    stream: options.stream ?? defaults.stream,
    timeoutMs: options.timeoutMs ?? defaults.timeoutMs,
  };
  const iterationsOverride = envInteger(env, 'BENCH_ITERATIONS', 1);
  if (iterationsOverride !== undefined) {
    params.iterations = iterationsOverride;
    params.timeMs = 0;
  }
  params.warmup = envInteger(env, 'BENCH_WARMUP', 0) ?? params.warmup;
  const stream = env.BENCH_STREAM;
  if (stream !== undefined && stream !== '') {
    if (!['0', '1', 'true', 'false'].includes(stream)) throw new Error(`BENCH_STREAM must be 0 or 1, got "${stream}"`);
    params.stream = stream === '1' || stream === 'true';
  }
  validateParams(params);
  return params;
}

function envInteger(env: NodeJS.ProcessEnv, name: string, min: number): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}, got "${raw}"`);
  return value;
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
 * the generation parameters. It is part of the case id, so a changed prompt
 * is a new case and never compared against an old baseline.
 */
export function promptHash(prompt: Prompt, params: CaseParams): string {
  const { maxTokens, temperature, seed, stream } = params;
  return sha256(JSON.stringify({ messages: prompt.messages, maxTokens, temperature, seed, stream }));
}

export function caseId(model: string, promptId: string, hash: string): string {
  return `${model}/${promptId}@${hash.slice(0, 12)}`;
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
