/**
 * The PR comment's mermaid chart drawn by mermaid itself in headless Chromium, as GitHub draws it: the chart's
 * layout as numbers a test can check, and the picture docs/ shows (`npm run docs:pr-chart`).
 */
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { p95Chart } from '../../reporters/markdown.ts';
import { makeCase, makeResults } from './results.ts';

/** Where the chart's parts landed, in px of the page. */
export interface ChartLayout {
  /** The case labels beside the bars, top to bottom. */
  labels: Array<{ text: string; top: number; bottom: number; left: number }>;
  /** Each bar's extent. */
  bars: Array<{ left: number; right: number }>;
  /** The value axis' tick labels, left to right. */
  ticks: string[];
  /** The tolerance lines drawn. */
  lines: number;
  /** The drawing's box. */
  chart: { left: number; right: number; top: number; bottom: number };
}

/** `n` compared cases whose p95 moved between -20% and +120%, with ids as long as real ones. */
export function chartOf(n: number): string {
  const models = ['tiny-1m', 'tiny-8m', 'tiny-30m', 'qwen2.5-0.5b'];
  const prompts = ['rag-summary', 'local-privacy', 'slm-vs-llm', 'size-vs-latency'];
  const cases = Array.from({ length: n }, (_, i) => {
    const factor = 0.8 + ((i * 7) % 15) * 0.1;
    return makeCase({
      model: models[i % 4] as string,
      promptId: `${prompts[Math.floor(i / 4) % 4]}${i >= 16 ? `-${i}` : ''}`,
      latencies: [100, 101, 102].map((x) => x * factor),
      baseLatencies: [100, 101, 102],
    });
  });
  const markdown = p95Chart(makeResults(cases)).join('\n');
  return /```mermaid\n([\s\S]*?)```/.exec(markdown)?.[1] ?? '';
}

/**
 * Draws mermaid charts on one fresh page of `browser` at 800 px (mermaid loads once: two seconds), the i-th in
 * `#chart-i`; the page stays open for screenshots.
 */
export async function drawCharts(browser: Browser, texts: readonly string[]): Promise<{ page: Page; layouts: ChartLayout[] }> {
  const page = await browser.newPage({ viewport: { width: 800, height: 600 }, deviceScaleFactor: 1 });
  const holders = texts.map((_, i) => `<div id="chart-${i}"></div>`).join('');
  await page.setContent(`<!doctype html><html><body style="margin:0;background:#fff">${holders}</body></html>`);
  await page.addScriptTag({ path: createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js') });
  const layouts = await page.evaluate(async (sources) => {
    // This project compiles without the DOM library: the page's shapes spelt out.
    type Box = { left: number; right: number; top: number; bottom: number };
    type Node = { getBoundingClientRect(): Box; textContent: string | null; querySelectorAll(selector: string): Iterable<Node> };
    type Mermaid = { initialize(o: object): void; render(id: string, text: string): Promise<{ svg: string }> };
    const { mermaid, document } = globalThis as unknown as {
      mermaid: Mermaid;
      document: { getElementById(id: string): Node & { innerHTML: string }; querySelector(selector: string): Node };
    };
    mermaid.initialize({ startOnLoad: false });
    const drawn = [];
    for (const [i, source] of sources.entries()) {
      const { svg } = await mermaid.render(`p95-${i}`, source);
      const holder = document.getElementById(`chart-${i}`);
      holder.innerHTML = svg;
      // No named helper functions here: tsx would wrap them in a __name() call the page does not have.
      const labels = [...holder.querySelectorAll('.left-axis .label text')].map((t) => ({ text: t.textContent ?? '', box: t.getBoundingClientRect() }));
      const bars = [...holder.querySelectorAll('.bar-plot-0 rect')].map((r) => r.getBoundingClientRect());
      const chart = document.querySelector(`#chart-${i} svg`).getBoundingClientRect();
      drawn.push({
        labels: labels.map(({ text, box }) => ({ text, top: box.top, bottom: box.bottom, left: box.left })),
        bars: bars.map(({ left, right }) => ({ left, right })),
        ticks: [...holder.querySelectorAll('.top-axis .label text')].map((t) => t.textContent ?? ''),
        lines: [...holder.querySelectorAll('[class^="line-plot"] path')].length,
        chart: { left: chart.left, right: chart.right, top: chart.top, bottom: chart.bottom },
      });
    }
    return drawn;
  }, texts);
  return { page, layouts };
}
