/**
 * The pictures of the PR comment's chart in docs/reports.md (`npm run docs:pr-chart`): the chart of 9 and of 30
 * compared cases drawn by mermaid in headless Chromium, as docs/pr-chart-9.png and docs/pr-chart-30.png.
 */
import { launchChromium } from '../helpers/browser.ts';
import { chartOf, drawCharts } from '../helpers/mermaid.ts';

const browser = await launchChromium();
try {
  const sizes = [9, 30];
  const { page } = await drawCharts(browser, sizes.map(chartOf));
  for (const [i, n] of sizes.entries()) {
    const path = `docs/pr-chart-${n}.png`;
    await page.locator(`#chart-${i} svg`).screenshot({ path });
    console.log(`wrote ${path}`);
  }
} finally {
  await browser.close();
}
