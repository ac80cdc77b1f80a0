/**
 * One chat completion, timed. This is the hot path: between the start and end
 * timestamps it only reads chunks and notes times; hashing, summaries and
 * anything else that costs happen after the clock stops.
 */
import { createHash } from 'node:crypto';
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { formatBytes, httpFetch, ResponseTooLargeError, type TransportHooks } from './http-fetch.ts';
import { SseParser } from './sse.ts';
import type { RecordedRequest, RequestError, RequestSample } from '../types.ts';

/** One chat completion to send: the request as results record it, and how long the harness waits for it. */
export type RequestSpec = RecordedRequest & { timeoutMs: number };

/**
 * The OpenAI client plus the moments its last request was written to the
 * socket and its response body ended. Latency is timed from the first, like
 * vLLM's benchmark starts its clock at the HTTP post: the SDK's own
 * preparation (about half a millisecond of building options and headers) is
 * not the server's latency. One client serves one request at a time, which
 * the sequential runner ensures.
 */
export interface RequestClient {
  openai: OpenAI;
  clock: { issuedAt: number; bodyEndedAt: number };
  /** The transport's limits for the next request (set per request from its max_tokens). */
  limits: { maxBodyBytes: number };
}

/**
 * A response may be at most this many bytes: a streamed token costs a few hundred bytes of JSON, so 4 KiB a token
 * (1 MiB at least) never cuts a real answer and stops an endless one within milliseconds.
 */
export function maxResponseBytes(maxTokens: number): number {
  return Math.max(1024 * 1024, maxTokens * 4096);
}

/** Content chunks a stream may carry: a server sends about one a token; four times max_tokens means it ignores the limit. */
export function maxContentChunks(maxTokens: number): number {
  return maxTokens * 4 + 16;
}

/** A usage figure worth believing: a whole number of tokens no larger than the response could hold. */
const MAX_PLAUSIBLE_TOKENS = 10_000_000;

/**
 * A client that reports failures instead of hiding them: the SDK's default
 * retries would turn a 500 into a slow success with its back-off inside the
 * latency sample, and its logger would print malformed stream lines. Requests
 * go through `httpFetch`, a thinner transport than the built-in fetch.
 */
export function createClient(baseURL: string, apiKey: string): RequestClient {
  const clock = { issuedAt: 0, bodyEndedAt: 0 };
  const limits = { maxBodyBytes: maxResponseBytes(1) };
  const hooks: TransportHooks = {
    onSent: () => (clock.issuedAt = performance.now()),
    onBodyEnd: () => (clock.bodyEndedAt = performance.now()),
    get maxBodyBytes() {
      return limits.maxBodyBytes;
    },
  };
  const timedFetch = (input: string | URL | Request, init?: RequestInit) => httpFetch(input, init, hooks);
  const openai = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 24 * 3600_000, logLevel: 'off', fetch: timedFetch });
  return { openai, clock, limits };
}

/** What the hot path collects before it is turned into a sample. */
interface Timeline {
  /** When the request was handed to the transport. */
  start: number;
  end: number;
  /** When the first content arrived (absolute, like start and end). */
  firstContentAt: number | null;
  gaps: number[];
  parts: string[];
  finishReason: string | null;
  usageTokens: number | null;
  /** The answer arrived whole ([DONE], or a whole response); what happens to the connection after it does not count. */
  complete: boolean;
  error: RequestError | null;
}

const emptyTimeline = (): Timeline => ({
  start: 0,
  end: 0,
  firstContentAt: null,
  gaps: [],
  parts: [],
  finishReason: null,
  usageTokens: null,
  complete: false,
  error: null,
});

/** How long a finished stream's connection may take to close before it is dropped (outside the timed interval). */
const CLOSE_GRACE_MS = 1_000;

/**
 * Issues one request and measures it. Never throws for request failures: the
 * failure is the sample's `error`, so a run goes on and counts it.
 */
export async function measureRequest(client: RequestClient, spec: RequestSpec, runSignal?: AbortSignal): Promise<MeasuredRequest> {
  const timeout = AbortSignal.timeout(spec.timeoutMs);
  const signal = runSignal ? AbortSignal.any([runSignal, timeout]) : timeout;
  client.limits.maxBodyBytes = maxResponseBytes(spec.maxTokens);
  const timeline = spec.stream ? await timeStream(client, spec, signal) : await timeWhole(client, spec, signal);
  // A stream can also end quietly when aborted; the signal says what happened (a stream that sent [DONE] was complete).
  if (!timeline.error && !timeline.complete && signal.aborted) timeline.error = abortError(timeout.aborted, spec.timeoutMs);
  const text = timeline.parts.join('');
  return { sample: toSample(timeline, text, spec.stream), text };
}

