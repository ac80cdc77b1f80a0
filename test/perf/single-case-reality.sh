#!/usr/bin/env bash
# The real engine, unchanged code, a stored baseline (`npm run bench:single-case-reality`): records a baseline
# from a full `npm run bench` on the embedded engine, then runs one case alone (-t) RUNS times and the full
# specs FULL times, printing each run's exit code and verdicts. Every "regressed" here is a false alarm.
set -uo pipefail
cd "$(dirname "$0")/../.."
runs=${RUNS:-5}; full=${FULL:-3}; case=${CASE:-tiny-1m local-privacy}
baselines=$(mktemp -d); out=$(mktemp -d)
bench() { node --import tsx harness/cli/main.ts --baseline-dir "$baselines" --output "$out" "$@" > "$out/log.txt" 2>&1; }
verdicts() {
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const ran = r.cases.filter((c) => c.status !== "skipped");
    const count = (v) => ran.filter((c) => c.gate?.verdict === v).length;
    const ratios = ran.map((c) => c.gate?.metrics[0]?.ratio).filter((x) => x != null).map((x) => (x * 100 - 100).toFixed(0) + "%");
    console.log(`regressed ${count("regressed")}, improved ${count("improved")}, inconclusive ${count("inconclusive")}, unchanged ${count("unchanged")}; p95 changes ${ratios.join(" ")}`);
  ' "$out/results.json"
}
bench --update-baseline || true
echo "baseline: $(node -e 'console.log(Object.keys(require(process.argv[1]).cases).length)' "$baselines/default.json") cases"
for i in $(seq "$runs"); do bench -t "$case"; code=$?; echo "single case \"$case\" run $i: exit $code; $(verdicts)"; done
for i in $(seq "$full"); do bench; code=$?; echo "full run $i: exit $code; $(verdicts)"; done
rm -rf "$baselines" "$out"
