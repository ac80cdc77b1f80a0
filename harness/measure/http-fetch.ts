/**
 * A `fetch` for the OpenAI client built on node:http with a keep-alive agent.
 * Node's built-in fetch (undici) spends about a millisecond of bookkeeping
 * per request on a small machine; that time would sit inside every latency
 * sample, so the harness uses this thinner path for its requests.
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';

/**
 * One socket per request in flight, up to a load profile's highest concurrency: a request waiting for a socket
 * inside the agent would wait before its clock starts, a queue no report shows.
 */
const MAX_SOCKETS = 1024;
const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS }),
};

/** Moments a timing caller wants to know, on top of what fetch tells. */
export interface TransportHooks {
  /** The request has been written to the socket. */
  onSent?: () => void;
  /** The last byte of the response body has arrived. */
  onBodyEnd?: () => void;
  /** A successful response's body may be at most this long; past it, reading fails with ResponseTooLargeError. */
  maxBodyBytes?: number;
}

/** Bodies of successful responses stop here unless the caller says otherwise (a catalog is well under 1 MiB). */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;
/** An error body is only ever quoted: it is cut here, and the rest of it is not read. */
export const ERROR_BODY_BYTES = 64 * 1024;

/** A response body longer than the caller allowed; the connection is closed where the cap was reached. */
export class ResponseTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`the response body exceeded ${formatBytes(maxBytes)}`);
    this.name = 'ResponseTooLargeError';
  }
}

/**
 * A body's text, read up to `maxBytes`: past it the rest is not read, and the text is cut there (`truncate`, for
 * bodies only quoted) or reading fails with ResponseTooLargeError. For responses from any fetch, not only httpFetch.
 */
export async function readBodyText(response: Response, maxBytes: number, overflow: 'truncate' | 'throw'): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const read = await reader.read();
    if (read.done) break;
    chunks.push(read.value);
    received += read.value.length;
    if (received > maxBytes) {
      await reader.cancel().catch(() => {});
      if (overflow === 'throw') throw new ResponseTooLargeError(maxBytes);
      break;
    }
  }
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, maxBytes));
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${+(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
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
    const request = transport.request(url, { method: init.method ?? 'GET', headers, agent }, async (incoming) => {
      if (hooks.onBodyEnd) incoming.once('end', hooks.onBodyEnd);
      const responseHeaders = new Headers();
      for (const [key, value] of Object.entries(incoming.headers)) {
        if (Array.isArray(value)) for (const v of value) responseHeaders.append(key, v);
        else if (value !== undefined) responseHeaders.set(key, value);
      }
      const status = incoming.statusCode ?? 0;
      const nullBody = status === 204 || status === 304 || init.method === 'HEAD';
      const head = { status, statusText: incoming.statusMessage ?? '', headers: responseHeaders };
      if (nullBody) return resolve(new Response(null, head));
      if (status >= 400) return resolve(new Response(await errorBody(incoming), head));
      resolve(new Response(limitedBody(incoming, hooks.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES), head));
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

/**
 * A successful body as a web stream that fails once more than `maxBytes` have arrived. Written out rather than
 * Readable.toWeb, which on Node 20 throws from a data event still queued when a reader cancels.
 */
function limitedBody(incoming: IncomingMessage, maxBytes: number): ReadableStream<Uint8Array> {
  let received = 0;
  let settled = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        controller.error(error);
        incoming.destroy();
      };
      incoming.on('data', (chunk: Buffer) => {
        if (settled) return;
        received += chunk.length;
        if (received > maxBytes) return fail(new ResponseTooLargeError(maxBytes));
        controller.enqueue(chunk);
        if ((controller.desiredSize ?? 0) <= 0) incoming.pause();
      });
      incoming.once('end', () => {
        if (settled) return;
        settled = true;
        controller.close();
      });
      incoming.once('error', fail);
      // A socket that closes before the body ended is a reset, whatever Node version says so.
      incoming.once('close', () => fail(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })));
    },
    pull() {
      incoming.resume();
    },
    cancel() {
      settled = true;
      incoming.destroy();
    },
  });
}

/** The first ERROR_BODY_BYTES of an error body (all of it when shorter); the rest is never read. */
function errorBody(incoming: IncomingMessage): Promise<Uint8Array> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const finish = () => {
      incoming.off('data', onData);
      resolve(new Uint8Array(Buffer.concat(chunks).subarray(0, ERROR_BODY_BYTES)));
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      if (received >= ERROR_BODY_BYTES) {
        finish();
        incoming.destroy();
      }
    };
    incoming.on('data', onData);
    // A broken or aborted error body still gives what arrived: it is only quoted.
    incoming.once('end', finish);
    incoming.once('error', finish);
    incoming.once('close', finish);
  });
}

function abortError(signal: AbortSignal): Error {
  const reason = signal.reason as unknown;
  return reason instanceof Error ? reason : new DOMException('This operation was aborted', 'AbortError');
}
