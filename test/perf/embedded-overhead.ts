/**
 * Embedded server overhead benchmark (`npm run bench:embedded-overhead`).
 *
 * For each tiny model, the same prompt and token count two ways in one run,
 * alternating request by request:
 *   direct   the engine's generate() called in-process (node-llama-cpp, no HTTP);
 *   server   a streaming chat completion to the embedded server (`foundry-bench
 *            serve`, in its own process as in a bench run) through the harness's
 *            request path (openai client, SSE over loopback HTTP).
 * Both are wall-clock times per request; it prints the medians and the ratio.
 * Both processes run the same generated model files with one llama.cpp thread,
 * and requests alternate, so only one of them computes at a time.
 */
import { DEFAULT_PARAMS } from '../../harness/run/params.ts';
import { createClient, measureRequest } from '../../harness/measure/request.ts';
import { quantile } from '../../harness/evaluate/stats.ts';
import { fileURLToPath } from 'node:url';
import { spawnServer } from '../fakes/spawn-server.ts';
import { defaultModelCacheDir, ensureTinyModels } from '../../harness/targets/embedded/tiny-models.ts';
import { LlamaEngine } from '../../harness/targets/embedded/engine.ts';

const TOKENS = Number(process.env.OVERHEAD_TOKENS ?? 64);
const REQUESTS = Number(process.env.OVERHEAD_REQUESTS ?? 20);

async function main(): Promise<void> {
  const files = await ensureTinyModels(defaultModelCacheDir());
  const engine = await LlamaEngine.load(files.map((f) => ({ id: f.spec.id, path: f.path, parameters: f.parameters, sha256: f.sha256 })));
  const server = await spawnServer(fileURLToPath(new URL('../../harness/cli/main.ts', import.meta.url)), ['serve']);
  const client = createClient(server.url, 'unused');
  const messages = [{ role: 'user' as const, content: 'Summarize why model size impacts latency on consumer hardware.' }];
  const lines = [
    `embedded server vs in-process generation, ${TOKENS} tokens, ${REQUESTS} requests each (alternating), threads=1`,
    `node ${process.version}, node-llama-cpp ${engine.engineVersion}`,
    'model       direct ms   server ms   ratio   overhead',
  ];
  for (const id of engine.modelIds()) {
    const direct: number[] = [];
    const viaServer: number[] = [];
    const request = { model: id, messages, maxTokens: TOKENS, temperature: 0, seed: DEFAULT_PARAMS.seed, stream: true, timeoutMs: 60_000 };
    const generate = () => engine.generate(id, messages, { maxTokens: TOKENS, temperature: 0, seed: DEFAULT_PARAMS.seed, stop: [], onText: () => {} });
    // Warm both paths first.
    for (let i = 0; i < 3; i++) {
      await generate();
      await measureRequest(client, request);
    }
    for (let i = 0; i < REQUESTS; i++) {
      let start = performance.now();
      const result = await generate();
      direct.push(performance.now() - start);
      start = performance.now();
      const { sample } = await measureRequest(client, request);
      viaServer.push(performance.now() - start);
      if (result.completionTokens !== TOKENS || sample.outputTokens !== TOKENS) throw new Error(`${id}: token counts differ`);
    }
    const d = quantile(direct, 0.5);
    const s = quantile(viaServer, 0.5);
    lines.push(`${id.padEnd(10)} ${d.toFixed(1).padStart(9)} ${s.toFixed(1).padStart(11)}   x${(s / d).toFixed(3)}   ${((s / d - 1) * 100).toFixed(1)}%`);
  }
  await server.close();
  await engine.dispose();
  process.stdout.write(`${lines.join('\n')}\n`);
}

void main();
