#!/usr/bin/env bash
# labnorm benchmarks (issue 3, "What must be shown"): OBX/s of `smx labnorm` on one core over
# a stream of synthetic OUL^R22 messages (target >= 300,000 OBX/s), and the table load time
# (`smx labnorm` on empty input; target < 50 ms). Prints a Markdown section with every figure
# and its command and appends it to bench/RESULTS.md. Not a test: nothing here runs in CI.
#
# Usage: bench/labnorm.sh
# Environment (all optional):
#   SMX=path        use this smx binary instead of building one
#   BUILD_DIR=dir   where to build smx in Release (default: <repo>/build-labnorm-bench)
#   BENCH_DIR=dir   inputs and raw results (default: /tmp/smx-bench-labnorm); reused between runs
#   GEN=auto        the stream: smx (`smx gen --stream`, when this smx has it), py
#                   (bench/oul_gen.py), or auto (smx if available, else py)
#   PATIENTS=6000   smx gen: patients (3 facilities; about 3.7 OUL^R22 and 93 OBX per patient)
#   N=40000         oul_gen.py: OUL^R22 messages (8-24 OBX each, 16 on average)
#   RUNS=5          hyperfine runs of the throughput command (the load-time command runs 20 times)
#   RESULTS=file    where to append (default: bench/RESULTS.md)
# The stream: the OUL^R22 messages of `smx gen --stream` (synthetic facilities with vendor
# variance), or bench/oul_gen.py (every analyte of mappings/analytes.yaml with a canonical unit,
# unit spellings from units/aliases.yaml) read through `smx cat`: the smx stream labnorm reads in
# a pipeline. Both are run without --site, as `smx labnorm --tables .`.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/smx-bench-labnorm}
BUILD_DIR=${BUILD_DIR:-$repo/build-labnorm-bench}
GEN=${GEN:-auto}
PATIENTS=${PATIENTS:-6000}
N=${N:-40000}
RUNS=${RUNS:-5}
RESULTS=${RESULTS:-$here/RESULTS.md}

py() { python3 -c "print($1)"; }
median() { py "__import__('json').load(open('$1'))['results'][0]['median']"; }
cpu() { py "(lambda r: r['user'] + r['system'])(__import__('json').load(open('$1'))['results'][0])"; }
now_load() { uptime | sed 's/.*load average: //'; }
die() { printf 'labnorm.sh: %s\n' "$*" >&2; exit 2; }
for tool in hyperfine taskset python3; do command -v $tool >/dev/null || die "needs $tool"; done

if [ -z "${SMX:-}" ]; then
  cmake -S "$repo" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSMX_MAN=OFF >/dev/null
  ninja -C "$BUILD_DIR" -j2 smx >/dev/null
  SMX=$BUILD_DIR/smx
fi
SMX=$(cd "$(dirname "$SMX")" && pwd)/$(basename "$SMX")
mkdir -p "$BENCH_DIR/json"

# --- the stream ----------------------------------------------------------------------------
if [ "$GEN" = auto ]; then
  GEN=py
  "$SMX" gen --help 2>/dev/null | grep -q -- '--stream' && GEN=smx
fi
if [ "$GEN" = smx ]; then
  stream=$BENCH_DIR/gen_p$PATIENTS.oul.ndjson
  source_note="smx gen --stream --patients $PATIENTS --facilities 3 --seed 1 | smx grep MSH-9.1=OUL"
  if [ ! -s "$stream" ]; then
    rm -rf "$BENCH_DIR/gen-sites"
    "$SMX" gen --stream --patients "$PATIENTS" --facilities 3 --seed 1 -o "$BENCH_DIR/gen-root" \
      --sites-dir "$BENCH_DIR/gen-sites" | "$SMX" grep 'MSH-9.1=OUL' > "$stream.tmp"
    mv "$stream.tmp" "$stream"
  fi
