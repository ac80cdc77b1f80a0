#!/usr/bin/env bash
# A/B on unchanged code beside a bursty neighbour (`npm run bench:ab-bursty`): records a baseline from a full
# `npm run bench` on the embedded engine, then runs RUNS full A/B runs (--base-replay) while another process
# computes for a random 0.5-3 s, then sleeps as long, over and over (unpinned: it takes whichever core the
# scheduler gives it). Nothing changed, so every run with a gate failure is a false alarm. Prints one line per
# run and the count of failing runs.
set -uo pipefail
cd "$(dirname "$0")/../.."
runs=${RUNS:-10}
baselines=$(mktemp -d); out=$(mktemp -d)
trap 'rm -rf "$baselines" "$out"; [ -n "${neighbour:-}" ] && kill "$neighbour" 2>/dev/null' EXIT

bench() { node harness/bin.js --baseline-dir "$baselines" --output "$out" "$@" > "$out/log.txt" 2>&1; }
summary() { node test/perf/run-summary.mjs "$out/results.json"; }

start=$(date +%s)
bench --update-baseline || true
echo "baseline: $(node -e 'console.log(Object.keys(require(process.argv[1]).cases).length)' "$baselines/default.json") cases, $(nproc) cores"
# The neighbour: busy for a random 0.5-3 s, idle as long, until killed.
node -e '
  for (;;) {
    const ms = 500 + Math.random() * 2500;
    const end = Date.now() + ms;
    while (Date.now() < end) {}
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  }' & neighbour=$!
failing=0
for i in $(seq "$runs"); do
  bench --base-replay; code=$?
  line=$(summary)
  echo "A/B run $i beside a bursty neighbour: exit $code; $line"
  [ "$code" -ne 0 ] && failing=$(( failing + 1 ))
done
echo
echo "$failing of $runs unchanged A/B runs failed beside a bursty neighbour; took $(( ($(date +%s) - start) / 60 )) min"
