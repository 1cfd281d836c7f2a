#!/usr/bin/env bash
# smx cohort benchmark (issue 15, "What must be shown": cohort patients/s over a generated
# 10-facility tree; RSS): hyperfine medians of `smx cohort` with examples/cohorts/t2dm-hba1c.yaml
# with -j 1 and -j 2 over one tree, and the peak RSS of each (/usr/bin/time -v), after checking
# that both give the same output. Appends a Markdown section to bench/RESULTS.md.
# Not a test: nothing here runs in CI (tests/props/cohort.sh checks the results).
#
# Usage: bench/cohort.sh
# Environment (all optional):
#   SMX=path        the smx binary (default: <repo>/build/smx)
#   BENCH_DIR=dir   the tree and raw results (default /tmp/smx-bench-cohort)
#   PATIENTS=20000  smx gen --patients, spread over 10 facilities
#   RUNS=5          hyperfine runs per command
#   RESULTS=file    where to append (default bench/RESULTS.md)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
SMX=${SMX:-$repo/build/smx}
BENCH_DIR=${BENCH_DIR:-/tmp/smx-bench-cohort}
PATIENTS=${PATIENTS:-20000}
RUNS=${RUNS:-5}
RESULTS=${RESULTS:-$here/RESULTS.md}
criteria=$repo/examples/cohorts/t2dm-hba1c.yaml

die() { printf 'cohort.sh: %s\n' "$*" >&2; exit 2; }
for tool in hyperfine python3 /usr/bin/time; do command -v $tool >/dev/null || die "needs $tool"; done
[[ -x $SMX ]] || die "no smx binary at $SMX (set SMX)"
mkdir -p "$BENCH_DIR"
tree=$BENCH_DIR/tree-$PATIENTS
if [[ ! -d $tree ]]; then
  "$SMX" gen --patients "$PATIENTS" --facilities 10 --seed 15 --from 2023-01-01 --to 2024-12-31 \
    --tables "$repo" -o "$tree" 2>/dev/null
fi
files=$(find "$tree" -type f | wc -l)
bytes=$(du -sb "$tree" | cut -f1)

# Same output for -j 1 and -j 2 (the benchmark is meaningless otherwise).
"$SMX" cohort --tables "$repo" --criteria "$criteria" -j 1 -q "$tree"/H* >"$BENCH_DIR/out-j1"
"$SMX" cohort --tables "$repo" --criteria "$criteria" -j 2 -q "$tree"/H* >"$BENCH_DIR/out-j2"
cmp -s "$BENCH_DIR/out-j1" "$BENCH_DIR/out-j2" || die "-j 2 output differs from -j 1"
members=$(($(wc -l <"$BENCH_DIR/out-j1") - 1))

hyperfine -N -w 1 -r "$RUNS" --export-json "$BENCH_DIR/cohort.json" \
  "$SMX cohort --tables $repo --criteria $criteria -q -j 1 $tree/H01 $tree/H02 $tree/H03 $tree/H04 $tree/H05 $tree/H06 $tree/H07 $tree/H08 $tree/H09 $tree/H10" \
  "$SMX cohort --tables $repo --criteria $criteria -q -j 2 $tree/H01 $tree/H02 $tree/H03 $tree/H04 $tree/H05 $tree/H06 $tree/H07 $tree/H08 $tree/H09 $tree/H10" >/dev/null
rss() {  # peak RSS in MiB of smx cohort -j N
  /usr/bin/time -v "$SMX" cohort --tables "$repo" --criteria "$criteria" -q -j "$1" "$tree"/H* 2>&1 >/dev/null |
    awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2 / 1024}'
}
rss1=$(rss 1)
rss2=$(rss 2)
commit=$(git -C "$repo" rev-parse --short=12 HEAD)
load=$(uptime | sed 's/.*load average: //')
{
  printf '\n## %s — bench/cohort.sh\n\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
  printf -- '- machine: %s, %s cores; load average at the end: %s\n' "$(uname -m)" "$(nproc)" "$load"
  printf -- '- smx: commit %s, binary `%s`\n' "$commit" "$SMX"
  printf -- '- input: `smx gen --patients %s --facilities 10 --seed 15 --from 2023-01-01 --to 2024-12-31`: %s files, %s MB; criteria examples/cohorts/t2dm-hba1c.yaml, %s members; hyperfine medians of %s runs after warm-up, page cache warm\n\n' \
    "$PATIENTS" "$files" "$((bytes / 1000000))" "$members" "$RUNS"
  printf '| command | median | patients/s | files/s | user+sys | peak RSS |\n| --- | --- | --- | --- | --- | --- |\n'
  python3 - "$BENCH_DIR/cohort.json" "$PATIENTS" "$files" "$rss1" "$rss2" <<'PY'
import json, sys
path, patients, files, rss1, rss2 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
for x, rss in zip(json.load(open(path))['results'], (rss1, rss2)):
    jobs = '-j 1' if '-j 1' in x['command'] else '-j 2'
    print(f"| `smx cohort --criteria t2dm-hba1c.yaml {jobs} TREE/H*` | {x['median']:.3f} s | {patients / x['median']:,.0f} | "
          f"{files / x['median']:,.0f} | {x['user'] + x['system']:.2f} s | {rss} MiB |")
PY
} >>"$RESULTS"
tail -8 "$RESULTS"
