#!/usr/bin/env bash
# The gate on the real embedded engine, on this machine (`npm run bench:gate-reality`). Unchanged code first:
# a baseline from a full `npm run bench`, then FULL full runs against it (the last BUSY of them beside a
# competing busy process on one core), SINGLE runs of one case alone (-t), and AB full runs in A/B mode
# (--base-replay: the baseline's requests replayed alongside). Every "regressed" there is a false alarm.
# Then a real change, maxTokens 64 -> 80 on one case (the tiny models always answer to the limit, so +25%
# decode work), CHANGE times in A/B mode, and AUTO times with no flag (the changed input alone makes the case
# replay the baseline's request alongside): every run should say "regressed". Prints one line per run and a table.
set -uo pipefail
cd "$(dirname "$0")/../.."
full=${FULL:-10}; busy=${BUSY:-5}; single=${SINGLE:-10}; ab=${AB:-10}; change=${CHANGE:-20}; auto=${AUTO:-5}
case=${CASE:-tiny-1m local-privacy}
baselines=$(mktemp -d); out=$(mktemp -d)
# The changed spec lives beside bench/ for the run (its imports and prompt paths resolve as the original's do).
changed=$(mktemp -d -p . gate-reality-XXXX); changed=${changed#./}
trap 'rm -rf "$baselines" "$out" "$changed"; [ -n "${hog:-}" ] && kill "$hog" 2>/dev/null' EXIT
sed 's/maxTokens: 64/maxTokens: 80/' bench/tiny-1m.fixed.bench.ts > "$changed/tiny-1m.fixed.bench.ts"

bench() { node harness/bin.js --baseline-dir "$baselines" --output "$out" "$@" > "$out/log.txt" 2>&1; }
summary() { node test/perf/run-summary.mjs "$out/results.json"; }
declare -A total exits1
run() { # label, then bench arguments
  local label=$1; shift
  bench "$@"; local code=$?
  local line; line=$(summary)
  echo "$label: exit $code; $line"
  total[$label]=$(( ${total[$label]:-0} + 1 ))
  case "$line" in 0\ gate*) ;; *) exits1[$label]=$(( ${exits1[$label]:-0} + 1 )) ;; esac
}

start=$(date +%s)
bench --update-baseline || true
echo "baseline: $(node -e 'console.log(Object.keys(require(process.argv[1]).cases).length)' "$baselines/default.json") cases, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
for i in $(seq $(( full - busy ))); do run "stored baseline, full run" ; done
node -e 'for (;;) {}' & hog=$!
command -v taskset > /dev/null && taskset -pc 0 "$hog" > /dev/null
for i in $(seq "$busy"); do run "stored baseline, full run, busy core" ; done
kill "$hog"; hog=
for i in $(seq "$single"); do run "stored baseline, -t one case" -t "$case"; done
for i in $(seq "$ab"); do run "A/B (--base-replay), full run" --base-replay; done
for i in $(seq "$change"); do run "A/B, maxTokens 64 -> 80" --base-replay --specs "$changed/*.bench.ts" -t "$case"; done
for i in $(seq "$auto"); do run "maxTokens 64 -> 80, no flag" --specs "$changed/*.bench.ts" -t "$case"; done

echo
echo "mode                                     runs   runs with a gate failure"
for label in "stored baseline, full run" "stored baseline, full run, busy core" "stored baseline, -t one case" "A/B (--base-replay), full run" "A/B, maxTokens 64 -> 80" "maxTokens 64 -> 80, no flag"; do
  printf '%-40s %4s   %s\n' "$label" "${total[$label]:-0}" "${exits1[$label]:-0}"
done
echo "took $(( ($(date +%s) - start) / 60 )) min"
