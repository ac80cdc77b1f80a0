/**
 * The CLI's offline commands, which render, compare, merge and count results
 * files without running anything: `report`, `compare`, `merge`, `summary`.
 */
import { writeFileAtomic } from '../files/atomic.ts';
import { readBaseline } from '../gate/baseline.ts';
import { compareResults } from '../results/compare.ts';
import { gateOptions } from '../gate/verdict.ts';
import { mergeResults } from '../results/merge.ts';
import { readResults } from '../results/results-file.ts';
import { readJsonFile } from '../files/schemas.ts';
import type { RegressionOptions } from '../types.ts';
import { outcome } from '../../reporters/format.ts';
import { FORMATS, render, type Format } from '../../reporters/render.ts';
import { UsageError } from './errors.ts';
import type { Io } from './run-bench.ts';

export function parseFormat(value: string | undefined, fallback: Format): Format {
  const format = value ?? fallback;
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got "${format}"`);
  return format as Format;
}

function emit(text: string, output: string | undefined, io: Io): void {
  if (output) writeFileAtomic(output, text);
  else io.stdout.write(text);
}

/** `foundry-bench report <results.json> --format F [-o FILE]` */
export async function reportCommand(files: string[], format: Format, output: string | undefined, io: Io): Promise<number> {
  if (files.length !== 1) throw new UsageError(`report takes one results file: foundry-bench report <results.json> --format ${FORMATS.join('|')}`);
  emit(await render(readResults(files[0] as string), format), output, io);
  return 0;
}

/**
 * `foundry-bench compare <base.json> <head.json>`: base is a results file or a
 * baseline file. Exits 1 when a case fails the gate, like the live run would.
 */
export async function compareCommand(files: string[], format: Format, output: string | undefined, regression: RegressionOptions, io: Io): Promise<number> {
  if (files.length !== 2) throw new UsageError('compare takes two files: foundry-bench compare <base.json> <head.json>');
  const [baseFile, headFile] = files as [string, string];
  const raw = readJsonFile(baseFile, 'base');
  const base = (raw as { kind?: unknown }).kind === 'foundry-bench-baseline' ? readBaseline(baseFile) : readResults(baseFile);
  if (!base) throw new Error(`base ${baseFile}: not found`);
  const compared = compareResults(base, baseFile, readResults(headFile), gateOptions(regression));
  emit(await render(compared, format), output, io);
  return compared.cases.some((c) => c.gate?.failed) ? 1 : 0;
}

/** `foundry-bench merge <results...> -o FILE`: one document from shards' or profiles' results files. */
export function mergeCommand(files: string[], output: string | undefined, io: Io): number {
  if (files.length === 0) throw new UsageError('merge takes results files: foundry-bench merge results-*.json -o results.json');
  const merged = mergeResults(files.map((file) => ({ file, results: readResults(file) })));
  emit(`${JSON.stringify(merged, null, 2)}\n`, output, io);
  if (output) io.stderr.write(`foundry-bench: merged ${files.length} file(s), ${merged.summary.cases} cases, into ${output}\n`);
  return 0;
}

/** `foundry-bench summary <results.json>`: counts as key=value lines, for a workflow's $GITHUB_OUTPUT. */
export function summaryCommand(files: string[], io: Io): number {
  if (files.length !== 1) throw new UsageError('summary takes one results file: foundry-bench summary <results.json>');
  const results = readResults(files[0] as string);
  const count = (kind: string) => results.cases.filter((c) => outcome(c) === kind).length;
  const lines = {
    cases: results.summary.cases,
    passed: results.summary.passed,
    failed: results.summary.failed,
    skipped: results.summary.skipped,
    regressions: count('regressed'),
    inconclusive: count('inconclusive'),
    improvements: count('improved'),
    'gate-failures': results.cases.filter((c) => c.gate?.failed).length,
  };
  io.stdout.write(
    `${Object.entries(lines)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n')}\n`,
  );
  return 0;
}
