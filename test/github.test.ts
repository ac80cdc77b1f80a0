import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from './fakes/fake-github.ts';
import { fitBody, upsertComment } from '../harness/cli/comment.ts';
import { REPORT_MARKER } from '../reporters/markdown.ts';

const TOKEN = 'ghs_test_token_never_printed';
let github: FakeGitHub;

beforeEach(async () => {
  github = await startFakeGitHub(TOKEN);
});
afterEach(() => github.close());

const upsert = (body: string, extra: Partial<Parameters<typeof upsertComment>[0]> = {}) =>
  upsertComment({ token: TOKEN, repository: 'acme/app', issueNumber: 7, body, apiUrl: github.url, ...extra });

describe('the sticky PR comment', () => {
  test('is created once, then updated in place', async () => {
    const first = await upsert(`${REPORT_MARKER}\nfirst run`);
    expect(first).toMatchObject({ action: 'created', truncated: false });
    const second = await upsert(`${REPORT_MARKER}\nsecond run`);
    expect(second).toMatchObject({ action: 'updated', id: first.id });
    const comments = github.comments.get(7) ?? [];
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toBe(`${REPORT_MARKER}\nsecond run`);
    expect(github.requests.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });

  test('finds its marker among 150 existing comments, across pages', async () => {
    const others = Array.from({ length: 150 }, (_, i) => ({ id: i + 1, body: `comment ${i}`, html_url: `u${i}`, user: { login: 'someone' } }));
    others[130] = { ...others[130]!, body: `${REPORT_MARKER}\nold report` };
    github.comments.set(7, others);
    const result = await upsert(`${REPORT_MARKER}\nnew report`);
    expect(result).toMatchObject({ action: 'updated', id: 131 });
    expect(github.comments.get(7)).toHaveLength(150);
    expect(github.comments.get(7)?.[130]?.body).toBe(`${REPORT_MARKER}\nnew report`);
    const lists = github.requests.filter((r) => r.method === 'GET');
    expect(lists.map((r) => r.path)).toEqual(['/repos/acme/app/issues/7/comments?per_page=100', '/repos/acme/app/issues/7/comments?per_page=100&page=2']);
  });

  test('adds the marker when the body lacks it, so the next run finds it', async () => {
    await upsert('plain body');
    expect(github.comments.get(7)?.[0]?.body.startsWith(REPORT_MARKER)).toBe(true);
    expect((await upsert('plain again')).action).toBe('updated');
  });

  test('cuts an oversized body at a line, with a link to the artifact', async () => {
    const huge = `${REPORT_MARKER}\n${Array.from({ length: 5000 }, (_, i) => `| row ${i} | ${'x'.repeat(20)} |`).join('\n')}`;
    const result = await upsert(huge, { artifactUrl: 'https://github.invalid/acme/app/actions/runs/1/artifacts/2' });
    expect(result.truncated).toBe(true);
    const body = github.comments.get(7)?.[0]?.body ?? '';
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body.startsWith(REPORT_MARKER)).toBe(true);
    expect(body).toMatch(
      /\| row \d+ \| x+ \|\n\n_The report is longer than a GitHub comment allows and was cut here\. Full report: https:\/\/github\.invalid\/acme\/app\/actions\/runs\/1\/artifacts\/2_\n$/,
    );
  });

  test('with an artifact URL, says where report.html is, right under the summary line', async () => {
    const url = 'https://github.invalid/acme/app/actions/runs/1';
    await upsert(`${REPORT_MARKER}\n### foundry-bench\n\n**3 cases**: ⚪ 3 unchanged\n\n| table |`, { artifactUrl: url });
    const lines = (github.comments.get(7)?.[0]?.body ?? '').split('\n');
    expect(lines.slice(3, 6)).toEqual([
      '**3 cases**: ⚪ 3 unchanged',
      '',
      `📊 Charts of every case (distributions, requests in order, inter-token latency, verdicts): \`report.html\` in the [run's artifacts](${url}).`,
    ]);
  });

  test('a rejected token is a clear error that does not contain the token', async () => {
    const error = await upsert('x', { token: 'wrong-token' }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('GitHub API GET /repos/acme/app/issues/7/comments?per_page=100 answered 401: {"message":"Bad credentials"}');
    expect((error as Error).message).not.toContain('wrong-token');
  });

  test('fitBody leaves a fitting body alone', () => {
    expect(fitBody(`${REPORT_MARKER}\nsmall`, REPORT_MARKER, 100)).toEqual({ body: `${REPORT_MARKER}\nsmall`, truncated: false });
  });
});
