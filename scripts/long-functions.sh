#!/usr/bin/env bash
# Lists the functions of lib/ and tools/ whose body is longer than N lines (default 100), longest
# first: "LINES FILE:LINE FUNCTION". Counted on the AST by clang-tidy's readability-function-size
# (option LineThreshold, as clang-tidy 14 spells it: the lines from the body's { to its }; a lambda
# counts in the function that holds it), over the compile commands of a build folder configured
# with -DCMAKE_EXPORT_COMPILE_COMMANDS=ON. House style: no function over ~100 lines without a
# one-line reason in a comment above it.
#   scripts/long-functions.sh [BUILD_DIR] [N]        (BUILD_DIR default: build)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
limit=${2:-100}
[ -f "$build/compile_commands.json" ] ||
  { echo "long-functions.sh: no $build/compile_commands.json (configure with -DCMAKE_EXPORT_COMPILE_COMMANDS=ON)" >&2; exit 2; }
command -v clang-tidy >/dev/null || { echo "long-functions.sh: clang-tidy not installed (Debian clang-tidy)" >&2; exit 2; }
files=$(python3 -c "
import json, sys
for e in json.load(open(sys.argv[1])):
    f = e['file']
    if f.startswith(sys.argv[2] + '/lib/src/') or f.startswith(sys.argv[2] + '/tools/'):
        print(f)" "$build/compile_commands.json" "$root" | sort -u)
config="{Checks: '-*,readability-function-size', CheckOptions: [{key: readability-function-size.LineThreshold, value: $limit}, {key: readability-function-size.StatementThreshold, value: 1000000}]}"
# Headers of lib/ count too (inline functions); each is reported once per file that includes it.
# shellcheck disable=SC2086
printf '%s\n' $files | nice -n 10 xargs -P "$(nproc)" -n 4 clang-tidy -p "$build" --quiet --config="$config" \
    --header-filter="^$root/(lib|tools)/" 2>/dev/null |
  python3 -c "
import re, sys
seen = {}
where = None
for line in sys.stdin:
    m = re.match(r\"(\S+):(\d+):\d+: warning: function '([^']+)' exceeds recommended size\", line)
    if m:
        where = (m.group(1), int(m.group(2)), m.group(3))
        continue
    m = re.match(r'.*note: (\d+) lines including whitespace and comments', line)
    if m and where:
        seen[where] = int(m.group(1))
        where = None
root = sys.argv[1] + '/'
for (path, line, name), lines in sorted(seen.items(), key=lambda kv: (-kv[1], kv[0])):
    print(f'{lines} {path.replace(root, \"\")}:{line} {name}')
" "$root"
