#!/usr/bin/env bash
# ucum-lhc cross-check: every conversion the shipped tables allow (tests/tools/list_conversions,
# labnorm's own conversion code) and every conversion the normalizer makes for any spelling the
# tables know x any analyte (tests/tools/normalizer_matrix) must agree with @lhncbc/ucum-lhc within 1e-9 relative, apart
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
matrix=${SMX_NORMALIZER_MATRIX:-$(dirname "$smx")/tests/normalizer_matrix}
if [ ! -x "$matrix" ]; then
  echo "ucum_lhc.sh: $matrix not built" >&2
  exit 1
fi
mkdir -p "$tmp"
"$lister" > "$tmp/conversions.ndjson"
# Issue 11: every spelling the tables know x every analyte through the real normalizer. It fails
# by itself on a conversion by an undeclared factor or a result left unconverted without a
# diagnostic; the conversions it made join the cross-check.
"$matrix" >> "$tmp/conversions.ndjson"
node "$ucum_dir/crosscheck.js" "$tmp/conversions.ndjson"
