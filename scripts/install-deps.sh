#!/usr/bin/env bash
# Installs the Debian 12 packages smx builds and tests with, when they are missing.
set -euo pipefail
packages=(cmake ninja-build g++ pkg-config libcli11-dev libpugixml-dev libicu-dev libyaml-cpp-dev libyaml-dev libssl-dev
          doctest-dev libsimdjson-dev pandoc python3 nodejs
          libsqlite3-dev sqlite3 libpq-dev libxxhash-dev postgresql-15
          parallel openssh-server openssh-client iproute2 tmux slurmctld slurmd slurm-client
          chromium fonts-ipafont-gothic jq)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm: Debian's package, unless the nodejs in use already has it (NodeSource's bundles npm and
# conflicts with Debian's npm package).
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# ucum-lhc, the oracle of the UCUM cross-check (tests/props/ucum_lhc.sh), pinned by
# tests/ucum/package-lock.json; reinstalled only when the lock file changed since the last install.
ucum=$(cd "$(dirname "$0")/.." && pwd)/tests/ucum
if ! cmp -s "$ucum/package-lock.json" "$ucum/node_modules/.smx-installed-lock"; then
  npm ci --prefix "$ucum" --no-audit --no-fund --loglevel=error
  cp "$ucum/package-lock.json" "$ucum/node_modules/.smx-installed-lock"
fi

# The FHIR validators of tests/props/fhir.sh (ajv + R4 schema, @medplum/core, fhir), pinned by
# tests/fhir/package-lock.json; reinstalled only when the lock file changed since the last install.
fhir=$(cd "$(dirname "$0")/.." && pwd)/tests/fhir
if ! cmp -s "$fhir/package-lock.json" "$fhir/node_modules/.smx-installed-lock"; then
  npm ci --prefix "$fhir" --no-audit --no-fund --loglevel=error
  cp "$fhir/package-lock.json" "$fhir/node_modules/.smx-installed-lock"
fi

# playwright-core, which drives Debian's chromium for the smx report page test
# (tests/props/report_chromium.sh), pinned by tests/report/package-lock.json; no browser download.
report=$(cd "$(dirname "$0")/.." && pwd)/tests/report
if ! cmp -s "$report/package-lock.json" "$report/node_modules/.smx-installed-lock"; then
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix "$report" --no-audit --no-fund --loglevel=error
  cp "$report/package-lock.json" "$report/node_modules/.smx-installed-lock"
fi
