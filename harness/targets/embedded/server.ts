/**
 * The embedded default target: an OpenAI-compatible HTTP server on 127.0.0.1
 * backed by the llama engine and the generated tiny models. `npm run bench`
 * starts it when no other target is configured, so a fresh clone measures
 * real inference without any model server installed.
 *
 * Implements what benchmarks need of the chat API: `GET /v1/models`,
 * `POST /v1/chat/completions` streaming and not, `max_tokens` /
 * `max_completion_tokens`, `temperature`, `seed`, `stop`,
 * `stream_options.include_usage` (real token counts from the model's
 * tokenizer), and OpenAI-shaped errors.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultModelCacheDir, ensureTinyModels } from './tiny-models.ts';
import type { ChatMessage } from '../../types.ts';
import { LlamaEngine, type Generation, type LoadedModelInfo } from './engine.ts';

const MAX_BODY_BYTES = 1 << 20;
const DEFAULT_MAX_TOKENS = 256;
const ROLES = new Set(['system', 'user', 'assistant']);

export interface EmbeddedServer {
  /** Base URL including `/v1`. */
  url: string;
  /** The engine behind the server, for callers that compare HTTP with in-process generation. */
  engine: LlamaEngine;
  engineVersion: string;
  models: LoadedModelInfo[];
  close(): Promise<void>;
}

export interface EmbeddedServerOptions {
  modelDir?: string;
  /** llama.cpp threads per model; default 1 (see LlamaEngine). */
  threads?: number;
  port?: number;
}

/** A request error with its HTTP status and OpenAI error type. */
class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type = 'invalid_request_error',
    readonly code: string | null = null,
    readonly param: string | null = null,
  ) {
    super(message);
  }
}

interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  maxTokens: number;
  temperature: number;
  seed: number;
  stop: string[];
  stream: boolean;
  includeUsage: boolean;
}

export async function startEmbeddedServer(options: EmbeddedServerOptions = {}): Promise<EmbeddedServer> {
  const files = await ensureTinyModels(options.modelDir ?? defaultModelCacheDir());
  const engine = await LlamaEngine.load(
    files.map((f) => ({ id: f.spec.id, path: f.path, parameters: f.parameters, sha256: f.sha256 })),
    { threads: options.threads ?? 1 },
  );
  const created = Math.floor(Date.now() / 1000);

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => sendError(res, error));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === '/v1/models' || path === '/models') {
      requireMethod(req, 'GET');
      return sendJson(res, 200, { object: 'list', data: engine.modelIds().map((id) => modelObject(id)) });
    }
    const modelMatch = /^\/(?:v1\/)?models\/(.+)$/.exec(path);
    if (modelMatch) {
      requireMethod(req, 'GET');
      const id = decodeURIComponent(modelMatch[1] ?? '');
      if (!engine.modelInfo(id)) throw new RequestError(404, `The model '${id}' does not exist`, 'invalid_request_error', 'model_not_found', 'model');
      return sendJson(res, 200, modelObject(id));
    }
    if (path === '/v1/chat/completions' || path === '/chat/completions') {
      requireMethod(req, 'POST');
      const request = parseChatRequest(await readJson(req));
      if (!engine.modelInfo(request.model)) {
        throw new RequestError(404, `The model '${request.model}' does not exist`, 'invalid_request_error', 'model_not_found', 'model');
      }
      return request.stream ? streamCompletion(request, res) : wholeCompletion(request, res);
    }
    throw new RequestError(404, `Unknown route ${req.method} ${path}`, 'invalid_request_error', 'not_found');
  }

  function modelObject(id: string) {
    return { id, object: 'model', created, owned_by: 'foundry-bench-embedded' };
  }

  async function wholeCompletion(request: ChatRequest, res: ServerResponse): Promise<void> {
    const abort = abortOnDisconnect(res);
    const result = await engine.generate(request.model, request.messages, { ...generateOptions(request), signal: abort.signal });
    sendJson(res, 200, {
      id: `chatcmpl-${randomUUID()}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: request.model,
      choices: [{ index: 0, message: { role: 'assistant', content: result.text }, finish_reason: result.finishReason, logprobs: null }],
      usage: usage(result),
    });
  }

  async function streamCompletion(request: ChatRequest, res: ServerResponse): Promise<void> {
    const abort = abortOnDisconnect(res);
    const id = `chatcmpl-${randomUUID()}`;
    const createdAt = Math.floor(Date.now() / 1000);
    const event = (payload: object) => res.write(`data: ${JSON.stringify(payload)}\n\n`);
    const chunk = (delta: object, finishReason: string | null) =>
      event({
        id,
        object: 'chat.completion.chunk',
        created: createdAt,
        model: request.model,
        choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
      });

    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.flushHeaders();
    chunk({ role: 'assistant', content: '' }, null);
    let result: Generation;
    try {
      result = await engine.generate(request.model, request.messages, {
        ...generateOptions(request),
        signal: abort.signal,
        onText: (text) => chunk({ content: text }, null),
      });
    } catch (error) {
      // Headers are gone: the error travels inside the stream, as OpenAI does.
      event({ error: { message: (error as Error).message, type: 'server_error', code: null, param: null } });
      res.end();
      return;
    }
    chunk({}, result.finishReason);
    if (request.includeUsage) {
      event({ id, object: 'chat.completion.chunk', created: createdAt, model: request.model, choices: [], usage: usage(result) });
    }
    res.end('data: [DONE]\n\n');
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    engine,
    engineVersion: engine.engineVersion,
    models: engine.modelIds().map((id) => engine.modelInfo(id) as LoadedModelInfo),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await engine.dispose();
    },
  };
}

function generateOptions(request: ChatRequest) {
  return { maxTokens: request.maxTokens, temperature: request.temperature, seed: request.seed, stop: request.stop };
}

function usage(result: Generation) {
  return {
    prompt_tokens: result.promptTokens,
    completion_tokens: result.completionTokens,
    total_tokens: result.promptTokens + result.completionTokens,
  };
}

/** Stops generating when the client goes away, so an abandoned request does not hold the model. */
function abortOnDisconnect(res: ServerResponse): AbortController {
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller;
}

function requireMethod(req: IncomingMessage, method: string): void {
  if (req.method !== method) throw new RequestError(405, `Method ${req.method} not allowed; use ${method}`);
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (part: Buffer) => {
      size += part.length;
      if (size > MAX_BODY_BYTES) {
        reject(new RequestError(413, `Request body larger than ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      parts.push(part);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(parts).toString('utf8')));
      } catch (error) {
        reject(new RequestError(400, `Request body is not valid JSON: ${(error as Error).message}`));
      }
    });
    req.on('error', reject);
  });
}

