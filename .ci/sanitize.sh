#!/usr/bin/env bash
# CI step: build with AddressSanitizer + UndefinedBehaviorSanitizer (-DSMX_SANITIZE=ON) into
# build-asan/ and run the whole ctest suite (unit, CLI, properties, fuzz-corpus replay).
# Warnings are the normal build's business (SMX_WERROR there); here any sanitizer report fails the run: UBSan halts, ASan aborts, leaks count.
# Usage: .ci/sanitize.sh [extra ctest args]   Environment: CXX (default clang++ if present,
# else g++), JOBS (default 2), BUILD_DIR (default build-asan).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build-asan}
jobs=${JOBS:-2}
cxx=${CXX:-$(command -v clang++ || command -v g++)}

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSMX_SANITIZE=ON
cmake --build "$build" -j "$jobs"

# quarantine_size_mb: ASan keeps freed memory out of reuse (256 MB by default) and that counts in
# RSS; 64 MB keeps use-after-free detection useful while the bad-input suite's memory bounds
# (100 MB field under 400 MB RSS) still hold under the sanitizer.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:quarantine_size_mb=64
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
cd "$build"
ctest --output-on-failure -j "$jobs" "$@"
