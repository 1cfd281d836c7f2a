#!/usr/bin/env bash
# smx load into a real PostgreSQL 15 (Debian's postgresql-15), started here on a loopback port in
# a temporary directory and stopped at the end: idempotent, incremental == full rebuild, kill -9
# (tests/props/load.bash). Exit 77 (ctest SKIP) only when the server binaries are not installed.
set -euo pipefail
smx=$1
tmp=$3
here=$(cd "$(dirname "$0")" && pwd)
bin=/usr/lib/postgresql/15/bin
if [ ! -x "$bin/initdb" ] || ! command -v psql > /dev/null; then
  echo "SKIP: PostgreSQL 15 is not installed (apt-get install postgresql-15; scripts/install-deps.sh does)"
  exit 77
fi
rm -rf "$tmp"
mkdir -p "$tmp"
cd "$tmp"
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
# initdb and postgres refuse to run as root: as root (CI), the server runs as nobody in a
# directory of its own.
pgdir=$(mktemp -d /tmp/smx-pg.XXXXXX)
as_server=()
if [ "$(id -u)" -eq 0 ]; then
  chown nobody "$pgdir"
  as_server=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
fi
port=$((20000 + RANDOM % 20000))
stop() {
  "${as_server[@]}" "$bin/pg_ctl" -D "$pgdir/data" -m immediate stop > /dev/null 2>&1 || true
  rm -rf "$pgdir"
}
trap stop EXIT
(cd "$pgdir" && "${as_server[@]}" "$bin/initdb" -D "$pgdir/data" -U smx --auth=trust -E UTF8 --locale=C.UTF-8 > "$pgdir/initdb.log" 2>&1) ||
  { cat "$pgdir/initdb.log"; fail "initdb failed"; }
started=$(date +%s.%N)
(cd "$pgdir" && "${as_server[@]}" "$bin/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w -t 60 \
  -o "-p $port -k $pgdir -c listen_addresses=127.0.0.1 -c fsync=off" start > /dev/null) ||
  { cat "$pgdir/server.log"; fail "the server did not start"; }
echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, up in $(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $started }") s"
psql_() { psql -X -q -A -t -h 127.0.0.1 -p "$port" -U smx "$@"; }
db_url() {
  psql_ -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$1'" | grep -q 1 || psql_ -d postgres -c "CREATE DATABASE $1"
  echo "postgresql://smx@127.0.0.1:$port/$1"
}
db_dump() {
  local table
  psql_ -d "$1" -c 'SELECT "key", "msg", "path", "flag", "hash" FROM sources ORDER BY 1, 2'
  for table in observations patients encounters medications diagnoses; do
    psql_ -d "$1" -c "SELECT '$table', * FROM $table ORDER BY \"key\", \"msg\", \"row\""
  done
}
source "$here/nightly.bash"
source "$here/load.bash"
load_scenario "$smx" "$here"
# Types as smx-load(1) states them: identifiers text, numbers numbers.
types=$(psql_ -d whole -c "SELECT column_name || ':' || data_type FROM information_schema.columns WHERE table_name = 'observations' AND column_name IN ('facility', 'patient', 'value_num', 'obx') ORDER BY 1" | tr '\n' ' ')
[ "$types" = "facility:text obx:bigint patient:text value_num:double precision " ] || fail "column types: $types"
echo PASS
