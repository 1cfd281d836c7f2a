#!/usr/bin/env bash
# Installs the Debian 12 packages smx builds and tests with, when they are missing.
set -euo pipefail
packages=(cmake ninja-build g++ pkg-config libcli11-dev libpugixml-dev libicu-dev libyaml-cpp-dev
          doctest-dev libsimdjson-dev pandoc python3)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
