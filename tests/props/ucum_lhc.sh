#!/usr/bin/env bash
# ucum-lhc cross-check: every conversion the shipped tables allow (tests/tools/list_conversions,
# labnorm's own conversion code) must agree with @lhncbc/ucum-lhc within 1e-9 relative, apart
# from the reasoned entries of tests/ucum/allowlist.tsv (tests/ucum/crosscheck.js).
# Usage: ucum_lhc.sh SMX CORPUS TMPDIR. ucum-lhc comes from `npm ci --prefix tests/ucum`
# (scripts/install-deps.sh); list_conversions from $SMX_LIST_CONVERSIONS (set by CTest) or the
# build directory of SMX.
set -euo pipefail
smx=$1 tmp=$3
here=$(cd "$(dirname "$0")" && pwd)
ucum_dir=$here/../ucum
lister=${SMX_LIST_CONVERSIONS:-$(dirname "$smx")/tests/list_conversions}
if [ ! -x "$lister" ]; then
  echo "ucum_lhc.sh: $lister not built" >&2
  exit 1
fi
if [ ! -f "$ucum_dir/node_modules/@lhncbc/ucum-lhc/package.json" ]; then
  echo "ucum_lhc.sh: ucum-lhc is not installed; run scripts/install-deps.sh (npm ci --prefix tests/ucum)" >&2
  exit 1
fi
mkdir -p "$tmp"
"$lister" > "$tmp/conversions.ndjson"
node "$ucum_dir/crosscheck.js" "$tmp/conversions.ndjson"
