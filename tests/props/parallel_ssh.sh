#!/usr/bin/env bash
# Beyond one machine, with GNU parallel over ssh (issue 16): three hosts made as Linux network
# namespaces on this machine (a veth link and an sshd each, keys made here), the tree cut into 12
# shards (smx cat --shard I/12, stable by patient), `smx cat | smx labnorm | smx flat` run per
# shard on the hosts with --retries, one host's link cut while its job runs. Each shard is written
# atomically (-o: temporary file + rename) with a marker holding its row count and SHA-256, so the
# retry of a shard replaces it and the merge can check completeness. The merge in shard order must
# equal the same shards run locally byte for byte, and hold the same rows as one local run of the
# whole tree: none lost, none twice. The hosts share this machine's file system (as an NFS
# cluster would): the tree, the binary and the output directory are at the same paths everywhere.
# Needs root (ip netns), sshd and GNU parallel; exits 77 (ctest SKIP) when one is missing.
set -euo pipefail
smx=$(readlink -f "$1")
tmp=$3
skip() {
  echo "SKIP: $*"
  exit 77
}
[ "$(id -u)" -eq 0 ] || skip "needs root for ip netns (CI runs as root)"
command -v parallel > /dev/null || skip "GNU parallel is not installed (scripts/install-deps.sh installs it)"
[ -x /usr/sbin/sshd ] || skip "openssh-server is not installed (scripts/install-deps.sh installs it)"
command -v ip > /dev/null || skip "iproute2 is not installed"
# A container without CAP_SYS_ADMIN cannot make namespaces: that is a missing facility, said so.
if ! ip netns add "smx-probe-$$" 2> /dev/null; then skip "ip netns add is not permitted here (no CAP_SYS_ADMIN)"; fi
ip netns del "smx-probe-$$"
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
rm -rf "$tmp"
mkdir -p "$tmp/out" "$tmp/local"
tmp=$(readlink -f "$tmp")
cd "$tmp"
shards=12
tag=$$
hosts=()
cleanup() {
  for n in 1 2 3; do
    [ -f "$tmp/sshd-$n.pid" ] && kill "$(cat "$tmp/sshd-$n.pid")" 2> /dev/null || true
    ip netns pids "smx$tag-$n" 2> /dev/null | xargs -r kill -9 2> /dev/null || true
    ip netns del "smx$tag-$n" 2> /dev/null || true
    ip link del "x$tag$n" 2> /dev/null || true
  done
}
trap cleanup EXIT

ssh-keygen -q -t ed25519 -N '' -f "$tmp/client_key"
ssh-keygen -q -t ed25519 -N '' -f "$tmp/host_key"
cp "$tmp/client_key.pub" "$tmp/authorized_keys"
mkdir -p /run/sshd
cat > "$tmp/ssh_config" <<EOF
Host *
  User root
  IdentityFile $tmp/client_key
  IdentitiesOnly yes
  StrictHostKeyChecking no
  UserKnownHostsFile /dev/null
  BatchMode yes
  LogLevel ERROR
  ConnectTimeout 2
  ServerAliveInterval 1
  ServerAliveCountMax 2
EOF
for n in 1 2 3; do
  ns=smx$tag-$n
  ip netns add "$ns"
  ip link add "x$tag$n" type veth peer name "y$tag$n"
  ip link set "y$tag$n" netns "$ns"
  ip addr add "10.213.$n.1/24" dev "x$tag$n"
  ip link set "x$tag$n" up
  ip netns exec "$ns" ip addr add "10.213.$n.2/24" dev "y$tag$n"
  ip netns exec "$ns" ip link set "y$tag$n" up
  ip netns exec "$ns" ip link set lo up
  cat > "$tmp/sshd-$n.conf" <<EOF
ListenAddress 10.213.$n.2
HostKey $tmp/host_key
PidFile $tmp/sshd-$n.pid
AuthorizedKeysFile $tmp/authorized_keys
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
EOF
  ip netns exec "$ns" /usr/sbin/sshd -f "$tmp/sshd-$n.conf" -E "$tmp/sshd-$n.log"
  hosts+=("1/10.213.$n.2")
done
for n in 1 2 3; do
  for _ in $(seq 50); do
    ssh -F "$tmp/ssh_config" "10.213.$n.2" true 2> /dev/null && break
    sleep 0.1
  done
  ssh -F "$tmp/ssh_config" "10.213.$n.2" true || fail "host $n does not answer over ssh"
done
echo "3 hosts up: ${hosts[*]}"

