/**
 * A `fetch` for the OpenAI client built on node:http with a keep-alive agent.
 * Node's built-in fetch (undici) spends about a millisecond of bookkeeping
 * per request on a small machine; that time would sit inside every latency
 * sample, so the harness uses this thinner path for its requests.
 */
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';

const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 16 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 16 }),
};

/** Moments a timing caller wants to know, on top of what fetch tells. */
export interface TransportHooks {
  /** The request has been written to the socket. */
  onSent?: () => void;
  /** The last byte of the response body has arrived. */
  onBodyEnd?: () => void;
}

export async function httpFetch(input: string | URL | Request, init: RequestInit = {}, hooks: TransportHooks = {}): Promise<Response> {
  const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
  const transport = url.protocol === 'https:' ? https : http;
  const agent = url.protocol === 'https:' ? agents['https:'] : agents['http:'];
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((value, key) => {
    headers[key] = value;
  });
  const body = typeof init.body === 'string' ? init.body : init.body == null ? undefined : await new Response(init.body).text();
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  const signal = init.signal ?? undefined;
  signal?.throwIfAborted();

  return new Promise<Response>((resolve, reject) => {
    const request = transport.request(url, { method: init.method ?? 'GET', headers, agent }, (incoming) => {
      if (hooks.onBodyEnd) incoming.once('end', hooks.onBodyEnd);
      const responseHeaders = new Headers();
      for (const [key, value] of Object.entries(incoming.headers)) {
        if (Array.isArray(value)) for (const v of value) responseHeaders.append(key, v);
        else if (value !== undefined) responseHeaders.set(key, value);
      }
      const status = incoming.statusCode ?? 0;
      const nullBody = status === 204 || status === 304 || init.method === 'HEAD';
      resolve(
        new Response(nullBody ? null : (Readable.toWeb(incoming) as ReadableStream<Uint8Array>), {
          status,
          statusText: incoming.statusMessage ?? '',
          headers: responseHeaders,
        }),
      );
    });
    request.on('error', (error) => reject(signal?.aborted ? abortError(signal) : new TypeError('fetch failed', { cause: error })));
    if (signal) {
      const onAbort = () => request.destroy(abortError(signal));
      signal.addEventListener('abort', onAbort, { once: true });
      request.on('close', () => signal.removeEventListener('abort', onAbort));
    }
    request.end(body);
    hooks.onSent?.();
  });
}

function abortError(signal: AbortSignal): Error {
  const reason = signal.reason as unknown;
  return reason instanceof Error ? reason : new DOMException('This operation was aborted', 'AbortError');
}
