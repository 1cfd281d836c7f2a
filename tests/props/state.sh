#!/usr/bin/env bash
# --state (issue 16): a nightly run reads only what changed and misses nothing.
#  1. run 1 writes every flag-1 message; run 2 with no change reads no file and says so;
#  2. then: a new file, a rename _1 -> _2 (same mtime, as an update does) with its new _1 version,
#     a rename _1 -> _0 (deleted), a file copied in with an old mtime, a removed file, a file
#     rewritten with its old size and mtime put back; run 3 writes exactly those changes (delete
#     records with their reasons), and applying run 1 + run 3 equals a full run over the final tree;
#  3. run 4 reads 0 files;
#  4. a run killed with SIGKILL half way leaves the state as it was: the rerun writes what an
#     uninterrupted run writes.
set -euo pipefail
smx=$1
tmp=$3
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
rm -rf "$tmp"
mkdir -p "$tmp"
cd "$tmp"
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

"$smx" gen --patients 30 --facilities 1 --seed 7 -o root > /dev/null
files=$(find root -type f | wc -l)
current=$(find root -type f -name '*_1' | wc -l)

"$smx" cat --state s.db --flag 1 root -o run1.ndjson
[ "$(wc -l < run1.ndjson)" -eq "$current" ] || fail "run 1 wrote $(wc -l < run1.ndjson) records, $current flag-1 files"
"$smx" cat --state s.db --flag 1 root --stats -o run2.ndjson 2> run2.err
[ ! -s run2.ndjson ] || fail "run 2 wrote records with nothing changed"
grep -q "STATE-NOTHING-NEW\] $files files seen" run2.err || fail "run 2 did not say it read nothing: $(cat run2.err)"
grep -q "files 0, read 0" run2.err || fail "run 2 read files: $(cat run2.err)"
echo "run 2: $(head -1 run2.err)"

source "$here/nightly.bash"
nightly_changes root "$tmp"

"$smx" cat --state s.db --flag 1 root -o run3.ndjson
grep -c '"kind":"hl7"' run3.ndjson > run3.count || true
hl7_3=$(cat run3.count)
[ "$hl7_3" -eq 4 ] || fail "run 3 wrote $hl7_3 messages, expected 4 (new, new version, old-mtime copy, rewritten)"
for reason in superseded deleted gone; do
  [ "$(grep -c "\"kind\":\"delete\".*\"reason\":\"$reason\"" run3.ndjson)" -eq 1 ] || fail "run 3: no single $reason delete record"
done
echo "run 3: $hl7_3 messages, 3 delete records (superseded, deleted, gone)"

"$smx" cat --state fresh.db --flag 1 root -o full.ndjson
$py "$here/state_apply.py" run1.ndjson run3.ndjson > incremental.txt
$py "$here/state_apply.py" full.ndjson > rebuilt.txt
cmp incremental.txt rebuilt.txt || fail "run 1 + run 3 differ from a full run over the final tree"
echo "run 1 + run 3 == full rebuild: $(wc -l < rebuilt.txt) keys"

"$smx" cat --state s.db --flag 1 root --stats -o run4.ndjson 2> run4.err
[ ! -s run4.ndjson ] && grep -q "files 0, read 0" run4.err || fail "run 4 read files: $(cat run4.err)"

# The delete records pass through labnorm and flat -t ndjson, and are reported by flat -t csv.
"$smx" labnorm < run3.ndjson > run3.labnorm.ndjson
[ "$(grep -c '"kind":"delete"' run3.labnorm.ndjson)" -eq 3 ] || fail "labnorm did not pass the delete records on"
"$smx" flat -t ndjson < run3.labnorm.ndjson > run3.flat.ndjson
[ "$(grep -c '"kind":"delete"' run3.flat.ndjson)" -eq 3 ] || fail "flat -t ndjson did not pass the delete records on"
"$smx" flat -t csv < run3.ndjson > /dev/null 2> flat.err || true
grep -q "STREAM-DELETE-NOT-WRITTEN" flat.err || fail "flat -t csv dropped delete records silently"

# Killed half way: output to a pipe that is read slowly, SIGKILL after the first records; the
# state was new, so the rerun must write what one uninterrupted run over a new state writes.
mkfifo pipe
"$smx" cat --state killed.db --flag 1 root > pipe &
pid=$!
exec 3< pipe
head -c 1000 <&3 > /dev/null  # smx now blocks on the full pipe, the reader still open
sleep 0.2
kill -9 "$pid"
if wait "$pid" 2> /dev/null; then fail "smx finished before it was killed"; fi
exec 3<&-
rm pipe
[ "$(sqlite3 killed.db 'select count(*) from runs')" -eq 0 ] || fail "the killed run was saved in the state"
"$smx" cat --state killed.db --flag 1 root -o rerun.ndjson
cmp rerun.ndjson full.ndjson || fail "the rerun after kill -9 differs from an uninterrupted run"
echo "kill -9 then rerun == uninterrupted run: $(wc -l < rerun.ndjson) records"
echo "PASS"
