#!/usr/bin/env bash
# smx deid -o on a stream that is not grouped by patient: a patient met again after others, and a
# file met twice (a stream concatenated with itself). deid keeps the names written for the
# current patient only (flat memory); a patient met again is checked against the disk. Every
# message must be written, the repeated file under the next timestamp (DEID-TREE-RENAMED), and
# nothing may fail. Usage: deid_ungrouped.sh SMX CORPUS TMPDIR
set -euo pipefail
smx=$1 tmp=$3
key=$(cd "$(dirname "$0")/../data/deid" && pwd)/test.key
rm -rf "$tmp" && mkdir -p "$tmp" && cd "$tmp"
fail() { echo "FAIL: $*" >&2; exit 1; }

"$smx" gen --patients 3 --facilities 1 --seed 7 --stream > grouped.ndjson 2>/dev/null
patients=$(jq -r '.src.path | split("/") | .[-4]' grouped.ndjson | uniq | wc -l)
[[ $patients -eq 3 ]] || fail "expected 3 patients in the generated stream, got $patients"
first=$(jq -r '.src.path | split("/") | .[-4]' grouped.ndjson | head -1)
# Patient 1's first half, everyone else, patient 1's second half, then patient 1's first file again.
jq -c --arg p "$first" 'select((.src.path | split("/") | .[-4]) == $p)' grouped.ndjson > p1.ndjson
jq -c --arg p "$first" 'select((.src.path | split("/") | .[-4]) != $p)' grouped.ndjson > rest.ndjson
half=$(( $(wc -l < p1.ndjson) / 2 ))
{ head -n "$half" p1.ndjson; cat rest.ndjson; tail -n +"$((half + 1))" p1.ndjson; head -n 1 p1.ndjson; } > mixed.ndjson
messages=$(wc -l < mixed.ndjson)

rc=0
"$smx" deid --key "$key" -o out mixed.ndjson 2> err.txt || rc=$?
[[ $rc -eq 0 ]] || { cat err.txt >&2; fail "deid -o exited $rc on an ungrouped stream"; }
files=$(find out -type f | wc -l)
[[ $files -eq $messages ]] || fail "$messages messages in, $files files out"
grep -q 'DEID-TREE-RENAMED.*1 files' err.txt || { cat err.txt >&2; fail "the repeated file was not renamed (DEID-TREE-RENAMED)"; }
# The same tree as the grouped stream plus the one renamed copy: every name of the grouped run is there.
"$smx" deid --key "$key" -o grouped-out grouped.ndjson 2>/dev/null
missing=$(comm -23 <(cd grouped-out && find . -type f | sort) <(cd out && find . -type f | sort) | wc -l)
[[ $missing -eq 0 ]] || fail "$missing files of the grouped run are missing from the ungrouped one"
echo "ok: $messages messages, $files files, one renamed"
