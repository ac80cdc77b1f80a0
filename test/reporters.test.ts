import { XMLParser } from 'fast-xml-parser';
import { describe, expect, test } from 'vitest';
import { resultsProblems } from '../harness/results/results-file.ts';
import { csvField, renderCsv } from '../reporters/csv.ts';
import { annotations, escapeData } from '../reporters/github.ts';
import { renderJUnit } from '../reporters/junit.ts';
import { CHART_CASES, GITHUB_COMMENT_LIMIT, p95Chart, renderMarkdown, REPORT_MARKER } from '../reporters/markdown.ts';
import { makeCase, makeResults } from './helpers/results.ts';

const slow = [130, 131, 129, 132, 128, 130, 131, 129, 133, 127, 130, 131, 129, 132, 128, 130, 131, 129, 133, 127];
const steady = [100, 101, 99, 102, 98, 100, 101, 99, 103, 97, 100, 101, 99, 102, 98, 100, 101, 99, 103, 97];

const results = makeResults([
  makeCase({ model: 'tiny-1m', promptId: 'regressed', latencies: slow, baseLatencies: steady }),
  makeCase({ model: 'tiny-1m', promptId: 'same', latencies: steady, baseLatencies: steady }),
  makeCase({ model: 'tiny-8m', promptId: 'fresh', file: 'bench/other.bench.ts' }),
  makeCase({ model: 'qwen2.5-0.5b', promptId: 'absent', status: 'skipped', skipReason: 'model "qwen2.5-0.5b" is not served' }),
]);

describe('the test fixture itself', () => {
  test('is a valid results document', () => {
    expect(resultsProblems(results)).toEqual([]);
  });
});

describe('JUnit', () => {
  const xml = renderJUnit(results);
  const parsed = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name),
  }).parse(xml);

  test('parses as XML: a testsuite per spec file, a testcase per case', () => {
    const suites = parsed.testsuites.testsuite as Array<{ name: string; tests: string; testcase: Array<Record<string, unknown>> }>;
    expect(suites.map((s) => s.name)).toEqual(['bench/example.bench.ts', 'bench/other.bench.ts']);
    expect(suites[0]?.testcase.map((t) => t.name)).toEqual(['tiny-1m > regressed', 'tiny-1m > same', 'qwen2.5-0.5b > absent']);
    expect(parsed.testsuites.failures).toBe('1');
    expect(parsed.testsuites.skipped).toBe('1');
  });

  test('a regressed case is a failure saying what moved, a skipped one is skipped', () => {
    const [regressed, same, skipped] = (parsed.testsuites.testsuite[0].testcase as Array<Record<string, unknown>>) ?? [];
    const failure = regressed?.failure as { message: string; type: string };
    expect(failure.type).toBe('LatencyRegressed');
    expect(failure.message).toMatch(/e2e p95 \d+ ms -> \d+ ms \(\+\d+\.\d%, 99% CI .*p50-p80 \+\d+\.\d%/);
    expect(same?.failure).toBeUndefined();
    expect(skipped).toHaveProperty('skipped');
    expect(skipped?.['system-out']).toContain('not served');
  });

  test('carries every metric and the verdict as properties, time in seconds', () => {
    const testcase = parsed.testsuites.testsuite[0].testcase[0] as { time: string; properties: { property: Array<{ name: string; value: string }> } };
    const properties = Object.fromEntries(testcase.properties.property.map((p) => [p.name, p.value]));
    expect(properties['gate.verdict']).toBe('regressed');
    expect(Number(properties['e2e.p95.ms'])).toBeGreaterThan(130);
    for (const key of [
      'e2e.p50.ms',
      'e2e.p99.ms',
      'ttft.p95.ms',
      'itl.p50.ms',
      'tpot.p50.ms',
      'throughput.e2e.tok_s.p50',
      'errors.rate',
      'gate.e2eP95.change',
    ]) {
      expect(properties).toHaveProperty([key]);
    }
    expect(Number(testcase.time)).toBeCloseTo(slow.reduce((a, b) => a + b, 0) / 1000, 3);
  });
});