else
  stream=$BENCH_DIR/py_x$N.oul.ndjson
  source_note="python3 bench/oul_gen.py $N 1 | smx cat"
  if [ ! -s "$stream" ]; then
    python3 "$here/oul_gen.py" "$N" 1 | "$SMX" cat > "$stream.tmp"
    mv "$stream.tmp" "$stream"
  fi
fi
messages=$(wc -l < "$stream")
obx=$(grep -o '\\rOBX|' "$stream" | wc -l)
mb=$(py "round($(stat -c %s "$stream") / 1e6, 1)")
# The normalizer has to do real work on this stream: print what it changed.
cd "$repo"
"$SMX" labnorm --tables . --coverage "$BENCH_DIR/coverage.ndjson" --stats=json -q < "$stream" \
  > "$BENCH_DIR/out.ndjson" 2> "$BENCH_DIR/stats.txt" || true
changes=$(grep -o '"field":"OBX-[0-9]"' "$BENCH_DIR/out.ndjson" | cut -d'"' -f4 | sort | uniq -c |
  awk '{printf "%s%s %s", sep, $2, $1; sep=", "}')
coverage=$(python3 -c "
import json
c=[json.loads(l) for l in open('$BENCH_DIR/coverage.ndjson')]
t={k: sum(x[k] for x in c) for k in ('messages','obx','codes_mapped','units_mapped','units_converted','values_parsed')}
print(', '.join(f'{k} {v}' for k,v in t.items()))")

# --- throughput on one core -----------------------------------------------------------------
load_a=$(now_load)
cmd_a="taskset -c 0 $SMX labnorm --tables . < $stream > /dev/null"
hyperfine --warmup 1 --runs "$RUNS" --export-json "$BENCH_DIR/json/throughput.json" "$cmd_a" >&2
t_a=$(py "round($(median "$BENCH_DIR/json/throughput.json"), 3)")
c_a=$(py "round($(cpu "$BENCH_DIR/json/throughput.json"), 3)")
obx_s=$(py "f'{$obx / $t_a:,.0f}'")
obx_cpu=$(py "f'{$obx / $c_a:,.0f}'")
met_a=$(py "'yes' if $obx / $t_a >= 300000 else '**no**'")

# --- table load -------------------------------------------------------------------------------
load_b=$(now_load)
cmd_b="$SMX labnorm --tables . < /dev/null"
hyperfine --warmup 3 --runs 20 --export-json "$BENCH_DIR/json/load.json" "$cmd_b" >&2
t_b=$(median "$BENCH_DIR/json/load.json")
ms_b=$(py "f'{$t_b * 1000:.1f}'")
met_b=$(py "'yes' if $t_b < 0.050 else '**no**'")

commit=$(git -C "$repo" rev-parse --short HEAD)
dirty=$(git -C "$repo" status --porcelain -- lib tools | grep -q . && echo " (+ uncommitted changes in lib/ or tools/)" || true)
cpu_model=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
section=$(cat <<EOF

## labnorm ($(date -u +%Y-%m-%d), $(uname -m), $cpu_model, $(nproc) CPUs, smx $commit$dirty)

Stream: $messages OUL^R22 messages, $obx OBX, $mb MB smx stream ($source_note). Changes labnorm
made on it: $changes. Coverage: $coverage.

| measure | command (run from the repository root) | result | target | met | load average |
| --- | --- | --- | --- | --- | --- |
| labnorm throughput, one core, median of $RUNS | \`$cmd_a\` | $obx_s OBX/s ($t_a s); per CPU-second (user+sys $c_a s): $obx_cpu OBX/s | ≥ 300,000 OBX/s | $met_a | $load_a |
| table load (empty input), median of 20 | \`$cmd_b\` | $ms_b ms | < 50 ms | $met_b | $load_b |
EOF
)
printf '%s\n' "$section"
printf '%s\n' "$section" >> "$RESULTS"
