/**
 * Rendering report.html for a large run (`npm run bench:html`): CASES cases (default 500) of 30 requests each,
 * 64 tokens (63 inter-token gaps) a request, a reference of 30 requests and a gate verdict per case, as a
 * real A/B run leaves them. Prints the median time of 5 renders and the page's size.
 */
import { renderHtml } from '../../reporters/html.ts';
import type { CaseResult } from '../../harness/types.ts';
import { lognormalLatencies } from '../helpers/lognormal.ts';
import { makeCase, makeResults } from '../helpers/results.ts';

const CASES = Number(process.env.CASES ?? 500);
// Verdict CIs come from a bootstrap; ten latency sets shared by all cases keep building the fixture quick.
const shapes = Array.from({ length: 10 }, (_, k) => ({
  head: lognormalLatencies(30, 100 * (k % 3 === 0 ? 1.25 : 1), 0.15, 2 * k + 1),
  base: lognormalLatencies(30, 100, 0.15, 2 * k + 2),
}));
const cases = Array.from({ length: CASES }, (_, i): CaseResult => {
  const shape = shapes[i % shapes.length] as (typeof shapes)[number];
  const c = makeCase({ model: `model-${i % 8}`, promptId: `prompt-${i}`, latencies: shape.head, baseLatencies: shape.base });
  const itl = lognormalLatencies(63, 12, 0.3, i + 7);
  return { ...c, samples: c.samples.map((s) => ({ ...s, itlMs: itl.map((ms) => Math.round(ms * 1000) / 1000) })) };
});
const results = makeResults(cases);
renderHtml(results); // warm the JIT
const times: number[] = [];
let html = '';
for (let i = 0; i < 5; i++) {
  const started = performance.now();
  html = renderHtml(results);
  times.push(performance.now() - started);
}
times.sort((a, b) => a - b);
const bytes = Buffer.byteLength(html);
console.log(`report.html for ${CASES} cases: ${((times[2] ?? 0) / 1000).toFixed(2)} s to render (median of 5), ${(bytes / 2 ** 20).toFixed(2)} MiB`);
