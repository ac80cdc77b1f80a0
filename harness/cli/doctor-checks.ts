/**
 * `foundry-bench doctor`: checks a target before anyone trusts its numbers.
 * The endpoint answers (with its version) and lists its models; every model
 * the specs use is available (on Foundry Local: its alias resolves, it is
 * cached and it loads, as a run would do it), answers a one-line chat,
 * streams with usage, and answers the same way twice at temperature 0. Each
 * line passes, warns or fails, with a hint; any failure makes the exit code
 * non-zero. Models doctor loaded are unloaded again.
 */
import type OpenAI from 'openai';
import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { asChatCompletion, createClient } from '../measure/request.ts';
import { suiteName } from '../run/params.ts';
import { type Accelerators, detectAccelerators } from '../targets/foundry/accelerators.ts';
import { prepareModel, type PreparedModel } from '../targets/prepare.ts';
import type { FoundryLifecycleOptions, FoundryTarget, RunTarget, TargetInfo, VariantSelector, FoundryOptions } from '../types.ts';

/** `skip`: a model the target does not serve, which a run skips (not a failure, as in the run). */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface DoctorCheck {
  status: CheckStatus;
  name: string;
  detail: string;
  hint: string | null;
}

const PROMPT = [{ role: 'user' as const, content: 'Reply with one word: ready.' }];

/** A hint for what a failed request usually means on a local model server. */
export function hintFor(error: unknown): string {
  const message = String((error as Error)?.message ?? error).toLowerCase();
  if (error instanceof APIConnectionTimeoutError || /timed? ?out|timeout|aborted/.test(message)) {
    return 'slow cold start: load the model before benchmarking and keep it loaded (a longer TTL), or raise timeoutMs';
  }
  if (/out of memory|oom|insufficient memory|not enough memory|alloc/.test(message)) {
    return 'out of memory: use a smaller variant or a stronger quantisation, or unload other models';
  }
  if (/not (cached|downloaded)|download/.test(message))
    return 'the model is not (fully) downloaded: download it (foundry model download <alias>, or rerun with --download)';
  if (/not loaded/.test(message)) return 'the model is not loaded: load it first (foundry model load <alias>)';
  if (error instanceof APIError && error.status === 404)
    return 'the server does not know this model id: check the name, or list models with foundry-bench models';
  if (error instanceof APIConnectionError) return 'the server stopped answering: check that it is still running';
  return 'see the server log';
}

async function chat(openai: OpenAI, model: string, timeoutMs: number): Promise<string> {
  const answer = await openai.chat.completions.create({ model, messages: PROMPT, max_tokens: 8, temperature: 0, seed: 42 }, { timeout: timeoutMs });
  return asChatCompletion(answer).choices[0]?.message?.content ?? '';
}

/** A model as a spec names it: an alias or id, and a Foundry Local variant choice. */
export interface SpecModel {
  model: string;
  selector?: VariantSelector | undefined;
  /**
   * Named by the user (`doctor --models`), not found in the specs: a model the target cannot run is then a failure,
   * since the question was whether it can. Models found in specs that a run skips by design (the Foundry Local
   * candidates on the embedded engine) stay skipped, so a fresh clone's doctor passes where its run passes.
   */
  requested?: boolean;
}

export interface DoctorOptions {
  apiKey: string;
  /** How Foundry Local models are made ready: downloads only when allowed, as in a run. */
  foundry: FoundryLifecycleOptions & Pick<FoundryOptions, 'download'>;
  /**
   * Per check request.
   * @default 120000
   */
  timeoutMs?: number;
  /** This machine's GPUs and NPUs (a test's stand-in); detected when absent. */
  accelerators?: () => Promise<Accelerators | null>;
}

