/**
 * The gate on history: a baseline made from the recent runs of each case on one testbed, so a run on main is
 * compared with what many runs show, with the drift learned from them, instead of one stored run. Per case, its
 * current input's series: the last `runs` runs since its latest change point (a step resets the level: runs before
 * it are another level). The newest run is the entry's samples, the others its run history; the gate reads them as
 * stored runs (`--baseline-dir`, or `compare`).
 */
import { summarize } from '../evaluate/stats.ts';
import type { BaselineEntry, BaselineFile, HistoryRecord } from '../types.ts';
import type { ChangePoint } from './changes.ts';
import { seriesOf } from './changes.ts';
import { gateSamples } from './record.ts';

export interface HistoryBaseline {
  file: BaselineFile;
  /** Per case: how many runs it rests on and since which commit. */
  basis: Array<{ case: string; runs: number; since: string | null }>;
}

/** A baseline of `testbed`'s cases from the history; cases without a fingerprint are left out. */
export function baselineFromHistory(
  records: readonly HistoryRecord[],
  changes: readonly ChangePoint[],
  testbed: string,
  profile: string,
  runs: number,
): HistoryBaseline {
  const cases: Record<string, BaselineEntry> = {};
  const basis: HistoryBaseline['basis'] = [];
  const latestByCase = new Map<string, HistoryRecord[]>();
  for (const series of seriesOf(records.filter((r) => r.testbed === testbed))) {
    const last = series.at(-1) as HistoryRecord;
    const known = latestByCase.get(last.case)?.at(-1);
    // The input measured most recently is the case's current one.
    if (!known || known.time < last.time) latestByCase.set(last.case, series);
  }
  for (const [id, series] of latestByCase) {
    const steps = changes.filter((p) => p.case === id && p.testbed === testbed && p.index < series.length && series[p.index]?.time === p.after.time);
    const start = Math.max(0, series.length - runs, ...steps.map((p) => p.index));
    const kept = series.slice(start);
    const newest = kept.at(-1) as HistoryRecord;
    if (!newest.fingerprint || newest.n === 0) continue;
    const samples = gateSamples(newest);
    const values = (pick: (s: (typeof samples)[number]) => number | null) => samples.map(pick).filter((v): v is number => v !== null);
    cases[id] = {
      model: newest.model,
      promptId: newest.promptId,
      file: newest.file,
      updatedAt: newest.time,
      gitSha: newest.gitSha,
      fingerprint: newest.fingerprint,
      samples,
      inputHash: newest.inputHash,
      history: kept
        .slice(0, -1)
        .reverse()
        .map((run) => ({ updatedAt: run.time, gitSha: run.gitSha, samples: gateSamples(run) })),
      stats: { e2eMs: summarize(values((s) => s.e2eMs)), ttftMs: summarize(values((s) => s.ttftMs)), e2eTokPerSec: summarize(values((s) => s.e2eTokPerSec)) },
      output: null,
      ...(newest.capacity ? { capacity: newest.capacity } : {}),
      basis: `the last ${kept.length === 1 ? 'run' : `${kept.length} runs`} on this machine${kept.length === 1 ? ', at' : ' since'} ${kept[0]?.gitSha?.slice(0, 7) ?? 'an unrecorded commit'}`,
    };
    basis.push({ case: id, runs: kept.length, since: kept[0]?.gitSha ?? null });
  }
  const updatedAt = records.at(-1)?.time ?? new Date(0).toISOString();
  const sorted = Object.fromEntries(Object.entries(cases).sort(([a], [b]) => a.localeCompare(b)));
  return { file: { kind: 'foundry-bench-baseline', schemaVersion: 2, profile, updatedAt, cases: sorted }, basis };
}
