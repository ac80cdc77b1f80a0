/**
 * Generates `schemas/results.schema.json` and `schemas/history.schema.json` from the `RunResults` and `HistoryLine`
 * types in harness/types.ts and their doc comments (descriptions, @minimum, @pattern, @format), so the files and
 * their schemas cannot drift apart: `npm run schema` writes them, and a test fails when one is out of date.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createGenerator } from 'ts-json-schema-generator';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const RESULTS_SCHEMA_FILE = fileURLToPath(new URL('./results.schema.json', import.meta.url));
export const HISTORY_SCHEMA_FILE = fileURLToPath(new URL('./history.schema.json', import.meta.url));

/** The results schema as JSON text, in JSON Schema 2020-12 with the id the harness's validator looks up. */
export function resultsSchema(): string {
  return schemaOf(
    'RunResults',
    'urn:foundry-bench:schema:results:1',
    'foundry-bench results',
    'The results document a benchmark run writes (bench-results/results.json by default). Every report is rendered from it. Generated from RunResults in harness/types.ts by `npm run schema`: do not edit by hand.',
  );
}

/** The schema of one line of the history branch's JSON Lines files. */
export function historySchema(): string {
  return schemaOf(
    'HistoryLine',
    'urn:foundry-bench:schema:history:1',
    'foundry-bench history line',
    'One line of a history branch (`foundry-bench history`): a case of one run in `<testbed>.jsonl`, or a mark in `marks.jsonl`. Generated from HistoryLine in harness/types.ts by `npm run schema`: do not edit by hand.',
  );
}

/** One generator for both schemas: reading types.ts's program is most of the work. */
let generator: ReturnType<typeof createGenerator> | undefined;

function schemaOf(type: string, id: string, title: string, description: string): string {
  generator ??= createGenerator({
    path: `${ROOT}harness/types.ts`,
    tsconfig: `${ROOT}tsconfig.json`,
    topRef: false,
    skipTypeCheck: true,
    additionalProperties: false,
    sortProps: true,
    jsDoc: 'extended',
  });
  const generated = generator.createSchema(type);
  const { $schema: _draft07, definitions, ...root } = generated as Record<string, unknown>;
  const schema = { $schema: 'https://json-schema.org/draft/2020-12/schema', $id: id, title, description, ...root, $defs: definitions };
  // draft-07's "#/definitions/X" is 2020-12's "#/$defs/X".
  return `${JSON.stringify(schema, null, 2).replaceAll('"#/definitions/', '"#/$defs/')}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(RESULTS_SCHEMA_FILE, resultsSchema());
  writeFileSync(HISTORY_SCHEMA_FILE, historySchema());
  process.stdout.write(`wrote ${RESULTS_SCHEMA_FILE} and ${HISTORY_SCHEMA_FILE}\n`);
}
