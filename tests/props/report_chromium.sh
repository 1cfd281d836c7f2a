#!/usr/bin/env bash
# smx report end to end, opened in headless Chromium (issue 15). A generated 5-facility tree goes
# through smx cat | smx labnorm; then a x10 unit error is PLANTED: in the normalized stream, every
# OBX-5 of facility H03 (MSH-4) for total protein (JLAC10 3A010000002327101, g/dL) is multiplied
# by 10 with jq. The report of the clean stream must flag nothing; the report of the planted one
# must flag exactly H03 for 3A010000002327101, and tests/report/check_page.js (playwright-core
# driving /usr/bin/chromium) checks the page: no console or page errors, no outside request,
# every chart present with marks, the flag named, the print stylesheet; screenshot and PDF in
# TMPDIR. The QI CSV is synthetic (tests/report/make_qi.py), in smx qi's format.
# Usage: report_chromium.sh SMX CORPUS TMPDIR. Skips (77) when Chromium or playwright-core is
# missing, unless SMX_REQUIRE_CHROMIUM is set (CI), where that is a failure.
set -euo pipefail
smx=$1
tmp=$3
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
browser_test=$root/tests/report
missing=""
[ -x /usr/bin/chromium ] || missing="/usr/bin/chromium (Debian package chromium)"
[ -f "$browser_test/node_modules/playwright-core/package.json" ] || missing="${missing:+$missing and }playwright-core (npm ci --prefix tests/report)"
command -v jq >/dev/null || missing="${missing:+$missing and }jq"
if [ -n "$missing" ]; then
  if [ -n "${SMX_REQUIRE_CHROMIUM:-}" ]; then
    echo "report_chromium.sh: FAIL: $missing not installed (SMX_REQUIRE_CHROMIUM is set); run scripts/install-deps.sh" >&2
    exit 1
  fi
  echo "report_chromium.sh: SKIP: $missing not installed; scripts/install-deps.sh installs it" >&2
  exit 77
fi
rm -rf "$tmp"
mkdir -p "$tmp/tables"
cp -r "$root/units" "$root/mappings" "$tmp/tables/"
"$smx" gen --patients 500 --facilities 5 --seed 15 -o "$tmp/tree" --sites-dir "$tmp/tables/mappings/sites" 2>/dev/null
"$smx" cat -q "$tmp"/tree/H0* --type OML-11 > "$tmp/lab.ndjson"
"$smx" labnorm -q --site auto --tables "$tmp/tables" --coverage "$tmp/cov.ndjson" < "$tmp/lab.ndjson" > "$tmp/obs.ndjson"

code=3A010000002327101
jq -c --arg code "$code" '
  if (.hl7 | split("\r")[0] | split("|")[3] | split("^")[0]) == "H03" then
    .hl7 |= (split("\r") | map(
      if test("^OBX\\|[^|]*\\|[^|]*\\|" + $code + "\\^") then
        (split("|") | .[5] = ((.[5] | tonumber) * 10 | tostring) | join("|"))
      else . end) | join("\r"))
  else . end' "$tmp/obs.ndjson" > "$tmp/obs-planted.ndjson"
planted=$("$smx" flat -k obs -t tsv "$tmp/obs-planted.ndjson" | awk -F'\t' -v c="$code" '$2 == "H03" && $8 == c' | wc -l)
changed=$(diff <(jq -c . "$tmp/obs.ndjson") "$tmp/obs-planted.ndjson" | grep -c '^>' || true)
echo "report_chromium.sh: planted x10 in $planted OBX of H03 $code ($changed records changed)"
[ "$planted" -ge 20 ] && [ "$changed" -gt 0 ] || { echo "report_chromium.sh: the plant did not happen" >&2; exit 1; }

python3 "$browser_test/make_qi.py" 5 H03 > "$tmp/qi.csv"
"$smx" report --qi "$tmp/qi.csv" --lab "$tmp/obs.ndjson" --coverage "$tmp/cov.ndjson" --facility H03 -o "$tmp/clean.html"
"$smx" report --qi "$tmp/qi.csv" --lab "$tmp/obs-planted.ndjson" --coverage "$tmp/cov.ndjson" --facility H03 -o "$tmp/report.html"

echo '{"funnels": 2, "flags": [], "highlight": "H03", "coverage": true}' > "$tmp/expect-clean.json"
printf '{"funnels": 2, "flags": [["%s", "H03"]], "highlight": "H03", "coverage": true}\n' "$code" > "$tmp/expect.json"
node "$browser_test/check_page.js" "$tmp/clean.html" "$tmp/clean" "$tmp/expect-clean.json"
node "$browser_test/check_page.js" "$tmp/report.html" "$tmp" "$tmp/expect.json"
