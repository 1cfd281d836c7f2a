#!/usr/bin/env bash
# Properties of smx gen (issue 5). Usage: gen.sh SMX CORPUS TMPDIR
# - determinism: the same arguments give the same tree (paths + bytes), truth and site tables;
#   another seed gives another tree;
# - every generated file is read by smx cat (read == files written, rc 0; only the deliberate
#   naming-deviation warnings on stderr) and listed by smx ls;
# - --stream gives exactly the records smx cat reads from the tree;
# - the conformant facility H01 validates with no finding (when smx validate exists);
# - with --gap-rate, smx cat | smx labnorm | smx flat against the truth: every row without a gap
#   right (code, unit, value, range, flag), every gap reported (no JLAC10 or no unit), none
#   silently wrong (bench/score_truth.py --check);
# - with --variance-rate (issue 11: case variants and UCUM prefix traps, NHO's display suffixes
#   and typos, mixed qualitative/quantitative codes, compound values, value ranges, unit
#   mislabels): every kind appears, and through the same pipeline every row comes out as the
#   truth expects (right, or reported), none silent.
set -euo pipefail
smx=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
tmp=$3
rm -rf "$tmp" && mkdir -p "$tmp/a" "$tmp/b" "$tmp/c"
fail() { printf 'gen.sh: FAIL: %s\n' "$*" >&2; exit 1; }

base=(--patients 40 --facilities 5 --from 2024-01-01 --to 2024-06-30 --deviation-rate 0.05)
args=("${base[@]}" --seed 14)  # seed 14: ISO-2022-JP, UTF-8 and CP932 facilities
tree_hash() {  # every path and every byte below $1, in byte order
  (cd "$1" && LC_ALL=C find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-64)
}

# Relative roots, so the paths inside truth.ndjson are the same for both runs.
(cd "$tmp/a" && "$smx" gen "${args[@]}" -o root --truth truth.ndjson --stats=json 2> ../a.stats)
(cd "$tmp/b" && "$smx" gen "${args[@]}" -o root --truth truth.ndjson)
(cd "$tmp/c" && "$smx" gen "${base[@]}" --seed 15 -o root)
ha=$(tree_hash "$tmp/a"); hb=$(tree_hash "$tmp/b"); hc=$(tree_hash "$tmp/c/root")
[ "$ha" = "$hb" ] || fail "same seed, different trees ($ha vs $hb)"
[ "$(tree_hash "$tmp/a/root")" != "$hc" ] || fail "seeds 14 and 15 gave the same tree"
echo "same seed: tree+truth+sites hash $ha (twice); seed 15: $hc"

files=$(find "$tmp/a/root" -type f | wc -l)
stated=$(python3 -c "import json,sys; print(json.load(open('$tmp/a.stats'))['files'])")
[ "$files" = "$stated" ] || fail "--stats says $stated files, the tree has $files"

# smx cat: every file read, nothing rejected, only naming-deviation warnings
rc=0
"$smx" cat --stats=json --max-diagnostics 0 "$tmp"/a/root/H* > "$tmp/cat.ndjson" 2> "$tmp/cat.err" || rc=$?
[ "$rc" = 0 ] || fail "smx cat exit status $rc: $(head -3 "$tmp/cat.err")"
python3 - "$tmp/cat.err" "$files" <<'PY'
import json, sys, re
err, files = sys.argv[1], int(sys.argv[2])
stats = None
for line in open(err, encoding='utf-8'):
    if line.startswith('{'):
        stats = json.loads(line)
        continue
    m = re.search(r'\[([A-Z0-9-]+)\]', line)
    if not m or not m.group(1).startswith('SSMX-NAME-') or ': warning:' not in line:
        sys.exit('gen.sh: FAIL: unexpected diagnostic from smx cat: ' + line.strip())
assert stats, 'no stats record'
if not (stats['files'] == stats['read'] == stats['written'] == files and stats['rejected'] == 0):
    sys.exit('gen.sh: FAIL: cat stats %r, %d files' % (stats, files))
print('smx cat: read %d of %d files, 0 rejected' % (stats['read'], files))
PY

# smx ls lists every file
listed=$("$smx" ls -0 "$tmp"/a/root/H* 2>/dev/null | tr -cd '\0' | wc -c)
[ "$listed" = "$files" ] || fail "smx ls listed $listed of $files files"

