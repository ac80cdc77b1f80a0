/**
 * The gate on capacity: can this code still serve, under the objectives, the load its reference served? Levels are
 * judged by their own probes, each already decisive or not (a Wilson interval against the target, sampled until it
 * settles): regressed when the reference's capacity level now misses decisively (or saturates), improved when a level
 * the reference failed now passes and lies beyond the tolerance, inconclusive when the reference's level is undecided,
 * unchanged otherwise. A pull request that halves the users a machine serves fails.
 */
import type { CapacityVerdict, GateResult, StoredCapacity, SweepResult } from '../types.ts';
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
  const percent = (x: number) => `${(x * 100).toFixed(1)}%`;
  if (atBase && !atBase.passed) {
    const how = `at ${unit(atBase.level)} attainment ${percent(atBase.attainment)} (95% CI ${percent(atBase.interval.lo)} .. ${percent(atBase.interval.hi)})${atBase.saturated ? ', saturated' : ''}`;
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

/**
 * A case's gate with its capacity judged too, when it ran a capacity search and its reference has a capacity: the
 * case's verdict is the worse of the two, and a failing capacity verdict is one of its failures.
 */
export function withCapacity(
  judged: { gate: GateResult; failures: string[] },
  reference: { capacity?: StoredCapacity | undefined } | null,
  sweep: SweepResult | undefined,
  options: Pick<GateOptions, 'tolerance' | 'failOn'>,
): { gate: GateResult; failures: string[] } {
  if (!sweep || !reference?.capacity) return judged;
  const capacity = capacityVerdict(reference.capacity, sweep, options.tolerance);
  const fails = failsGate(capacity.verdict, options.failOn);
  return {
    gate: { ...judged.gate, capacity, verdict: worstVerdict([judged.gate.verdict, capacity.verdict]), failed: judged.gate.failed || fails },
    failures: fails ? [...judged.failures, capacity.message] : judged.failures,
  };
}