"$smx" gen --patients 60 --facilities 2 --seed 5 -o "$tmp/root" > /dev/null
# One shard: the pipeline into a file written atomically, then its marker (rows, SHA-256), also
# atomically. DELAY keeps a job running long enough for the link to be cut under it (test only).
cat > "$tmp/shard.sh" <<'EOF'
#!/usr/bin/env bash
set -euo pipefail
smx=$1 root=$2 out=$3 i=$4 n=$5 delay=$6
# Which host runs this attempt (its address in its namespace), for the test's checks.
host=$(ip -o -4 addr show 2> /dev/null | grep -o '10\.213\.[0-9]*\.2' | head -1 || true)
touch "$out/attempt-$i-${host:-local}"
sleep "$delay"
"$smx" cat --shard "$i/$n" "$root" | "$smx" labnorm -q | "$smx" flat -q -t ndjson -o "$out/shard-$i.ndjson"
printf '%s %s\n' "$(wc -l < "$out/shard-$i.ndjson")" "$(sha256sum < "$out/shard-$i.ndjson" | cut -d' ' -f1)" \
  > "$out/shard-$i.marker.tmp"
mv "$out/shard-$i.marker.tmp" "$out/shard-$i.marker"
EOF
chmod +x "$tmp/shard.sh"

started=$(date +%s)
# Cut host 2's link once a job has started there (its attempt marker appeared).
(for _ in $(seq 300); do
   compgen -G "$tmp/out/attempt-*-10.213.2.2" > /dev/null && break
   sleep 0.05
 done
 sleep 0.3
 ip link set "x${tag}2" down
 echo "link of host 2 cut at +$(($(date +%s) - started)) s, under $(cd "$tmp/out" && ls attempt-*-10.213.2.2)") &
cutter=$!
parallel --ssh "ssh -F $tmp/ssh_config" -S "$(IFS=,; echo "${hosts[*]}")" --retries 3 --joblog "$tmp/joblog" \
  "$tmp/shard.sh" "$smx" "$tmp/root" "$tmp/out" {} "$shards" 1 ::: $(seq "$shards")
wait "$cutter"
echo "parallel finished in $(($(date +%s) - started)) s"
cat "$tmp/joblog"
# The shard whose job was on host 2 when its link went down was finished by another host.
moved=0
for attempt in "$tmp"/out/attempt-*-10.213.2.2; do
  i=$(basename "$attempt" | cut -d- -f2)
  final=$(awk -v i="$i" 'NR > 1 && $1 == i { print $2 }' "$tmp/joblog")
  [ "$final" != "10.213.2.2" ] && moved=$((moved + 1)) && echo "shard $i: started on 10.213.2.2, finished on $final"
done
[ "$moved" -ge 1 ] || fail "no shard was retried on another host after the link was cut"

# Completeness: every shard present, its marker matches its file.
merged=$tmp/merged.ndjson
: > "$merged"
for i in $(seq "$shards"); do
  [ -f "$tmp/out/shard-$i.marker" ] || fail "shard $i has no marker"
  read -r count hash < "$tmp/out/shard-$i.marker"
  [ "$count" -eq "$(wc -l < "$tmp/out/shard-$i.ndjson")" ] || fail "shard $i: marker count differs"
  [ "$hash" = "$(sha256sum < "$tmp/out/shard-$i.ndjson" | cut -d' ' -f1)" ] || fail "shard $i: marker hash differs"
  cat "$tmp/out/shard-$i.ndjson" >> "$merged"
done
for i in $(seq "$shards"); do "$tmp/shard.sh" "$smx" "$tmp/root" "$tmp/local" "$i" "$shards" 0; done
cat $(for i in $(seq "$shards"); do echo "$tmp/local/shard-$i.ndjson"; done) > "$tmp/local-sharded.ndjson"
cmp "$merged" "$tmp/local-sharded.ndjson" || fail "the merged output differs from the same shards run locally"
"$smx" cat "$tmp/root" | "$smx" labnorm -q | "$smx" flat -q -t ndjson > "$tmp/local-whole.ndjson"
LC_ALL=C sort "$merged" > "$tmp/merged.sorted"
LC_ALL=C sort "$tmp/local-whole.ndjson" > "$tmp/whole.sorted"
cmp "$tmp/merged.sorted" "$tmp/whole.sorted" || fail "the shards do not hold the rows of one local run"
[ -z "$(uniq -d "$tmp/merged.sorted" | head -1)" ] || fail "a row is in the merged output twice"
echo "merged $shards shards: $(wc -l < "$merged") rows, byte-identical to the local shards, the same rows as one local run, none twice"
echo PASS
