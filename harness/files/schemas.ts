/**
 * The JSON Schemas of the files the harness reads and writes, compiled once
 * with one ajv instance (JSON Schema 2020-12, all errors, strict), so schemas
 * can reference each other by `$id`.
 */
import { readFileSync } from 'node:fs';
import { type BoundedReadError, readBoundedText } from './bounded-read.ts';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

const SCHEMAS = {
  results: 'results.schema.json',
  baseline: 'baseline.schema.json',
  prompts: 'prompts.schema.json',
  models: 'models.schema.json',
  config: 'config.schema.json',
  annotations: 'annotations.schema.json',
  history: 'history.schema.json',
} as const;

export type SchemaName = keyof typeof SCHEMAS;

let ajv: Ajv2020 | undefined;
const validators = new Map<SchemaName, ValidateFunction>();

/** Where a schema file of this package lives: `schemas/` beside `harness/`. */
function schemaUrl(file: string): URL {
  return new URL(`../../schemas/${file}`, import.meta.url);
}

function loadSchema(file: string): { $id: string } {
  return JSON.parse(readFileSync(schemaUrl(file), 'utf8')) as { $id: string };
}

/**
 * The `$schema` reference of a file written in `dir`: the schema's path relative to it, so editors find the schema
 * wherever the file lives (`fixtures/baselines/`, a `--baseline-dir`, a project with foundry-bench in node_modules).
 */
export function schemaReference(name: SchemaName, dir: string): string {
  const schema = fileURLToPath(schemaUrl(SCHEMAS[name]));
  return relative(dir, schema).split('\\').join('/');
}

function validator(name: SchemaName): ValidateFunction {
  let validate = validators.get(name);
  if (validate) return validate;
  if (!ajv) {
    // Our own schemas are not checked against the meta-schema here (compiling it took ~80 ms of every process's
    // start); the schema test checks them, and strict mode still refuses an unknown keyword.
    ajv = new Ajv2020({ allErrors: true, strict: true, validateSchema: false });
    addFormats(ajv, ['date-time']);
    for (const file of Object.values(SCHEMAS)) ajv.addSchema(loadSchema(file));
  }
  validate = ajv.getSchema(loadSchema(SCHEMAS[name]).$id) as ValidateFunction;
  validators.set(name, validate);
  return validate;
}

/** ajv's errors of a document against a schema; empty when valid. */
export function schemaErrors(name: SchemaName, document: unknown): ErrorObject[] {
  const validate = validator(name);
  return validate(document) ? [] : [...(validate.errors ?? [])];
}

/** Problems of a document against a schema, one line each ("/cases/0/status must be ..."); empty when valid. */
export function schemaProblems(name: SchemaName, document: unknown): string[] {
  return schemaErrors(name, document).map(describeError);
}

function describeError(error: ErrorObject): string {
  const extra = error.keyword === 'additionalProperties' ? ` (${String(error.params.additionalProperty)})` : '';
  return `${error.instancePath || '/'} ${error.message ?? error.keyword}${extra}`;
}

/** Larger JSON files are refused before reading: a results file of 10,000 cases is ~130 MB. */
export const MAX_JSON_FILE_BYTES = 512 * 1024 * 1024;

/** Reads and parses a JSON file, naming the file in every error (whose `code` says why a file was not read). */
export function readJsonFile(path: string, what: string, maxBytes = MAX_JSON_FILE_BYTES): unknown {
  let text: string;
  try {
    text = readBoundedText(path, maxBytes);
  } catch (error) {
    throw Object.assign(new Error(`${what} ${path}: ${(error as Error).message}`), { code: (error as BoundedReadError).code });
  }
  return parseJsonText(text, `${what} ${path}`);
}

/**
 * JSON.parse with the source named in its error. The parser's own message quotes the text it choked on; that
 * quote is left out, as the file may not be what it claims (a baseline pointing at a private file).
 */
export function parseJsonText(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = (error as Error).message.replace(/^Unexpected token '.', "(?:[^"\\]|\\.)*"(?:\.\.\.)? is not valid JSON$/, 'unexpected token');
    throw new Error(`${source}: not valid JSON (${reason})`);
  }
}
