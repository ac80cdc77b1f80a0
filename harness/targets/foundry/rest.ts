/**
 * Calls to Foundry Local's REST surface: bounded in time, failures turned into
 * FoundryErrors that name the endpoint.
 */
import { plainText } from '../../files/sanitize.ts';
import { httpFetch } from '../../measure/http-fetch.ts';
import { describeFetchError, redactURL } from '../openai.ts';
import { classify, FoundryError } from './errors.ts';

/** Foundry ids contain `:` (name:version), which the service expects unescaped in paths. */
export function idPath(id: string): string {
  return encodeURIComponent(id).replace(/%3A/gi, ':');
}

export async function call(
  origin: string,
  method: 'GET' | 'POST',
  path: string,
  options: { timeoutMs?: number; body?: unknown; signal?: AbortSignal; maxBodyBytes?: number } = {},
): Promise<Response> {
  const signals = [AbortSignal.timeout(options.timeoutMs ?? 30_000), ...(options.signal ? [options.signal] : [])];
  try {
    return await httpFetch(
      `${origin}${path}`,
      {
        method,
        signal: AbortSignal.any(signals),
        ...(options.body !== undefined ? { body: JSON.stringify(options.body), headers: { 'content-type': 'application/json' } } : {}),
      },
      options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes },
    );
  } catch (error) {
    throw new FoundryError('unreachable', `${method} ${redactURL(origin)}${path} failed: ${describeFetchError(error)}`);
  }
}

/** A JSON answer, or a FoundryError that names the endpoint and classifies the failure. */
export async function callJson(origin: string, path: string, options: { timeoutMs?: number } = {}): Promise<unknown> {
  const response = await call(origin, 'GET', path, options);
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    // A body past the transport's cap, or a connection broken mid-body.
    throw new FoundryError('failed', `GET ${path} could not be read: ${describeFetchError(error)}`);
  }
  if (!response.ok) throw new FoundryError(classify(response.status, text), `GET ${path} answered HTTP ${response.status}: ${plainText(text.slice(0, 300))}`);
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
