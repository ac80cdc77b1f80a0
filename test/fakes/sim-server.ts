/**
 * A simulated OpenAI-compatible chat server for the harness's own tests and
 * benchmarks. Each model has a known time to first token, per-token latency,
 * output length and jitter, and can inject faults. The server records the
 * latencies it actually served (measured on its side with performance.now),
 * so tests can check what the harness measured against what happened.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { normalFrom, seededRandom } from '../../harness/evaluate/stats.ts';
import { spawnServer } from './spawn-server.ts';

export interface SimFaults {
  /** Answer HTTP 500 to every Nth request of this model (1-based: N, 2N, ...). */
  http500Every?: number;
  /** The error message of those 500s (default "injected server error"). */
  http500Message?: string;
  /** Refuse every chat request with this status and message (e.g. 401 for a base that does not take the key). */
  refuseAll?: { status: number; message: string };
  /** Stop sending (keep the connection open) after `stallAfterTokens` tokens on every Nth request. */
  stallEvery?: number;
  stallAfterTokens?: number;
  /** Destroy the socket after `resetAfterTokens` tokens on every Nth request. */
  resetEvery?: number;
  resetAfterTokens?: number;
  /** Send a line of invalid JSON in the middle of every Nth stream. */
  malformedEvery?: number;
  /** Never send the usage chunk (clients must count chunks). */
  noUsage?: boolean;
  /** Answer a non-streaming request with an event stream anyway. */
  alwaysStream?: boolean;
}

export interface SimModel {
  id: string;
  /** Time from request to the first content chunk, ms. */
  ttftMs: number;
  /** Time between content chunks, ms. */
  tokenMs: number;
  /** Output tokens per answer (capped by max_tokens). */
  tokens: number;
  /** Lognormal jitter sigma applied to each delay (0 = exact). */
  jitter?: number;
  /** Prefill: the first token comes this many ms later per character of the request's messages (a longer prompt, a slower TTFT). */
  prefillMsPerChar?: number;
  /** Multiplies the whole request's latency by a lognormal factor with this sigma. */
  requestJitter?: number;
  /** A warm-up transient: the model's first `requests` requests are slower by `factor`, fading linearly to 1. */
  warmUp?: { requests: number; factor: number };
  faults?: SimFaults;
  /** Send a role-only first chunk with empty content, as many servers do. Default true. */
  roleChunk?: boolean;
  /** Make every answer different (breaks determinism on purpose). */
  varyOutput?: boolean;
  /** At most this many of the model's requests are served at once; the others wait their turn (Foundry Local serves one at a time). */
  slots?: number;
  /** Answer with these words instead of `w0 w1 ...` (one token per word; `tokens` is then ignored). */
  reply?: string;
  /**
   * `foundry-service`: stream chunks as Foundry Local's older generation sends them (extra keys
   * `CreatedAt`, `IsDelta`, `Successful`, `HttpStatusCode`, a `message` beside `delta`, no
   * `finish_reason`, no usage chunk).
   */
  dialect?: 'openai' | 'foundry-service';
}

/** What the server actually did for one request; times measured server-side from request arrival. */
export interface ServedRequest {
  model: string;
  stream: boolean;
  /** Arrival to the write of the first content chunk. */
  ttftMs: number | null;
  /** Arrival to the end of the response. */
  e2eMs: number;
  tokens: number;
  fault: 'http500' | 'refused' | 'stall' | 'reset' | 'malformed' | null;
  maxTokens: number | null;
  temperature: number | null;
  seed: number | null;
  /** Length of the request's messages as JSON: what prefill time is charged on. */
  promptChars: number;
  /** The last message's content, as received. */
  lastMessage: string | null;
}

/** The content of the last message of a request's `messages`, when it is text. */
function lastContent(messages: unknown): string | null {
  const last = Array.isArray(messages) ? (messages.at(-1) as { content?: unknown } | undefined) : undefined;
  return typeof last?.content === 'string' ? last.content : null;
}

export interface SimConfig {
  models: SimModel[];
  /** Seed of the jitter PRNG. */
  seed?: number;
  /** Extra routes (a fake product's management API): return true when the request was answered. */
  handle?: (route: string, req: IncomingMessage, res: ServerResponse) => boolean;
  /** Refuses a chat request for a known model (e.g. not loaded) with this status and message; null admits it. */
  admit?: (model: string) => { status: number; message: string } | null;
}

