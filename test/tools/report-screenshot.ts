/**
 * The picture of report.html in docs/reports.md (`npm run docs:screenshot -- <report.html> [out.png]`): the page opened from
 * disk in headless Chromium at 1200 px, its first screen and the first case, as one PNG.
 */
import { resolve } from 'node:path';
import { launchChromium } from '../helpers/browser.ts';

const [input, output = 'docs/report.png'] = process.argv.slice(2);
if (!input) throw new Error('usage: report-screenshot <report.html> [out.png]');
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, deviceScaleFactor: 1 });
  await page.goto(`file://${resolve(input)}`);
  const firstCase = await page.locator('article.case').first().boundingBox();
  const height = Math.ceil((firstCase?.y ?? 900) + (firstCase?.height ?? 0) + 12);
  await page.screenshot({ path: output, fullPage: true, clip: { x: 0, y: 0, width: 1200, height } });
  console.log(`wrote ${output} (1200 x ${height})`);
} finally {
  await browser.close();
}
