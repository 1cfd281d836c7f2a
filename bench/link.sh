#!/usr/bin/env bash
# smx link benchmarks (issue 14): encode rate on one core, match time and peak RSS at 10k, 100k
# and 1M records with blocking, and the hardening trade-off (attack vs linkage quality) on a
# gen tree. Appends a Markdown section to bench/RESULTS.md. Not a test: figures depend on the
# machine and its load (the load average is printed with every row).
#   bench/link.sh [BUILD_DIR]        (default build; needs smx, tests/link_bench, python3, GNU time)
# Environment: SIZES (records per facility, default "5000 50000 500000"), BENCH_DIR (/tmp/smx-bench-link).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
smx=$build/smx
bench=$build/tests/link_bench
dir=${BENCH_DIR:-/tmp/smx-bench-link}
sizes=${SIZES:-5000 50000 500000}
mkdir -p "$dir"
rows=()
load() { cut -d' ' -f1-3 /proc/loadavg | sed 's/ /, /g'; }
row() { rows+=("| $1 | \`$2\` | $3 | $(load) |"); }

# 1. Encode rate, library only (one thread): normalize, tokens, Bloom fields, JSON.
for n in $sizes; do
  out=$(taskset -c 0 "$bench" "$n" 0.5 "$dir/synthetic-$n.ndjson")
  row "encode, $((2 * n)) synthetic records, one core (library)" "taskset -c 0 tests/link_bench $n 0.5 OUT" \
      "$(echo "$out" | sed 's/ (one thread.*//')"
done

# 2. Match: time and peak RSS with fine blocking (the default) at each size.
for n in $sizes; do
  f=$dir/synthetic-$n.ndjson
  /usr/bin/time -f "%e %M" -o "$dir/time.txt" "$smx" link match --stats "$f" > "$dir/links-$n.tsv" 2> "$dir/stats-$n.txt"
  read -r seconds kb < "$dir/time.txt"
  row "match, $((2 * n)) records (2 facilities, half the people at both)" "smx link match $(basename "$f")" \
      "$seconds s, peak RSS $((kb / 1024)) MiB; $(tail -n 1 "$dir/stats-$n.txt" | sed 's/^smx link: //'); $(python3 "$root/bench/link_bench_score.py" "$dir/links-$n.tsv")"
done

# 3. End to end on a gen tree: encode from SS-MIX2 (reading dominates) and the hardening
#    trade-off: the frequency attack (smx link audit) beside linkage quality of each schema.
tree=$dir/gen
if [ ! -d "$tree/root" ]; then
  mkdir -p "$tree"
  (cd "$tree" && "$smx" gen --patients 2000 --facilities 5 --shared-persons 0.3 --seed 14 -o root --truth truth.ndjson)
fi
cd "$tree"
head -c 32 /dev/zero > key && chmod 600 key
"$smx" flat -q -k patients -t ndjson root > patients.ndjson
start=$(date +%s.%N)
taskset -c 0 "$smx" link encode -q --key key root/H01 > enc-H01.ndjson
end=$(date +%s.%N)
n01=$(wc -l < enc-H01.ndjson)
row "encode from an SS-MIX2 tree (H01 of gen --patients 2000 --facilities 5), one core" \
    "taskset -c 0 smx link encode --key key root/H01" \
    "$n01 patients in $(python3 -c "print('%.2f' % ($end - $start))") s (every message of the tree read)"
audit=$("$smx" link audit -q --key key root | awk -F'\t' 'NR>1 {printf "%s: global %s/%s names, per block %s names, %s records; ", $1, $4, $3, $7, $8}')
row "frequency attack on the kana family name, 2000 patients (gen names)" "smx link audit --key key root" "$audit"
for variant in none salt balance xor1; do
  python3 - "$root/mappings/link/schema-v1.json" "$variant" > "schema-$variant.json" <<'PY'
import json, sys
schema = json.load(open(sys.argv[1], encoding="utf-8"))
v = sys.argv[2]
if v != "salt":
    schema["smx"]["saltWithBirthYear"] = []
if v == "balance":
    schema["smx"]["balance"] = True
if v == "xor1":
    schema["clkConfig"]["xorFolds"] = 1
    schema["clkConfig"]["l"] = 512   # the same hashing length (1024), folded once
print(json.dumps(schema, ensure_ascii=False, indent=1))
PY
  for f in root/H0*; do "$smx" link encode -q --key key --schema "schema-$variant.json" "$f"; done > "enc-$variant.ndjson"
  "$smx" link match --schema "schema-$variant.json" "enc-$variant.ndjson" > "links-$variant.tsv"
  score=$(python3 "$root/tests/tools/link_score.py" truth.ndjson patients.ndjson "enc-$variant.ndjson" "combined=links-$variant.tsv" |
          awk -F'\t' '/^method=combined/ {print $2", "$3", "$6", "$7}')
  row "linkage with schema variant '$variant' (combined, fine blocking)" \
      "smx link encode --schema schema-$variant.json ...; smx link match ...; link_score.py" "$score"
done

{
  echo
  echo "## $(date -u '+%Y-%m-%d %H:%M') UTC — bench/link.sh (issue 14)"
  echo
  echo "- machine: $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; smx $(git -C "$root" rev-parse --short HEAD)"
  echo "- synthetic records: tests/link_bench (tests/unit/link_synthetic.hpp), two facilities, half the people at both"
  echo
  echo "| measure | command | result | load |"
  echo "| --- | --- | --- | --- |"
  printf '%s\n' "${rows[@]}"
} | tee -a "$root/bench/RESULTS.md"
