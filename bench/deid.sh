#!/usr/bin/env bash
# smx deid and smx risk figures (issue 13): messages/s on one core over a generated tree and its
# stream, risk patients/s, peak RSS at two input sizes. Appends a section to bench/RESULTS.md.
# Usage: bench/deid.sh SMX [WORKDIR] [SMALL_PATIENTS] [LARGE_PATIENTS]
set -euo pipefail
smx=$(readlink -f "$1"); work=${2:-/tmp/smx-bench-deid}; small=${3:-700}; large=${4:-7000}
here=$(cd "$(dirname "$0")/.." && pwd); key=$here/tests/data/deid/test.key
mkdir -p "$work"; results=$here/bench/RESULTS.md
row() { printf '| %s | `%s` | %s |\n' "$1" "$2" "$3" >> "$work/rows.md"; }
: > "$work/rows.md"
check_time() {  # a failed command (exit 2: data problems are 1 and still measured) stops the run
  if grep -q 'exited with non-zero status [^1]' "$work/time"; then
    echo "bench/deid.sh: failed: $cmd ($(head -1 "$work/time"))" >&2; exit 1
  fi
  tail -n 1 "$work/time"
}
measure() {  # name patients: prints "seconds rss_kib" of the command in $cmd
  /usr/bin/time -f '%e %M %U %S' -o "$work/time" taskset -c 0 bash -c "$cmd" > /dev/null 2> "$work/stderr" || true
  check_time
}
measure2() {  # the same on both cores
  /usr/bin/time -f '%e %M %U %S' -o "$work/time" bash -c "$cmd" > /dev/null 2> "$work/stderr" || true
  check_time
}
for n in "$small" "$large"; do
  tree=$work/gen-$n
  [ -d "$tree" ] || "$smx" gen --patients "$n" --seed 11 -o "$tree"
  [ -f "$tree.ndjson" ] || "$smx" cat "$tree" > "$tree.ndjson"
  msgs=$(wc -l < "$tree.ndjson")
  cmd="'$smx' deid --key '$key' --tables '$here' '$tree.ndjson'"; read -r s rss user sys < <(measure)
  row "deid stream -> stream, $msgs msgs, one core" "taskset -c 0 smx deid --key K $tree.ndjson" \
      "$(awk -v m="$msgs" -v s="$s" 'BEGIN{printf "%.0f msgs/s (%.2f s); per CPU-second (user+sys %.2f s): %.0f msgs/s; peak RSS %.1f MiB", m/s, s, '"$user+$sys"', m/('"$user+$sys"'), '"$rss"'/1024}')"
  cmd="'$smx' deid -j 2 --key '$key' --tables '$here' '$tree.ndjson'"; read -r s rss user sys < <(measure2)
  row "deid stream -> stream, $msgs msgs, -j 2 (two cores)" "smx deid -j 2 --key K $tree.ndjson" \
      "$(awk -v m="$msgs" -v s="$s" 'BEGIN{printf "%.0f msgs/s (%.2f s); per CPU-second (user+sys %.2f s): %.0f msgs/s; peak RSS %.1f MiB", m/s, s, '"$user+$sys"', m/('"$user+$sys"'), '"$rss"'/1024}')"
  rm -rf "$work/out-$n"
  cmd="'$smx' deid --key '$key' --tables '$here' -o '$work/out-$n' '$tree'"; read -r s rss user sys < <(measure)
  row "deid tree -> tree, $msgs msgs, one core" "taskset -c 0 smx deid --key K -o OUT $tree" \
      "$(awk -v m="$msgs" -v s="$s" 'BEGIN{printf "%.0f msgs/s (%.2f s); per CPU-second (user+sys %.2f s): %.0f msgs/s; peak RSS %.1f MiB", m/s, s, '"$user+$sys"', m/('"$user+$sys"'), '"$rss"'/1024}')"
  cmd="'$smx' risk '$work/out-$n'"; read -r s rss user sys < <(measure)
  row "risk on the de-identified tree, $n patients ($msgs msgs), one core" "taskset -c 0 smx risk OUT" \
      "$(awk -v m="$n" -v s="$s" 'BEGIN{printf "%.0f patients/s (%.2f s); per CPU-second (user+sys %.2f s): %.0f patients/s; peak RSS %.1f MiB", m/s, s, '"$user+$sys"', m/('"$user+$sys"'), '"$rss"'/1024}')"
done
{
  echo
  echo "## $(date -u '+%Y-%m-%d %H:%M') UTC — bench/deid.sh"
  echo
  echo "- smx: commit $(git -C "$here" rev-parse --short=12 HEAD), $(nproc) cores, load at the end $(cut -d' ' -f1-3 /proc/loadavg) (shared machine: wall-clock figures drop when it is busy; per CPU-second figures drop less); one run each, /usr/bin/time"
  echo "- inputs: smx gen --seed 11 trees of $small and $large patients, and their streams (smx cat); default profile ppc-anon"
  echo
  echo "| figure | command | measured |"
  echo "| --- | --- | --- |"
  cat "$work/rows.md"
} >> "$results"
cat "$work/rows.md"
