#!/usr/bin/env bash
# Bad-input suite (see bad_input.py). Usage: bad_input.sh SMX CORPUS TMPDIR
exec python3 "$(dirname "$0")/bad_input.py" "$@"