# --stream == smx cat of the tree (same records; generation order vs walk order)
"$smx" gen "${args[@]}" -o "$tmp/a/root" --stream > "$tmp/stream.ndjson"
cmp -s <(LC_ALL=C sort "$tmp/stream.ndjson") <(LC_ALL=C sort "$tmp/cat.ndjson") || fail "--stream differs from smx cat of the tree"
echo "--stream: same $(wc -l < "$tmp/stream.ndjson") records as smx cat"

# truth: one row per OML-11 OBX
obx=$(python3 -c "
import json
n=0
for l in open('$tmp/cat.ndjson'):
    r=json.loads(l)
    if r['ssmix2']['type']=='OML-11': n+=sum(1 for s in r['hl7'].split('\r') if s.startswith('OBX|'))
print(n)")
rows=$(wc -l < "$tmp/a/truth.ndjson")
[ "$obx" = "$rows" ] || fail "truth has $rows rows, the OML-11 files $obx OBX"

# the conformant facility validates clean
if "$smx" validate --help > /dev/null 2>&1; then
  out=$("$smx" validate "$tmp/a/root/H01" 2>&1) || fail "smx validate H01: $out"
  case "$out" in *" 0 error(s), 0 warning(s), 0 note(s)"*) ;; *) fail "smx validate H01: $out" ;; esac
  echo "smx validate H01: $out"
fi
# --gap-rate: items no table covers are reported by labnorm, the rest normalized exactly
source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
mkdir -p "$tmp/gaps/tables/mappings"
cp -r "$source_dir/units" "$tmp/gaps/tables/"
cp -r "$source_dir/mappings/." "$tmp/gaps/tables/mappings/"
(cd "$tmp/gaps" && "$smx" gen --patients 200 --facilities 8 --seed 3 --gap-rate 0.1 -o root \
   --truth truth.ndjson --sites-dir tables/mappings/sites)
(cd "$tmp/gaps" && "$smx" cat root/H* 2>/dev/null | "$smx" labnorm --tables tables --site auto 2>/dev/null |
   "$smx" flat -t ndjson > obs.ndjson)
grep -q '"gap":"code"' "$tmp/gaps/truth.ndjson" || fail "--gap-rate 0.1 made no code gap"
grep -q '"gap":"unit"' "$tmp/gaps/truth.ndjson" || fail "--gap-rate 0.1 made no unit gap"
python3 "$source_dir/bench/score_truth.py" "$tmp/gaps/truth.ndjson" "$tmp/gaps/obs.ndjson" --check | tail -2 ||
  fail "labnorm against the truth with gaps"

# --variance-rate: what real hospitals send, each row marked with what a normalizer must do
(cd "$tmp/gaps" && "$smx" gen --patients 200 --facilities 8 --seed 11 --gap-rate 0.02 --variance-rate 0.3 \
   -o vroot --truth vtruth.ndjson --sites-dir tables/mappings/sites)
(cd "$tmp/gaps" && "$smx" cat vroot/H* 2>/dev/null | "$smx" labnorm --tables tables --site auto 2>/dev/null |
   "$smx" flat -t ndjson > vobs.ndjson)
for kind in unit-case unit-trap unit-decoration unit-typo unit-alternative mixed compound value-range mislabel; do
  grep -q "\"variance\":\"$kind\"" "$tmp/gaps/vtruth.ndjson" || fail "--variance-rate 0.3 made no $kind row"
done
for spelling in U/ML Pg/mL μg/ML IU/ML; do  # issue 11: per megalitre, petagram, ...
  grep -q "\"unit\":\"$spelling\"" "$tmp/gaps/vtruth.ndjson" || fail "--variance-rate 0.3 sent no $spelling"
done
traps=$(python3 -c "
import json
print(len({t['sent']['unit'] for t in map(json.loads, open('$tmp/gaps/vtruth.ndjson')) if t.get('variance') == 'unit-trap'}))")
[ "$traps" -ge 5 ] || fail "--variance-rate 0.3 sent only $traps distinct UCUM trap spellings"
python3 "$source_dir/bench/score_truth.py" "$tmp/gaps/vtruth.ndjson" "$tmp/gaps/vobs.ndjson" --check \
  | tail -16 || fail "labnorm against the truth with real-world variance"

echo "gen.sh: ok"
