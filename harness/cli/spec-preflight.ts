/**
 * The spec files' own input checked before anything starts: each matching spec is imported here, in the CLI's
 * process, with benchModel in preflight mode (it checks its options and prompt set and declares nothing). So a
 * misspelt option, a missing or invalid prompt file, an empty prompt list or a duplicate id is exit 2 before the
 * target is resolved (no engine started, no model loaded), each problem said once however many specs share it.
 */
import { relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { glob } from 'tinyglobby';
import { modelCall, SPEC_PREFLIGHT, type SpecPreflight } from '../run/spec.ts';

/** The spec files a run would collect: the specs pattern, narrowed by file filters as vitest does (path contains). */
export async function specFiles(root: string, pattern: string, filters: readonly string[]): Promise<string[]> {
  const files = await glob(pattern, { cwd: root, absolute: true, ignore: ['**/node_modules/**'] });
  const fileFilters = filters.filter((f) => f !== '');
  return files.filter((file) => fileFilters.length === 0 || fileFilters.some((f) => relative(root, file).includes(f) || file === resolve(root, f))).sort();
}

/** Every problem of the matching specs' input, one line each: `benchModel('m') in a.bench.ts, b.bench.ts: <problem>`. */
export async function specInputProblems(root: string, pattern: string, filters: readonly string[]): Promise<string[]> {
  const where = new Map<string, string[]>();
  const scope = globalThis as { [SPEC_PREFLIGHT]?: SpecPreflight };
  for (const file of await specFiles(root, pattern, filters)) {
    const preflight: SpecPreflight = { root, problems: [] };
    scope[SPEC_PREFLIGHT] = preflight;
    try {
      // A fresh module each time (the query), so a second run in one process checks the file as it is now.
      await import(`${pathToFileURL(file).href}?preflight=${Date.now()}`);
    } catch {
      // A spec that cannot even be imported here (one that uses vitest's API directly) is vitest's to report.
    } finally {
      delete scope[SPEC_PREFLIGHT];
    }
    for (const { model, problems } of preflight.problems) {
      for (const problem of problems) {
        const key = `${problem}\u0000${model}`;
        where.set(key, [...(where.get(key) ?? []), relative(root, file)]);
      }
    }
  }
  return [...where].map(([key, files]) => {
    const [problem, model] = key.split('\u0000');
    return `${modelCall(model)} in ${files.join(', ')}: ${problem}`;
  });
}
