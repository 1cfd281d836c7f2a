#!/usr/bin/env bash
# Progress and metrics (issue 16):
#  1. in a terminal (a tmux pane), `smx cat --state S TREE > /dev/null` shows files, messages,
#     rate and elapsed, with percent and ETA; the captured pane is printed in the test output;
#  2. in a pipe (stderr not a terminal) nothing but diagnostics; --progress forces it there;
#  3. --metrics FILE.prom: a Prometheus textfile written by rename, with the counts, and
#     smx_last_success_timestamp_seconds carried over a failed run.
# tmux is needed for 1 (exit 77 when it is missing: scripts/install-deps.sh installs it).
set -euo pipefail
smx=$(readlink -f "$1")
tmp=$3
rm -rf "$tmp"
mkdir -p "$tmp"
tmp=$(readlink -f "$tmp")
cd "$tmp"
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
"$smx" gen --patients 400 --facilities 2 --seed 3 -o big > /dev/null
files=$(find big -type f | wc -l)

# 2. not a terminal: no progress line; forced: one, ending with a newline.
"$smx" cat -q big 2> quiet.err > /dev/null
[ ! -s quiet.err ] || fail "progress written when stderr is not a terminal: $(head -c 200 quiet.err)"
"$smx" cat -q --progress big 2> forced.err > /dev/null
grep -q "smx cat: $files files, [0-9]* messages, [0-9]*/s, 0:0" forced.err || fail "no forced progress: $(tail -c 300 forced.err)"

# 3. metrics
"$smx" cat -q big --metrics run.prom > /dev/null
grep -q '^smx_files_read{command="cat"} '"$files"'$' run.prom || fail "files in metrics: $(cat run.prom)"
grep -q '^smx_run_exit_status{command="cat"} 0$' run.prom || fail "exit status in metrics"
success=$(awk '/^smx_last_success_timestamp_seconds/ { print $2 }' run.prom)
[ "$success" -gt 1700000000 ] || fail "no last success timestamp"
sleep 1.1
"$smx" cat -q /nonexistent --metrics run.prom > /dev/null 2>&1 && fail "a missing root did not fail"
grep -q '^smx_run_exit_status{command="cat"} 2$' run.prom || fail "failed run not in metrics: $(cat run.prom)"
[ "$(awk '/^smx_last_success_timestamp_seconds/ { print $2 }' run.prom)" = "$success" ] ||
  fail "the last success was not carried over a failed run"
ls -a | grep -q '\.tmp\|smx-tmp' && fail "a temporary file was left: $(ls -a)"
echo "metrics: $(grep -c '^smx_' run.prom) series, last success carried over a failed run"

# 1. a terminal
if ! command -v tmux > /dev/null; then
  echo "SKIP: tmux is not installed (apt-get install tmux; scripts/install-deps.sh does)"
  exit 77
fi
socket=$tmp/tmux.sock
cleanup() { tmux -S "$socket" kill-server 2> /dev/null || true; }
trap cleanup EXIT
# A slow reader behind the output keeps the run long enough for several redraws.
tmux -S "$socket" new-session -d -x 160 -y 10 \
  "$smx cat --state $tmp/s.db -j 1 $tmp/big | awk 'NR % 50 == 0 { system(\"sleep 0.05\") }'; echo DONE; sleep 60"
captured=""
for _ in $(seq 600); do
  sleep 0.1
  pane=$(tmux -S "$socket" capture-pane -p)
  if echo "$pane" | grep -q "ETA"; then captured=$pane; fi
  echo "$pane" | grep -q DONE && break
done
final=$(tmux -S "$socket" capture-pane -p)
echo "--- tmux pane while running:"
echo "$captured" | grep -v '^$' || true
echo "--- tmux pane at the end:"
echo "$final" | grep -v '^$'
echo "$captured" | grep -Eq "smx cat: [0-9]+/$files files \([0-9]+%\), [0-9]+ messages, [0-9]+/s, [0-9]+:[0-9]{2}, ETA [0-9]+:[0-9]{2}" ||
  fail "no progress line with percent and ETA seen in the pane"
echo "$final" | grep -Eq "smx cat: $files/$files files \(100%\)" || fail "the final progress line is not at 100%"
echo PASS
