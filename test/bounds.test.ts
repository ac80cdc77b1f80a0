/**
 * Servers that never stop, lie about their answers or keep connections open: every read is bounded, every such
 * answer is a sample with an error kind that says why, and a whole answer followed by an open connection is whole.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ERROR_BODY_BYTES } from '../harness/measure/http-fetch.ts';
import { createClient, maxResponseBytes, measureRequest, type RequestSpec } from '../harness/measure/request.ts';
import { listModels } from '../harness/targets/openai.ts';

type Route = (req: IncomingMessage, res: ServerResponse, body: { stream?: boolean }) => void;

/** Bytes each route managed to write before the harness stopped reading (by route name). */
const written = new Map<string, number>();

const token = (content: string) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content } }] })}\n\n`;
const usage = (completion: unknown) => `data: ${JSON.stringify({ choices: [], usage: { completion_tokens: completion } })}\n\n`;

/** Writes `piece()` as fast as the socket takes it until the client goes away; counts what was written. */
function endless(name: string, res: ServerResponse, piece: () => string): void {
  written.set(name, 0);
  const pump = () => {
    while (!res.destroyed) {
      const text = piece();
      written.set(name, (written.get(name) ?? 0) + Buffer.byteLength(text));
      if (!res.write(text)) return void res.once('drain', pump);
    }
  };
  res.on('close', () => res.destroy());
  pump();
}

const ROUTES: Record<string, Route> = {
  'endless-stream': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    endless('endless-stream', res, () => token('x'.repeat(64_000)));
  },
  'endless-tokens': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    endless('endless-tokens', res, () => token('a'));
  },
  'endless-whole': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"choices":[{"index":0,"message":{"role":"assistant","content":"');
    endless('endless-whole', res, () => 'y'.repeat(16384));
  },
  'endless-error': (_req, res) => {
    res.writeHead(500, { 'content-type': 'application/json' });
    res.write('{"error":{"message":"');
    endless('endless-error', res, () => 'z'.repeat(16384));
  },
  'done-then-open': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(token('hello'));
    res.write(token(' world'));
    res.write('data: [DONE]\n\n');
    // The connection stays open: the answer is whole all the same.
  },
  html: (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!DOCTYPE html><html><body>Sign in to continue</body></html>');
  },
  'json-instead': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content: 'whole' } }] }));
  },
  'events-as-json': (_req, res) => {
    // Foundry Local has streamed events under this type (microsoft/foundry-dev-tools#195).
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(`${token('still')}${token(' events')}data: [DONE]\n\n`);
  },
  'no-events': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end('{"choices":[{"index":0,"message":{"content":"not sse"}}]}\n');
  },
  'usage-lots': (_req, res) => usageStream(res, 'lots'),
  'usage-negative': (_req, res) => usageStream(res, -5),
  'usage-huge': (_req, res) => usageStream(res, 1e308),
  'usage-fine': (_req, res) => usageStream(res, 2),
};

function usageStream(res: ServerResponse, completion: unknown): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.end(`${token('one')}${token(' two')}${usage(completion)}data: [DONE]\n\n`);
}

let server: Server;
let baseURL: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/v1/models') return ROUTES['endless-error']?.(req, res, {});
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw) as { model: string; stream?: boolean };
      ROUTES[body.model]?.(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
});

const spec = (model: string, overrides: Partial<RequestSpec> = {}): RequestSpec => ({
  model,
  messages: [{ role: 'user', content: 'hi' }],
  maxTokens: 16,
  temperature: 0,
  seed: 1,
  stream: true,
  timeoutMs: 10_000,
  ...overrides,
});

const measure = (model: string, overrides: Partial<RequestSpec> = {}) => measureRequest(createClient(baseURL, 'k'), spec(model, overrides));
const MiB = 1024 * 1024;

describe('endless answers are cut at their cap', () => {
  test('an endless stream of big chunks: too_large once 1 MiB has arrived, memory flat', async () => {
    const rssBefore = process.memoryUsage().rss;
    const { sample, text } = await measure('endless-stream');
    expect(sample.error?.kind).toBe('too_large');
    expect(sample.error?.message).toContain('exceeded 1 MiB');
    expect(sample.ok).toBe(false);
    expect(text.length).toBeLessThan(maxResponseBytes(16));
    // The server could write a little past the cap into socket buffers, never much more.
    expect(written.get('endless-stream')).toBeLessThan(16 * MiB);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(300 * MiB);
  });

  test('an endless stream of one-letter tokens: too_large once it sent 4x max_tokens content chunks', async () => {
    const { sample, text } = await measure('endless-tokens');
    expect(sample.error).toEqual({ kind: 'too_large', message: 'more than 80 content chunks for max_tokens 16: the server does not stop' });
    expect(text.length).toBe(81);
    expect(sample.itlMs.length).toBe(80);
  });

  test('an endless whole (non-streamed) body: too_large, not gigabytes of memory', async () => {
    const rssBefore = process.memoryUsage().rss;
    const { sample } = await measure('endless-whole', { stream: false });
    expect(sample.error?.kind).toBe('too_large');
    expect(written.get('endless-whole')).toBeLessThan(16 * MiB);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(300 * MiB);
  });

  test('an endless error body: the HTTP error is reported with the body quoted, only its first 64 KiB read', async () => {
    const { sample } = await measure('endless-error');
    expect(sample.error?.kind).toBe('http');
    expect(sample.error?.status).toBe(500);
    expect(sample.error?.message).toMatch(/^500 .*zzzz/);
    expect(sample.error?.message.length).toBeLessThanOrEqual(300);
    expect(written.get('endless-error')).toBeLessThan(ERROR_BODY_BYTES + 16 * MiB);
  });

  test('GET /v1/models answering an endless 500: an error naming the endpoint, the body read to 64 KiB', async () => {
    const listing = await listModels(baseURL, 'k');
    expect(listing.models).toBeNull();
    expect(listing.error).toMatch(/^target error: GET http:\/\/127\.0\.0\.1:\d+\/v1\/models answered HTTP 500: \{"error":\{"message":"z+$/);
  });
});

describe('end conditions', () => {
  test('[DONE] with the connection left open is a whole answer, not a timeout', async () => {
    const { sample, text } = await measure('done-then-open', { timeoutMs: 5_000 });
    expect(sample.error).toBeNull();
    expect(text).toBe('hello world');
    // e2e ends at [DONE]; the grace spent waiting for the connection to close is not in it.
    expect(sample.e2eMs).toBeLessThan(1_000);
  });

  test('an HTML page where a stream was expected is named for what it is', async () => {
    const { sample } = await measure('html');
    expect(sample.error).toEqual({
      kind: 'malformed_stream',
      message: 'not an event stream (content-type text/html; charset=utf-8): <!DOCTYPE html><html><body>Sign in to continue</body></html>',
    });
  });

  test('events under a JSON content type are read as events, as Foundry Local has sent them', async () => {
    const { sample, text } = await measure('events-as-json');
    expect(sample.error).toBeNull();
    expect(text).toBe('still events');
  });

  test('a JSON body where a stream was expected, and a stream content type holding no events', async () => {
    expect((await measure('json-instead')).sample.error?.message).toMatch(/^not an event stream \(content-type application\/json\): \{"choices"/);
    expect((await measure('no-events')).sample.error?.message).toMatch(/^not an event stream \(content-type text\/event-stream\): \{"choices"/);
  });
});

describe('implausible usage values count as no usage', () => {
  test.each([['usage-lots'], ['usage-negative'], ['usage-huge']])('%s: tokens counted from the chunks, flagged as an estimate', async (model) => {
    const { sample } = await measure(model);
    expect(sample.ok).toBe(true);
    expect(sample.outputTokens).toBe(2);
    expect(sample.tokensEstimated).toBe(true);
  });

  test('a plausible value is taken as the server says', async () => {
    const { sample } = await measure('usage-fine');
    expect(sample.outputTokens).toBe(2);
    expect(sample.tokensEstimated).toBe(false);
  });
});
