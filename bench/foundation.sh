#!/usr/bin/env bash
# Foundation benchmarks for smx (issue 2, "What must be shown"): throughput of `smx get`
# against the peer HL7 parsers, peak memory as input grows, `smx cat` over a large
# SS-MIX2 tree against find|xargs cat, and ISO-2022-JP decoding against iconv.
# Prints a Markdown table of every figure with its command and appends it to bench/RESULTS.md.
# Not a test: figures depend on the machine and its load; nothing here runs in CI.
#
# Usage: bench/foundation.sh
# Environment (all optional):
#   SMX=path          use this smx binary instead of building one
#   BUILD_DIR=dir     where to build smx in Release (default: <repo>/build-bench)
#   BENCH_DIR=dir     inputs and raw results (default: /tmp/smx-bench); reused between runs
#   N=100000          copies of the peer sample in the throughput input
#   PEER_ITER=200000  max iterations per peer case (run.sh adapts to ~1.5 s per case)
#   RUNS=5            hyperfine runs per command
#   RSS_SMALL=3000 RSS_LARGE=300000   copies for the ~10 MB and ~1 GB memory inputs
#   TREE_FILES=100000 files in the synthetic SS-MIX2 tree
#   JIS_COPIES=100000 copies of the DTT OML-11 (ISO-2022-JP) file for the decode benchmark
#   RESULTS=file      where to append (default: bench/RESULTS.md)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
peers=$here/../../shared/bench/peers
dtt=$here/../../shared/corpus/ssmix2-dtt/999/901/9999013
sample=$peers/sample_oru_r01.hl7

BENCH_DIR=${BENCH_DIR:-/tmp/smx-bench}
BUILD_DIR=${BUILD_DIR:-$repo/build-bench}
N=${N:-100000}
PEER_ITER=${PEER_ITER:-200000}
RUNS=${RUNS:-5}
RSS_SMALL=${RSS_SMALL:-3000}
RSS_LARGE=${RSS_LARGE:-300000}
TREE_FILES=${TREE_FILES:-100000}
JIS_COPIES=${JIS_COPIES:-100000}
RESULTS=${RESULTS:-$here/RESULTS.md}

