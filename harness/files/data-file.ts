/**
 * Loading the YAML and JSON files users write (config, prompt sets, model
 * catalog, annotations): parsed with `yaml` (JSON is YAML too, so both get
 * line numbers), with limits against oversized files and alias bombs, then
 * validated against the file's JSON Schema. Every problem is reported as
 * `file:line:col field: message`, all at once.
 */
import { BoundedReadError, readBoundedText } from './bounded-read.ts';
import { relative } from 'node:path';
import { isMap, isNode, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { schemaErrors, type SchemaName } from './schemas.ts';

/** Larger input files are refused before parsing. */
export const MAX_FILE_BYTES = 1 << 20;
/** More alias expansions than this (a "billion laughs" file) is an error, not a hang. */
export const MAX_ALIAS_COUNT = 100;

export class DataFileError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'DataFileError';
  }
}

export interface Located {
  file: string;
  document: Document.Parsed;
  lineCounter: LineCounter;
}

function display(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}

/** `file:line:col` of a path inside a parsed document, or of the document when the path is not there. */
export function locate({ file, document, lineCounter }: Located, path: ReadonlyArray<string | number>): string {
  let node: unknown = document.getIn(path, true);
  // A missing key is reported where its parent is.
  for (let cut = path.length; !isNode(node) && cut > 0; cut--) node = document.getIn(path.slice(0, cut - 1), true);
  const offset = isNode(node) && node.range ? node.range[0] : 0;
  const { line, col } = lineCounter.linePos(offset);
  return `${file}:${line}:${col}`;
}

/** `file:line:col` of a key itself (for unknown keys), falling back to its parent. */
export function locateKey(located: Located, parentPath: ReadonlyArray<string | number>, key: string): string {
  const parent = located.document.getIn(parentPath, true);
  if (isMap(parent)) {
    const pair = parent.items.find((item) => isScalar(item.key) && String(item.key.value) === key);
    if (pair && isNode(pair.key) && pair.key.range) {
      const { line, col } = located.lineCounter.linePos(pair.key.range[0]);
      return `${located.file}:${line}:${col}`;
    }
  }
  return locate(located, parentPath);
}

/** ajv's instancePath (`/prompts/1/id`) as document keys. */
function pathSegments(instancePath: string): Array<string | number> {
  return instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
}

export function fieldName(path: ReadonlyArray<string | number>): string {
  return path.reduce<string>((name, key) => (typeof key === 'number' ? `${name}[${key}]` : name ? `${name}.${key}` : key), '') || '(root)';
}

/**
 * Reads, parses and validates a data file. Returns the plain value and its
 * located document (for checks the schema cannot express, such as duplicate ids).
 */
export function loadDataFile<T>(path: string, schema: SchemaName): { value: T; located: Located } {
  const file = display(path);
  let text: string;
  try {
    text = readBoundedText(path, MAX_FILE_BYTES);
  } catch (error) {
    const reason = error instanceof BoundedReadError && error.code === 'too-large' ? `${error.message} for data files` : (error as Error).message;
    throw new DataFileError([`${file}: ${reason}`]);
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const located: Located = { file, document, lineCounter };
  if (document.errors.length > 0) {
    throw new DataFileError(
      document.errors.map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        return `${file}:${line}:${col} ${error.code}: ${error.message.split('\n')[0]}`;
      }),
    );
  }
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    throw new DataFileError([`${file}: ${(error as Error).message} (more than ${MAX_ALIAS_COUNT} alias expansions: refusing a possible YAML bomb)`]);
  }
  const problems = schemaErrors(schema, value).map((error) => {
    const path = pathSegments(error.instancePath);
    const extra =
      error.keyword === 'additionalProperties'
        ? [String(error.params.additionalProperty)]
        : error.keyword === 'required'
          ? [String(error.params.missingProperty)]
          : [];
    const where = error.keyword === 'additionalProperties' ? locateKey(located, path, extra[0] as string) : locate(located, path);
    const detail = error.keyword === 'additionalProperties' ? `unknown key "${extra[0]}"` : (error.message ?? error.keyword);
    return `${where} ${fieldName([...path, ...extra])}: ${detail}`;
  });
  if (problems.length > 0) throw new DataFileError(problems);
  return { value: value as T, located };
}
