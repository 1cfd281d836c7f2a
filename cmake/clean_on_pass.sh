#!/bin/sh
# Usage: clean_on_pass.sh DIR COMMAND [ARG...]
# Runs COMMAND; when it passes (exit 0) or skips (exit 77) the test's scratch directory DIR is
# removed, so a test run holds only the scratch of the tests running now and of those that
# failed (kept to look at). SMX_KEEP_TMP=1 keeps every scratch directory. The exit status is
# COMMAND's. (The whole suite's scratch was about 3 GB per build directory; CI builds two.)
dir=$1
shift
"$@"
rc=$?
if [ "$rc" -eq 0 ] || [ "$rc" -eq 77 ]; then
  if [ -z "${SMX_KEEP_TMP:-}" ]; then
    rm -rf -- "$dir"
  fi
fi
exit "$rc"
