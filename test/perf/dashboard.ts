/**
 * The history dashboard at scale (`npm run bench:dashboard`): RUNS runs (default 200) of CASES cases (default 30,
 * over 6 models) from the gate's noise model, a +25% step in every third case at a random run; change points found
 * as `history dashboard` finds them. Prints the time to find them and to render, the page's size, then opens it
 * from disk in headless Chromium (no request may leave the file), counts its charts, and writes the first screen
 * to docs/dashboard.png.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findChanges } from '../../harness/history/changes.ts';
import { seededRandom } from '../../harness/evaluate/stats.ts';
import { renderDashboard } from '../../reporters/dashboard.ts';
import { launchChromium } from '../helpers/browser.ts';
import { simulatedSeries } from '../helpers/history.ts';
import { REALISTIC } from '../helpers/noise.ts';

const RUNS = Number(process.env.RUNS ?? 200);
const CASES = Number(process.env.CASES ?? 30);
const random = seededRandom(0xda5b);
const records = Array.from({ length: CASES }, (_, c) => {
  const stepAt = c % 3 === 0 ? 20 + Math.floor(random() * (RUNS - 40)) : RUNS;
  return simulatedSeries(RUNS, stepAt, 1.25, 1000 + c, REALISTIC, 30, `model-${c % 6}/prompt-${c}`);
}).flat();

let started = performance.now();
const changes = findChanges(records);
const findMs = performance.now() - started;
started = performance.now();
const html = renderDashboard(records, changes, { commitUrl: 'https://github.com/example/repo/commit/{sha}' });
const renderMs = performance.now() - started;
const file = join(mkdtempSync(join(tmpdir(), 'dashboard-')), 'index.html');
writeFileSync(file, html);
console.log(
  `${RUNS} runs x ${CASES} cases: change points found in ${(findMs / 1000).toFixed(2)} s (${changes.length}), page rendered in ${(renderMs / 1000).toFixed(2)} s, ` +
    `${(Buffer.byteLength(html) / 2 ** 20).toFixed(2)} MiB`,
);

const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, deviceScaleFactor: 1 });
  const requests: string[] = [];
  page.on('request', (request) => void (request.url().startsWith('file:') || requests.push(request.url())));
  started = performance.now();
  await page.goto(`file://${file}`);
  const loadMs = performance.now() - started;
  const charts = await page.locator('svg.plot').count();
  console.log(`Chromium: loaded in ${(loadMs / 1000).toFixed(2)} s, ${charts} charts, ${requests.length} requests outside the file`);
  if (requests.length > 0 || charts !== 2 * CASES) process.exitCode = 1;
  await page.screenshot({ path: 'docs/dashboard.png', clip: { x: 0, y: 0, width: 1200, height: 900 } });
  console.log('wrote docs/dashboard.png (1200 x 900)');
} finally {
  await browser.close();
}
