/**
 * An OpenAI-compatible server as the harness talks to it: its `/v1` base URL,
 * the models it lists, and error text without credentials. Credentials never
 * leave this module in anything that is printed or stored.
 */
import { httpFetch } from '../measure/http-fetch.ts';
import { plainText } from '../files/sanitize.ts';

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

/** A server's model list; `models` null when it has none (404), `error` set when it could not be read. */
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
    // A server's words reach the console before any record is sanitised: no escape sequence may ride along.
    const body = plainText((await response.text()).slice(0, 200));
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