export function parseChatRequest(body: unknown): ChatRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new RequestError(400, 'Request body must be a JSON object');
  const b = body as Record<string, unknown>;
  if (typeof b.model !== 'string' || b.model === '') throw new RequestError(400, "'model' must be a non-empty string", 'invalid_request_error', null, 'model');
  if (!Array.isArray(b.messages) || b.messages.length === 0) {
    throw new RequestError(400, "'messages' must be a non-empty array", 'invalid_request_error', null, 'messages');
  }
  const messages = b.messages.map((m: unknown, i: number) => {
    const message = m as { role?: unknown; content?: unknown } | null;
    if (!message || typeof message.role !== 'string' || !ROLES.has(message.role) || typeof message.content !== 'string') {
      throw new RequestError(
        400,
        `'messages[${i}]' must have a role (system, user or assistant) and string content`,
        'invalid_request_error',
        null,
        `messages[${i}]`,
      );
    }
    return { role: message.role as ChatMessage['role'], content: message.content };
  });
  const maxTokens = b.max_completion_tokens ?? b.max_tokens ?? DEFAULT_MAX_TOKENS;
  if (!Number.isInteger(maxTokens) || (maxTokens as number) < 1) {
    throw new RequestError(400, "'max_tokens' must be a positive integer", 'invalid_request_error', null, 'max_tokens');
  }
  const temperature = b.temperature ?? 1;
  if (typeof temperature !== 'number' || temperature < 0 || temperature > 2) {
    throw new RequestError(400, "'temperature' must be a number between 0 and 2", 'invalid_request_error', null, 'temperature');
  }
  const seed = b.seed ?? 0;
  if (!Number.isInteger(seed)) throw new RequestError(400, "'seed' must be an integer", 'invalid_request_error', null, 'seed');
  const stop = b.stop === undefined || b.stop === null ? [] : typeof b.stop === 'string' ? [b.stop] : b.stop;
  if (!Array.isArray(stop) || stop.length > 4 || stop.some((s) => typeof s !== 'string')) {
    throw new RequestError(400, "'stop' must be a string or an array of up to 4 strings", 'invalid_request_error', null, 'stop');
  }
  if (b.stream !== undefined && typeof b.stream !== 'boolean')
    throw new RequestError(400, "'stream' must be a boolean", 'invalid_request_error', null, 'stream');
  const streamOptions = b.stream_options as { include_usage?: unknown } | undefined | null;
  return {
    model: b.model,
    messages,
    maxTokens: maxTokens as number,
    temperature,
    seed: seed as number,
    stop: stop as string[],
    stream: b.stream === true,
    includeUsage: streamOptions?.include_usage === true,
  };
}

function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  const body = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function sendError(res: ServerResponse, error: unknown): void {
  const known = error instanceof RequestError ? error : new RequestError(500, (error as Error)?.message ?? String(error), 'server_error');
  if (res.headersSent) {
    res.end();
    return;
  }
  sendJson(res, known.status, { error: { message: known.message, type: known.type, param: known.param, code: known.code } });
}
