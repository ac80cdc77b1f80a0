/**
 * A server that echoes the API key it is sent (in its answers, its error bodies and its stream) and tries to
 * inject GitHub workflow commands: nothing it sends may reveal the key or become a command, in any output.
 */
import { readdirSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Sanitizer } from '../harness/files/sanitize.ts';
import { callJson } from '../harness/targets/foundry/rest.ts';
import { runBench, type CliRun } from './helpers/cli.ts';
import { spawnSimServer, type SimServer } from './fakes/sim-server.ts';
import { ACTIONS_PROMPT } from './actions-specs/prompt.ts';
import { makeCase, makeResults } from './helpers/results.ts';
import { renderMarkdown } from '../reporters/markdown.ts';

const CANARY = 'sk-canary-0123456789abcdef';
const INJECTION = '\n::error::pwned\n##[warning]injected\n::add-mask::x';

/** Answers every other chat request with a stream that quotes the Authorization header, the rest with a 500 that does. */
function hostileServer(): Promise<Server> {
  let requests = 0;
  const server = createServer((req, res) => {
    const auth = req.headers.authorization ?? '';
    if (req.url === '/v1/models') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: [{ id: 'echo' }] }));
    req.resume();
    req.on('end', () => {
      requests++;
      if (requests % 2 === 0) {
        res.writeHead(500, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ error: { message: `bad key ${auth} ##[error]from the body${INJECTION}` } }));
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = (content: string) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content } }] })}\n\n`;
      res.write(chunk(`you sent ${auth}`));
      res.write(chunk(`${INJECTION}\u001b[31m red`));
      res.write(`data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } })}\n\n`);
      res.end('data: [DONE]\n\n');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('a server that echoes the key and injects workflow commands', () => {
  let server: Server;
  let run: CliRun;
  let baselineDir: string;
  let summary: string;

  beforeAll(async () => {
    server = await hostileServer();
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    baselineDir = mkdtempSync(join(tmpdir(), 'hostile-baselines-'));
    summary = join(mkdtempSync(join(tmpdir(), 'hostile-summary-')), 'summary.md');
    writeFileSync(summary, '');
    run = await runBench(
      { BENCH_BASE_URL: url, BENCH_API_KEY: CANARY, GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary },
      ['--update-baseline', '--baseline-dir', baselineDir],
      'test/hostile-specs/*.bench.ts',
    );
  }, 60_000);
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('the key appears in no file, no console line and no baseline; *** stands in its place', () => {
    expect(run.results?.cases[0]?.samples.length).toBe(4);
    const files = [...readdirSync(run.outDir).map((f) => join(run.outDir, f)), ...readdirSync(baselineDir).map((f) => join(baselineDir, f)), summary];
    expect(files.map((f) => f.split('/').at(-1))).toEqual(expect.arrayContaining(['results.json', 'junit.xml', 'report.md', 'results.csv', 'default.json']));
    for (const file of files) expect(readFileSync(file, 'utf8'), file).not.toContain(CANARY);
    expect(run.output).not.toContain(CANARY);
    expect(run.raw).toContain('Bearer ***');
    expect(run.results?.cases[0]?.sampleOutput?.text).toContain('you sent Bearer ***');
  });

  test('no printed line is a workflow command but the harness own annotations; no escape sequence is stored', () => {
    const lines = run.output.split('\n');
    // The runner's rules: a command is a line that starts with `::` once trimmed, or contains `##[`.
    const commands = lines.filter((line) => line.trim().startsWith('::') || line.includes('##['));
    expect(commands.length).toBeGreaterThan(0);
    for (const line of commands) expect(line).toMatch(/^::(error|warning) file=test\/hostile-specs\/echo\.bench\.ts,title=foundry-bench [^:]*::/);
    // The injected lines never start one: inside the harness's own annotation the data's newlines are escaped.
    expect(lines.filter((line) => /^\s*::(add-mask|error::pwned)/.test(line))).toEqual([]);
    expect(run.raw).not.toContain('\u001b[');
    // Stored as the server sent it (controls aside): neutralised where printed, not in what is kept.
    expect(run.results?.cases[0]?.failures.join('\n')).toContain('##[error]from the body');
  });
});

