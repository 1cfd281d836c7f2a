#!/usr/bin/env bash
# smx deid on a `smx gen --phi` tree (see deid_gen.py). Usage: deid_gen.sh SMX CORPUS TMPDIR
exec python3 "$(dirname "$0")/deid_gen.py" "$@"
