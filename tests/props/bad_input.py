#!/usr/bin/env python3
# --show-phi where diagnostics must name the exact file: without it SS-MIX2 paths are masked (smx(1)).
"""Bad input (issues 2 and 6): each case gives a named diagnostic pointing at the file, the run goes on,
--rejects holds the raw bytes, exit status as documented, memory bounded."""
import base64, json, os, resource, shutil, subprocess, sys

smx, corpus, tmp = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3]
shutil.rmtree(tmp, ignore_errors=True)
os.makedirs(tmp)
failures = []
checks = 0

def check(ok, what):
    global checks
    checks += 1
    if not ok:
        failures.append(what)

def run(args, **kw):
    return subprocess.run([smx] + args, capture_output=True, **kw)

# A tree for one patient: one good file and one bad file per case, all valid names.
good = open(os.path.join(corpus, 'ssmix2-dtt/999/901/9999013/20111220/OML-11/'
                         '9999013_20111220_OML-11_000000011000354_20111220103059000_01_1'), 'rb').read()
root = os.path.join(tmp, 'tree')
def put(type_, order, data):
    d = os.path.join(root, '123', '456', '1234567', '20260101', type_)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, f'1234567_20260101_{type_}_{order}_20260101120000000_01_1')
    open(path, 'wb').write(data)
    return path
cases = {
    'empty': (put('OML-11', '000000000000001', b''), 'HL7-EMPTY-FILE'),
    'binary': (put('OML-11', '000000000000002', bytes(range(0, 256)) * 4), 'HL7-NO-MSH'),
    'no-msh': (put('OML-11', '000000000000003', b'PID|1||1\rOBX|1|NM|||1\r'), 'HL7-NO-MSH'),
    'utf8-truncated': (put('OML-11', '000000000000004',
                           'MSH|^~\\&|A\rPID|1||1||患者^太郎^花子^次郎\rOBX|1|ST|||'.encode() + b'\xe6\x82'), 'CHARSET-INVALID'),
    'iso2022-truncated': (put('OML-11', '000000000000005', b'MSH|^~\\&|A\rPID|1||1||\x1b$'), 'CHARSET-INVALID'),
    'msh2-garbage': (put('OML-11', '000000000000006', b'MSH|^|A\rPID|1\r'), 'HL7-MSH-ENCODING'),
}
good_path = put('OML-11', '000000000000007', good)
rejects = os.path.join(tmp, 'rejects.ndjson')
r = run(['cat', '--show-phi', '--stats=json', '--rejects', rejects, root])
err = r.stderr.decode()
check(r.returncode == 1, f'tree with bad files: exit {r.returncode}, expected 1')
for name, (path, code) in cases.items():
    check(any(path in line and f'[{code}]' in line for line in err.splitlines()),
          f'{name}: no [{code}] diagnostic naming {path}')
records = [json.loads(l) for l in r.stdout.decode().splitlines()]
check([x['src']['path'] for x in records] == [good_path], 'only the good file is written')
stats = json.loads(err.strip().splitlines()[-1])
check(stats['read'] == stats['written'] + stats['rejected'], f'read != written + rejected: {stats}')
rej = [json.loads(l) for l in open(rejects)]
for name, (path, code) in cases.items():
    data = open(path, 'rb').read()
    if not data:
        continue
    got = b''.join(base64.b64decode(j['bytes_base64']) for j in rej if j['src']['path'] == path)
    check(got == data, f'{name}: rejects do not hold the raw bytes')

