/**
 * The gate on load. Capacity: can this code still serve, under the objectives, the load its reference served? Levels are
 * judged by their own probes, each already decisive or not (a Wilson interval against the target, sampled until it
 * settles): regressed when the reference's capacity level now misses decisively (or saturates), improved when a level
 * the reference failed now passes and lies beyond the tolerance, inconclusive when the reference's level is undecided,
 * unchanged otherwise. A pull request that halves the users a machine serves fails. Attainment: at one level, the
 * share of requests that meet the objectives against the reference's (an A/B base's, measured alongside, or the
 * stored runs'), by Newcombe's interval of the difference of two proportions; a drop beyond the tolerance (relative
 * to the reference's attainment) that the interval confirms is a regression.
 */
import { wilson } from '../evaluate/load.ts';
import { formatPercent, formatShare } from '../evaluate/numbers.ts';
import type { AttainmentVerdict, CapacityVerdict, GateResult, StoredAttainment, StoredCapacity, SweepResult } from '../types.ts';
import { failsGate, type GateOptions, worstVerdict } from './verdict.ts';

/** What a baseline or the history keeps of a capacity search. */
export function storedCapacity(sweep: SweepResult): StoredCapacity {
  return { over: sweep.over, capacity: sweep.capacity, bound: sweep.bound };
}

export function capacityVerdict(base: StoredCapacity, head: SweepResult, tolerance: number): CapacityVerdict {
  const unit = head.over === 'concurrency' ? (n: number) => `${n} user${n === 1 ? '' : 's'}` : (n: number) => `${Number(n.toPrecision(3))} requests/s`;
  const said = (n: number | null) => (n === null ? 'none' : unit(n));
  const figures = `capacity ${said(head.capacity)} (reference ${said(base.capacity)})`;
  const verdict = (v: CapacityVerdict['verdict'], why: string): CapacityVerdict => ({
    verdict: v,
    base: base.capacity,
    head: head.capacity,
    message: `${figures}: ${v}: ${why}`,
  });
  if (base.over !== head.over) return verdict('not-gated', `the reference searched ${base.over}, this run ${head.over}`);
  if (base.capacity === null) {
    return head.capacity === null
      ? verdict('unchanged', 'no level meets the objectives, as before')
      : verdict('improved', `${unit(head.capacity)} now meets the objectives, where no level did`);
  }
  const atBase = head.probes.find((p) => p.level === base.capacity);
  if (atBase && !atBase.passed) {
    const how = `at ${unit(atBase.level)} attainment ${formatShare(atBase.attainment)} (95% CI ${formatShare(atBase.interval.lo)} .. ${formatShare(atBase.interval.hi)})${atBase.saturated ? ', saturated' : ''}`;
    if (atBase.verdict === 'missed' || atBase.saturated) return verdict('regressed', `${how}: the load the reference served now misses the objectives`);
    return verdict('inconclusive', `${how}: undecided at the reference's capacity within the probe's budget`);
  }
  if (!atBase && (head.capacity === null || head.capacity < base.capacity)) {
    return verdict('inconclusive', `the reference's capacity ${unit(base.capacity)} was not probed`);
  }
  const atBound = base.bound === null ? undefined : head.probes.find((p) => p.level === base.bound);
  if (atBound?.passed && head.capacity !== null && head.capacity >= base.capacity * (1 + tolerance)) {
    return verdict('improved', `${unit(atBound.level)}, which the reference failed, now meets the objectives`);
  }
  return verdict('unchanged', `${unit(base.capacity)} still meets the objectives`);
}

export function attainmentVerdict(base: StoredAttainment, head: StoredAttainment, tolerance: number): AttainmentVerdict {
  const share = (a: StoredAttainment) => (a.judged > 0 ? a.good / a.judged : 0);
  const pb = share(base);
  const ph = share(head);
  const wb = wilson(base.good, base.judged);
  const wh = wilson(head.good, head.judged);
  const d = ph - pb;
  const interval = { lo: d - Math.hypot(ph - wh.lo, wb.hi - pb), hi: d + Math.hypot(wh.hi - ph, pb - wb.lo) };
  const band = tolerance * pb;
  const verdict =
    interval.hi < 0 && d < -band
      ? 'regressed'
      : interval.lo > 0 && d > band
        ? 'improved'
        : interval.lo >= -band && interval.hi <= band
          ? 'unchanged'
          : 'inconclusive';
  const why = {
    regressed: 'fewer requests meet the objectives, beyond the tolerance',
    improved: 'more requests meet the objectives, beyond the tolerance',
    unchanged: 'the difference lies within the tolerance',
    inconclusive: 'too few requests to tell: more requests (load.requests) decide it',
  }[verdict];
  return {
    verdict,
    base: pb,
    head: ph,
    interval,
    message: `attainment ${formatShare(ph)} (reference ${formatShare(pb)}, difference ${formatPercent(1 + d)}, 95% CI ${formatPercent(1 + interval.lo)} .. ${formatPercent(1 + interval.hi)}): ${verdict}: ${why}`,
  };
}

/** The load verdicts a case's gate takes in: its capacity against the reference's, its attainment against the reference's. */
export interface LoadReference {
  capacity?: StoredCapacity | undefined;
  slo?: StoredAttainment | undefined;
}

/**
 * A case's gate with its load judged too: a capacity search against the reference's capacity, a level's attainment
 * against the reference's. The case's verdict is the worst of them, and each failing verdict is one of its failures.
 */
export function withLoad(
  judged: { gate: GateResult; failures: string[] },
  reference: LoadReference | null,
  head: { sweep?: SweepResult | undefined; slo?: StoredAttainment | null | undefined },
  options: Pick<GateOptions, 'tolerance' | 'failOn'>,
): { gate: GateResult; failures: string[] } {
  let { gate, failures } = judged;
  const verdicts: Array<{ key: 'capacity'; value: CapacityVerdict } | { key: 'attainment'; value: AttainmentVerdict }> = [];
  if (head.sweep && reference?.capacity) verdicts.push({ key: 'capacity', value: capacityVerdict(reference.capacity, head.sweep, options.tolerance) });
  else if (head.slo && reference?.slo) verdicts.push({ key: 'attainment', value: attainmentVerdict(reference.slo, head.slo, options.tolerance) });
  for (const { key, value } of verdicts) {
    const fails = failsGate(value.verdict, options.failOn);
    gate = { ...gate, [key]: value, verdict: worstVerdict([gate.verdict, value.verdict]), failed: gate.failed || fails };
    if (fails) failures = [...failures, value.message];
  }
  return { gate, failures };
}

/** How many of a load's requests met the objectives, as a baseline keeps it; null without objectives. */
export function storedAttainment(slo: { good: number; judged: number } | null | undefined): StoredAttainment | null {
  return slo ? { good: slo.good, judged: slo.judged } : null;
}
