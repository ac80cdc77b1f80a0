/**
 * Shards balanced by the cases that will run (run/selection.ts). vitest splits spec files among shards by a hash of
 * their paths, blind to what a file holds: with the shipped specs on the embedded engine, one shard got every case
 * the engine serves and the other only skips. Here a file weighs the cases that will run in it, and the heaviest
 * file goes first to the lightest shard (longest-processing-time first), so every shard, computing the same
 * assignment from the same specs and target, takes its own part and no file twice.
 */

/**
 * The shard (0-based) of each file, given each file's weight: heaviest first, each to the shard with the least
 * weight so far, then the fewest files (so files that run nothing spread too), then the lowest index.
 */
export function assignShards(files: ReadonlyArray<{ file: string; weight: number }>, count: number): Map<string, number> {
  const load = Array.from({ length: count }, () => ({ weight: 0, files: 0 }));
  const order = [...files].sort((a, b) => b.weight - a.weight || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const assigned = new Map<string, number>();
  for (const { file, weight } of order) {
    let best = 0;
    for (let i = 1; i < count; i++) {
      const [a, b] = [load[i], load[best]] as [{ weight: number; files: number }, { weight: number; files: number }];
      if (a.weight < b.weight || (a.weight === b.weight && a.files < b.files)) best = i;
    }
    const chosen = load[best] as { weight: number; files: number };
    chosen.weight += weight;
    chosen.files += 1;
    assigned.set(file, best);
  }
  return assigned;
}
