/**
 * What a consumer gets. `npm pack` ships the harness, its reporters and schemas, and the examples a consumer starts
 * from; not the project's own tests, CI, workflows or baselines (a consumer's install had 90 test files and a local
 * baseline). The embedded engine is an optional peer (700 MB of prebuilt builds a server-only project does not
 * need). And a project made with `npm init` (CommonJS) gets its specs checked before anything starts, as an ES
 * module project does.
 */
import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { isAlive } from '../harness/files/lock.ts';
import { EngineNotInstalledError, NODE_LLAMA_CPP_VERSION } from '../harness/targets/embedded/load.ts';
import { isMissingPackage } from '../harness/targets/missing-module.ts';
import { startSimServer, type SimServer } from './fakes/sim-server.ts';
import { testEnv } from './helpers/cli.ts';

describe('the package', () => {
  let sim: SimServer;
  beforeAll(async () => {
    sim = await startSimServer({ models: [{ id: 'sim-a', ttftMs: 1, tokenMs: 0, tokens: 2 }] });
  });
  afterAll(() => sim.close());

  test('ships what runs and the examples, and none of the tests, CI, workflows or baselines', () => {
    const [pack] = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
    ) as [{ files: Array<{ path: string }> }];
    const paths = pack.files.map((f) => f.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'harness/bin.js',
        'harness/index.ts',
        'harness/cli/preflight-hooks.js',
        'reporters/hub.ts',
        'schemas/results.schema.json',
        'bench/tiny-1m.fixed.bench.ts',
        'fixtures/models.yaml',
        'README.md',
      ]),
    );
    expect(paths.filter((p) => /^(test|\.github|\.ci)\/|^fixtures\/baselines\/|^schemas\/generate\.ts$/.test(p))).toEqual([]);
  });

  test('node-llama-cpp is an optional peer at the version the engine names, installed here for development only', () => {
    const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as Record<string, Record<string, unknown>>;
    expect(manifest.dependencies).not.toHaveProperty('node-llama-cpp');
    expect(manifest.peerDependencies).toEqual({ 'node-llama-cpp': NODE_LLAMA_CPP_VERSION });
    expect(manifest.peerDependenciesMeta).toEqual({ 'node-llama-cpp': { optional: true } });
    expect(manifest.devDependencies?.['node-llama-cpp']).toBe(NODE_LLAMA_CPP_VERSION);
  });

  // The wait begins after a start-up (serve loads its models first), and the starter is killed during it.
  const waiter = `import(${JSON.stringify(pathToFileURL(resolve('harness/cli/until-stopped.ts')).href)}).then(async ({ untilStopped }) => { console.log('waiting ' + process.pid); await new Promise((r) => setTimeout(r, 1000)); console.log('stopped: ' + (await untilStopped(50))); })`;
  const node = `"${process.execPath}" --import tsx -e "$WAITER"`;

  /** Starts `script` in sh, kills sh once the waiter is up, and returns what the waiter said it stopped for. */
  async function killStarter(script: string): Promise<string> {
    const shell = spawn('sh', ['-c', script], { env: { ...process.env, WAITER: waiter }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let errors = '';
    shell.stdout.on('data', (chunk) => (output += String(chunk)));
    shell.stderr.on('data', (chunk) => (errors += String(chunk)));
    await vi.waitFor(() => expect(output).toMatch(/waiting \d+/), { timeout: 20_000, interval: 50 });
    const pid = Number(/waiting (\d+)/.exec(output)?.[1]);
    // An orphan's exit may leave a zombie that a container's init never reaps: isAlive counts it as gone.
    expect(isAlive(pid)).toBe(true);
    shell.kill('SIGKILL');
    // Should it never stop, say what the waiter was doing (its state and parent, from /proc) and what it wrote to
    // stderr, and leave no orphan behind (one such run left a waiter sleeping under init for good).
    const state = () => (existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8').trim() : 'gone');
    try {
      await vi.waitFor(() => expect(output, `waiter ${state()}; stderr: ${errors}`).toContain('stopped: '), { timeout: 20_000, interval: 50 });
      await vi.waitFor(() => expect(isAlive(pid)).toBe(false), { timeout: 10_000, interval: 50 });
    } finally {
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    return /stopped: (.*)/.exec(output)?.[1] ?? '';
  }

  test('serve stops when the process that started it is killed (killing npm run serve never reached it)', async () => {
    // sh starts the wait in the background and waits: killing sh orphans the waiter.
    expect(await killStarter(`${node} & wait`)).toBe('its parent process exited');
    // As npm runs a script: npm -> sh -> node. Killing npm orphans the shell, which goes on waiting for the waiter;
    // sh (here the outer one) stands for npm.
    expect(await killStarter(`sh -c '${node}; true' & wait`)).toBe('the process that started its parent exited');
  }, 60_000);

  test("without node-llama-cpp, the embedded engine's error says how to install it (Node's and vite's wording of a missing package)", async () => {
    const missing = await import(/* @vite-ignore */ ['node-llama-cpp', 'not-installed'].join('-')).catch((error: unknown) => error);
    expect(isMissingPackage(missing, 'node-llama-cpp-not-installed')).toBe(true);
    const node = new Error("Cannot find package 'node-llama-cpp' imported from /p/harness/targets/embedded/engine.ts");
    expect(isMissingPackage(node, 'node-llama-cpp')).toBe(true);
    expect(isMissingPackage(new Error('Could not resolve "other" imported by "foundry-bench"'), 'node-llama-cpp')).toBe(false);
    expect(new EngineNotInstalledError(node).message).toContain(`npm install --save-dev node-llama-cpp@${NODE_LLAMA_CPP_VERSION}`);
  });

  test('a CommonJS project: a spec typo is exit 2 before any target or engine starts, a helper module checked too', async () => {
    const project = mkdtempSync(join(tmpdir(), 'foundry-bench-commonjs-'));
    mkdirSync(join(project, 'bench'));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', type: 'commonjs' }));
    const harness = JSON.stringify(resolve('harness/index.ts'));
    writeFileSync(join(project, 'bench/prompts.ts'), `export const prompts = [{ id: 'hi', messages: [{ role: 'user' as const, content: 'hello' }] }];\n`);
    writeFileSync(
      join(project, 'bench/a.bench.ts'),
      `import { benchModel } from ${harness};\nimport { prompts } from './prompts';\nbenchModel('tiny-1m', { prompts, iteratons: 5 });\n`,
    );
    writeFileSync(join(project, 'bench/b.bench.ts'), `import { benchModel } from ${harness};\nbenchModel('tiny-8m', { prompts: 'none.yaml' });\n`);
    const run = spawnSync(process.execPath, [resolve('harness/bin.js'), '--output', join(project, 'out')], {
      cwd: project,
      env: testEnv(),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr + run.stdout).toContain(
      "invalid input, nothing was run:\n  benchModel('tiny-1m') in bench/a.bench.ts: unknown option iteratons (did you mean iterations?)\n" +
        "  benchModel('tiny-8m') in bench/b.bench.ts: none.yaml: cannot read (ENOENT)",
    );
    expect(run.stderr + run.stdout).not.toMatch(/embedded engine|target/);

    // The same project has no model catalog: `models` says so, and lists what the target serves.
    // (Not spawnSync: the simulated server answers from this process.)
    const models = await promisify(execFile)(process.execPath, [resolve('harness/bin.js'), 'models', '--target', sim.url], { cwd: project, env: testEnv() });
    expect(models.stdout).toContain('catalog: none (no fixtures/models.yaml; a catalog adds');
    expect(models.stdout).toMatch(/\nsim-a +- +- +- +- +- +yes\n/);
    expect(models.stdout).toContain(`target: ${sim.url} (openai-compatible, from --target)`);
  }, 60_000);
});
