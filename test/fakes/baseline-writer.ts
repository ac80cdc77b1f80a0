/**
 * One of several processes updating one baseline at once: waits for a shared start time, then writes
 * `rounds` cases of its own (`<name>-0`, `<name>-1`, ...), one update each. Usage: baseline-writer PATH NAME START_MS ROUNDS
 */
import { updateBaseline } from '../../harness/gate/baseline.ts';
import { makeCase, makeResults } from '../helpers/results.ts';

const [path, name, startAt, rounds] = process.argv.slice(2);
if (!path || !name) throw new Error('usage: baseline-writer PATH NAME START_MS ROUNDS');
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));
for (let round = 0; round < Number(rounds ?? 1); round++) {
  updateBaseline(path, makeResults([makeCase({ promptId: `${name}-${round}` })]), 'default');
}
