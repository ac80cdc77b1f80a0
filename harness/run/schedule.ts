/**
 * The order in which a paired case sends its arms' requests: randomised ABBA
 * blocks. Each block is a random order of the arms followed by its mirror
 * image (A B B A or B A A B for two arms), so a drift that is linear within a
 * block hits every arm alike, and the random start keeps a periodic
 * disturbance from always hitting the same arm. Seeded per case: the same
 * case gets the same order every run. An odd number of iterations ends on a
 * half block, still one request per arm.
 *
 * And when an open loop's requests are due (`arrivalTimes`), seeded the same way.
 */
import { normalFrom, seededRandom } from '../evaluate/stats.ts';
import type { Arrival } from '../types.ts';

/** Which arm sends the request at each position. */
export function abbaOrder(arms: number, seed: number): (position: number) => number {
  const orders = new Map<number, number[]>();
  const blockOrder = (block: number): number[] => {
    let order = orders.get(block);
    if (!order) {
      order = shuffled(arms, seededRandom((seed ^ Math.imul(block + 1, 0x9e3779b1)) >>> 0));
      orders.set(block, order);
    }
    return order;
  };
  return (position) => {
    const within = position % (2 * arms);
    const order = blockOrder(blockOf(position, arms));
    return (within < arms ? order[within] : order[2 * arms - 1 - within]) as number;
  };
}

/** The block a position belongs to. */
export function blockOf(position: number, arms: number): number {
  return Math.floor(position / (2 * arms));
}

/** 0..n-1 in a random order (Fisher-Yates). */
function shuffled(n: number, random: () => number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  return order;
}

/**
 * Due times of an open loop's requests, ms from the start: gaps with mean 1000 / rate, exponential (Poisson),
 * constant, or gamma of shape k (coefficient of variation 1 / sqrt(k)).
 */
export function arrivalTimes(rate: number, arrival: Arrival, count: number, seed: number): number[] {
  const random = seededRandom(seed);
  const normal = normalFrom(random);
  const mean = 1000 / rate;
  const gap = (): number => {
    if (arrival === 'constant') return mean;
    if (arrival === 'poisson') return -Math.log(1 - random()) * mean;
    return gamma(arrival.gamma, random, normal) * (mean / arrival.gamma);
  };
  const times: number[] = [];
  let t = 0;
  for (let i = 0; i < count; i++) {
    times.push(t);
    t += gap();
  }
  return times;
}

/** A gamma(shape, 1) draw (Marsaglia and Tsang; shape < 1 through gamma(shape + 1) * U^(1/shape)). */
function gamma(shape: number, random: () => number, normal: () => number): number {
  if (shape < 1) return gamma(shape + 1, random, normal) * random() ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = normal();
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    const u = random();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}
