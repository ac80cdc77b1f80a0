/**
 * The README and the pages of docs/ link each other and the repository's files: every relative link must resolve
 * to a file, and a `#fragment` to a heading of that file (GitHub's anchors), so moving a page or renaming a
 * heading cannot leave a newcomer at a dead link. The README stays short: the reference lives in docs/.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const PAGES = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** Markdown outside fenced code blocks (a link in a code sample is not a link). */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '');
}

/** `[text](target)` and `![alt](target)` links, without the external ones. */
function relativeLinks(markdown: string): string[] {
  const links = [...prose(markdown).matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1] as string);
  return links.filter((link) => !/^[a-z]+:/i.test(link));
}

/** GitHub's anchor of a heading: lower case, punctuation dropped (hyphens and underscores kept), spaces as hyphens. */
function anchors(markdown: string): Set<string> {
  const headings = [...prose(markdown).matchAll(/^#{1,6} +(.+)$/gm)].map((m) => (m[1] as string).trim());
  return new Set(
    headings.map((h) =>
      h
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .replace(/ /g, '-'),
    ),
  );
}

describe('the README and docs/', () => {
  test.each(PAGES)('every relative link of %s resolves, fragments included', (page) => {
    const text = readFileSync(join(ROOT, page), 'utf8');
    const broken: string[] = [];
    for (const link of relativeLinks(text)) {
      const [path = '', fragment] = link.split('#');
      const target = path === '' ? join(ROOT, page) : resolve(dirname(join(ROOT, page)), decodeURI(path));
      if (!existsSync(target)) broken.push(`${link}: no file ${relative(ROOT, target)}`);
      else if (fragment && target.endsWith('.md') && !anchors(readFileSync(target, 'utf8')).has(fragment)) broken.push(`${link}: no heading #${fragment}`);
    }
    expect(broken).toEqual([]);
  });

  test('every page of docs/ is linked from the README', () => {
    const linked = new Set(relativeLinks(readFileSync(join(ROOT, 'README.md'), 'utf8')).map((link) => link.split('#')[0]));
    const pages = PAGES.filter((p) => p !== 'README.md');
    expect(pages.filter((p) => !linked.has(p))).toEqual([]);
  });

  test('the README is what a person reads to start and decide, not the reference: under 250 lines', () => {
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n').length).toBeLessThan(250);
  });
});
