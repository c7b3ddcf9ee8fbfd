#!/usr/bin/env bash
# Checks the allocation counts of the kernel and pass benchmarks (Benchmarks/, ordo-one benchmark) against
# the committed static thresholds (Benchmarks/Thresholds/*.json, key mallocCountTotal: mallocs in one
# iteration, p90). Only that metric: the throughput figures in the same files are noise on a shared machine
# and are left to a manual `swift package benchmark thresholds check` on a quiet one (README, Benchmarks).
# The tolerances are in the benchmarks' code (tolerances() in Kernels.swift and Passes.swift). A run with
# more allocations than allowed fails ("WORSE"), and so does one with fewer ("BETTER"): the thresholds are
# then stale, and are rewritten from a run with --update.
#
# Usage: scripts/check-benchmark-allocations.sh           check (CI runs this; a release build, then the run)
#        scripts/check-benchmark-allocations.sh --update  rewrite every threshold file's mallocCountTotal from
#                                                         a run (its throughput figure is kept), then check
set -euo pipefail

cd "$(dirname "$0")/../Benchmarks"
# A count of allocations is the same in every iteration, so a few iterations check it (the benchmarks' own
# maxima, 100 to 1000 iterations, are for time); the benchmarks read this variable (BenchmarkSignals).
export PODSMITH_BENCHMARK_MAX_ITERATIONS="${PODSMITH_BENCHMARK_MAX_ITERATIONS:-5}"

if [ "${1:-}" = "--update" ]; then
    fresh="$(mktemp -d)"
    trap 'rm -rf "$fresh"' EXIT
    swift package --allow-writing-to-directory "$fresh" benchmark thresholds update --metric mallocCountTotal \
        --path "$fresh" --no-progress
    python3 - "$fresh" Thresholds <<'EOF'
import json, pathlib, sys
fresh, committed = map(pathlib.Path, sys.argv[1:])
for new in sorted(fresh.glob("*.p90.json")):
    count = json.loads(new.read_text())["mallocCountTotal"]
    target = committed / new.name
    figures = json.loads(target.read_text()) if target.exists() else {}
    if figures.get("mallocCountTotal") != count:
        print(f"check-benchmark-allocations: {new.name}: mallocCountTotal {figures.get('mallocCountTotal')} -> {count}")
    figures["mallocCountTotal"] = count
    target.write_text(json.dumps(figures, indent=2, sort_keys=True, separators=(",", " : ")))
EOF
elif [ -n "${1:-}" ]; then
    echo "usage: scripts/check-benchmark-allocations.sh [--update]" >&2
    exit 64
fi

log="$(mktemp)"
trap 'rm -f "$log"; [ -z "${fresh:-}" ] || rm -rf "$fresh"' EXIT
if swift package benchmark thresholds check --metric mallocCountTotal 2>&1 | tee "$log"; then
    status=0
else
    status=$?
fi

# Every benchmark has a threshold file, and every threshold file a benchmark: the check itself skips a
# benchmark without a file (and a file without a benchmark) silently.
checked="$(grep -o "Checking \[.*\]" "$log" | tail -1 | tr -d '[]",' | tr ' ' '\n' | grep ':' | tr ':' '.' | sort)"
files="$(find Thresholds -name '*.p90.json' -printf '%f\n' | sed 's/\.p90\.json$//' | sort)"
if [ -z "$checked" ] || [ "$checked" != "$files" ]; then
    echo "check-benchmark-allocations: the benchmarks checked and the threshold files differ:" >&2
    diff <(echo "$checked") <(echo "$files") >&2 || true
    exit 1
fi
if [ "$status" -ne 0 ]; then
    if grep -q "is WORSE than" "$log"; then
        echo "check-benchmark-allocations: more allocations than the thresholds allow (above)" >&2
    elif grep -q "is BETTER than" "$log"; then
        echo "check-benchmark-allocations: fewer allocations than the thresholds say (above): if that is" \
            "intended, rewrite them with scripts/check-benchmark-allocations.sh --update and commit them" >&2
    fi
    exit 1
fi
echo "check-benchmark-allocations: $(echo "$files" | wc -l) benchmarks, every allocation count within its threshold"
