#!/usr/bin/env bash
# smx cohort against the truth of smx gen (issue 15). Usage: cohort.sh SMX CORPUS TMPDIR
# - a generated tree (4 facilities, unit gaps): the members of examples/cohorts/t2dm-hba1c.yaml,
#   their index dates, the attrition per facility after each step and the lab results not judged
#   by reason equal what `smx gen --cohort-truth` computed from its own timeline (cohort.py);
#   every step is reached by some patients and loses some;
# - -j 2 gives the same output and attrition as -j 1;
# - the same stream with its lines reordered (not grouped by patient) is refused: exit 1 and
#   CLINICAL-NOT-GROUPED, never a quietly different cohort.
set -euo pipefail
smx=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
tmp=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
criteria=$source_dir/examples/cohorts/t2dm-hba1c.yaml
rm -rf "$tmp" && mkdir -p "$tmp"
fail() { printf 'cohort.sh: FAIL: %s\n' "$*" >&2; exit 1; }

"$smx" gen --patients 3000 --facilities 4 --seed 15 --gap-rate 0.35 --from 2023-01-01 --to 2024-12-31 \
  -o "$tmp/root" --cohort-truth "$tmp/truth.ndjson" --sites-dir "$tmp/sites" 2>/dev/null
"$smx" cohort --criteria "$criteria" --attrition "$tmp/attrition.csv" "$tmp"/root/H* > "$tmp/members.csv" \
  2> "$tmp/stderr" || fail "smx cohort exit $?: $(head -3 "$tmp/stderr")"
python3 "$here/cohort.py" "$tmp/truth.ndjson" "$tmp/members.csv" "$tmp/attrition.csv" || fail "cohort against the truth"

"$smx" cohort -j 2 --criteria "$criteria" --attrition "$tmp/attrition2.csv" "$tmp"/root/H* > "$tmp/members2.csv" 2>/dev/null
cmp -s "$tmp/members.csv" "$tmp/members2.csv" || fail "-j 2 gives other members"
cmp -s "$tmp/attrition.csv" "$tmp/attrition2.csv" || fail "-j 2 gives another attrition"

"$smx" cat "$tmp/root/H01" > "$tmp/h01.ndjson" 2>/dev/null
{ awk 'NR % 2 == 1' "$tmp/h01.ndjson"; awk 'NR % 2 == 0' "$tmp/h01.ndjson"; } > "$tmp/shuffled.ndjson"
set +e
"$smx" cohort --criteria "$criteria" "$tmp/shuffled.ndjson" > /dev/null 2> "$tmp/shuffled.err"
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "ungrouped input: exit $rc, expected 1"
grep -q 'CLINICAL-NOT-GROUPED' "$tmp/shuffled.err" || fail "ungrouped input without CLINICAL-NOT-GROUPED"
echo "cohort.sh: members, attrition and exclusions equal the truth; -j 2 equal; ungrouped input refused"
