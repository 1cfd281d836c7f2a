#!/usr/bin/env bash
# smx labnorm over the lab-bearing corpus files: in = out + rejected, coverage records
# consistent, twice = once (see labnorm_coverage.py). Usage: labnorm_coverage.sh SMX CORPUS TMPDIR
exec python3 "$(dirname "$0")/labnorm_coverage.py" "$@"
