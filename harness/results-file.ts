/** Reading and validating results documents against `schemas/results.schema.json`. */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { RunResults } from './types.ts';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

const schema = JSON.parse(readFileSync(new URL('../schemas/results.schema.json', import.meta.url), 'utf8')) as object;

let validator: ReturnType<Ajv2020['compile']> | undefined;

/** Problems with a results document, one line each (`/cases/0/status must be equal to one of the allowed values`); empty when valid. */
export function resultsProblems(document: unknown): string[] {
  if (!validator) {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats(ajv, ['date-time']);
    validator = ajv.compile(schema);
  }
  if (validator(document)) return [];
  return (validator.errors ?? []).map(describe);
}

function describe(error: ErrorObject): string {
  const extra = error.keyword === 'additionalProperties' ? ` (${String(error.params.additionalProperty)})` : '';
  return `${error.instancePath || '/'} ${error.message ?? error.keyword}${extra}`;
}

/** Reads a results file, naming the file and the problem when it is not one. */
export function readResults(path: string): RunResults {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path}: not valid JSON: ${(error as Error).message}`);
  }
  const problems = resultsProblems(document);
  if (problems.length > 0) throw new Error(`${path}: not a foundry-bench results file:\n  ${problems.slice(0, 20).join('\n  ')}`);
  return document as RunResults;
}
