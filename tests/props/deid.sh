#!/usr/bin/env bash
# De-identification of a tree with planted identifiers (see deid.py). Usage: deid.sh SMX CORPUS TMPDIR
exec python3 "$(dirname "$0")/deid.py" "$@"