export interface SimServer {
  /** Base URL including `/v1`. */
  url: string;
  port: number;
  /** What the server did so far, in arrival order. */
  served(): Promise<ServedRequest[]>;
  /** Requests received per route, e.g. `GET /v1/models`. */
  hits(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

interface ChatBody {
  model?: unknown;
  messages?: unknown;
  stream?: unknown;
  max_tokens?: unknown;
  max_completion_tokens?: unknown;
  temperature?: unknown;
  seed?: unknown;
  stream_options?: { include_usage?: unknown };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Starts the server in this process: simplest, but it shares the event loop with the client under test. */
export async function startSimServer({ models, seed = 1, handle, admit }: SimConfig): Promise<SimServer> {
  const byId = new Map(models.map((m) => [m.id, m]));
  const requestCounts = new Map<string, number>();
  const normal = normalFrom(seededRandom(seed));
  const served: ServedRequest[] = [];
  const hits: Record<string, number> = {};
  const lognormal = (sigma: number | undefined) => (sigma ? Math.exp(sigma * normal()) : 1);
  const busy = new Map<string, { serving: number; waiting: Array<() => void> }>();
  /** Waits for one of the model's slots; the returned function frees it (once). */
  const slot = async (model: SimModel): Promise<() => void> => {
    if (model.slots === undefined) return () => {};
    const state = busy.get(model.id) ?? { serving: 0, waiting: [] };
    busy.set(model.id, state);
    if (state.serving >= model.slots) await new Promise<void>((resolve) => state.waiting.push(resolve));
    else state.serving++;
    let freed = false;
    return () => {
      if (freed) return;
      freed = true;
      const next = state.waiting.shift();
      if (next) next();
      else state.serving--;
    };
  };

  const server: Server = createServer((req, res) => {
    const arrived = performance.now();
    const route = `${req.method} ${req.url?.split('?')[0]}`;
    if (route === 'GET /_sim/served') return json(res, 200, served);
    if (route === 'GET /_sim/hits') return json(res, 200, hits);
    hits[route] = (hits[route] ?? 0) + 1;
    if (handle?.(route, req, res)) return;
    if (route === 'GET /v1/models') {
      return json(res, 200, { object: 'list', data: models.map((m) => ({ id: m.id, object: 'model', created: 0, owned_by: 'sim' })) });
    }
    if (route === 'POST /v1/chat/completions') {
      return void readBody(req).then((raw) => chat(raw, res, arrived));
    }
    json(res, 404, { error: { message: `no route ${route}`, type: 'invalid_request_error', code: 'not_found' } });
  });

  async function chat(raw: string, res: ServerResponse, arrived: number): Promise<void> {
    let body: ChatBody;
    try {
      body = JSON.parse(raw) as ChatBody;
    } catch {
      return json(res, 400, { error: { message: 'request body is not valid JSON', type: 'invalid_request_error' } });
    }
    const model = typeof body.model === 'string' ? byId.get(body.model) : undefined;
    if (!model) {
      return json(res, 404, { error: { message: `model "${String(body.model)}" not found`, type: 'invalid_request_error', code: 'model_not_found' } });
    }
    const refusal = admit?.(model.id);
    if (refusal) return json(res, refusal.status, { error: { message: refusal.message, type: 'invalid_request_error' } });
    // A request waits for a slot before anything is timed server-side; the client's clock is running.
    const release = await slot(model);
    res.on('close', release);
    const n = (requestCounts.get(model.id) ?? 0) + 1;
    requestCounts.set(model.id, n);
    const every = (k: number | undefined) => k !== undefined && k > 0 && n % k === 0;
    const faults = model.faults ?? {};
    const maxTokens = num(body.max_completion_tokens) ?? num(body.max_tokens);
    const record: ServedRequest = {
      model: model.id,
      stream: body.stream === true,
      ttftMs: null,
      e2eMs: 0,
      tokens: 0,
      fault: null,
      maxTokens,
      temperature: num(body.temperature),
      seed: num(body.seed),
      promptChars: JSON.stringify(body.messages ?? []).length,
      lastMessage: lastContent(body.messages),
    };
    served.push(record);

    if (faults.refuseAll) {
      record.fault = 'refused';
      json(res, faults.refuseAll.status, { error: { message: faults.refuseAll.message, type: 'invalid_request_error' } });
      record.e2eMs = performance.now() - arrived;
      return;
    }
    if (every(faults.http500Every)) {
      record.fault = 'http500';
      json(res, 500, { error: { message: faults.http500Message ?? 'injected server error', type: 'server_error' } });
      record.e2eMs = performance.now() - arrived;
      return;
    }
    const replyWords = model.reply?.split(/(?<= )/);
    const available = replyWords?.length ?? model.tokens;
    const tokens = Math.min(available, maxTokens ?? Infinity);
    const finishReason = tokens < available ? 'length' : 'stop';
    const warming = model.warmUp && n <= model.warmUp.requests ? 1 + (model.warmUp.factor - 1) * (1 - (n - 1) / model.warmUp.requests) : 1;
    const scale = lognormal(model.requestJitter) * warming;
    const delay = (ms: number) => ms * scale * lognormal(model.jitter);
    const firstTokenMs = model.ttftMs + (model.prefillMsPerChar ?? 0) * record.promptChars;
    const word = (i: number) => replyWords?.[i] ?? `w${i}${model.varyOutput ? `.${n}` : ''} `;
    const id = `chatcmpl-sim-${n}`;

    if (body.stream !== true && !faults.alwaysStream) {
      await sleep(delay(firstTokenMs) + Array.from({ length: Math.max(0, tokens - 1) }, () => delay(model.tokenMs)).reduce((a, b) => a + b, 0));
      const content = Array.from({ length: tokens }, (_, i) => word(i)).join('');
      json(res, 200, {
        id,
        object: 'chat.completion',
        created: 0,
        model: model.id,
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: finishReason }],
        usage: { prompt_tokens: 10, completion_tokens: tokens, total_tokens: 10 + tokens },
      });
      record.tokens = tokens;
      record.e2eMs = performance.now() - arrived;
      return;
    }

    const foundryService = model.dialect === 'foundry-service';
    // Foundry Local has been seen streaming events under `application/json` (microsoft/foundry-dev-tools#195).
    const contentType = foundryService ? 'application/json' : 'text/event-stream';
    res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-cache', connection: 'keep-alive' });
    const chunk = (delta: object, finish: string | null = null) =>
      `data: ${JSON.stringify(
        foundryService
          ? {
              model: model.id,
              choices: [{ delta, message: delta, index: 0 }],
              created: 0,
              CreatedAt: '2026-01-01T00:00:00+00:00',
              id,
              IsDelta: false,
              Successful: true,
              HttpStatusCode: 0,
              object: 'chat.completion.chunk',
            }
          : { id, object: 'chat.completion.chunk', created: 0, model: model.id, choices: [{ index: 0, delta, finish_reason: finish }] },
      )}\n\n`;
    if (model.roleChunk !== false) res.write(chunk({ role: 'assistant', content: '' }));

    const stall = every(faults.stallEvery) ? (faults.stallAfterTokens ?? 1) : -1;
    const reset = every(faults.resetEvery) ? (faults.resetAfterTokens ?? 1) : -1;
    const malformed = every(faults.malformedEvery) ? Math.floor(tokens / 2) : -1;
    let closed = false;
    res.on('close', () => (closed = true));

    for (let i = 0; i < tokens; i++) {
      const wait = delay(i === 0 ? firstTokenMs : model.tokenMs);
      if (wait >= 0.5) await sleep(wait);
      if (closed) return;
      if (i === stall) {
        record.fault = 'stall';
        // Hold the connection until the client gives up.
        await new Promise<void>((resolve) => res.on('close', resolve));
        record.e2eMs = performance.now() - arrived;
        return;
      }
      if (i === reset) {
        record.fault = 'reset';
        // Let what was written reach the client, then drop the connection without an orderly end.
        await sleep(5);
        record.e2eMs = performance.now() - arrived;
        res.socket?.destroy();
        return;
      }
      if (i === malformed) {
        record.fault = 'malformed';
        res.write('data: {"id": "broken", "choices": [\n\n');
      }
      res.write(chunk({ content: word(i) }, i === tokens - 1 ? finishReason : null));
      if (i === 0) record.ttftMs = performance.now() - arrived;
      record.tokens = i + 1;
    }
    if (!faults.noUsage && !foundryService && body.stream_options?.include_usage === true) {
      res.write(
        `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 0, model: model.id, choices: [], usage: { prompt_tokens: 10, completion_tokens: tokens, total_tokens: 10 + tokens } })}\n\n`,
      );
    }
    res.end('data: [DONE]\n\n');
    record.e2eMs = performance.now() - arrived;
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    served: async () => [...served],
    hits: async () => ({ ...hits }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Starts the server in a child process, as a real model server would run:
 * the client under test then has the event loop to itself, so measured and
 * served latencies can be compared.
 */
export async function spawnSimServer(config: SimConfig): Promise<SimServer> {
  const script = fileURLToPath(new URL('./sim-main.ts', import.meta.url));
  const { url, close } = await spawnServer(script, [], { SIM_CONFIG: JSON.stringify(config) });
  const origin = new URL(url).origin;
  const get = async <T>(path: string) => (await (await fetch(`${origin}${path}`)).json()) as T;
  return {
    url,
    port: Number(new URL(url).port),
    served: () => get<ServedRequest[]>('/_sim/served'),
    hits: () => get<Record<string, number>>('/_sim/hits'),
    close,
  };
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

export function json(res: ServerResponse, status: number, payload: unknown): void {
  const body = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