# A good message followed directly by junk, no MSH between (issue 11): the message comes out,
# only the junk is rejected with its raw bytes, read = written + rejected. Binary junk (control
# bytes), and junk that is only bytes no charset decodes (the case that took the message down as
# CHARSET-INVALID), after an ASCII and after an ISO-2022-JP message.
junk_root = os.path.join(tmp, 'junk-tree')
junk_cases = {
    'png': (good.rstrip(b'\x1c\r\n') + b'\r', b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\r'),
    'undecodable': (b'MSH|^~\\&|A|B\rPID|1||1\rOBX|1|NM|||5.2\r', b'\xff\xfe\xfd\xfc\xfb\r\xfa\xf9\r'),
    'iso2022-then-8bit': (b'MSH|^~\\&|A|B\rPID|1||1||\x1b$B4A;z\x1b(B\r', b'\xa4\xa2\xa4\xa4\x80\r'),
}
junk_paths = {}
for i, (name, (message, junk)) in enumerate(junk_cases.items()):
    d = os.path.join(junk_root, '123', '456', '1234567', '20260101', 'OML-11')
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, f'1234567_20260101_OML-11_{i + 1:015d}_20260101120000000_01_1')
    open(path, 'wb').write(message + junk)
    junk_paths[name] = path
junk_rejects = os.path.join(tmp, 'junk-rejects.ndjson')
r = run(['cat', '--show-phi', '-t', 'er7', '--stats=json', '--rejects', junk_rejects, junk_root])
err = r.stderr.decode()
stats = json.loads(err.strip().splitlines()[-1])
check(r.returncode == 1, f'junk after a message: exit {r.returncode}, expected 1')
check(stats['read'] == stats['written'] + stats['rejected'] and stats['written'] == 3 and stats['rejected'] == 3,
      f'junk after a message: {stats}')
check('[CHARSET-INVALID]' not in err, 'junk after a message: a message was rejected as CHARSET-INVALID')
rej = [json.loads(l) for l in open(junk_rejects)]
out = r.stdout.split(b'\n')
for name, (message, junk) in junk_cases.items():
    path = junk_paths[name]
    check(any(line.startswith(f'smx cat: {path}:1: error: [HL7-NO-MSH]') for line in err.splitlines()),
          f'{name}: no [HL7-NO-MSH] diagnostic naming {path}')
    got = [base64.b64decode(j['bytes_base64']) for j in rej if j['src']['path'] == path]
    check(got == [junk] and all(j['code'] == 'HL7-NO-MSH' for j in rej), f'{name}: rejects hold {got!r}, not the junk')
    check(any(o.startswith(message[:12]) for o in out), f'{name}: the message is not in the output')

# A message with 1,000,000 segments and a field with 100,000 repetitions: read whole, in
# bounded memory, every segment and repetition reachable. (Before the 100 MB cases: a forked
# child's peak RSS starts at this script's own, which those make large.)
many = os.path.join(tmp, 'many.hl7')
with open(many, 'wb') as f:
    f.write(b'MSH|^~\\&|A\rPID|1||' + b'~'.join(b'%d' % i for i in range(1, 100001)) + b'\r')
    for i in range(1, 1000001):  # one at a time: this script's own memory must stay small
        f.write(b'OBX|%d|NM|||%d\r' % (i, i))