py() { python3 -c "print($1)"; }                      # arithmetic and formatting
median() { py "__import__('json').load(open('$1'))['results'][$2]['median']"; }
# mean user+system CPU seconds of command INDEX (less sensitive to a busy machine than wall time)
cpu() { py "(lambda r: r['user'] + r['system'])(__import__('json').load(open('$1'))['results'][$2])"; }
yesno() { py "'yes' if ($1) else '**no**'"; }
rss_kb() { awk -F': ' '/Maximum resident set size/ {print $2}' "$1"; }
wall() { awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$1"; }
now_load() { uptime | sed 's/.*load average: //'; }
step() { load=$(now_load); printf '== %s (load average: %s)\n' "$1" "$load" >&2; }

die() { printf 'foundation.sh: %s\n' "$*" >&2; exit 2; }

for f in "$sample" "$dtt"; do [ -e "$f" ] || die "missing $f (shared/ must sit beside the repo)"; done
peers=$(cd "$peers" && pwd); dtt=$(cd "$dtt" && pwd); sample=$peers/sample_oru_r01.hl7

# --- tools ---------------------------------------------------------------------------------
missing=()
command -v hyperfine >/dev/null || missing+=(hyperfine)
[ -x /usr/bin/time ] || missing+=(time)
command -v taskset >/dev/null || missing+=(util-linux)
command -v iconv >/dev/null || missing+=(libc-bin)
command -v python3 >/dev/null || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
  step "installing ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# --- smx -------------------------------------------------------------------------------------
# Taken before building: others may commit while this runs. "-dirty" = tracked files modified.
commit=$(git -C "$repo" describe --always --dirty --abbrev=12 2>/dev/null || echo unknown)
[ -z "${SMX:-}" ] || commit="$commit (HEAD when run; SMX was given, so the binary may be older)"
if [ -z "${SMX:-}" ]; then
  step "building smx (Release) in $BUILD_DIR"
  cmake -S "$repo" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSMX_MAN=OFF -DSMX_TESTS=OFF >/dev/null
  ninja -C "$BUILD_DIR" smx >/dev/null
  SMX=$BUILD_DIR/smx
fi
SMX=$(cd "$(dirname "$SMX")" && pwd)/$(basename "$SMX")
[ -x "$SMX" ] || die "no smx binary at $SMX"
built=$(date -u -r "$SMX" '+%Y-%m-%d %H:%M:%S UTC')

mkdir -p "$BENCH_DIR/json"
cd "$BENCH_DIR"

# copies FILE COUNT OUT: OUT holds COUNT copies of FILE back to back (kept if already the right size).
copies() {
  local size=$(( $(stat -c %s "$1") * $2 ))
  if [ -f "$3" ] && [ "$(stat -c %s "$3")" -eq "$size" ]; then return; fi
  python3 - "$1" "$2" "$3" <<'EOF'
import os, sys
data, n, out = open(sys.argv[1], "rb").read(), int(sys.argv[2]), sys.argv[3]
with open(out + ".part", "wb") as f:
    while n > 0:
        k = min(n, 4096)
        f.write(data * k)
        n -= k
os.replace(out + ".part", out)
EOF
}
rows=()
# row WHAT COMMAND MEASURED TARGET MET: one line of the results table (load = last step's).
row() {
  local cmd=${2//"$SMX"/smx}
  cmd=${cmd//|/\\|}
  rows+=("| $1 | \`$cmd\` | $3 | $4 | $5 | $load |")
}

# --- a. throughput: smx get 'OBX[*]-5' vs the peers on the same message ---------------------
input=$BENCH_DIR/oru_x$N.hl7
copies "$sample" "$N" "$input"
sample_bytes=$(stat -c %s "$sample")
obx=$(tr '\r' '\n' <"$sample" | grep -c '^OBX|')
got=$("$SMX" get 'OBX[*]-5' "$input" | wc -l)
[ "$got" -eq $((obx * N)) ] || die "smx get printed $got rows, expected $((obx * N)) ($obx OBX x $N)"

step "a. peers: run.sh $PEER_ITER"
# /usr/bin first: run.sh tests `python3 -c 'import hl7'`, and Debian's python3-hl7 is for /usr/bin/python3.
PATH=/usr/bin:/bin:$PATH bash "$peers/run.sh" "$sample" "$PEER_ITER" >"$BENCH_DIR/json/peers.jsonl"
peer_rows=$(python3 - "$BENCH_DIR/json/peers.jsonl" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    if not line.startswith("{"):
        continue
    run = json.loads(line)
    for r in run.get("results", []):
        if "error" in r:
            print("| %s | %s | error: %s | |" % (r["name"], run["runtime"], r["error"][:60].replace("|", "\\|")))
            continue
        pg = r.get("parse_get_msgs_s")
        print("| %s | %s | %s | %s |" % (r["name"].replace("|", "\\|"), run["runtime"],
              f"{r['parse_msgs_s']:,}", f"{pg:,}" if pg else "(= parse)"))
EOF
)
simple=$(python3 - "$BENCH_DIR/json/peers.jsonl" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    if line.startswith("{"):
        for r in json.loads(line).get("results", []):
            if r["name"] == "simple-hl7" and r.get("parse_get_msgs_s"):
                print(r["parse_get_msgs_s"])
EOF
)
[ -n "$simple" ] || die "simple-hl7 gave no figure (see $BENCH_DIR/json/peers.jsonl)"
row "simple-hl7 3.3.0 parse+get (all OBX-5), Node" "bash ../shared/bench/peers/run.sh $sample $PEER_ITER" \
  "$(py "f'{$simple:,}'") msgs/s" "" ""

step "a. smx get over $N messages"
cmd_get="$SMX get 'OBX[*]-5' $input > /dev/null"
cmd_get1="taskset -c 0 $SMX get 'OBX[*]-5' $input > /dev/null"
hyperfine --warmup 1 --runs "$RUNS" --export-json "$BENCH_DIR/json/get.json" \
  -n 'smx get' "$cmd_get" -n 'smx get, one core' "$cmd_get1" >&2
t=$(median "$BENCH_DIR/json/get.json" 0)
t1=$(median "$BENCH_DIR/json/get.json" 1)
rate=$(py "$N / $t"); rate1=$(py "$N / $t1")
c=$(cpu "$BENCH_DIR/json/get.json" 0); c1=$(cpu "$BENCH_DIR/json/get.json" 1)
row "smx get, $N msgs ($(py "round($N * $sample_bytes / 1e6)") MB), median of $RUNS" "$cmd_get" \
  "$(py "f'{$rate:,.0f}'") msgs/s, $(py "f'{$N * $sample_bytes / 1e6 / $t:,.0f}'") MB/s ($(py "f'{$t:.3f}'") s); per CPU-second (user+sys $(py "f'{$c:.3f}'") s): $(py "f'{$N / $c:,.0f}'") msgs/s" "" ""
row "smx get pinned to one core" "$cmd_get1" \
  "$(py "f'{$rate1:,.0f}'") msgs/s, $(py "f'{$N * $sample_bytes / 1e6 / $t1:,.0f}'") MB/s ($(py "f'{$t1:.3f}'") s); per CPU-second (user+sys $(py "f'{$c1:.3f}'") s): $(py "f'{$N / $c1:,.0f}'") msgs/s" \
  "≥ 400,000 msgs/s" "$(yesno "$rate1 >= 400000")"
row "smx get (one core) ÷ simple-hl7 parse+get" "(the two rows above)" \
  "$(py "f'{$rate1 / $simple:.1f}'")×" "≥ 35×" "$(yesno "$rate1 / $simple >= 35")"

# --- b. peak RSS as input grows --------------------------------------------------------------
step "b. peak RSS, $RSS_SMALL vs $RSS_LARGE copies"
declare -A peak
for copies_n in "$RSS_SMALL" "$RSS_LARGE"; do
  f=$BENCH_DIR/oru_x$copies_n.hl7
  copies "$sample" "$copies_n" "$f"
  size_mb=$(py "f'{$(stat -c %s "$f") / 1e6:,.1f}'")
  for c in "get 'OBX[*]-5'" "cat"; do
    cmd="$SMX $c $f > /dev/null"
    /usr/bin/time -v -o "$BENCH_DIR/time.txt" bash -c "$cmd" 2>"$BENCH_DIR/stderr.txt" ||
      die "failed: $cmd: $(head -c 300 "$BENCH_DIR/stderr.txt")"
    kb=$(rss_kb "$BENCH_DIR/time.txt")
    peak["${c%% *}.$copies_n"]=$kb
    row "peak RSS, smx ${c%% *}, $size_mb MB input" "/usr/bin/time -v $cmd" \
      "$(py "f'{$kb / 1024:.1f}'") MiB (wall $(wall "$BENCH_DIR/time.txt"))" "flat" ""
  done
done
for c in get cat; do
  g=$(py "${peak[$c.$RSS_LARGE]} / ${peak[$c.$RSS_SMALL]}")
  row "RSS growth, smx $c, ${RSS_LARGE} vs ${RSS_SMALL} copies (×$(py "$RSS_LARGE // $RSS_SMALL") input)" "(the rows above)" \
    "$(py "f'{$g:.2f}'")×" "flat (≈ 1×)" "$(yesno "$g <= 1.5")"
done

# --- b2. the peers' peak RSS on the same files ---------------------------------------------------
# The peers' harness parses one message in memory; bench/peer_stream.{py,js} read a file the way
# a careful user would (1 MiB chunks, cut at MSH, parse, read every OBX-5) and print the counts,
# checked here. python-hl7 parses about 470 msgs/s, so it gets 30,000 copies (106 MB) instead of
# the 1 GB file (11 minutes).
step "b2. peers' peak RSS on the same files"
PEERS_DIR=${PEERS_DIR:-/tmp/hl7peers}
PEER_PY_LARGE=${PEER_PY_LARGE:-30000}
copies "$sample" "$PEER_PY_LARGE" "$BENCH_DIR/oru_x$PEER_PY_LARGE.hl7"
peer_rss() {  # label copies command...
  local label=$1 n=$2; shift 2
  local f=$BENCH_DIR/oru_x$n.hl7
  local size_mb; size_mb=$(py "f'{$(stat -c %s "$f") / 1e6:,.1f}'")
  if ! /usr/bin/time -v -o "$BENCH_DIR/time.txt" "$@" "$f" >"$BENCH_DIR/peer.out" 2>"$BENCH_DIR/stderr.txt"; then
    row "peak RSS, $label, $size_mb MB input" "/usr/bin/time -v $* FILE" "failed: $(head -c 200 "$BENCH_DIR/stderr.txt")" "" ""
    return
  fi
  [ "$(cat "$BENCH_DIR/peer.out")" = "$n $((n * 16))" ] || die "$label read $(cat "$BENCH_DIR/peer.out") of $n messages"
  local kb; kb=$(rss_kb "$BENCH_DIR/time.txt")
  peak["$label.$n"]=$kb
  row "peak RSS, $label, $size_mb MB input" "/usr/bin/time -v $* $f" \
    "$(py "f'{$kb / 1024:.1f}'") MiB (wall $(wall "$BENCH_DIR/time.txt"))" "" ""
}
if /usr/bin/python3 -c 'import hl7' 2>/dev/null && [ -d "$PEERS_DIR/node_modules/simple-hl7" ]; then
  for n in "$RSS_SMALL" "$PEER_PY_LARGE"; do peer_rss "python-hl7 (bench/peer_stream.py)" "$n" /usr/bin/python3 "$here/peer_stream.py"; done
  for n in "$RSS_SMALL" "$RSS_LARGE"; do
    peer_rss "simple-hl7 (bench/peer_stream.js)" "$n" env NODE_PATH="$PEERS_DIR/node_modules" node "$here/peer_stream.js"
    peer_rss "@medplum/core (bench/peer_stream.js)" "$n" env NODE_PATH="$PEERS_DIR/node_modules" PEER=medplum node "$here/peer_stream.js"
  done
  for label in "simple-hl7 (bench/peer_stream.js)" "@medplum/core (bench/peer_stream.js)"; do
    if [ -n "${peak[$label.$RSS_LARGE]:-}" ] && [ -n "${peak[$label.$RSS_SMALL]:-}" ]; then
      g=$(py "${peak[$label.$RSS_LARGE]} / ${peak[$label.$RSS_SMALL]}")
      row "RSS, $label at 1 GB vs smx get at 1 GB" "(the rows above)" \
        "$(py "f'{${peak[$label.$RSS_LARGE]} / ${peak[get.$RSS_LARGE]}:.1f}'")× smx's; growth ×$(py "f'{$g:.2f}'") from 10 MB" "" ""
    fi
  done
else
  row "peak RSS, peers" "-" "not measured: python3-hl7 or $PEERS_DIR/node_modules missing (step a installs them)" "" ""
fi

# --- c. smx cat over an SS-MIX2 tree vs find | xargs cat --------------------------------------
step "c. tree of $TREE_FILES files"
tree=$BENCH_DIR/tree
python3 "$here/tree_gen.py" "$dtt" "$tree" "$TREE_FILES" >&2
nfiles=$(find "$tree" -type f | wc -l)
[ "$nfiles" -eq "$TREE_FILES" ] || die "tree has $nfiles files, expected $TREE_FILES"
nrec=$({ "$SMX" cat "$tree" 2>"$BENCH_DIR/stderr.txt" && echo 0 >"$BENCH_DIR/status" ||
         echo $? >"$BENCH_DIR/status"; } | wc -l)
status=$(cat "$BENCH_DIR/status")
ndiag=$(wc -l <"$BENCH_DIR/stderr.txt")
ignore=(); [ "$status" -eq 0 ] || ignore=(--ignore-failure)
step "c. hyperfine smx cat vs find|xargs cat"
cmd_tree="$SMX cat $tree > /dev/null"
cmd_find="find $tree -type f -print0 | xargs -0 cat > /dev/null"
cmd_tree_er7="$SMX cat -t er7 $tree > /dev/null"
hyperfine --warmup 2 --runs "$RUNS" "${ignore[@]}" --export-json "$BENCH_DIR/json/tree.json" \
  -n 'smx cat' "$cmd_tree" -n 'find|xargs cat' "$cmd_find" -n 'smx cat -t er7' "$cmd_tree_er7" >&2
ts=$(median "$BENCH_DIR/json/tree.json" 0); tf=$(median "$BENCH_DIR/json/tree.json" 1); te=$(median "$BENCH_DIR/json/tree.json" 2)
note="$nrec records out, exit $status, $ndiag stderr lines"
row "smx cat, tree of $nfiles files ($note)" "$cmd_tree" \
  "$(py "f'{$ts:.3f}'") s, $(py "f'{$nfiles / $ts:,.0f}'") files/s" "" ""
row "find \| xargs cat, same tree, same hyperfine run" "$cmd_find" \
  "$(py "f'{$tf:.3f}'") s, $(py "f'{$nfiles / $tf:,.0f}'") files/s" "" ""
row "smx cat -t er7 (raw HL7 out), same tree" "$cmd_tree_er7" \
  "$(py "f'{$te:.3f}'") s, $(py "f'{$nfiles / $te:,.0f}'") files/s" "" ""
row "smx cat speed ÷ find \| xargs cat speed" "(the rows above)" \
  "$(py "f'{$tf / $ts:.2f}'")×" "≥ 0.6×" "$(yesno "$tf / $ts >= 0.6")"

# --- d. ISO-2022-JP decoding: smx cat -t er7 vs iconv on the same bytes -----------------------
step "d. ISO-2022-JP, $JIS_COPIES copies of the DTT OML-11 file"
oml=$(find "$dtt/20111220/OML-11" -type f | head -n 1)
jis=$BENCH_DIR/oml11_x$JIS_COPIES.hl7
copies "$oml" "$JIS_COPIES" "$jis"
jis_mb=$(py "$(stat -c %s "$jis") / 1e6")
nmsh=$("$SMX" cat -t er7 "$jis" | tr '\r' '\n' | grep -c '^MSH|')
[ "$nmsh" -eq "$JIS_COPIES" ] || die "smx cat -t er7 gave $nmsh messages, expected $JIS_COPIES"
cmd_jis="$SMX cat -t er7 $jis > /dev/null"
cmd_iconv="iconv -f ISO-2022-JP -t UTF-8 $jis > /dev/null"
hyperfine --warmup 1 --runs "$RUNS" --export-json "$BENCH_DIR/json/jis.json" \
  -n 'smx cat -t er7' "$cmd_jis" -n 'iconv' "$cmd_iconv" >&2
tj=$(median "$BENCH_DIR/json/jis.json" 0); ti=$(median "$BENCH_DIR/json/jis.json" 1)
row "smx cat -t er7, $(py "f'{$jis_mb:.1f}'") MB ISO-2022-JP ($JIS_COPIES msgs)" "$cmd_jis" \
  "$(py "f'{$tj:.3f}'") s, $(py "f'{$jis_mb / $tj:,.0f}'") MB/s" "" ""
row "iconv, same file, same hyperfine run" "$cmd_iconv" \
  "$(py "f'{$ti:.3f}'") s, $(py "f'{$jis_mb / $ti:,.0f}'") MB/s" "" ""
row "smx cat -t er7 speed ÷ iconv speed" "(the rows above)" "$(py "f'{$ti / $tj:.2f}'")×" "" ""

# --- report ----------------------------------------------------------------------------------
cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -n 1)
report=$(
  echo "## $(date -u '+%Y-%m-%d %H:%M UTC') — bench/foundation.sh"
  echo
  echo "- machine: $(uname -m), ${cpu:-unknown CPU}, $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GB RAM; load average at the end: $(now_load)"
  echo "- smx: commit $commit, binary \`$SMX\` (\`smx\` below) built $built"
  echo "- inputs: \`$BENCH_DIR\`; hyperfine $(hyperfine --version | awk '{print $2}'), medians of $RUNS runs after warm-up; page cache warm"
  echo "- load column: \`uptime\` load average (1/5/15 min) just before the step; the machine is shared, so wall-clock figures drop when it is busy (per-CPU-second figures drop less)"
  echo
  echo "| figure | command | measured | target | met | load |"
  echo "| --- | --- | --- | --- | --- | --- |"
  printf '%s\n' "${rows[@]}"
  echo
  echo "Peers in the same run (\`run.sh\`, msgs/s of the 3,546-byte sample; parse+get reads all 16 OBX-5):"
  echo
  echo "| peer | runtime | parse | parse+get |"
  echo "| --- | --- | --- | --- |"
  echo "$peer_rows"
  echo
)
printf '%s\n' "$report"
[ -f "$RESULTS" ] || printf '# smx benchmark results\n\nAppended by bench/foundation.sh; see bench/README.md.\n\n' >"$RESULTS"
printf '%s\n' "$report" >>"$RESULTS"
echo "appended to $RESULTS" >&2
