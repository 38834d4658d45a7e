#!/usr/bin/env bash
# Usage: scripts/bench.sh   (what `make bench` runs)
# Runs every scripts/bench_*.py in turn; fails if one fails.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-.venv/bin/python}
shopt -s nullglob
benches=(scripts/bench_*.py)
if [ ${#benches[@]} -eq 0 ]; then
    echo "Keine Benchmarks gefunden (scripts/bench_*.py) / no benchmarks found."
    exit 0
fi
for bench in "${benches[@]}"; do
    echo "== $bench =="
    "$python" "$bench"
done
