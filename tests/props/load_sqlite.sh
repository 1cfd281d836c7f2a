#!/usr/bin/env bash
# smx load into SQLite: idempotent, incremental == full rebuild, kill -9 (tests/props/load.bash).
set -euo pipefail
smx=$1
tmp=$3
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$tmp"
mkdir -p "$tmp"
cd "$tmp"
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
db_url() { echo "sqlite:$tmp/$1.db"; }
db_dump() {
  local table
  sqlite3 "$tmp/$1.db" 'SELECT "key", "msg", "path", "flag", "hash" FROM sources ORDER BY 1, 2'
  for table in observations patients encounters medications diagnoses; do
    sqlite3 "$tmp/$1.db" "SELECT '$table', * FROM $table ORDER BY \"key\", \"msg\", \"row\""
  done
}
source "$here/nightly.bash"
source "$here/load.bash"
load_scenario "$smx" "$here"
echo PASS
