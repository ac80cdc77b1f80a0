import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadCatalog } from '../harness/files/catalog.ts';
import { loadConfig } from '../harness/files/config.ts';
import { DataFileError, loadDataFile } from '../harness/files/data-file.ts';
import { loadPrompts } from '../harness/files/prompts.ts';
import { loadAnnotations } from '../harness/files/annotations.ts';

const broken = (name: string) => join('test/fixtures/broken', name);

function problems(load: () => unknown): string[] {
  try {
    load();
  } catch (error) {
    if (error instanceof DataFileError) return error.problems;
    throw error;
  }
  throw new Error('expected the file to be rejected');
}

describe('shipped files validate against their schemas', () => {
  test.each(readdirSync('fixtures/prompts'))('fixtures/prompts/%s', (name) => {
    const prompts = loadPrompts(join('fixtures/prompts', name));
    expect(prompts.length).toBeGreaterThanOrEqual(3);
    expect(prompts.every((p) => (p.expected?.facets?.length ?? 0) > 0)).toBe(true);
  });

  test('fixtures/models.yaml', () => {
    const catalog = loadCatalog('fixtures/models.yaml', true);
    expect(Object.keys(catalog)).toEqual(['tiny-1m', 'tiny-8m', 'tiny-30m', 'qwen2.5-0.5b', 'gemma-2-2b', 'mistral-7b']);
    expect(catalog['qwen2.5-0.5b']).toMatchObject({ license: 'apache-2.0', size_mb: 820 });
  });

  test('the example config in docs', async () => {
    expect(await loadConfig('docs/examples/foundry-bench.config.yaml')).toMatchObject({
      defaults: { iterations: 30 },
      energy: { deviceWatts: 15 },
      foundry: { download: false, downloadRetries: 3 },
    });
  });
});

describe('broken files are rejected with file, line, column and field', () => {
  test('wrong type', () => {
    expect(problems(() => loadPrompts(broken('wrong-type.yaml')))).toEqual(['test/fixtures/broken/wrong-type.yaml:4:16 prompts[0].maxTokens: must be integer']);
  });

  test('unknown key', () => {
    expect(problems(() => loadPrompts(broken('unknown-key.yaml')))).toEqual([
      'test/fixtures/broken/unknown-key.yaml:4:5 prompts[0].temprature: unknown key "temprature"',
    ]);
  });

  test('missing id', () => {
    expect(problems(() => loadPrompts(broken('missing-id.yaml')))).toEqual([
      "test/fixtures/broken/missing-id.yaml:4:5 prompts[1].id: must have required property 'id'",
    ]);
  });

  test('duplicate prompt id', () => {
    expect(problems(() => loadPrompts(broken('duplicate-id.yaml')))).toEqual([
      'test/fixtures/broken/duplicate-id.yaml:6:9 prompts[2].id: "same" is already the id of prompts[0]',
    ]);
  });

  test('YAML syntax error', () => {
    const [first] = problems(() => loadPrompts(broken('syntax-error.yaml')));
    expect(first).toMatch(/^test\/fixtures\/broken\/syntax-error\.yaml:\d+:\d+ [A-Z_]+: /);
  });

  test('a billion-laughs YAML bomb is refused, quickly', () => {
    const started = performance.now();
    const [first] = problems(() => loadPrompts(broken('billion-laughs.yaml')));
    expect(first).toContain('refusing a possible YAML bomb');
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  test('every problem of a file at once: catalog', () => {
    expect(problems(() => loadCatalog(broken('models-bad.yaml'), true))).toEqual([
      'test/fixtures/broken/models-bad.yaml:5:3 tiny-1m.weights: unknown key "weights"',
      'test/fixtures/broken/models-bad.yaml:2:17 tiny-1m.capabilities: must be array',
      'test/fixtures/broken/models-bad.yaml:3:12 tiny-1m.size_mb: must be >= 0',
    ]);
  });

  test('config', async () => {
    await expect(loadConfig(broken('config-bad.yaml'))).rejects.toMatchObject({
      problems: [
        'test/fixtures/broken/config-bad.yaml:3:3 defaults.warmpu: unknown key "warmpu"',
        'test/fixtures/broken/config-bad.yaml:2:15 defaults.iterations: must be >= 1',
        'test/fixtures/broken/config-bad.yaml:5:11 regression.failOn: must be equal to one of the allowed values',
        'test/fixtures/broken/config-bad.yaml:6:22 reporters[1]: must be equal to one of the allowed values',
      ],
    });
  });

  test('annotations', () => {
    expect(problems(() => loadAnnotations(broken('annotations-bad.yaml'), true))).toEqual([
      'test/fixtures/broken/annotations-bad.yaml:3:19 annotations[0].outputSha256: must match pattern "^[0-9a-f]{64}$"',
      'test/fixtures/broken/annotations-bad.yaml:4:12 annotations[0].score: must be <= 5',
    ]);
  });

  test('facets in JSON, with checks beyond the schema', () => {
    expect(problems(() => loadPrompts(broken('facets-bad.json')))).toEqual([
      'test/fixtures/broken/facets-bad.json:3:61 prompts[0].expected.facets[0]: needs "keywords" or "regex" (one of them)',
      expect.stringMatching(/^test\/fixtures\/broken\/facets-bad\.json:3:100 prompts\[0\]\.expected\.facets\[1\]\.regex: Invalid regular expression/),
    ]);
  });

  test('an unreadable or oversized file names itself', () => {
    expect(problems(() => loadDataFile('nope.yaml', 'prompts'))).toEqual(['nope.yaml: cannot read (ENOENT)']);
    const big = join(mkdtempSync(join(tmpdir(), 'data-big-')), 'big.yaml');
    writeFileSync(big, `prompts:\n${'  - id: x\n    text: y\n'.repeat(60_000)}`);
    expect(problems(() => loadDataFile(big, 'prompts'))[0]).toMatch(/: over the 1048576-byte limit \(read \d+ bytes and stopped\) for data files$/);
  });

  test('a device, a FIFO or a link to a device is refused at once, by bytes read, not by its size of 0', () => {
    const dir = mkdtempSync(join(tmpdir(), 'data-devices-'));
    const fifo = join(dir, 'prompts.fifo');
    execFileSync('mkfifo', [fifo]);
    const link = join(dir, 'random.yaml');
    symlinkSync('/dev/urandom', link);
    // A FIFO without a writer would block the open, a device never ends: a hang here is the test's timeout.
    for (const path of ['/dev/zero', '/dev/urandom', fifo, link]) {
      expect(problems(() => loadDataFile(path, 'prompts'))[0], path).toMatch(/: not a regular file \(a device, a FIFO or a socket\): refusing to read it$/);
    }
  });
});
