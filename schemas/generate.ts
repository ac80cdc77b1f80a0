/**
 * Generates `schemas/results.schema.json` from the `RunResults` type in
 * harness/types.ts and its doc comments (descriptions, @minimum, @pattern,
 * @format), so the results document and its schema cannot drift apart:
 * `npm run schema` writes it, and a test fails when the file is out of date.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createGenerator } from 'ts-json-schema-generator';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const RESULTS_SCHEMA_FILE = fileURLToPath(new URL('./results.schema.json', import.meta.url));

/** The results schema as JSON text, in JSON Schema 2020-12 with the id the harness's validator looks up. */
export function resultsSchema(): string {
  const generated = createGenerator({
    path: `${ROOT}harness/types.ts`,
    tsconfig: `${ROOT}tsconfig.json`,
    type: 'RunResults',
    topRef: false,
    skipTypeCheck: true,
    additionalProperties: false,
    sortProps: true,
    jsDoc: 'extended',
  }).createSchema('RunResults');
  const { $schema: _draft07, definitions, ...root } = generated as Record<string, unknown>;
  const schema = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'urn:foundry-bench:schema:results:1',
    title: 'foundry-bench results',
    description:
      'The results document a benchmark run writes (bench-results/results.json by default). Every report is rendered from it. Generated from RunResults in harness/types.ts by `npm run schema`: do not edit by hand.',
    ...root,
    $defs: definitions,
  };
  // draft-07's "#/definitions/X" is 2020-12's "#/$defs/X".
  return `${JSON.stringify(schema, null, 2).replaceAll('"#/definitions/', '"#/$defs/')}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(RESULTS_SCHEMA_FILE, resultsSchema());
  process.stdout.write(`wrote ${RESULTS_SCHEMA_FILE}\n`);
}
