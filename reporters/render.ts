/** The formats a results document renders to offline (`foundry-bench report` and `compare`), each a pure function. */
import type { RunResults } from '../harness/types.ts';
import { renderCsv } from './csv.ts';
import { renderJUnit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';
import { renderTable } from './table.ts';

export const FORMATS = ['md', 'junit', 'csv', 'json', 'table', 'html'] as const;
export type Format = (typeof FORMATS)[number];

/** Async because the HTML report's chart library (a large import) is loaded only when asked for. */
export async function render(results: RunResults, format: Format): Promise<string> {
  switch (format) {
    case 'md':
      return renderMarkdown(results);
    case 'junit':
      return renderJUnit(results);
    case 'csv':
      return renderCsv(results);
    case 'json':
      return `${JSON.stringify(results, null, 2)}\n`;
    case 'table':
      return `${renderTable(results)}\n`;
    case 'html':
      return (await import('./html.ts')).renderHtml(results);
  }
}