export interface MeasuredRequest {
  sample: RequestSample;
  /** The full output text (kept out of the sample: results store one example per case). */
  text: string;
}

/**
 * The request goes through the OpenAI client (request building, auth, HTTP
 * errors); its body is read here rather than through the SDK's stream
 * iterator, whose three nested async generators cost about 0.4 ms per
 * request. Reading the body directly also times each network read as it
 * arrives, before any parsing.
 */
async function timeStream({ openai, clock }: RequestClient, spec: RequestSpec, signal: AbortSignal): Promise<Timeline> {
  const t = emptyTimeline();
  const chunkCap = maxContentChunks(spec.maxTokens);
  let last = 0;
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  clock.issuedAt = 0;
  const called = performance.now();
  try {
    const response = await openai.chat.completions
      .create(
        {
          model: spec.model,
          messages: spec.messages,
          stream: true,
          stream_options: { include_usage: true },
          max_tokens: spec.maxTokens,
          temperature: spec.temperature,
          seed: spec.seed,
        },
        { signal },
      )
      .asResponse();
    if (!response.body) throw new TypeError('the streaming response has no body');
    reader = response.body.getReader();
    const contentType = response.headers.get('content-type');
    const parser = new SseParser();
    let events = 0;
    let head = '';
    while (!t.complete) {
      const read = await reader.read();
      const now = performance.now();
      if (!read.done && head.length < 120) {
        head += new TextDecoder().decode(read.value.subarray(0, 120));
        // An HTML page or a JSON document, not events: said at once (a stream may carry a JSON content type).
        if (events === 0 && notEvents(contentType, head)) throw new NotAnEventStream(contentType, head);
      }
      for (const data of read.done ? parser.end() : parser.push(read.value)) {
        events++;
        // [DONE] ends the answer, whether or not the server then closes the connection.
        if (data === '[DONE]') {
          t.end = now;
          t.complete = true;
          break;
        }
        const chunk = JSON.parse(data) as StreamChunk;
        if (chunk.error) throw new StreamErrorEvent(chunk.error);
        const choice = chunk.choices?.[0];
        const content = choice?.delta?.content;
        // A role-only first chunk (empty content) is not the first token.
        if (content) {
          if (t.firstContentAt === null) t.firstContentAt = now;
          else t.gaps.push(now - last);
          last = now;
          if (t.parts.push(content) > chunkCap) throw new TooManyChunks(chunkCap, spec.maxTokens);
        }
        if (choice?.finish_reason) t.finishReason = choice.finish_reason;
        if (chunk.usage) t.usageTokens = plausibleTokens(chunk.usage.completion_tokens);
      }
      if (read.done) break;
    }
    // Bytes that held no event at all: an HTML page or a JSON body under a stream's content type.
    if (events === 0 && head.trim() !== '') throw new NotAnEventStream(response.headers.get('content-type'), head);
    if (t.complete) {
      await closeQuietly(reader);
      reader = undefined;
    }
  } catch (error) {
    t.error = classifyError(error, signal, spec.timeoutMs);
    t.complete = false;
  }
  // Without a [DONE] event (some servers omit it), or after an error, the stream ended when reading stopped.
  if (!t.complete) t.end = performance.now();
  t.start = clock.issuedAt || called;
  // Stopped early (error, malformed event): release the connection.
  reader?.cancel().catch(() => {});
  return t;
}

/**
 * A body that is plainly not events: under an HTML or JSON content type, one that starts like a page or a JSON
 * document. The type alone does not decide: Foundry Local has sent events as `application/json`
 * (microsoft/foundry-dev-tools#195), so a body that starts like events is read as events.
 */