describe('the sanitiser', () => {
  test('redacts secrets, removes controls from data, keeps terminal output, neutralises commands under Actions', () => {
    const s = new Sanitizer(['hunter22', 'abc'], true);
    expect(s.text('key hunter22\u0007 and \u001b[31mred\u001b[0m\r')).toBe('key *** and red');
    // Too short to redact safely.
    expect(s.text('abc')).toBe('abc');
    expect(s.output('\u001b[32m✓\u001b[0m hunter22\r')).toBe('\u001b[32m✓\u001b[0m ***\r');
    // Stored text keeps what looks like a command; printed text cannot be one.
    expect(s.text('a\n  ::error::x\nb ##[group]y')).toBe('a\n  ::error::x\nb ##[group]y');
    expect(s.output('a\n  ::error::x\nb ##[group]y')).toBe('a\n  \u2060::error::x\nb ##\u2060[group]y');
    expect(new Sanitizer([], false).text('::error::x')).toBe('::error::x');
    expect(s.deep({ a: ['hunter22'], n: 1, z: null })).toEqual({ a: ['***'], n: 1, z: null });
  });
});

/** A server whose answers never end: a stream of big token chunks, or (not streamed) a JSON body that keeps growing. */
function endlessServer(): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url === '/v1/models') {
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: [{ id: 'endless' }, { id: 'endless-whole' }] }));
    }
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const streamed = (JSON.parse(body) as { stream?: boolean }).stream === true;
      res.writeHead(200, { 'content-type': streamed ? 'text/event-stream' : 'application/json' });
      if (!streamed) res.write('{"choices":[{"index":0,"message":{"role":"assistant","content":"');
      const piece = streamed ? `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'x'.repeat(60_000) } }] })}\n\n` : 'y'.repeat(60_000);
      const pump = () => {
        while (!res.destroyed) if (!res.write(piece)) return void res.once('drain', pump);
      };
      res.on('close', () => res.destroy());
      pump();
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('a server whose answers never end', () => {
  test('streamed or whole, each request is cut at its cap, memory stays flat and every report is written', async () => {
    const server = await endlessServer();
    try {
      const rssBefore = process.memoryUsage().rss;
      const run = await runBench({ BENCH_BASE_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }, [], 'test/endless-specs/*.bench.ts');
      expect(run.code).toBe(1);
      expect(run.results?.cases.map((c) => [c.id, c.params.stream])).toEqual([
        ['endless/never-stops', true],
        ['endless-whole/never-stops', false],
      ]);
      for (const c of run.results?.cases ?? []) {
        expect(c.samples.map((s) => s.error?.kind)).toEqual(['too_large', 'too_large', 'too_large']);
        expect(c.failures.join('\n')).toContain('the response exceeded 1 MiB');
      }
      expect(readdirSync(run.outDir).sort()).toEqual(['junit.xml', 'report.html', 'report.md', 'results.csv', 'results.json']);
      expect(run.raw.length).toBeLessThan(1024 * 1024);
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(300 * 1024 * 1024);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  }, 60_000);
});

describe('secrets in the spellings the first sanitiser missed', () => {
  const PASSWORD = 'pw-canary-7f3a9c';
  const specs = 'test/replay-specs/*.bench.ts';
  let sim: SimServer;
  let withCredentials: string;

  beforeAll(async () => {
    sim = await spawnSimServer({ models: [{ id: 'sim-fast', ttftMs: 1, tokenMs: 0, tokens: 4 }] });
    withCredentials = sim.url.replace('http://', `http://ci-user:${PASSWORD}@`);
  }, 30_000);
  afterAll(() => sim.close());

  /** Every file the run wrote, and its console output, must not hold the password. */
  const expectConcealed = (run: CliRun) => {
    expect(run.output).not.toContain(PASSWORD);
    for (const file of readdirSync(run.outDir)) expect(readFileSync(join(run.outDir, file), 'utf8'), file).not.toContain(PASSWORD);
  };

  test('--target=URL and --base-target=URL (one argument each) print no password', { timeout: 60_000 }, async () => {
    const run = await runBench({}, [`--target=${withCredentials}`, `--base-target=${withCredentials}`, '--iterations', '2', '--warmup', '0'], specs);
    expect(run.output).toContain('A/B base target');
    expectConcealed(run);
  });

  test("the config file's target prints no password", { timeout: 60_000 }, async () => {
    const config = join(mkdtempSync(join(tmpdir(), 'hostile-config-')), 'foundry-bench.config.yaml');
    writeFileSync(config, `target: ${withCredentials}\n`);
    const run = await runBench({}, ['--config', config, '--iterations', '2', '--warmup', '0'], specs);
    expect(run.output).toContain(':***@127.0.0.1');
    expectConcealed(run);
  });

  test('a key or URL with a line break in it is refused before any request, by name, without showing it', async () => {
    const before = (await sim.served()).length;
    const key = await runBench({ BENCH_BASE_URL: sim.url, BENCH_API_KEY: `sk-first-half\r\n${PASSWORD}` }, [], specs);
    expect(key.code).toBe(2);
    expect(key.output).toContain('BENCH_API_KEY contains a control character');
    expect(key.output).not.toContain(PASSWORD);
    const url = await runBench({ BENCH_BASE_URL: `${sim.url}\n${PASSWORD}` }, [], specs);
    expect(url.code).toBe(2);
    expect(url.output).toContain('BENCH_BASE_URL contains a control character');
    expect((await sim.served()).length).toBe(before);
  });

  test('redaction comes before control characters are stripped', () => {
    const s = new Sanitizer([`sk-a\r\n${PASSWORD}`], false);
    expect(s.text(`echo sk-a\r\n${PASSWORD} end`)).toBe('echo *** end');
  });
});

describe('identity under GitHub Actions: neutralised where printed, exact where stored', () => {
  test('a model named ::m matches its baseline on the next run, and a prompt with ##[, CR and ESC replays byte-identical', { timeout: 60_000 }, async () => {
    const sim = await spawnSimServer({ models: [{ id: '::m', ttftMs: 1, tokenMs: 0, tokens: 4 }] });
    try {
      const dir = mkdtempSync(join(tmpdir(), 'actions-identity-'));
      const env = { BENCH_BASE_URL: sim.url, GITHUB_ACTIONS: 'true' };
      const specs = 'test/actions-specs/*.bench.ts';
      expect((await runBench(env, ['--baseline-dir', dir, '--update-baseline'], specs)).code).toBe(0);
      const baseline = JSON.parse(readFileSync(join(dir, 'default.json'), 'utf8'));
      expect(Object.keys(baseline.cases)).toEqual(['::m/p']);
      expect(baseline.cases['::m/p'].request.messages.at(-1).content).toBe(ACTIONS_PROMPT);
      const before = (await sim.served()).length;
      const replay = await runBench(env, ['--baseline-dir', dir, '--base-replay'], specs);
      const [c] = replay.results?.cases ?? [];
      expect(c?.id).toBe('::m/p');
      expect(c?.gate?.paired?.replayOf).toBe(join(dir, 'default.json'));
      expect(c?.gate?.inputChanges).toEqual([]);
      const sent = (await sim.served()).slice(before).map((r) => r.lastMessage);
      expect(sent.length).toBeGreaterThanOrEqual(6);
      expect(new Set(sent)).toEqual(new Set([ACTIONS_PROMPT]));
      // Printed, nothing became a command.
      for (const line of replay.output.split('\n')) {
        expect(line.trim().startsWith('::') && !/^::(error|warning) file=/.test(line.trim())).toBe(false);
        if (line.includes('##[')) expect(line).toMatch(/^::(error|warning) file=/);
      }
    } finally {
      await sim.close();
    }
  });
});

/** Runs `use` against a server that answers every request HTTP 500 with a body full of terminal escapes. */
async function withEscapingServer(use: (url: string) => Promise<void>): Promise<void> {
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(500, { 'content-type': 'text/plain' }).end('boom \u001b[2J\u001b[31m red\u0007 \u001b]0;title\u0007');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await use(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe('smaller openings', () => {
  test("a /v1/models error body's terminal escapes never reach the console, on the main or the base side", { timeout: 30_000 }, () =>
    withEscapingServer(async (url) => {
      // Both sides list models: the target's and the A/B base's error bodies.
      const run = await runBench({ BENCH_BASE_URL: url }, ['--base-target', url, '--iterations', '2'], 'test/replay-specs/*.bench.ts');
      expect(run.output).toContain('answered HTTP 500: boom  red');
      expect(run.output).not.toMatch(/[\u001b\u0007]/);
    }),
  );

  test("Foundry Local's REST error bodies lose their escapes too", () =>
    withEscapingServer(async (origin) => {
      await expect(callJson(origin, '/openai/status')).rejects.toThrow(/^GET \/openai\/status answered HTTP 500: boom {2}red $/);
    }));

  test("report.md's footer escapes what a hostile results file says of the machine", () => {
    const results = makeResults([makeCase()]);
    results.run.node = '<img src=x onerror=alert(1)>';
    results.run.os.platform = '<b>linux' as NodeJS.Platform;
    results.run.gitSha = '<script>alert(1)</script>';
    const md = renderMarkdown(results);
    expect(md).not.toContain('<img');
    expect(md).not.toContain('<b>');
    expect(md).not.toContain('<script');
    expect(md).toContain('Node &lt;img src=x onerror=alert(1)&gt;');
  });
});
