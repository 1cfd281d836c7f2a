# The sample tree loaded twice into SQLite: the second load changes nothing; row counts; types.
smx=$1 source=$2
"$smx" cat "$source/examples/ssmix2-sample" > s.ndjson 2> /dev/null
"$smx" load -q --db sqlite:l.db s.ndjson
"$smx" load --db sqlite:l.db s.ndjson 2>&1 | sed 's/; [0-9.]* s, [0-9]* rows\/s$//'
for table in sources observations patients encounters medications diagnoses; do
  echo "$table $(sqlite3 l.db "SELECT count(*) FROM $table")"
done
sqlite3 l.db "SELECT DISTINCT typeof(facility), typeof(patient), typeof(value_num), typeof(obx) FROM observations WHERE value_num IS NOT NULL"
