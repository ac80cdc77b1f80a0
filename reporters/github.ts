/**
 * GitHub Actions annotations: an error for each regressed or failed case, a
 * warning for inconclusive ones and for comparisons against a baseline
 * measured elsewhere, as workflow commands with their data escaped. (The job
 * summary is the Markdown report, appended by the bench reporter.)
 */
import type { RunResults } from '../harness/types.ts';
import { outcome } from './format.ts';

/**
 * Escaping of workflow command data and properties, as the Actions runner decodes it; a `##[` in the data is
 * neutralised too, since the runner reads that form of a command anywhere in a line.
 */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/##\[/g, '##\u2060[');
}

export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function annotations(results: RunResults): string[] {
  const lines: string[] = [];
  const command = (level: 'error' | 'warning', file: string, title: string, message: string) =>
    lines.push(`::${level} file=${escapeProperty(file)},title=${escapeProperty(title)}::${escapeData(message)}`);
  for (const c of results.cases) {
    const kind = outcome(c);
    if (kind === 'regressed' || kind === 'failed') command('error', c.file, `foundry-bench ${kind}: ${c.name}`, c.failures.join('\n') || kind);
    if (kind === 'inconclusive') command('warning', c.file, `foundry-bench inconclusive: ${c.name}`, c.gate?.metrics.map((m) => m.message).join('\n') ?? '');
    if (c.gate && c.gate.fingerprintMismatch.length > 0) {
      command('warning', c.file, `foundry-bench baseline from another machine: ${c.name}`, c.gate.fingerprintMismatch.join('\n'));
    }
  }
  return lines;
}
