/**
 * `foundry-bench`: runs the benchmark specs under vitest with the harness's
 * own configuration and flags. vitest's file filters, `-t` and `--shard` pass
 * through, so cases are selected the way tests are.
 */
import { parseArgs } from 'node:util';
import { startVitest } from 'vitest/node';
import { benchVitestOptions, DEFAULT_SPECS } from './vitest-config.ts';

const HELP = `foundry-bench: latency benchmarks for local language models

Usage:
  foundry-bench [run] [file filters...] [options]
  foundry-bench serve [--port N]     run the embedded engine as an OpenAI-compatible server

Options:
  --target URL           base URL of an OpenAI-compatible server (sets BENCH_BASE_URL)
  --specs GLOB           spec files to run (default ${DEFAULT_SPECS})
  --iterations N         timed requests per case, overriding specs (BENCH_ITERATIONS)
  --warmup N             warmup requests per case, overriding specs (BENCH_WARMUP)
  --no-stream            time whole responses instead of streams (BENCH_STREAM=0)
  --output DIR           where results.json goes (BENCH_OUTPUT_DIR, default bench-results)
  -t, --testNamePattern  run only cases whose "model > prompt" name matches
  --shard i/n            run the i-th of n shards of the spec files
  -h, --help             this text

Environment: BENCH_BASE_URL or FOUNDRY_LOCAL_ENDPOINT (target), BENCH_API_KEY or OPENAI_API_KEY (never printed).
`;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      target: { type: 'string' },
      specs: { type: 'string' },
      iterations: { type: 'string' },
      warmup: { type: 'string' },
      'no-stream': { type: 'boolean' },
      output: { type: 'string' },
      testNamePattern: { type: 'string', short: 't' },
      shard: { type: 'string' },
      port: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const [command, ...filters] = positionals[0] === 'run' || positionals[0] === 'serve' ? positionals : ['run', ...positionals];
  if (command === 'serve') return serve(values.port);
  if (command !== 'run') {
    process.stderr.write(`foundry-bench: unknown command "${command}"\n\n${HELP}`);
    return 2;
  }
  // Flags become environment variables so the spec workers, which inherit the environment, see them.
  if (values.target) process.env.BENCH_BASE_URL = values.target;
  if (values.iterations) process.env.BENCH_ITERATIONS = values.iterations;
  if (values.warmup) process.env.BENCH_WARMUP = values.warmup;
  if (values['no-stream']) process.env.BENCH_STREAM = '0';
  if (values.output) process.env.BENCH_OUTPUT_DIR = values.output;

  const options = benchVitestOptions({ root: process.cwd(), specs: values.specs ?? DEFAULT_SPECS });
  const vitest = await startVitest('test', filters, {
    ...options,
    ...(values.testNamePattern ? { testNamePattern: values.testNamePattern } : {}),
    ...(values.shard ? { shard: values.shard } : {}),
  });
  await vitest.close();
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}

/** Serves until SIGINT/SIGTERM; prints the URL on its first line of output. */
async function serve(port: string | undefined): Promise<number> {
  const { startEmbeddedServer } = await import('./targets/embedded.ts');
  const server = await startEmbeddedServer(port ? { port: Number(port) } : {});
  process.stdout.write(`embedded engine (node-llama-cpp ${server.engineVersion}) serving ${server.models.map((m) => m.id).join(', ')} on ${server.url}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`foundry-bench: ${(error as Error).message}\n`);
  process.exitCode = 2;
}