export async function doctor(
  target: RunTarget,
  models: readonly SpecModel[],
  { apiKey, foundry, timeoutMs = 120_000, accelerators = detectAccelerators }: DoctorOptions,
): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const add = (status: CheckStatus, name: string, detail: string, hint: string | null = null) => checks.push({ status, name, detail, hint });
  if (target.kind === 'unusable') {
    add('fail', 'endpoint', target.error, 'start the model server, or point the harness at it with --target / BENCH_BASE_URL / FOUNDRY_LOCAL_ENDPOINT');
    return checks;
  }
  const where = `${target.info.baseURL} (${target.info.kind}${target.info.server ? `, ${target.info.server}` : ''}, from ${target.info.source})`;
  if (target.foundry) {
    const f = target.foundry;
    add('pass', 'endpoint', `${where}, found by ${f.discoveredBy}; catalog of ${f.catalog.length} variants from ${f.catalogSource}`);
    if (f.version === null) add('warn', 'version', 'unknown (no foundry CLI to ask)', 'results record the server generation but not its version');
    const eps = f.executionProviders;
    if (eps) {
      const registered = `registered: ${eps.registered.join(', ') || 'none'}`;
      if (eps.failed.length === 0) add('pass', 'execution providers', registered);
      else
        add(
          'warn',
          'execution providers',
          `failed: ${eps.failed.join(', ')}${eps.status ? ` (${eps.status})` : ''}; ${registered}`,
          "the GPU and NPU builds of a failed provider are missing from the catalog: check the device's drivers, then run again",
        );
    }
    for (const check of deviceBuilds(f, await accelerators())) add(check.status, check.name, check.detail, check.hint);
  } else if (target.models) add('pass', 'endpoint', `${where} lists ${target.models.length} model(s)`);
  else add('warn', 'endpoint', `${where} answers, but has no /models list`, 'models cannot be checked before use; requests will tell');

  const { openai } = createClient(target.info.baseURL, apiKey);
  for (const { model: alias, selector, requested = false } of models) {
    const model = suiteName(alias, selector);
    // Plain servers list a model; Foundry Local must also resolve, cache and load it.
    const ready = `${model}: ${target.foundry ? 'ready' : 'listed'}`;
    const prepared = await prepareModel(target, alias, selector, { foundry, cold: null });
    if (prepared.kind !== 'ready') {
      const [detail = '', hint = null] = (prepared.kind === 'fail' ? prepared.message : prepared.reason).split('\nhint: ');
      // What a run would skip is reported as skipped here too, unless the user asked about this very model.
      const status = prepared.kind === 'fail' || requested ? 'fail' : 'skip';
      add(
        status,
        ready,
        status === 'skip' ? `skipped by a run: ${detail}` : detail,
        hint ?? (target.foundry ? null : notServedHint(target.info.kind, requested)),
      );
      continue;
    }
    try {
      add('pass', ready, availability(prepared, alias));
      await chatChecks(openai, model, prepared.servedId, timeoutMs, add);
    } finally {
      await prepared.release();
    }
  }
  return checks;
}

/**
 * For each kind of accelerator this machine has, whether the catalog has builds for it. Foundry Local lists a
 * device's builds only once its execution provider registered, so hardware without builds means a provider or driver
 * is missing (#1109, #995); the providers' state is said where the service reported it (the SDK does, the CLI not).
 */
export function deviceBuilds(foundry: Pick<FoundryTarget, 'catalog' | 'executionProviders'>, found: Accelerators | null): DoctorCheck[] {
  if (!found) return [];
  const eps = foundry.executionProviders;
  const providers = eps
    ? `execution providers registered: ${eps.registered.join(', ') || 'none'}${eps.failed.length > 0 ? `; failed: ${eps.failed.join(', ')}` : ''}`
    : 'which execution providers registered is unknown (only the SDK reports it)';
  const checks: DoctorCheck[] = [];
  for (const [device, names] of [
    ['GPU', found.gpu],
    ['NPU', found.npu],
  ] as const) {
    if (names.length === 0) continue;
    const builds = foundry.catalog.filter((variant) => variant.deviceType === device).length;
    const hardware = `${names.join(', ')} (from ${found.source})`;
    if (builds > 0) checks.push({ status: 'pass', name: `${device} builds`, detail: `${hardware}: the catalog lists ${builds}`, hint: null });
    else
      checks.push({
        status: 'warn',
        name: `${device} builds`,
        detail: `this machine has ${hardware}, but the catalog lists no ${device} build; ${providers}`,
        hint: `the ${device}'s execution provider did not register: update its driver and Foundry Local, then run again (the SDK's downloadAndRegisterEps says which provider failed)`,
      });
  }
  return checks;
}

