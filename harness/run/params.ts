/**
 * Resolves the parameters a case runs with: spec option, else the config
 * file's `defaults`, else the built-in default; run-wide overrides
 * (`--iterations`, `--warmup`, `--no-stream`) win over all, as they exist to
 * shorten or reshape a whole run without editing specs. Also the names and ids
 * cases are known by.
 */
import { sha256 } from '../measure/request.ts';
import type {
  BenchOptions,
  CaseParams,
  HarnessConfig,
  LoadOptions,
  LoadProfile,
  ParamOverrides,
  Prompt,
  SloOptions,
  SweepProfile,
  VariantSelector,
} from '../types.ts';

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
  // --iterations shortens a load case too: it bounds the requests scheduled.
  const shortened = overrides.iterations !== null && options.load ? { ...options, load: { ...options.load, requests: overrides.iterations } } : options;
  const { load, slo } = loadOptions(shortened, params.iterations);
  if (load) params.load = load;
  if (slo) params.slo = slo;
  return params;
}

/** A spec's load profile and objectives, checked together (a sweep needs objectives); throws naming what is wrong. */
export function loadOptions(options: Pick<BenchOptions, 'load' | 'slo'>, iterations: number): Pick<CaseParams, 'load' | 'slo'> {
  const load = options.load ? resolveLoad(options.load, iterations) : undefined;
  const slo = options.slo ? resolveSlo(options.slo) : undefined;
  if (load?.kind === 'sweep' && !slo)
    throw new Error('option load.sweep needs slo: the capacity is the highest level whose objectives are met (slo: { ttftMs, tpotMs, e2eMs })');
  return { ...(load ? { load } : {}), ...(slo ? { slo } : {}) };
}

/** A spec's load options with every bound set (timed requests: the case's iterations unless given); throws naming what is wrong. */
export function resolveLoad(load: LoadOptions, iterations: number): LoadProfile {
  const { concurrency, rate, arrival = 'poisson', maxInFlight = 64, durationMs = 120_000, sweep } = load;
  const requests = load.requests ?? (sweep ? 20 : iterations);
  const fail = (field: string, value: unknown, why: string): never => {
    throw new Error(`option load.${field} has an invalid value: ${JSON.stringify(value)} (${why})`);
  };
  // What every profile bounds, a sweep's probes included.
  if (!Number.isInteger(requests) || requests < 1) fail('requests', requests, 'a whole number, at least 1');
  if (!Number.isFinite(durationMs) || durationMs <= 0) fail('durationMs', durationMs, 'more than 0');
  if (!isArrival(arrival)) fail('arrival', arrival, "'poisson', 'constant' or { gamma: k } with k > 0");
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1 || maxInFlight > 1024) fail('maxInFlight', maxInFlight, 'a whole number from 1 to 1024');
  if (sweep !== undefined) return resolveSweep(load, { arrival, maxInFlight, requests, durationMs }, fail);
  if ((concurrency === undefined) === (rate === undefined))
    fail('concurrency', concurrency, 'give exactly one of load.concurrency (closed loop) and load.rate (open loop)');
  if (concurrency !== undefined) {
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1024) fail('concurrency', concurrency, 'a whole number from 1 to 1024');
    return { kind: 'closed', concurrency, requests, durationMs };
  }
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0) return fail('rate', rate, 'requests per second, more than 0');
  return { kind: 'open', rate, arrival, maxInFlight, requests, durationMs };
}

function isArrival(arrival: unknown): boolean {
  if (arrival === 'poisson' || arrival === 'constant') return true;
  const shape = typeof arrival === 'object' && arrival !== null ? (arrival as { gamma?: unknown }).gamma : null;
  return typeof shape === 'number' && Number.isFinite(shape) && shape > 0;
}

/** A capacity search's options with every bound set, given the bounds every profile shares (checked). */
function resolveSweep(
  load: LoadOptions,
  shared: Pick<SweepProfile, 'arrival' | 'maxInFlight' | 'requests' | 'durationMs'>,
  fail: (field: string, value: unknown, why: string) => never,
): LoadProfile {
  const { sweep, maxRequests = 100, maxProbes = 8, limit = 256 } = load;
  if (sweep !== 'concurrency' && sweep !== 'rate') return fail('sweep', sweep, "'concurrency' or 'rate'");
  if (load.concurrency !== undefined || load.rate !== undefined) fail('sweep', sweep, 'a sweep chooses the levels: leave out load.concurrency and load.rate');
  if (!Number.isInteger(maxRequests) || maxRequests < shared.requests)
    fail('maxRequests', maxRequests, `a whole number, at least load.requests (${shared.requests})`);
  if (!Number.isInteger(maxProbes) || maxProbes < 1 || maxProbes > 32) fail('maxProbes', maxProbes, 'a whole number from 1 to 32');
  if (!Number.isFinite(limit) || limit < 1) fail('limit', limit, 'at least 1');
  return { kind: 'sweep', over: sweep, ...shared, maxRequests, maxProbes, limit };
}

/** A spec's objectives, checked: at least one, each a positive number of ms, the attainment a share. */
function resolveSlo(slo: SloOptions): NonNullable<CaseParams['slo']> {
  const { attainment = 0.95, ...objectives } = slo;
  if (!(attainment > 0 && attainment < 1))
    throw new Error(`option slo.attainment has an invalid value: ${JSON.stringify(attainment)} (a share between 0 and 1)`);
  for (const [name, limit] of Object.entries(objectives)) {
    if (typeof limit !== 'number' || !Number.isFinite(limit) || limit <= 0)
      throw new Error(`option slo.${name} has an invalid value: ${JSON.stringify(limit)} (ms, more than 0)`);
  }
  if (Object.keys(objectives).length === 0) throw new Error('option slo has no objective: give ttftMs, tpotMs or e2eMs');
  return { attainment, ...objectives };
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
