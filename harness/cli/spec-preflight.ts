/**
 * The spec files' own input checked before anything starts: each matching spec is imported here, in the CLI's
 * process, with benchModel in preflight mode (it checks its options and prompt set and declares nothing). So a
 * misspelt option, a missing or invalid prompt file, an empty prompt list or a duplicate id is exit 2 before the
 * target is resolved (no engine started, no model loaded), each problem said once however many specs share it.
 */
import { register } from 'node:module';
import { isAbsolute, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { glob } from 'tinyglobby';
import { modelCall, SPEC_PREFLIGHT, type SpecPreflight } from '../run/spec.ts';
import type { PreflightCase } from '../types.ts';

/**
 * The spec files a run would collect: the specs pattern, narrowed by file filters the way vitest narrows them (its
 * `filterFiles`: the path relative to the root contains the filter, case-insensitively; an absolute filter is a
 * prefix; `file:line` names the file).
 */
export async function specFiles(root: string, pattern: string, filters: readonly string[]): Promise<string[]> {
  const files = await glob(pattern, { cwd: root, absolute: true, ignore: ['**/node_modules/**'] });
  const names = filters.filter((f) => f !== '').map((f) => f.replace(/:\d+$/, ''));
  const matches = (file: string) => {
    const path = relative(root, file).toLocaleLowerCase();
    return names.some((f) => {
      if (isAbsolute(f) && file.startsWith(f)) return true;
      const relativeFilter = f.endsWith('/') ? join(relative(root, f), '/') : relative(root, f);
      return path.includes(f.toLocaleLowerCase()) || path.includes(relativeFilter.toLocaleLowerCase());
    });
  };
  return files.filter((file) => names.length === 0 || matches(file)).sort();
}

/** What the CLI learnt from the spec files before starting anything. */
export interface SpecsChecked {
  /** The spec files the run would collect. */
  files: string[];
  /** Every problem of their input, one line each: `benchModel('m') in a.bench.ts, b.bench.ts: <problem>`. */
  problems: string[];
  /** The cases they declare; null when a file could not be imported here (then only vitest knows). */
  cases: PreflightCase[] | null;
  /** The cases of each file (by absolute path); null for a file that could not be imported here. */
  byFile: Record<string, PreflightCase[] | null>;
}

let hooksRegistered = false;
/** Spec files load as ES modules here whatever their package's type (preflight-hooks.js says why). */
function loadSpecsAsModules(): void {
  if (hooksRegistered) return;
  hooksRegistered = true;
  register('./preflight-hooks.js', import.meta.url);
}

export async function checkSpecs(root: string, pattern: string, filters: readonly string[]): Promise<SpecsChecked> {
  loadSpecsAsModules();
  const where = new Map<string, string[]>();
  const scope = globalThis as { [SPEC_PREFLIGHT]?: SpecPreflight };
  const files = await specFiles(root, pattern, filters);
  let cases: PreflightCase[] | null = [];
  const byFile: Record<string, PreflightCase[] | null> = {};
  for (const file of files) {
    const preflight: SpecPreflight = { root, problems: [], cases: [] };
    scope[SPEC_PREFLIGHT] = preflight;
    try {
      // A fresh module each time (the query), so a second run in one process checks the file as it is now.
      await import(`${pathToFileURL(file).href}?preflight=${Date.now()}`);
      cases?.push(...preflight.cases);
      byFile[file] = preflight.cases;
    } catch {
      // A spec that cannot even be imported here (one that uses vitest's API directly) is vitest's to report.
      cases = null;
      byFile[file] = null;
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
  const problems = [...where].map(([key, inFiles]) => {
    const [problem, model] = key.split('\u0000');
    return `${modelCall(model)} in ${inFiles.join(', ')}: ${problem}`;
  });
  return { files, problems, cases, byFile };
}
