#!/usr/bin/env bash
# smx qi benchmark (issue 15): patients/s and peak RSS over a generated 10-facility tree
# (smx gen --qi), from the tree and from the stream, with -j 1 and -j 2. Appends a Markdown
# section to bench/RESULTS.md. Not a test: figures depend on the machine and its load (the load
# average is printed with every row).
#   bench/qi.sh [BUILD_DIR]     (default build; needs smx, hyperfine, GNU time)
# Environment: PATIENTS (in total, default 10000), BENCH_DIR (/tmp/smx-bench-qi), RUNS (3).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
smx=$build/smx
dir=${BENCH_DIR:-/tmp/smx-bench-qi}
patients=${PATIENTS:-10000}
runs=${RUNS:-3}
mkdir -p "$dir"
load() { cut -d' ' -f1-3 /proc/loadavg | sed 's/ /, /g'; }
rows=()

tree=$dir/gen-$patients
mkdir -p "$tree"
if [ ! -d "$tree/root" ]; then
  "$smx" gen --qi --facilities 10 --patients "$patients" --from 2024-01-01 --to 2024-12-31 \
    -o "$tree/root" --truth "$tree/truth.ndjson" --drugs-master "$tree/drugs.csv" --stats 2> "$tree/gen.txt"
fi
files=$(find "$tree/root" -type f | wc -l)
bytes=$(du -sb "$tree/root" | cut -f1)
"$smx" cat "$tree/root" > "$tree/stream.ndjson"

measure() {  # label, then the smx arguments
  local label=$1
  shift
  hyperfine --runs "$runs" --warmup 1 --export-json "$dir/h.json" "$smx $* > /dev/null 2>&1" > /dev/null
  local mean
  mean=$(python3 -c "import json; print(json.load(open('$dir/h.json'))['results'][0]['mean'])")
  /usr/bin/time -v "$smx" "$@" > /dev/null 2> "$dir/time.txt" || true
  local kb
  kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$dir/time.txt")
  local rate
  rate=$(python3 -c "print(round($patients / $mean))")
  rows+=("| $label | \`smx $*\` | $(printf '%.2f' "$mean") s mean of $runs, $rate patients/s, peak RSS $((kb / 1024)) MiB | $(load) |")
}

measure "tree, -j 1" qi --min-cell 0 --drugs "$tree/drugs.csv" "$tree/root"
measure "tree, -j 2" qi --min-cell 0 --drugs "$tree/drugs.csv" -j 2 "$tree/root"
measure "stream file, -j 1" qi --min-cell 0 --drugs "$tree/drugs.csv" "$tree/stream.ndjson"
measure "stream file, -j 2" qi --min-cell 0 --drugs "$tree/drugs.csv" -j 2 "$tree/stream.ndjson"

{
  echo
  echo "## $(date -u '+%Y-%m-%d %H:%M UTC') — bench/qi.sh (issue 15)"
  echo
  echo "- machine: $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores; smx $(git -C "$root" rev-parse --short HEAD)"
  echo "- tree: \`smx gen --qi --facilities 10 --patients $patients --from 2024-01-01 --to 2024-12-31\`: $files files, $((bytes / 1048576)) MiB; all 6 indicators, facility x month"
  echo
  echo "| run | command | result | load |"
  echo "| --- | --- | --- | --- |"
  printf '%s\n' "${rows[@]}"
} | tee -a "$root/bench/RESULTS.md"
