#!/usr/bin/env bash
# Corpus properties of smx cat (see corpus.py). Usage: corpus.sh SMX CORPUS TMPDIR
exec python3 "$(dirname "$0")/corpus.py" "$@"