def run_rss(args):
    """Runs smx, returns (exit status, stdout, peak RSS in KB of this run alone)."""
    with open(os.path.join(tmp, 'rss.out'), 'wb') as out:
        p = subprocess.Popen([smx] + args, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(p.pid, 0)
    return os.waitstatus_to_exitcode(status), open(os.path.join(tmp, 'rss.out'), 'rb').read(), usage.ru_maxrss
rc, out, rss_kb = run_rss(['get', 'OBX[*]-5', many])
r = subprocess.CompletedProcess([], rc, out, b'')
lines = r.stdout.split(b'\n')
check(r.returncode == 0 and len(lines) == 1000001 and lines[-2] == b'1000000',
      f'1,000,000 segments: exit {r.returncode}, {len(lines) - 1} rows')
r = run(['get', 'PID-3[100000]', 'PID-3[1]', many])
check(r.returncode == 0 and r.stdout == b'100000\t1\n', f'100,000 repetitions: {r.stdout[:80]!r}')
r = run(['cat', '--stats=json', many])
check(r.returncode == 0 and json.loads(r.stderr.decode().strip().splitlines()[-1])['written'] == 1,
      f'1,000,000 segments through cat: exit {r.returncode}')
# 70 MB measured (the segment index and the output buffer), 128 MB under ASan: the bound
# catches per-segment allocations, which would take gigabytes here.
check(rss_kb < 256 * 1024, f'1,000,000 segments (12 MB): peak RSS {rss_kb} KB')

# A 100 MB single field: rejected in pieces under the default 64 MiB limit, memory bounded;
# read whole with a larger limit.
big = os.path.join(tmp, 'big.hl7')
with open(big, 'wb') as f:
    f.write(b'MSH|^~\\&|A\rOBX|1|ED|||')
    f.write(b'x' * (100 << 20))
    f.write(b'\rMSH|^~\\&|B\rPID|1\r')
before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
r = run(['cat', '--stats=json', '--rejects', os.path.join(tmp, 'big-rejects.ndjson'), big])
rss_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
check(r.returncode == 1 and b'[HL7-TOO-LARGE]' in r.stderr, f'100 MB field: exit {r.returncode}, {r.stderr[-200:]!r}')
check(len(r.stdout.decode().splitlines()) == 1, '100 MB field: the next message is still read')
pieces = [json.loads(l) for l in open(os.path.join(tmp, 'big-rejects.ndjson'))]
total = sum(len(base64.b64decode(p['bytes_base64'])) for p in pieces)
check(total == 100 * 2**20 + len(b'MSH|^~\\&|A\rOBX|1|ED|||') + 1, f'100 MB field: rejected pieces hold {total} bytes')
check(rss_kb < 400 * 1024, f'100 MB field: peak RSS {rss_kb} KB')
r = run(['get', '--max-message-bytes', str(200 << 20), 'OBX-5', big])
check(r.returncode == 0 and len(r.stdout) == (100 << 20) + 2, f'100 MB field with a larger limit: exit {r.returncode}')

# An unreadable file during a walk (as root, drop privileges to see it).
unreadable_root = os.path.join(tmp, 'unreadable')
shutil.copytree(root, unreadable_root)
victim = os.path.join(unreadable_root, '123/456/1234567/20260101/OML-11',
                      '1234567_20260101_OML-11_000000000000007_20260101120000000_01_1')
os.chmod(victim, 0)
for dirpath, dirnames, filenames in os.walk(tmp):
    os.chmod(dirpath, 0o755)
    for fn in filenames:
        if os.path.join(dirpath, fn) != victim:
            os.chmod(os.path.join(dirpath, fn), 0o644)
cmd = [smx, 'cat', '--show-phi', unreadable_root]
if os.geteuid() == 0:
    setpriv = shutil.which('setpriv')
    cmd = [setpriv, '--reuid=nobody', '--regid=nogroup', '--clear-groups'] + cmd if setpriv else None
if cmd:
    os.chmod(tmp, 0o755)
    r = subprocess.run(cmd, capture_output=True)
    check(r.returncode == 1 and f'{victim}: error: [IO-READ]'.encode() in r.stderr,
          f'unreadable file: exit {r.returncode}, {r.stderr[-300:]!r}')
else:
    print('skipped the unreadable-file case: running as root without setpriv')

# Symlink loop and a link leaving the root: reported, not followed, the walk goes on.
loop_root = os.path.join(tmp, 'links')
shutil.copytree(root, loop_root)
os.symlink('..', os.path.join(loop_root, '123', 'loop'))
os.symlink('/etc', os.path.join(loop_root, '123', '456', 'outside'))
r = run(['cat', '--stats=json', loop_root])
check(r.returncode == 1 and b'SSMX-WALK' in r.stderr, f'symlinks: exit {r.returncode}')

# Names with '..' in them (a '...' folder, a '..'-prefixed date folder and file name): the walk
# stays inside the root, ls names each deviation (exit 1), readers read every file (nothing lost).
dots_root = os.path.join(tmp, 'dots')
dots = {
    'dots-folder': os.path.join(dots_root, '123/456/1234567/20260101/.../x'),
    'dots-date': os.path.join(dots_root, '123/456/1234567/..20260101/OML-11',
                              '1234567_..20260101_OML-11_000000000000003_20260101120000000_01_1'),
    'dots-file': os.path.join(dots_root, '123/456/1234567/20260101/OML-11',
                              '..1234567_20260101_OML-11_000000000000002_20260101120000000_01_1'),
    'plain': os.path.join(dots_root, '123/456/1234567/20260101/OML-11',
                          '1234567_20260101_OML-11_000000000000001_20260101120000000_01_1'),
}
for path in dots.values():
    os.makedirs(os.path.dirname(path), exist_ok=True)
    open(path, 'wb').write(good)
r = run(['ls', '--show-phi', dots_root])
for name, path in dots.items():
    if name != 'plain':
        check(any(line.startswith((f'smx ls: {path}: error: [SSMX-', f'smx ls: {path}: warning: [SSMX-'))
                  for line in r.stderr.decode().splitlines()),
              f'{name}: smx ls names no deviation for {path}')
check(r.returncode == 1, f"'..' names: smx ls exit {r.returncode}")
r = run(['cat', '--stats=json', os.path.join(dots_root, '123', '..', '123')])
paths = sorted(json.loads(l)['src']['path'] for l in r.stdout.decode().splitlines())
check(len(paths) == 4 and all(p.startswith(os.path.join(dots_root, '123', '..', '123') + '/') for p in paths),
      f"'..' names: cat read {paths}")
stats = json.loads(r.stderr.decode().strip().splitlines()[-1])
check(r.returncode == 0 and stats['read'] == 4 == stats['written'], f"'..' names: cat exit {r.returncode}, {stats}")

# A file deleted during the walk (a live tree: updates rename, deletions remove). The walk lists
# a folder of 2,000 files; the reader blocks on the full stdout pipe after a few dozen; then
# they are all deleted. Each listed-but-gone file is an [IO-VANISHED] error naming it, the rest
# are read, exit 1, and files = written + vanished.
live = os.path.join(tmp, 'live', '123', '456', '1234567', '20260101', 'OML-11')
os.makedirs(live)
for i in range(2000):
    open(os.path.join(live, f'1234567_20260101_OML-11_{i:015d}_20260101120000000_01_1'), 'wb').write(good)
with open(os.path.join(tmp, 'live.err'), 'wb') as errfile:  # a file: 2,000 diagnostics fill a pipe
    p = subprocess.Popen([smx, 'cat', '--show-phi', '--stats=json', '--max-diagnostics', '0', os.path.join(tmp, 'live')], stdout=subprocess.PIPE, stderr=errfile)
    first = p.stdout.readline()
    for fn in os.listdir(live):
        os.unlink(os.path.join(live, fn))
    rest = p.stdout.read()
    rc = p.wait()
err = open(os.path.join(tmp, 'live.err'), 'rb').read().decode().splitlines()
written = 1 + rest.count(b'\n')
vanished = [l for l in err if '[IO-VANISHED]' in l and l.startswith(f'smx cat: {live}/1234567_20260101_OML-11_')]
stats = json.loads(err[-1])
check(rc == 1 and first and vanished and stats['files'] == 2000 and stats['written'] == written
      and written + len(vanished) == 2000,
      f'file deleted during the walk: exit {rc}, {written} written, {len(vanished)} vanished, {stats}')

# YAML tables: an alias bomb, a wrong type in the alias table and in a site table. Each is
# refused before any input is read, exit 2, with FILE:LINE:COL of the offending node.
source = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
tables = os.path.join(tmp, 'tables')
for sub in ('units', 'mappings'):
    shutil.copytree(os.path.join(source, sub), os.path.join(tables, sub))
aliases = os.path.join(tables, 'units', 'aliases.yaml')
shipped_aliases = open(aliases, 'rb').read()
yaml_cases = [
    ('alias bomb', aliases, 'format: smx-unit-aliases/1\nglobal:\n  a: &a [x, x, x, x, x, x, x, x, x]\n'
     '  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n  c: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n', [], ':3:6: '),
    ('wrong type', aliases, 'format: smx-unit-aliases/1\nglobal: [1, 2]\n', [], ':2:9: '),
    ('site wrong type', os.path.join(tables, 'mappings', 'sites', 'bad.yaml'),
     'format: smx-site/1\nsite: bad\nsending_facilities: SEND\n', ['--site', 'bad'], ':3:21: '),
]
for what, path, text, extra, position in yaml_cases:
    open(aliases, 'wb').write(shipped_aliases)
    open(path, 'w').write(text)
    r = run(['labnorm', '--tables', tables] + extra + [good_path])
    check(r.returncode == 2 and r.stdout == b'' and f'error: {path}{position}'.encode() in r.stderr,
          f'YAML {what}: exit {r.returncode}, {r.stderr[-200:]!r}')

# Safe writes: a full disk is exit 2 with a message, -o onto a device keeps the device, a closed
# pipe ends quietly (SIGPIPE), and -o leaves no temporary file behind.
dtt = os.path.join(corpus, 'ssmix2-dtt', '999')
r = run(['cat', '-o', '/dev/full', dtt])
check(r.returncode == 2 and b'cannot write' in r.stderr, f'-o /dev/full: exit {r.returncode}, {r.stderr!r}')
with open('/dev/full', 'wb') as full:
    r = subprocess.run([smx, 'cat', dtt], stdout=full, stderr=subprocess.PIPE)
check(r.returncode == 2 and b'cannot write' in r.stderr, f'stdout on /dev/full: exit {r.returncode}')
r = run(['cat', '-o', '/dev/null', dtt])
check(r.returncode == 0 and os.path.exists('/dev/null') and not os.path.isfile('/dev/null'), '-o /dev/null')
p = subprocess.Popen([smx, 'cat', big, '--max-message-bytes', str(200 << 20)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
p.stdout.read(10)
p.stdout.close()
err = p.stderr.read()
rc = p.wait()
check(rc == -13 and err == b'', f'closed pipe: exit {rc}, stderr {err[:200]!r}')
out_dir = os.path.join(tmp, 'out')
os.makedirs(out_dir)
r = run(['cat', '-o', os.path.join(out_dir, 'all.ndjson'), dtt])
check(r.returncode == 0 and os.listdir(out_dir) == ['all.ndjson'], f'-o leaves {os.listdir(out_dir)}')

# smx gen writes its tree into a hidden folder and moves it into place at the end: into a new
# ROOT and into an existing empty one nothing hidden is left; on a full file system (a 2 MB
# tmpfs, where mounting is allowed) exit 2 naming the file, and nothing at all is left.
for existing in (False, True):
    gen_root = os.path.join(tmp, 'gen-existing' if existing else 'gen-new', 'root')
    os.makedirs(gen_root if existing else os.path.dirname(gen_root))
    r = run(['gen', '--patients', '3', '--facilities', '2', '-o', gen_root])
    parent = os.path.dirname(gen_root)
    check(r.returncode == 0 and sorted(os.listdir(gen_root)) == ['H01', 'H02'] and
          sorted(os.listdir(parent)) == ['H01.site.yaml', 'H02.site.yaml', 'root'],
          f'gen into {"an existing" if existing else "a new"} root: exit {r.returncode}, {os.listdir(parent)}, '
          f'{os.listdir(gen_root)}')
tiny = os.path.join(tmp, 'tiny')
os.makedirs(tiny)
if subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', tiny], capture_output=True).returncode == 0:
    try:
        for root_arg in ('root', os.path.join(tiny, 'empty')):
            if root_arg != 'root':
                os.makedirs(root_arg)
            r = subprocess.run([smx, 'gen', '--patients', '200', '--facilities', '2', '-o', root_arg,
                                '--truth', 'truth.ndjson'], capture_output=True, cwd=tiny)
            left = sorted(os.listdir(tiny)) + (os.listdir(root_arg) if root_arg != 'root' else [])
            check(r.returncode == 2 and b'No space left on device' in r.stderr and
                  left == ([] if root_arg == 'root' else ['empty']),
                  f'gen on a full file system ({root_arg}): exit {r.returncode}, left {left}, {r.stderr[-200:]!r}')
    finally:
        subprocess.run(['umount', tiny])
else:
    print('skipped the full-file-system gen case: cannot mount a tmpfs here')

print(f'{checks - len(failures)} passed, {len(failures)} failed')
for f in failures:
    print('FAIL', f)
sys.exit(1 if failures else 0)
