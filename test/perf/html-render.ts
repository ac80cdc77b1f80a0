/**
 * Rendering report.html for a large run (`npm run bench:html`): CASES cases (default 500) of 30 requests each
 * after 2 warm-up requests, 64 tokens (63 inter-token gaps) a request, a reference of 30 requests and a gate
 * verdict per case, 8 models each with a 30-request warm-up until stable, as a real A/B run leaves them. Prints the median time of 5 renders and the page's size.
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
  // Two untimed warm-up requests a case, and the model's 30-request warm-up until stable on its first case.
  const warmUp = i < 8 ? { requests: 30, stable: true, ms: 4_000, medianMs: 100, e2eMs: lognormalLatencies(30, 130, 0.2, i + 99) } : undefined;
  return {
    ...c,
    samples: c.samples.map((s) => ({ ...s, itlMs: itl.map((ms) => Math.round(ms * 1000) / 1000) })),
    warmup: { count: 2, errors: 0, e2eMs: [120, 110] },
    modelInfo: warmUp ? { parameters: null, fileBytes: null, sha256: null, loadMs: 50, rssGrowthBytes: null, warmUp } : null,
  };
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
