/**
 * report.html from a real run (an A/B run on the simulated server, the base being the same server measured
 * alongside), checked as text and then in headless Chromium opened from disk.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { renderHtml } from '../reporters/html.ts';
import { startSimServer, type SimServer } from './fakes/sim-server.ts';
import { CHROMIUM_PATH, launchChromium } from './helpers/browser.ts';
import { type ChartLayout, chartOf, drawCharts } from './helpers/mermaid.ts';
import { runBench, runCli, type CliRun } from './helpers/cli.ts';
import { makeCase, makeResults } from './helpers/results.ts';

const HOSTILE = '<script>window.__pwned = 1</script> <img src=x onerror="window.__pwned = 2"> Tom & "Jerry"';

let sim: SimServer;
let run: CliRun;
let html: string;

beforeAll(async () => {
  sim = await startSimServer({
    seed: 7,
    models: [
      { id: 'sim-html', ttftMs: 3, tokenMs: 1, tokens: 8, reply: HOSTILE },
      { id: 'sim-plain', ttftMs: 1, tokenMs: 0, tokens: 6 },
    ],
  });
  run = await runBench({ BENCH_BASE_URL: sim.url }, ['--base-target', sim.url], 'test/html-specs/*.bench.ts');
  html = readFileSync(join(run.outDir, 'report.html'), 'utf8');
}, 60_000);
afterAll(() => sim.close());

describe('report.html', () => {
  test('is written by every run, and is what `report --format html` makes of its results.json', async () => {
    // The server against itself: the gate's verdicts are its business (its false-alarm rate is a few % a case), the
    // report's contents are this file's. Exit 1 would only mean a case failed the gate; a broken run has no results.
    expect([0, 1]).toContain(run.code);
    expect(run.results?.cases.map((c) => c.status === 'skipped')).toEqual([false, false]);
    const out = join(run.outDir, 'again.html');
    expect((await runCli(['report', join(run.outDir, 'results.json'), '--format', 'html', '-o', out])).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(html);
    expect(renderHtml(run.results as NonNullable<CliRun['results']>)).toBe(html);
  });

  test('is self-contained: no script, nothing fetched, a policy that forbids both', () => {
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
    expect(html).not.toMatch(/<script|<link|src="http|href="http/i);
  });

  test('shows model text as text', () => {
    expect(html).toContain(
      '&lt;script&gt;window.__pwned = 1&lt;/script&gt; &lt;img src=x onerror=&quot;window.__pwned = 2&quot;&gt; Tom &amp; &quot;Jerry&quot;',
    );
    expect(html).not.toContain('<img');
  });

  test('escapes hostile model names and prompt ids wherever they appear: headings, tables, chart labels', () => {
    const name = '<script>alert(1)</script>" onload="x';
    const page = renderHtml(
      makeResults([
        makeCase({ model: name, promptId: 'p', latencies: [100, 101, 102, 103, 104], baseLatencies: [100, 102, 101, 103, 104], output: '<img src=x>' }),
      ]),
    );
    // No element from the name, no attribute broken out of: only escaped text.
    expect(page).not.toMatch(/<script|<img|<[^>]*\sonload="/);
    expect(page).toContain('<h3>&lt;script&gt;alert(1)&lt;/script&gt;&quot; onload=&quot;x › p</h3>');
    expect(page).toContain('&lt;img src=x&gt;');
  });

  test('lists the failed, regressed and inconclusive cases first, each linked to its charts', () => {
    const page = renderHtml(
      makeResults([
        makeCase({ promptId: 'same', latencies: [100, 101, 99, 100, 102], baseLatencies: [100, 101, 99, 100, 102] }),
        makeCase({ promptId: 'slower', latencies: [150, 151, 149, 150, 152], baseLatencies: [100, 101, 99, 100, 102] }),
      ]),
    );
    const list = /<ul class="attention">(.*?)<\/ul>/.exec(page)?.[1] ?? '';
    expect(list).toContain('>regressed</b> <a href="#case-2">tiny-1m/slower</a> Δ p95 +49.');
    expect(list).toContain(' · p50-p80 moved beyond the tolerance 10%, and the change is significant</li>');
    expect(list).not.toContain('tiny-1m/same');
    expect(page).toContain('<article class="case" id="case-2"><h3>tiny-1m › slower</h3>');
    // The verdicts' colours have a key.
    expect(page).toMatch(
      /<h2 id="verdicts">Verdicts<\/h2><p class="key muted">(<span><span class="swatch"[^>]*><\/span>(regressed|inconclusive|improved|unchanged)<\/span>){4}/,
    );
  });

  test('a case whose input or output changed is listed with that reason, and its card says it as report.md does', () => {
    const changed = makeCase({ promptId: 'same', latencies: [100, 101, 99, 100, 102], baseLatencies: [100, 101, 99, 100, 102] });
    if (changed.gate) Object.assign(changed.gate, { outputChanged: true, inputChanges: ['maxTokens 64 -> 80'] });
    const page = renderHtml(makeResults([changed]));
    const list = /<ul class="attention">(.*?)<\/ul>/.exec(page)?.[1] ?? '';
    expect(list).toContain('<a href="#case-1">tiny-1m/same</a>');
    expect(list).toContain('input changed: maxTokens 64 -&gt; 80 · output changed since the baseline snapshot (a behaviour change, not a latency one)');
    expect(page).toContain('<p class="muted">🔀 output changed since the baseline snapshot (a behaviour change, not a latency one)</p>');
  });

  test('marks: quality sizes them only when a case was scored; many warm-ups take at most a third of the order chart', () => {
    const warmUps = Array.from({ length: 90 }, (_, i) => 200 - i);
    const c = makeCase({ latencies: Array.from({ length: 20 }, (_, i) => 100 + (i % 3)) });
    c.warmup = { count: 90, errors: 0, e2eMs: warmUps };
    const page = renderHtml(makeResults([c]));
    const comparison = /<h2 id="models">.*?<\/figure>/.exec(page)?.[0] ?? '';
    expect(comparison).not.toContain('quality score');
    // Plot draws a dot as two arcs of its radius.
    expect(
      new Set([...comparison.matchAll(/aria-label="dot">(.*?)<\/g>/g)].flatMap((m) => [...(m[1] ?? '').matchAll(/A([\d.]+),/g)].map((a) => a[1]))),
    ).toEqual(new Set(['4']));
    // The order chart: the dashed line between warm-ups and timed requests sits at least two thirds of the way across.
    const order = /requests in the order sent[\s\S]*?<\/svg>/.exec(page)?.[0] ?? '';
    expect(order).toContain('left of the line: 90 warm-ups, drawn closer');
    // (Without the compression it stood at 90/110 of the way: 0.82.)
    const xs = [...order.matchAll(/stroke-dasharray="2,2"[^>]*><line[^>]*x1="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(xs).toHaveLength(1);
    expect((xs[0] ?? 360) / 360).toBeLessThan(0.45);
  });

  test('has, for every measured case, its distribution, order, inter-token and verdict charts, with the baseline overlaid', () => {
    const cases = html.split('<article class="case"').slice(1);
    expect(cases).toHaveLength(2);
    for (const c of cases) {
      for (const label of [
        'distribution of e2e latency and TTFT',
        'requests in the order sent',
        'inter-token latency by token position',
        'confidence interval against the tolerance band',
      ])
        expect(c).toContain(label);
      // The reference drawn beside this run: grey curves and dots.
      expect(c).toContain('stroke="#9ca3af"');
    }
    // The untimed warm-up requests (orange) come before the timed ones.
    const warmedUp = cases.filter((c) => c.includes('request, in the order sent (left of the line: '));
    expect(warmedUp).toHaveLength(2);
    for (const c of warmedUp) {
      expect(c).toContain('stroke="#f59e0b"');
    }
    expect(html).toContain('models compared: p95 latency against tokens per second');
    expect(html).toContain('e2e p95 change of every gated case');
  });
});

describe.skipIf(!CHROMIUM_PATH)('report.html in headless Chromium', () => {
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];
  const requests: string[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.on('console', (message) => void (message.type() === 'error' && consoleErrors.push(message.text())));
    page.on('pageerror', (error) => void consoleErrors.push(error.message));
    page.on('request', (request) => void (request.url().startsWith('file:') || requests.push(request.url())));
    await page.goto(`file://${join(run.outDir, 'report.html')}`);
  }, 30_000);
  afterAll(() => browser?.close());

  test('opens from disk with no console error and no network request; the model script never runs', async () => {
    expect(consoleErrors).toEqual([]);
    expect(requests).toEqual([]);
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
    await page.locator('article.case details').first().click();
    expect(await page.locator('article.case pre').first().textContent()).toContain('<script>window.__pwned = 1</script>');
  });

  test('every case has its charts, each with marks drawn', async () => {
    const perCase = await page.$$eval('article.case', (articles) =>
      articles.map((article) =>
        [...article.querySelectorAll('svg.plot')].map((svg) => {
          // Marks are the groups Plot labels by mark type; axes and grids carry no label here.
          const marks = [...svg.querySelectorAll('g[aria-label]')].filter((g) => g.querySelector('path, circle, line, rect'));
          const box = svg.getBoundingClientRect();
          return { marks: marks.length, width: box.width, height: box.height };
        }),
      ),
    );
    expect(perCase).toHaveLength(2);
    for (const charts of perCase) {
      expect(charts).toHaveLength(4);
      for (const chart of charts) {
        expect(chart.marks).toBeGreaterThan(0);
        expect(chart.width).toBeGreaterThan(100);
        expect(chart.height).toBeGreaterThan(20);
      }
    }
  });

  test("the PR comment's mermaid chart draws in mermaid: from a real run; at 9 and 30 cases, readable", async () => {
    const markdown = readFileSync(join(run.outDir, 'report.md'), 'utf8');
    const real = /```mermaid\n([\s\S]*?)```/.exec(markdown)?.[1] ?? '';
    const sizes = [9, 30];
    const { page: chartPage, layouts } = await drawCharts(browser, [real, ...sizes.map(chartOf)]);
    await chartPage.close();
    const [fromRun, ...crafted] = layouts as [ChartLayout, ...ChartLayout[]];
    expect(fromRun.labels.map((l) => l.text).sort()).toEqual(['sim-html/hello', 'sim-plain/hello']);
    expect([fromRun.bars.length, fromRun.lines]).toEqual([2, 2]);
    for (const [i, layout] of crafted.entries()) {
      const n = sizes[i] as number;
      // A bar and a label a case, the two tolerance lines; labels one per row, none over the next.
      expect([layout.labels.length, layout.bars.length, layout.lines]).toEqual([n, n, 2]);
      for (const [j, label] of layout.labels.slice(1).entries()) {
        const above = layout.labels[j] as ChartLayout['labels'][number];
        expect(label.top, `${n} cases: ${above.text} / ${label.text}`).toBeGreaterThanOrEqual(above.bottom - 0.5);
      }
      // Every label and bar inside the drawing, the axis from 0, the widest bar (largest slowdown) first.
      for (const label of layout.labels) expect(label.left, label.text).toBeGreaterThanOrEqual(layout.chart.left - 1);
      for (const bar of layout.bars) expect(bar.right).toBeLessThanOrEqual(layout.chart.right);
      expect(layout.ticks[0]).toBe('0');
      const widths = layout.bars.map((b) => b.right - b.left);
      expect(widths).toEqual([...widths].sort((a, b) => b - a));
    }
  });

  test('works at 375 px wide: nothing wider than the screen, charts scaled down to fit', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    const layout = await page.evaluate(() => {
      // The page's document (this project compiles without the DOM library, so its shape is spelt out).
      type Box = { getBoundingClientRect(): { right: number } };
      const { document } = globalThis as unknown as {
        document: { documentElement: { scrollWidth: number }; querySelectorAll(selector: string): Iterable<Box> };
      };
      return {
        page: document.documentElement.scrollWidth,
        widest: Math.max(...[...document.querySelectorAll('svg.plot')].map((svg) => svg.getBoundingClientRect().right)),
      };
    });
    expect(layout.page).toBeLessThanOrEqual(375);
    expect(layout.widest).toBeLessThanOrEqual(375);
  });
});

if (!CHROMIUM_PATH) console.warn('report.html browser tests skipped: no Chromium (apt-get install chromium, or set CHROMIUM_PATH)');