/** What to do about a model a plain server or the embedded engine does not serve. */
function notServedHint(kind: TargetInfo['kind'], requested: boolean): string {
  if (kind === 'embedded')
    return 'the embedded engine serves only its tiny models: point the harness at a server that has this one (--target, FOUNDRY_LOCAL_ENDPOINT)';
  return `download or load it on the server, or fix the name${requested ? '' : ' in the spec'} (foundry-bench models lists what the target serves)`;
}

function availability(prepared: PreparedModel & { kind: 'ready' }, alias: string): string {
  const { variant, modelInfo, servedId } = prepared;
  if (!variant) return servedId === alias ? 'yes' : `as ${servedId}`;
  const life = modelInfo?.lifecycle;
  const via = life?.loadedVia ? ` (${life.loadedVia})` : '';
  const loaded = life?.alreadyLoaded ? 'already loaded' : `loaded in ${(modelInfo?.loadMs ?? 0).toFixed(0)} ms${via}`;
  const downloaded = life?.downloadMs != null ? `, downloaded in ${(life.downloadMs / 1000).toFixed(1)} s` : '';
  return `${variant.id} (${variant.executionProvider ?? variant.deviceType ?? 'unknown provider'}; ${variant.reason}), cached${downloaded}, ${loaded}`;
}

type Add = (status: CheckStatus, name: string, detail: string, hint?: string | null) => void;

async function chatChecks(openai: OpenAI, model: string, id: string, timeoutMs: number, add: Add): Promise<void> {
  let first: string;
  const started = performance.now();
  try {
    first = await chat(openai, id, timeoutMs);
    add('pass', `${model}: answers`, `${(performance.now() - started).toFixed(0)} ms: ${JSON.stringify(first.slice(0, 60))}`);
  } catch (error) {
    add('fail', `${model}: answers`, String((error as Error).message).split('\n')[0] ?? 'failed', hintFor(error));
    return;
  }
  try {
    const stream = await openai.chat.completions.create(
      { model: id, messages: PROMPT, max_tokens: 8, temperature: 0, seed: 42, stream: true, stream_options: { include_usage: true } },
      { timeout: timeoutMs },
    );
    let usage: number | null = null;
    for await (const chunk of stream) if (chunk.usage) usage = chunk.usage.completion_tokens;
    if (usage === null)
      add('warn', `${model}: streaming usage`, 'the stream carries no usage', 'output tokens will be counted from chunks and marked estimated');
    else add('pass', `${model}: streaming usage`, `${usage} completion tokens reported`);
  } catch (error) {
    add('fail', `${model}: streaming`, String((error as Error).message).split('\n')[0] ?? 'failed', hintFor(error));
  }
  try {
    const second = await chat(openai, id, timeoutMs);
    if (second === first) add('pass', `${model}: deterministic`, 'the same answer twice at temperature 0');
    else
      add(
        'fail',
        `${model}: deterministic`,
        `different answers at temperature 0: ${JSON.stringify(first.slice(0, 30))} vs ${JSON.stringify(second.slice(0, 30))}`,
        'the server may ignore temperature or seed: output snapshots and quality scores will not be stable',
      );
  } catch (error) {
    add('fail', `${model}: deterministic`, String((error as Error).message).split('\n')[0] ?? 'failed', hintFor(error));
  }
}

const SYMBOL: Record<CheckStatus, string> = { pass: '✓', warn: '!', fail: '×', skip: '-' };

export function renderChecks(checks: readonly DoctorCheck[]): string {
  const width = Math.max(...checks.map((c) => c.name.length));
  const lines = checks.flatMap((c) => [
    `${SYMBOL[c.status]} ${c.name.padEnd(width)}  ${c.detail}`,
    ...(c.hint ? [`  ${' '.repeat(width)}  hint: ${c.hint}`] : []),
  ]);
  const count = (status: CheckStatus) => checks.filter((c) => c.status === status).length;
  const skipped = count('skip') > 0 ? `, ${count('skip')} skipped` : '';
  lines.push('', `${count('pass')} passed, ${count('warn')} warning(s), ${count('fail')} failed${skipped}`);
  return `${lines.join('\n')}\n`;
}
