/**
 * Merging the results files of a sharded run (or of several hardware
 * profiles) into one document, before the gate's summary and the reports:
 * cases in a stable order (file path, then declaration order), each keeping
 * its own profile and fingerprint; the same case twice in one profile is an
 * error naming both files.
 */
import type { CaseResult, RunResults, TargetInfo } from '../types.ts';

export function mergeResults(documents: ReadonlyArray<{ file: string; results: RunResults }>): RunResults {
  if (documents.length === 0) throw new Error('merge needs at least one results file');
  const seen = new Map<string, string>();
  const cases: Array<{ c: CaseResult; order: number }> = [];
  let order = 0;
  for (const { file, results } of documents) {
    for (const c of results.cases) {
      const key = `${c.profile}\u0000${c.id}`;
      const other = seen.get(key);
      if (other !== undefined) {
        throw new Error(`case ${c.id} (profile ${c.profile}) is in both ${other} and ${file}: shards must not overlap`);
      }
      seen.set(key, file);
      cases.push({ c, order: order++ });
    }
  }
  // Declaration order within a file survives: shards split by file, so a file's cases come from one document.
  cases.sort((a, b) => a.c.profile.localeCompare(b.c.profile) || a.c.file.localeCompare(b.c.file) || a.order - b.order);
  const merged = cases.map(({ c }) => c);
  const runs = documents.map((d) => d.results.run);
  const first = runs[0] as RunResults['run'];
  const startedAt = runs.map((r) => r.startedAt).sort()[0] as string;
  const finishedAt = runs
    .map((r) => r.finishedAt)
    .sort()
    .at(-1) as string;
  const targets = new Map<string, TargetInfo>();
  for (const run of runs) for (const t of run.targets) if (!targets.has(t.baseURL)) targets.set(t.baseURL, t);
  const profiles = [...new Set(runs.map((r) => r.profile))];
  const shas = [...new Set(runs.map((r) => r.gitSha))];
  const count = (status: CaseResult['status']) => merged.filter((c) => c.status === status).length;
  return {
    schemaVersion: 1,
    tool: (documents[0] as { results: RunResults }).results.tool,
    run: {
      ...first,
      startedAt,
      finishedAt,
      durationMs: Date.parse(finishedAt) - Date.parse(startedAt),
      gitSha: shas.length === 1 ? (shas[0] ?? null) : null,
      profile: profiles.length === 1 ? (profiles[0] as string) : 'mixed',
      shard: runs.some((r) => r.shard) ? runs.map((r) => r.shard ?? 'all').join(', ') : null,
      targets: [...targets.values()],
      outcome: runs.some((r) => r.outcome === 'interrupted') ? 'interrupted' : count('failed') > 0 ? 'failed' : 'passed',
      errors: runs.flatMap((r) => r.errors),
    },
    summary: { cases: merged.length, passed: count('passed'), failed: count('failed'), skipped: count('skipped') },
    cases: merged,
  };
}