describe('Markdown', () => {
  test('summarises, tables and marks the report', () => {
    const md = renderMarkdown(results);
    expect(md.startsWith(REPORT_MARKER)).toBe(true);
    expect(md).toContain('**4 cases**: 🔴 1 regressed · ⚪ 1 unchanged · 🆕 1 new · ⏭️ 1 skipped');
    expect(md).toMatch(
      /\| 🔴 \| tiny-1m \| regressed \| [\d.]+ ms \| [\d.]+ ms \| \+\d+\.\d% \(\+\d+\.\d% \.\. \+\d+\.\d%\), decided by p50-p80 \+\d+\.\d% \(\+\d+\.\d% \.\. \+\d+\.\d%\) \|/,
    );
    expect(md).toContain('<details><summary>🔴 tiny-1m &gt; regressed</summary>');
  });

  test('escapes pipes, HTML, backticks and newlines from models and users', () => {
    const hostile = makeResults([
      makeCase({ model: 'evil|model`x`', promptId: '<img src=x onerror=alert(1)>', output: 'a | b\n<script>alert("x")</script>\n```js\nrm -rf /\n```' }),
    ]);
    const md = renderMarkdown(hostile);
    expect(md).not.toContain('<script>');
    expect(md).not.toContain('<img');
    expect(md).toContain('&lt;script&gt;');
    const row = md.split('\n').find((line) => line.startsWith('| 🆕'));
    // Exactly the table's own pipes are unescaped: 11 for 10 columns.
    expect(row?.match(/(?<!\\)\|/g)).toHaveLength(11);
    expect(row).toContain('evil\\|model\\`x\\`');
    // A quote in a cell is shown as a quote, not as a literal `&#39;`.
    const quoted = renderMarkdown(makeResults([makeCase({ promptId: "it's" })]));
    expect(quoted).toContain("| it's |");
    // (Inside HTML elements, `<summary>`, an entity is fine: GitHub renders it; an escaped `&\#39;` never is.)
    expect(quoted).not.toContain('&\\#39;');
    const pre = md.slice(md.indexOf('<pre>'), md.indexOf('</pre>'));
    expect(pre).not.toContain('`');
    expect(pre).toContain('a &#124; b');
  });

  test("a 500-case report stays under GitHub's comment limit and says what it left out", () => {
    // Two cases gated once each (a gate runs a bootstrap), then renamed: 500 distinct cases, 10 of them regressed.
    const gated = (latencies: number[]) => makeCase({ latencies, baseLatencies: steady, output: 'x'.repeat(500) });
    const [regressed, unchanged] = [gated(slow), gated(steady)];
    const many = makeResults(
      Array.from({ length: 500 }, (_, i) => {
        const [model, promptId] = [`model-${i % 10}`, `prompt-${i}`];
        return { ...structuredClone(i % 50 === 0 ? regressed : unchanged), model, promptId, id: `${model}/${promptId}`, name: `${model} > ${promptId}` };
      }),
    );
    const md = renderMarkdown(many, { fullReportUrl: 'https://example.invalid/artifact' });
    expect(md.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    expect(md).toContain('**500 cases**: 🔴 10 regressed · ⚪ 490 unchanged');
    // The regressions are always listed.
    expect(md.match(/^\| 🔴 /gm)).toHaveLength(10);
    expect(md).toContain('[full report](https://example.invalid/artifact)');
  });
});

describe('the PR comment chart (mermaid)', () => {
  test("each compared case's p95 as % of its reference, a horizontal bar each, largest slowdown first, the axis from 0, the band as two lines", () => {
    const results = makeResults([
      makeCase({ promptId: 'same', latencies: [100, 101, 99, 100, 102], baseLatencies: [100, 101, 99, 100, 102] }),
      makeCase({ promptId: 'slower', latencies: [150, 151, 149, 150, 152], baseLatencies: [100, 101, 99, 100, 102] }),
      makeCase({ promptId: 'new' }),
    ]);
    expect(p95Chart(results)).toEqual([
      '```mermaid',
      '---',
      'config:',
      '  xyChart:',
      '    width: 760',
      '    height: 182',
      '    showDataLabel: true',
      '---',
      'xychart-beta horizontal',
      '  title "e2e p95, % of reference (lines: ±10% band)"',
      '  x-axis ["tiny-1m/slower", "tiny-1m/same"]',
      '  y-axis "% of reference" 0 --> 170',
      '  bar [149.1, 100]',
      '  line [110, 110]',
      '  line [90.9, 90.9]',
      '```',
      '',
    ]);
    expect(renderMarkdown(results)).toContain('xychart-beta horizontal\n');
    // Nothing to compare: no chart.
    expect(p95Chart(makeResults([makeCase({ promptId: 'new' })]))).toEqual([]);
  });

  test('case ids cannot break out of a label or the code block; at most CHART_CASES cases, said in the title', () => {
    const cases = Array.from({ length: CHART_CASES + 3 }, (_, i) =>
      // The hostile id is the largest change, so it is shown.
      makeCase({
        model: i === 0 ? 'evil"]\n```\n<script>' : 'm',
        promptId: `p${i}`,
        latencies: i === 0 ? [300, 301, 302] : [100 + i, 101 + i, 102 + i],
        baseLatencies: [100, 101, 102],
      }),
    );
    const chart = p95Chart(makeResults(cases));
    const line = (start: string) => chart.find((l) => l.startsWith(start)) ?? '';
    expect(line('  title')).toBe(`  title "e2e p95, % of reference, ${CHART_CASES} largest changes of ${CHART_CASES + 3} (lines: ±10% band)"`);
    const labels = JSON.parse(line('  x-axis').replace('  x-axis ', '')) as string[];
    expect(labels).toHaveLength(CHART_CASES);
    expect(labels[0]).toBe('evil________script_/p0');
    expect(chart.filter((l) => l.startsWith('```'))).toHaveLength(2);
    for (const label of labels) expect(label).toMatch(/^[A-Za-z0-9._/@()+ _-]+…?$/);
  });
});

describe('CSV', () => {
  test('one row per case with quoting and formula protection', () => {
    const csv = renderCsv(makeResults([makeCase({ model: '=HYPERLINK("x")', promptId: 'a,b' })]));
    const [header, row] = csv.trimEnd().split('\r\n');
    expect(header?.startsWith('file,case_id,model,prompt_id,status,outcome,samples')).toBe(true);
    expect(row).toContain(`"'=HYPERLINK(""x"")"`);
    expect(row).toContain('"a,b"');
    expect(csvField(12.5)).toBe('12.5');
    expect(csvField(null)).toBe('');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
  });
});

describe('GitHub annotations', () => {
  test('an error per regression, data escaped as workflow commands require', () => {
    const lines = annotations(results);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^::error file=bench\/example.bench.ts,title=foundry-bench regressed%3A tiny-1m > regressed::e2e p95 /);
    expect(escapeData('50%\nnext\r')).toBe('50%25%0Anext%0D');
  });
});
