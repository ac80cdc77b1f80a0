/** The results schema is generated from the types: the checked-in file must be what the types say today. */
import { readdirSync, readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, test } from 'vitest';
import { resultsProblems } from '../harness/results/results-file.ts';
import { HISTORY_SCHEMA_FILE, historySchema, RESULTS_SCHEMA_FILE, resultsSchema } from '../schemas/generate.ts';
import { makeCase, makeResults } from './helpers/results.ts';

describe('schemas/results.schema.json', () => {
  test('is what `npm run schema` generates from RunResults in harness/types.ts', () => {
    // When this fails, a type changed: run `npm run schema` and commit the file.
    expect(readFileSync(RESULTS_SCHEMA_FILE, 'utf8')).toBe(resultsSchema());
    expect(readFileSync(HISTORY_SCHEMA_FILE, 'utf8')).toBe(historySchema());
  }, 30_000);

  test('every schema is valid JSON Schema 2020-12 (the harness compiles them without checking)', () => {
    const ajv = new Ajv2020({ strict: true });
    const files = readdirSync('schemas').filter((file) => file.endsWith('.schema.json'));
    expect(files.length).toBeGreaterThanOrEqual(7);
    for (const file of files) {
      const schema = JSON.parse(readFileSync(`schemas/${file}`, 'utf8')) as object;
      expect(ajv.validateSchema(schema), `${file}: ${ajv.errorsText()}`).toBe(true);
    }
    // A schema that is not: the check can fail.
    expect(ajv.validateSchema({ type: 'nosuch' })).toBe(false);
  });

  test('takes a results document and names what is wrong with a broken one', () => {
    const results = makeResults([makeCase({ promptId: 'a' })]);
    expect(resultsProblems(results)).toEqual([]);
    const broken = structuredClone(results) as unknown as { run: Record<string, unknown>; cases: Array<Record<string, unknown>> };
    broken.run.startedAt = 'yesterday';
    broken.cases[0] = { ...broken.cases[0], status: 'maybe', surprise: true };
    expect(resultsProblems(broken)).toEqual(
      expect.arrayContaining([
        '/run/startedAt must match format "date-time"',
        '/cases/0 must NOT have additional properties (surprise)',
        '/cases/0/status must be equal to one of the allowed values',
      ]),
    );
  });
});
