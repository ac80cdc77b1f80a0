/**
 * Harness overhead benchmark (`npm run bench:overhead`).
 *
 * Against the simulated server at zero latency, in its own process, it times
 * the same streaming request three ways in one run, interleaved in blocks so
 * machine noise hits all alike:
 *   raw      a plain fetch + SSE parsing loop, the least any client can do;
 *   request  the harness's measureRequest (openai client, timing, hashing);
 *   runner   the full runner: tinybench driving measureRequest.
 * It prints the time per request, the ratios to raw, and the absolute overhead.
 */
import { spawnSimServer } from '../fakes/sim-server.ts';
import { DEFAULT_PARAMS } from '../../harness/run/params.ts';
import { createClient, measureRequest, type RequestSpec } from '../../harness/measure/request.ts';
import { runCase } from '../../harness/measure/runner.ts';
import { quantile } from '../../harness/evaluate/stats.ts';

const TOKENS = Number(process.env.OVERHEAD_TOKENS ?? 32);
const ROUNDS = Number(process.env.OVERHEAD_ROUNDS ?? 15);
const BLOCK = 40;

async function rawFetchLoop(url: string, body: string): Promise<void> {
  const response = await fetch(`${url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer k' },
    body,
  });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (!event.startsWith('data: ') || event === 'data: [DONE]') continue;
      const chunk = JSON.parse(event.slice(6)) as { choices: Array<{ delta?: { content?: string } }> };
      const content = chunk.choices[0]?.delta?.content;
      if (content) text += content;
    }
  }
  if (text.length === 0) throw new Error('raw loop received no content');
}

async function main(): Promise<void> {
  const sim = await spawnSimServer({ models: [{ id: 'zero', ttftMs: 0, tokenMs: 0, tokens: TOKENS }] });
  const spec: RequestSpec = {
    model: 'zero',
    messages: [{ role: 'user', content: 'hello' }],
    maxTokens: TOKENS,
    temperature: 0,
    seed: 42,
    stream: true,
    timeoutMs: 10_000,
  };
  const body = JSON.stringify({
    model: 'zero',
    messages: spec.messages,
    stream: true,
    stream_options: { include_usage: true },
    max_tokens: TOKENS,
    temperature: 0,
    seed: 42,
  });
  const client = createClient(sim.url, 'k');
  const times = { raw: [] as number[], request: [] as number[], runner: [] as number[] };

  const wallClock = async (fn: () => Promise<unknown>) => {
    const start = performance.now();
    await fn();
    return performance.now() - start;
  };
  // Warm both paths (JIT, connection pools) before measuring.
  for (let i = 0; i < 30; i++) {
    await rawFetchLoop(sim.url, body);
    await measureRequest(client, spec);
  }
  // Every path is timed the same way: wall clock over a block of requests, divided by its size,
  // so everything each one does per request (and its share of GC) is counted.
  const blocks: Record<keyof typeof times, () => Promise<unknown>> = {
    raw: async () => {
      for (let i = 0; i < BLOCK; i++) await rawFetchLoop(sim.url, body);
    },
    request: async () => {
      for (let i = 0; i < BLOCK; i++) await measureRequest(client, spec);
    },
    runner: () => runCase(client, spec, { ...DEFAULT_PARAMS, warmup: 0, iterations: BLOCK }),
  };
  const order = Object.keys(blocks) as Array<keyof typeof times>;
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the order each round so no path always runs first (or right after another).
    for (let k = 0; k < order.length; k++) {
      const path = order[(round + k) % order.length] as keyof typeof times;
      times[path].push((await wallClock(blocks[path])) / BLOCK);
    }
  }
  await sim.close();

  const median = (values: number[]) => quantile(values, 0.5);
  const raw = median(times.raw);
  const rows = Object.entries(times).map(([name, values]) => {
    const m = median(values);
    return `${name.padEnd(8)} ${m.toFixed(3).padStart(8)} ms   x${(m / raw).toFixed(2)}   ${(m - raw >= 0 ? '+' : '') + (m - raw).toFixed(3)} ms`;
  });
  process.stdout.write(
    [
      `harness overhead per streaming request, ${TOKENS} tokens, zero server latency, ${ROUNDS * BLOCK} requests per path`,
      `node ${process.version}`,
      'path      median/req   ratio   vs raw',
      ...rows,
      `(median over ${ROUNDS} rounds of the mean time per request in a block of ${BLOCK}; order rotated each round)`,
      '',
    ].join('\n'),
  );
}

void main();
