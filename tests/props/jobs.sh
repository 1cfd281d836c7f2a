#!/usr/bin/env bash
# -j N gives what -j 1 gives (issue 12): for every command that reads messages (cat, show, get,
# grep, flat, labnorm, fhir, validate), over a generated tree with vendor variance, naming
# deviations and table gaps, and over the smx stream with broken lines and junk mixed in, the
# output, the diagnostics on stderr (text with summaries, and json), --rejects, --changes,
# --coverage, fhir's Bulk Data files and --deletes are byte for byte the same with -j 2 and -j 3
# as with -j 1. Usage: jobs.sh SMX CORPUS TMPDIR
set -euo pipefail
smx=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
tmp=$3
repo=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$tmp" && mkdir -p "$tmp"
fail() { printf 'jobs.sh: FAIL: %s\n' "$*" >&2; exit 1; }

# A copy of the tables with the facilities' site tables in it (labnorm --site auto).
mkdir -p "$tmp/tables/mappings"
cp -r "$repo/units" "$tmp/tables/"
cp -r "$repo/mappings/." "$tmp/tables/mappings/"
"$smx" gen -o "$tmp/root" --sites-dir "$tmp/tables/mappings/sites" --patients 120 --facilities 3 --seed 12 \
  --deviation-rate 0.05 --gap-rate 0.1 --variance-rate 0.2
# The stream, with what readers reject or skip mixed in: a broken line, a record of another kind,
# a record whose changes lack a member, and a raw file with junk after a message.
"$smx" cat "$tmp"/root/H0* 2> /dev/null > "$tmp/clean.ndjson"
{
  head -n 200 "$tmp/clean.ndjson"
  printf '{"smx":1,"kind":"hl7","src":\n'
  printf '{"smx":1,"kind":"note","text":"not a message"}\n'
  printf '{"smx":1,"kind":"hl7","src":{"path":"x","n":1},"charset":"UTF-8","changes":[{"obx":1}],"hl7":"MSH|^~\\\\&|A\\r"}\n'
  tail -n +201 "$tmp/clean.ndjson"
} > "$tmp/stream.ndjson"
printf 'MSH|^~\\&|LAB|H9|||20240101||OUL^R22^OUL_R22|1|P|2.5\rPID|1||P1\rOBX|1|NM|3D010000001926101^GLU^JC10||95|mg/dL^mg/dL^UCUM|70-109\r\x01\x02binary\r' \
  > "$tmp/raw.hl7"

compared=0
# run NAME CMD...: runs the command with -j 1, 2 and 3 (the -j goes after the command name), each
# in its own folder, and compares stdout, stderr, the exit status and every file it wrote.
run() {
  local name=$1 cmd=$2
  shift 2
  for j in 1 2 3; do
    local dir="$tmp/$name/j$j"
    mkdir -p "$dir"
    (cd "$dir" && "$smx" "$cmd" -j "$j" "$@" > stdout 2> stderr; echo $? > rc) || true
  done
  for j in 2 3; do
    diff -r "$tmp/$name/j1" "$tmp/$name/j$j" > "$tmp/$name.diff" ||
      fail "$name: -j $j differs from -j 1: $(head -c 600 "$tmp/$name.diff")"
  done
  [ -n "$(find "$tmp/$name/j1" -type f ! -name rc -size +0c)" ] || fail "$name: no output"
  compared=$((compared + 1))
}

tree=("$tmp"/root/H01 "$tmp"/root/H02 "$tmp"/root/H03)
mixed=("$tmp/stream.ndjson" "$tmp/raw.hl7")
tables=(--tables "$tmp/tables" --site auto)
export SMX_TABLES="$tmp/tables"

run cat-tree cat --max-diagnostics 3 --stats "${tree[@]}"
run cat-mixed cat -t er7 --rejects rejects.ndjson --stats=json "${mixed[@]}"
run show show --type OML-11 "${tree[@]}"
run get get -H -s 'PID-3.1' 'OBX[*]-3.1' 'OBX[*]-5' 'OBX[*]-6' --rejects rejects.ndjson "${mixed[@]}"
run grep grep 'OBX-3.1~^3D' --stats "${mixed[@]}"
run grep-invert grep -v 'MSH-9.1=OUL' -t smx "${tree[@]}"
run labnorm labnorm "${tables[@]}" --jccls --changes changes.ndjson --coverage coverage.ndjson \
  --rejects rejects.ndjson --max-diagnostics 0 --stats "${mixed[@]}"
run labnorm-strict labnorm "${tables[@]}" --strict --rejects rejects.ndjson --diagnostics json "${tree[@]}"
"$smx" labnorm "${tables[@]}" -q "$tmp/clean.ndjson" > "$tmp/normalized.ndjson" 2> /dev/null || true
run labnorm-again labnorm "${tables[@]}" --changes changes.ndjson "$tmp/normalized.ndjson"
run flat-obs flat -t ndjson "$tmp/normalized.ndjson"
run flat-csv flat --rejects rejects.ndjson "${mixed[@]}"
run flat-patients flat -k patients -t tsv "${tree[@]}"
run flat-meds flat -k meds "${tree[@]}"
run fhir fhir --deletes deletes.ndjson --compute-flags --stats "${tree[@]}"
run fhir-dir fhir -o bulk --deletes deletes.ndjson --max-diagnostics 2 "$tmp/normalized.ndjson"
run validate validate --diagnostics json --max-diagnostics 0 "${tree[@]}"
echo "jobs.sh: $compared command runs the same with -j 1, -j 2 and -j 3"
