/**
 * Where requests go: the base URL of an OpenAI-compatible server, how it was
 * chosen, and which models it serves. Credentials never leave this module in
 * anything that is printed or stored.
 */
import { httpFetch } from '../measure/http-fetch.ts';
import type { TargetInfo } from '../types.ts';

/** Environment variables that name a target, first match wins. */
export const TARGET_ENV_VARS = ['BENCH_BASE_URL', 'FOUNDRY_LOCAL_ENDPOINT'] as const;

/**
 * Accepts `http://host:port`, `http://host:port/`, `http://host:port/v1` or
 * `http://host:port/v1/` and returns the `/v1` base the OpenAI client expects.
 * Throws on anything that is not an http(s) URL, naming where it came from.
 */
export function normalizeBaseURL(raw: string, source: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new Error(`${source}: "${redactURL(raw)}" is not a URL (expected e.g. http://127.0.0.1:5273/v1)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${source}: "${redactURL(raw)}" must be an http or https URL`);
  }
  let path = url.pathname.replace(/\/+$/, '');
  if (!path.endsWith('/v1')) path += '/v1';
  url.pathname = path;
  url.search = '';
  url.hash = '';
  return url.toString().replace(/\/+$/, '');
}

/** The URL with any user:password removed, for logs and results. */
export function redactURL(raw: string): string {
  try {
    const url = new URL(raw);
    url.username = '';
    url.password = '';
    url.search = '';
    return url.toString().replace(/\/+$/, '');
  } catch {
    return raw.replace(/\/\/[^/@]*@/, '//');
  }
}

/** The explicitly configured target, from the environment; null when none is set. */
export function targetFromEnv(env: NodeJS.ProcessEnv = process.env): TargetInfo | null {
  for (const name of TARGET_ENV_VARS) {
    const value = env[name];
    if (value && value.trim() !== '') {
      return { baseURL: normalizeBaseURL(value, name), source: `env:${name}`, kind: 'openai-compatible' };
    }
  }
  return null;
}

/** The explicitly configured target: the environment first, then the config file's `target`; null when neither is set. */
export function explicitTarget(configTarget: string | undefined, env: NodeJS.ProcessEnv = process.env): TargetInfo | null {
  return (
    targetFromEnv(env) ??
    (configTarget ? { baseURL: normalizeBaseURL(configTarget, 'config target'), source: 'config', kind: 'openai-compatible' } : null)
  );
}

/** API key for the target; servers on loopback usually ignore it, but the client needs one. */
export function apiKeyFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env.BENCH_API_KEY || env.OPENAI_API_KEY || 'not-needed';
}

export type ModelListing = { models: string[] | null; error: string | null };

/**
 * Reads `GET {base}/models` once. An unreachable server is an error (every case
 * fails with it); a server without a models endpoint (404) is not: then no case
 * is skipped for a missing model, and requests themselves tell.
 */
export async function listModels(baseURL: string, apiKey: string, timeoutMs = 10_000): Promise<ModelListing> {
  const endpoint = `${redactURL(baseURL)}/models`;
  let response: Response;
  try {
    response = await httpFetch(`${baseURL}/models`, {
      headers: { authorization: `Bearer ${apiKey}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    return { models: null, error: `target unreachable: GET ${endpoint} failed: ${describeFetchError(error)}` };
  }
  if (response.status === 404 || response.status === 405) {
    await response.body?.cancel();
    return { models: null, error: null };
  }
  if (!response.ok) {
    const body = (await response.text()).slice(0, 200);
    return { models: null, error: `target error: GET ${endpoint} answered HTTP ${response.status}: ${body}` };
  }
  try {
    const payload = (await response.json()) as { data?: Array<{ id?: unknown }> } | unknown[];
    const entries = Array.isArray(payload) ? payload : payload.data;
    if (!Array.isArray(entries)) throw new Error('no "data" array');
    const models = entries
      .map((entry) => (typeof entry === 'string' ? entry : (entry as { id?: unknown })?.id))
      .filter((id): id is string => typeof id === 'string');
    return { models, error: null };
  } catch (error) {
    return { models: null, error: `target error: GET ${endpoint} did not return a model list: ${(error as Error).message}` };
  }
}

/** Finds a model in a listing: exact id first, then case-insensitive. */
export function findModel(models: readonly string[], wanted: string): string | null {
  if (models.includes(wanted)) return wanted;
  const lower = wanted.toLowerCase();
  return models.find((id) => id.toLowerCase() === lower) ?? null;
}

/** fetch wraps the interesting part (ECONNREFUSED, ENOTFOUND, timeouts) in `cause`. */
export function describeFetchError(error: unknown): string {
  const err = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError') return 'timed out';
  const cause = err?.cause;
  if (cause?.code) return `${cause.code}${cause.message ? ` (${cause.message})` : ''}`;
  return err?.message ?? String(error);
}
