/**
 * What `npm pack` ships: the harness, its reporters and schemas, and the examples a consumer starts from; not the
 * project's own tests, CI, workflows or baselines (a consumer's install had 90 test files and a local baseline).
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';

describe('the package', () => {
  test('ships what runs and the examples, and none of the tests, CI, workflows or baselines', () => {
    const [pack] = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
    ) as [{ files: Array<{ path: string }> }];
    const paths = pack.files.map((f) => f.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'harness/bin.js',
        'harness/index.ts',
        'reporters/hub.ts',
        'schemas/results.schema.json',
        'bench/tiny-1m.fixed.bench.ts',
        'fixtures/models.yaml',
        'README.md',
      ]),
    );
    expect(paths.filter((p) => /^(test|\.github|\.ci)\/|^fixtures\/baselines\/|^schemas\/generate\.ts$/.test(p))).toEqual([]);
  });
});
