#!/usr/bin/env bash
# -j N benchmark (issue 12, "What must be shown"): `smx labnorm` and `smx fhir` with -j 1 and
# -j 2 over one generated stream, in the same hyperfine command (medians and the ratio), after
# checking that both give byte-identical output. Appends a Markdown section to bench/RESULTS.md.
# Not a test: nothing here runs in CI (tests/props/jobs.sh checks the identity on every build).
#
# Usage: bench/jobs.sh
# Environment (all optional):
#   SMX=path        the smx binary (default: build a Release one in BUILD_DIR)
#   BUILD_DIR=dir   default <repo>/build-jobs-bench
#   BENCH_DIR=dir   inputs and raw results (default /tmp/smx-bench-jobs)
#   PATIENTS=3000   smx gen --stream --facilities 3 --variance-rate 0.2
#   RUNS=5          hyperfine runs per command
#   RESULTS=file    where to append (default bench/RESULTS.md)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$repo/build-jobs-bench}
BENCH_DIR=${BENCH_DIR:-/tmp/smx-bench-jobs}
PATIENTS=${PATIENTS:-3000}
RUNS=${RUNS:-5}
RESULTS=${RESULTS:-$here/RESULTS.md}

die() { printf 'jobs.sh: %s\n' "$*" >&2; exit 2; }
for tool in hyperfine python3 nproc; do command -v $tool >/dev/null || die "needs $tool"; done
if [[ -z ${SMX:-} ]]; then
  cmake -S "$repo" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSMX_TESTS=OFF -DSMX_MAN=OFF >/dev/null
  cmake --build "$BUILD_DIR" --target smx >/dev/null
  SMX=$BUILD_DIR/smx
fi
mkdir -p "$BENCH_DIR"
stream=$BENCH_DIR/stream-$PATIENTS.ndjson
[[ -s $stream ]] || "$SMX" gen --patients "$PATIENTS" --facilities 3 --seed 12 --variance-rate 0.2 --stream --tables "$repo" >"$stream"
messages=$(wc -l <"$stream")

# Output identical for -j 1 and -j 2 (the benchmark is meaningless otherwise).
for cmd in "labnorm --tables $repo" "fhir"; do
  $SMX $cmd -j 1 -q "$stream" >"$BENCH_DIR/out-j1" 2>"$BENCH_DIR/err-j1" || true
  $SMX $cmd -j 2 -q "$stream" >"$BENCH_DIR/out-j2" 2>"$BENCH_DIR/err-j2" || true
  cmp -s "$BENCH_DIR/out-j1" "$BENCH_DIR/out-j2" || die "smx $cmd: -j 2 output differs from -j 1"
  cmp -s "$BENCH_DIR/err-j1" "$BENCH_DIR/err-j2" || die "smx $cmd: -j 2 diagnostics differ from -j 1"
done

row() {  # name json -> markdown rows with median and ratio
  python3 - "$1" "$2" "$messages" <<'PY'
import json, sys
name, path, messages = sys.argv[1], sys.argv[2], int(sys.argv[3])
r = json.load(open(path))['results']
m1, m2 = r[0]['median'], r[1]['median']
for x in r:
    print(f"| {name} | `{x['command']}` | {x['median']:.3f} s | {messages / x['median']:,.0f} msgs/s | {x['user'] + x['system']:.2f} s |")
print(f"| {name} | -j 1 / -j 2 median | {m1 / m2:.2f}x | | |")
PY
}
hyperfine -N -w 1 -r "$RUNS" --export-json "$BENCH_DIR/labnorm.json" \
  "$SMX labnorm --tables $repo -q -j 1 $stream" "$SMX labnorm --tables $repo -q -j 2 $stream" >/dev/null
hyperfine -N -w 1 -r "$RUNS" --export-json "$BENCH_DIR/fhir.json" \
  "$SMX fhir -q -j 1 $stream" "$SMX fhir -q -j 2 $stream" >/dev/null

{
  printf '\n## %s — bench/jobs.sh (issue 12: -j 2 against -j 1)\n\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
  printf -- '- machine: %s cores; smx %s; load at the end: %s\n' "$(nproc)" "$(git -C "$repo" rev-parse --short HEAD)" \
    "$(uptime | sed 's/.*load average: //')"
  printf -- '- input: `smx gen --patients %s --facilities 3 --seed 12 --variance-rate 0.2 --stream`, %s messages;' "$PATIENTS" "$messages"
  printf ' -j 1 and -j 2 outputs and diagnostics compared byte for byte first (identical)\n\n'
  printf '| command | run | median wall | messages/s | user+sys (mean) |\n| --- | --- | --- | --- | --- |\n'
  row labnorm "$BENCH_DIR/labnorm.json"
  row fhir "$BENCH_DIR/fhir.json"
} | tee -a "$RESULTS"
