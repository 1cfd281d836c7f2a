#!/usr/bin/env bash
# The linkage evaluation of issue 14. Usage: link.sh SMX CORPUS TMPDIR [PATIENTS]
# On `smx gen --facilities 5 --shared-persons 0.3` (people at 2-4 facilities with recording
# variance and twins; the truth says who every local patient is):
# - precision and recall (pairs and clusters) of the ID2 key as sent (no normalizer), of the
#   ID2 and ID1 tokens after the normalizer, of `smx link match --method tokens`, `bloom` and
#   `combined`; the combined matcher, and EM alone over year blocking (--u-pairs 0), must reach
#   pair precision >= 0.99 and recall >= 0.97 (tests/tools/link_score.py --check);
# - the ID2 token after the normalizer links more than the key as sent;
# - nothing identifying on the match side: with --deid-key, no name (kanji or kana, as sent
#   or normalized), no local patient ID, no birth date, postal code or insurance number of
#   the generated tree appears as bytes in the encodings, the link table or the review file;
# - `smx link audit` runs on the tree and reports a row per hardening option.
set -euo pipefail
smx=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
tmp=$3
patients=${4:-2000}
src=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$tmp" && mkdir -p "$tmp"
cd "$tmp"
fail() { printf 'link.sh: FAIL: %s\n' "$*" >&2; exit 1; }

"$smx" gen --patients "$patients" --facilities 5 --shared-persons 0.3 --seed 14 -o root --truth truth.ndjson
# gen --shared-persons: the share of people at several facilities, 2-4 facilities each (never
# twice at one), every variance kind present, every local patient has a person row.
python3 - "$patients" <<'PY' || fail "gen --shared-persons truth"
import collections, json, sys
facilities = collections.defaultdict(list)
kinds = collections.Counter()
rows = 0
for line in open("truth.ndjson", encoding="utf-8"):
    t = json.loads(line)
    if t.get("kind") != "person":
        continue
    rows += 1
    facilities[t["person"]].append(t["facility"])
    kinds.update(t["variance"])
assert rows == int(sys.argv[1]), "person rows %d, patients %s" % (rows, sys.argv[1])
shared = [f for f in facilities.values() if len(f) > 1]
share = len(shared) / len(facilities)
assert 0.28 <= share <= 0.32, "shared share %.3f" % share
assert all(2 <= len(f) <= 4 and len(set(f)) == len(f) for f in shared)
expected = {"kanji-variant", "kana-typo", "hiragana", "one-field-name", "halfwidth-kana", "fullwidth-digits",
            "married-name", "moved", "insurer-change", "birth-digit", "twin"}
missing = expected - set(kinds)
assert not missing, "variance kinds missing: %s" % sorted(missing)
print("gen: %d people, %d at several facilities (%.3f); variance %s" % (len(facilities), len(shared), share, dict(sorted(kinds.items()))))
PY
# Fixed keys (test data, not secrets), so that the figures are the same on every run.
printf 'smx link test site key, 32 bytes' > site.key
printf 'smx deid test key 32 bytes long!' > deid.key
chmod 600 site.key deid.key
for f in root/H0*; do
  "$smx" link encode -q --key site.key "$f" >> encoded.ndjson
  "$smx" link encode -q --key site.key --deid-key deid.key "$f" >> encoded-deid.ndjson
done
"$smx" flat -q -k patients -t ndjson root > patients.ndjson
"$smx" get -q IN1-3.1 IN1-10.1 IN1-11.1 root > insurance.tsv
for m in tokens bloom combined; do
  "$smx" link match --method "$m" encoded.ndjson > "links-$m.tsv"
done
# The EM fallback: u estimated by EM too (--u-pairs 0), over year blocking, meets the same
# targets; with fine blocking it is warned about (LINK-U-BY-EM), since EM alone then learns
# the tokens rather than the person.
"$smx" link match --blocking year --u-pairs 0 encoded.ndjson > links-em-year.tsv 2> em-year.err
! grep -q LINK-U-BY-EM em-year.err || fail "LINK-U-BY-EM with --blocking year"
"$smx" link match --u-pairs 0 encoded.ndjson 2>&1 > /dev/null | grep -q 'warning: \[LINK-U-BY-EM\]' ||
  fail "no LINK-U-BY-EM warning for --u-pairs 0 with fine blocking"
"$smx" link match encoded-deid.ndjson --review review-deid.tsv > links-deid.tsv
python3 "$src/tests/tools/link_score.py" truth.ndjson patients.ndjson encoded.ndjson \
  tokens=links-tokens.tsv bloom=links-bloom.tsv combined=links-combined.tsv em-year=links-em-year.tsv \
  --check 0.99 0.97 combined,em-year | tee score.txt
recall() { grep "^method=$1	" score.txt | sed 's/.*pair_recall=\([0-9.]*\).*/\1/'; }
python3 -c "import sys; sys.exit(0 if float('$(recall id2-normalized)') > float('$(recall id2-as-sent)') else 1)" ||
  fail "the normalized ID2 token links no more than the key as sent"

# The byte search: every identifying value of the tree, as sent and normalized forms.
python3 - <<'PY' || fail "identifying bytes on the match side"
import json, sys, unicodedata
values = set()
for line in open("patients.ndjson", encoding="utf-8"):
    r = json.loads(line)
    for key in ("patient", "name", "name_kana", "birth_date", "postal_code", "address"):
        v = r.get(key) or ""
        for form in (v, unicodedata.normalize("NFKC", v), v.replace(" ", "").replace("\u3000", "")):
            values.add(form)
        for part in v.replace("\u3000", " ").split(" "):
            values.add(part)
    values.add((r.get("postal_code") or "").replace("-", ""))
for line in open("truth.ndjson", encoding="utf-8"):
    t = json.loads(line)
    if t.get("kind") == "person":
        values.add(t["patient"])
# Insurance numbers as sent in IN1 (the encoder read them; they must not come out).
for line in open("insurance.tsv", encoding="utf-8"):
    for v in line.rstrip("\n").split("\t"):
        values.add(v)
        values.add(unicodedata.normalize("NFKC", v))
values = {v for v in values if len(v.encode()) >= 4}
haystacks = {p: open(p, "rb").read() for p in ("encoded-deid.ndjson", "links-deid.tsv", "review-deid.tsv")}
import re
# Whole JSON/TSV values (base64 keeps its + / =), so that digits inside a base64 filter or a
# hex token are not taken for an ID.
tokens = {p: set(re.findall(rb"[0-9A-Za-z+/=]+", h)) for p, h in haystacks.items()}
def occurs(value, path):
    # ASCII values (IDs, dates, postal codes) as whole tokens: a 7-digit postal code inside a
    # 16-digit pseudonym, a hex token or a base64 filter is chance, not a leak. Other values as
    # plain bytes.
    if value.isascii():
        return any(t in tokens[path] for t in re.findall(rb"[0-9A-Za-z]+", value.encode()) if len(t) >= 4)
    return value.encode() in haystacks[path]
found = [(p, v) for p in haystacks for v in values if occurs(v, p)]
print("byte search: %d distinct values (>= 4 bytes) over %s: %d found" % (len(values), ", ".join(haystacks), len(found)))
sys.exit(1 if found else 0)
PY

"$smx" link audit -q --key site.key root > audit.tsv
[ "$(wc -l < audit.tsv)" -ge 5 ] || fail "audit: expected a header and a row per hardening option"
cat audit.tsv
