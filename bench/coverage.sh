#!/usr/bin/env bash
# Regenerates bench/coverage-corpora.ndjson: smx labnorm's coverage records (counts of mapped and
# unmapped codes, units and values, by site) over every lab-bearing file of the shared corpora,
# one group per corpus, each record labelled "corpus". The same run checks the properties of
# tests/props/labnorm_coverage.sh (in = out + rejected, consistent counts, twice = once).
# Usage: bench/coverage.sh [SMX]   (default: build/smx)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
smx=${1:-$repo/build/smx}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 "$repo/tests/props/labnorm_coverage.py" "$smx" "$repo/../shared/corpus" "$tmp" \
  --record "$here/coverage-corpora.ndjson"
