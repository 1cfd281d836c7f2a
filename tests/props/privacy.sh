#!/usr/bin/env bash
# Privacy: no patient names or IDs in diagnostics (see privacy.py). Usage: privacy.sh SMX CORPUS TMPDIR
exec python3 "$(dirname "$0")/privacy.py" "$@"
