/**
 * Resamples of one side's values as counts: the values are sorted once, a resample is a count per value, and
 * expanding the counts gives the resample already sorted, in O(n) instead of a sort per resample (the bootstrap and
 * the permutation test draw thousands).
 */
import { sortAscending } from '../evaluate/stats.ts';

/** Values sorted once, and the resample being drawn from them as a count per value. */
export class Tally {
  readonly sorted: Float64Array;
  readonly counts: Uint32Array;
  private readonly resample: Float64Array;
  private size = 0;

  /** `capacity`: the largest resample to be drawn. */
  constructor(values: readonly number[], capacity: number) {
    this.sorted = sortAscending(values);
    this.counts = new Uint32Array(values.length);
    this.resample = new Float64Array(capacity);
  }

  /** The rank of each of `values` in the sorted values (ties share the first). */
  ranks(values: readonly number[]): Uint32Array {
    return Uint32Array.from(values, (v) => {
      let lo = 0;
      let hi = this.sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((this.sorted[mid] as number) < v) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    });
  }

  clear(): void {
    this.counts.fill(0);
    this.size = 0;
  }

  add(rank: number): void {
    this.counts[rank] = (this.counts[rank] as number) + 1;
    this.size++;
  }

  get empty(): boolean {
    return this.size === 0;
  }

  /** The resample, sorted. */
  expand(): Float64Array {
    let at = 0;
    for (let i = 0; i < this.counts.length; i++) {
      const value = this.sorted[i] as number;
      for (let c = this.counts[i] as number; c > 0; c--) this.resample[at++] = value;
    }
    return this.resample.subarray(0, at);
  }
}
