#!/usr/bin/env bash
# smx fhir throughput: Observations per second over many copies of the DTT OUL^R22 (3 OBX each).
# Usage: bench/fhir.sh SMX [COPIES]   (needs hyperfine)
set -euo pipefail
smx=$1 copies=${2:-100000}
corpus=$(cd "$(dirname "$0")/../.." && pwd)/shared/corpus
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
oul=$(find "$corpus/ssmix2-dtt/999" -path '*/OML-11/*' -type f)
"$smx" cat -t er7 "$oul" > "$tmp/one.hl7"
python3 -c "import sys; d=open(sys.argv[1],'rb').read(); open(sys.argv[2],'wb').write(d*int(sys.argv[3]))" \
  "$tmp/one.hl7" "$tmp/many.hl7" "$copies"
echo "observations: $("$smx" fhir "$tmp/many.hl7" | grep -c '"resourceType":"Observation"')"
hyperfine --warmup 1 --runs 5 "$smx fhir $tmp/many.hl7 > /dev/null"
