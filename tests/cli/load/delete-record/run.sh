# A delete record removes every row of its key, and only those.
smx=$1 source=$2
"$smx" cat "$source/examples/ssmix2-sample" > s.ndjson 2> /dev/null
"$smx" load -q --db l.db s.ndjson
echo "observations before: $(sqlite3 l.db 'SELECT count(*) FROM observations')"
printf '%s\n' '{"smx":1,"kind":"delete","key":"9999013_20111220_OML-11_000000011000354_20111220103059000_01","reason":"superseded","src":{"path":"x"}}' |
  "$smx" load --stats --db l.db 2>&1 | sed 's/; [0-9.]* s, [0-9]* rows\/s$//'
echo "observations after: $(sqlite3 l.db 'SELECT count(*) FROM observations')"
echo "sources of the key: $(sqlite3 l.db "SELECT count(*) FROM sources WHERE key LIKE '%OML-11_000000011000354%'")"
echo "sources: $(sqlite3 l.db 'SELECT count(*) FROM sources')"
