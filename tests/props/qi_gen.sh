#!/usr/bin/env bash
# smx qi on a `smx gen --qi` tree equals the truth's qi rows exactly (see qi_gen.py).
# Usage: qi_gen.sh SMX CORPUS TMPDIR
exec python3 "$(dirname "$0")/qi_gen.py" "$@"
