# smx load against a database (sourced by load_sqlite.sh and load_postgresql.sh, which define
# `db_url NAME` and `db_dump NAME`: the URL of a fresh database and its rows as sorted text).
#  1. a tree loaded twice: the second load changes 0 rows;
#  2. --state run 1 loaded, the night's changes (nightly.bash), run 3 loaded: the database equals
#     a full load of the final tree into a fresh database; run 4 (nothing changed) changes 0 rows;
#  3. a load killed half way (SIGKILL) and run again equals the full load.
load_scenario() {
  local smx=$1 here=$2
  "$smx" gen --patients 20 --facilities 1 --seed 11 -o root > /dev/null

  "$smx" cat --flag 1 root -o all.ndjson
  "$smx" load -q --db "$(db_url twice)" all.ndjson
  "$smx" load --db "$(db_url twice)" all.ndjson 2> second.err
  grep -q "rows inserted 0, deleted 0;" second.err || fail "the second load changed rows: $(cat second.err)"
  echo "second load: $(grep -o 'LOAD-SUMMARY.*' second.err)"

  "$smx" cat --state s.db --flag 1 root -o run1.ndjson
  "$smx" load -q --db "$(db_url nightly)" run1.ndjson
  nightly_changes root "$PWD"
  "$smx" cat --state s.db --flag 1 root -o run3.ndjson
  [ "$(grep -c '"kind":"delete"' run3.ndjson)" -eq 3 ] || fail "run 3 has not 3 delete records"
  "$smx" labnorm run3.ndjson | "$smx" load -q --db "$(db_url nightly)"
  "$smx" cat --state fresh.db --flag 1 root | "$smx" labnorm | "$smx" load -q --db "$(db_url rebuilt)"
  # run 1 was loaded without labnorm: load it through labnorm into a third database for the
  # comparison of rows made the same way.
  "$smx" labnorm run1.ndjson | "$smx" load -q --db "$(db_url nightly_labnorm)"
  "$smx" labnorm run3.ndjson | "$smx" load -q --db "$(db_url nightly_labnorm)"
  db_dump nightly_labnorm > nightly.txt
  db_dump rebuilt > rebuilt.txt
  [ "$(wc -l < rebuilt.txt)" -gt 100 ] || fail "the rebuilt database holds $(wc -l < rebuilt.txt) rows"
  cmp nightly.txt rebuilt.txt || { diff nightly.txt rebuilt.txt | head -20; fail "incremental load != full rebuild"; }
  echo "run 1 + run 3 loaded == full rebuild: $(wc -l < rebuilt.txt) rows"
  "$smx" cat -q --state s.db --flag 1 root | "$smx" load --db "$(db_url nightly)" 2> run4.err
  grep -q "0 messages (0 written, 0 unchanged, 0 flag 0/2), 0 delete records; rows inserted 0, deleted 0;" run4.err ||
    fail "run 4 changed rows: $(cat run4.err)"

  # Killed half way, batches of 50 records: the rerun over the same stream completes it.
  "$smx" labnorm all.ndjson > all.labnorm.ndjson
  mkfifo feed
  "$smx" load --batch 50 --db "$(db_url killed)" feed 2> /dev/null &
  local pid=$!
  exec 4> feed
  head -n 150 all.labnorm.ndjson >&4
  sleep 0.5
  kill -9 "$pid"
  if wait "$pid" 2> /dev/null; then fail "smx load finished before it was killed"; fi
  exec 4>&-
  rm feed
  "$smx" load -q --db "$(db_url killed)" all.labnorm.ndjson
  "$smx" load -q --db "$(db_url whole)" all.labnorm.ndjson
  db_dump killed > killed.txt
  db_dump whole > full.txt
  cmp killed.txt full.txt || fail "a load killed and run again differs from one full load"
  echo "kill -9 + reload == one load: $(wc -l < full.txt) rows"
}
