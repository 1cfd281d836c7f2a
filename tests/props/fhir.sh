#!/usr/bin/env bash
# smx fhir over the corpora, checked by three FHIR R4 validators (tests/fhir/validate.js: ajv with
# the official R4 JSON schema, @medplum/core validateResource, FHIR.js); zero errors required.
# Inputs: the DTT SS-MIX2 tree, the FHIR-Converter v2 samples, the synthetic vital-sign (ORU^R30)
# and culture-result inputs of tests/cli/fhir, all again through smx labnorm (when built),
# --jp-core 1.2, and a generated 5-facility tree, raw and through labnorm with the site tables gen
# writes.
# Also: output is deterministic (two runs byte-identical), stdout NDJSON = the Bulk Data files.
# Usage: fhir.sh SMX CORPUS TMPDIR. Validators come from `npm ci --prefix tests/fhir`
# (scripts/install-deps.sh).
set -euo pipefail
smx=$1 corpus=$2 tmp=$3
here=$(cd "$(dirname "$0")" && pwd)
validators=$here/../fhir
if [ ! -f "$validators/node_modules/@medplum/core/package.json" ] || [ ! -f "$validators/node_modules/fhir/package.json" ]; then
  echo "fhir.sh: FHIR validators not installed; run scripts/install-deps.sh (npm ci --prefix tests/fhir)" >&2
  exit 1
fi
rm -rf "$tmp" && mkdir -p "$tmp"
dtt=$corpus/ssmix2-dtt/999
fc=("$corpus"/hl7v2/FHIR-Converter/data/SampleData/Hl7v2/*.hl7)

"$smx" fhir -q -o "$tmp/dtt" --deletes "$tmp/dtt-deletes.ndjson" "$dtt"
"$smx" fhir -q -o "$tmp/dtt-jp12" --jp-core 1.2 --compute-flags "$dtt"
"$smx" fhir -q -o "$tmp/fc" "${fc[@]}"
# Vital signs (ORU^R30 in extended storage) and culture results grouped by OBX-4: the synthetic
# inputs of the golden cases in tests/cli/fhir.
cases=("$here/../cli/fhir/nho-vitals/root" "$here/../cli/fhir/vitals-edge/stdin" "$here/../cli/fhir/micro-culture/stdin")
"$smx" fhir -q -o "$tmp/cases" "${cases[@]}"
if "$smx" labnorm --help >/dev/null 2>&1; then
  # labnorm exits 1 when some code or unit is unmapped (reported coverage); its output is still whole.
  { "$smx" cat -q "$dtt" "${fc[@]}" | "$smx" labnorm -q || [ $? -eq 1 ]; } > "$tmp/labnorm.ndjson"
  "$smx" fhir -q -o "$tmp/labnorm" "$tmp/labnorm.ndjson"
  { "$smx" cat -q "${cases[@]}" | "$smx" labnorm -q || [ $? -eq 1 ]; } > "$tmp/cases-labnorm.ndjson"
  "$smx" fhir -q -o "$tmp/cases-labnorm" "$tmp/cases-labnorm.ndjson"
fi
# A generated tree of 5 facilities (several charsets, terminators and vendor styles), straight
# and through labnorm with the site tables gen writes.
"$smx" gen --patients 30 --facilities 5 --seed 7 -o "$tmp/gen-tree" --sites-dir "$tmp/gen-sites" >/dev/null
"$smx" fhir -q -o "$tmp/gen" "$tmp/gen-tree"
mkdir -p "$tmp/gen-tables/mappings/sites"
cp -r "$(dirname "$0")/../../units" "$tmp/gen-tables/"
cp -r "$(dirname "$0")/../../mappings/analytes.yaml" "$(dirname "$0")/../../mappings/reference-intervals" "$tmp/gen-tables/mappings/"
cp "$tmp"/gen-sites/*.yaml "$tmp/gen-tables/mappings/sites/"
{ "$smx" cat -q "$tmp/gen-tree" | "$smx" labnorm -q --tables "$tmp/gen-tables" --site auto || [ $? -eq 1 ]; } > "$tmp/gen-labnorm.ndjson"
"$smx" fhir -q -o "$tmp/gen-labnorm" "$tmp/gen-labnorm.ndjson"

# Deterministic: the same input gives the same bytes (ids included).
"$smx" fhir -q "$dtt" > "$tmp/run1.ndjson"
"$smx" fhir -q "$dtt" > "$tmp/run2.ndjson"
cmp "$tmp/run1.ndjson" "$tmp/run2.ndjson"
# stdout holds the same resources as the Bulk Data directory.
cat "$tmp"/dtt/*.ndjson | sort > "$tmp/dir.sorted"
sort "$tmp/run1.ndjson" > "$tmp/stdout.sorted"
cmp "$tmp/dir.sorted" "$tmp/stdout.sorted"
# One resource type per file.
for f in "$tmp"/*/*.ndjson; do
  type=$(basename "$f" .ndjson)
  if grep -v -q "^{\"resourceType\":\"$type\"," "$f"; then
    echo "fhir.sh: $f holds another resource type" >&2
    exit 1
  fi
done

node "$validators/validate.js" "$tmp"/*/*.ndjson