function notEvents(contentType: string | null, head: string): boolean {
  return /^\s*(text\/html|application\/json)\b/i.test(contentType ?? '') && /^\s*[<{[]/.test(head);
}

/**
 * After [DONE], reads the rest of the body for a moment so a keep-alive connection is reused (a dropped one would
 * add a connect to the next sample); a server that keeps it open past CLOSE_GRACE_MS is cut off.
 */
async function closeQuietly(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  const deadline = performance.now() + CLOSE_GRACE_MS;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'expired'>((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS, 'expired')));
  try {
    while (performance.now() < deadline) {
      const read = await Promise.race([reader.read(), expired]);
      if (read === 'expired' || read.done) break;
    }
  } catch {
    // The answer was already whole; a connection that breaks afterwards does not matter.
  } finally {
    clearTimeout(timer);
  }
  reader.cancel().catch(() => {});
}

/** usage.completion_tokens when it is a whole number of tokens in reason; anything else counts as no usage. */
function plausibleTokens(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= MAX_PLAUSIBLE_TOKENS ? value : null;
}

/** The parts of a chat completion chunk the runner reads; anything else a server adds is ignored. */
interface StreamChunk {
  choices?: Array<{ delta?: { content?: string | null }; finish_reason?: string | null }>;
  usage?: { completion_tokens?: unknown } | null;
  error?: { message?: string } | string;
}

/** An error object a server sent inside the stream instead of a chunk. */
class StreamErrorEvent extends Error {
  constructor(payload: { message?: string } | string) {
    super(typeof payload === 'string' ? payload : (payload.message ?? JSON.stringify(payload)));
    this.name = 'StreamErrorEvent';
  }
}

/** A 200 answer to a streaming request that is not an event stream. */
class NotAnEventStream extends Error {
  constructor(contentType: string | null, head: string) {
    super(`not an event stream (content-type ${contentType ?? 'none'}): ${head}`);
    this.name = 'NotAnEventStream';
  }
}

/**
 * The answer to a non-streaming request that is no chat completion (no `choices` list): an event stream sent
 * anyway, an HTML page, a JSON document of another kind. The openai client hands such a body over as a string or
 * an object; reading `choices[0]` of it would fail with a TypeError that says nothing of the server.
 */
export class NotAChatCompletion extends Error {
  constructor(answer: unknown) {
    const text = typeof answer === 'string' ? answer : (JSON.stringify(answer) ?? String(answer));
    super(`the answer to a non-streaming request is not a chat completion: ${JSON.stringify(text.slice(0, 120))}${text.length > 120 ? '...' : ''}`);
    this.name = 'NotAChatCompletion';
  }
}

/** `answer` as a chat completion, or a `NotAChatCompletion` naming what it was. */
export function asChatCompletion(answer: unknown): OpenAI.ChatCompletion {
  const choices = (answer as { choices?: unknown } | null)?.choices;
  if (typeof answer !== 'object' || answer === null || !Array.isArray(choices)) throw new NotAChatCompletion(answer);
  return answer as OpenAI.ChatCompletion;
}

/** A stream with far more content chunks than max_tokens allows. */
class TooManyChunks extends Error {
  constructor(cap: number, maxTokens: number) {
    super(`more than ${cap} content chunks for max_tokens ${maxTokens}: the server does not stop`);
    this.name = 'TooManyChunks';
  }
}

async function timeWhole({ openai, clock }: RequestClient, spec: RequestSpec, signal: AbortSignal): Promise<Timeline> {
  const t = emptyTimeline();
  clock.issuedAt = 0;
  clock.bodyEndedAt = 0;
  const called = performance.now();
  try {
    const completion = asChatCompletion(
      await openai.chat.completions.create(
        {
          model: spec.model,
          messages: spec.messages,
          stream: false,
          max_tokens: spec.maxTokens,
          temperature: spec.temperature,
          seed: spec.seed,
        },
        { signal },
      ),
    );
    const choice = completion.choices[0];
    if (choice?.message?.content) t.parts.push(choice.message.content);
    t.finishReason = choice?.finish_reason ?? null;
    t.usageTokens = plausibleTokens(completion.usage?.completion_tokens);
    t.complete = true;
  } catch (error) {
    t.error = classifyError(error, signal, spec.timeoutMs);
  }
  // A whole response ends with its last byte, before the SDK parses it.
  t.end = !t.error && clock.bodyEndedAt > 0 ? clock.bodyEndedAt : performance.now();
  t.start = clock.issuedAt || called;
  return t;
}

/** Microsecond resolution is all a latency figure needs; it halves the size of results files. */
export const roundMs = (ms: number) => Math.round(ms * 1000) / 1000;

function toSample(t: Timeline, text: string, streamed: boolean): RequestSample {
  const e2eMs = roundMs(t.end - t.start);
  const error = t.error ?? (text === '' ? { kind: 'empty_response' as const, message: 'the response finished without any content' } : null);
  const tokensEstimated = t.usageTokens === null;
  // Without usage, each content chunk is counted as one token (flagged as an estimate).
  const outputTokens = t.usageTokens ?? (streamed ? t.parts.length : 0);
  const ok = error === null;
  const ttft = t.firstContentAt === null ? null : t.firstContentAt - t.start;
  const decodeMs = t.firstContentAt === null ? null : t.end - t.firstContentAt;
  const tpotMs = ok && decodeMs !== null && outputTokens > 1 ? decodeMs / (outputTokens - 1) : null;
  return {
    ok,
    e2eMs,
    ttftMs: ttft === null ? null : roundMs(ttft),
    itlMs: t.gaps.map(roundMs),
    tpotMs,
    outputTokens,
    tokensEstimated,
    decodeTokPerSec: tpotMs !== null && tpotMs > 0 ? 1000 / tpotMs : null,
    e2eTokPerSec: ok && outputTokens > 0 && e2eMs > 0 ? (outputTokens * 1000) / e2eMs : null,
    finishReason: t.finishReason,
    outputSha256: ok ? sha256(text) : null,
    error,
  };
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function abortError(timedOut: boolean, timeoutMs: number): RequestError {
  return timedOut ? { kind: 'timeout', message: `no complete response within ${timeoutMs} ms` } : { kind: 'aborted', message: 'the run was cancelled' };
}

/** Maps whatever the SDK or fetch threw to an error kind and a one-line message. */
export function classifyError(error: unknown, signal: AbortSignal, timeoutMs: number): RequestError {
  if (error instanceof APIUserAbortError || signal.aborted) {
    const reason = signal.reason as { name?: string } | undefined;
    return abortError(reason?.name === 'TimeoutError', timeoutMs);
  }
  if (error instanceof APIConnectionTimeoutError) return { kind: 'timeout', message: error.message };
  if (error instanceof APIConnectionError) {
    return { kind: 'connection', message: `${error.message}${causeText(error)}` };
  }
  if (error instanceof APIError) return { kind: 'http', status: error.status, message: oneLine(error.message) };
  if (error instanceof StreamErrorEvent) return { kind: 'stream_error', message: oneLine(error.message) };
  if (error instanceof ResponseTooLargeError || error instanceof TooManyChunks) return { kind: 'too_large', message: tooLargeMessage(error) };
  if (error instanceof NotAnEventStream || error instanceof NotAChatCompletion) return { kind: 'malformed_stream', message: oneLine(error.message) };
  if (error instanceof SyntaxError) return { kind: 'malformed_stream', message: `invalid JSON in stream: ${oneLine(error.message)}` };
  // A connection that dies mid-body: node:http says ECONNRESET ("aborted"), undici TypeError('terminated').
  if (isConnectionLoss(error)) return { kind: 'stream_reset', message: `connection closed mid-stream${causeText(error as Error)}` };
  const err = error as Error;
  return { kind: 'unknown', message: oneLine(err?.message ?? String(error)) };
}

function tooLargeMessage(error: ResponseTooLargeError | TooManyChunks): string {
  if (error instanceof TooManyChunks) return error.message;
  return `the response exceeded ${formatBytes(error.maxBytes)} (the cap is 4 KiB per max_tokens, at least 1 MiB): the server does not stop`;
}

const CONNECTION_LOSS_CODES = new Set(['ECONNRESET', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET']);

function isConnectionLoss(error: unknown): boolean {
  const err = error as { code?: string; message?: string; cause?: { code?: string } } | null;
  if (!err) return false;
  if (err.code && CONNECTION_LOSS_CODES.has(err.code)) return true;
  if (err.cause?.code && CONNECTION_LOSS_CODES.has(err.cause.code)) return true;
  return error instanceof TypeError && err.message === 'terminated';
}

function causeText(error: Error): string {
  const code = (error as { code?: string }).code;
  if (code) return ` (${code})`;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (!cause) return '';
  return ` (${[cause.code, cause.message].filter(Boolean).join(': ')})`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 300);
}
