#!/usr/bin/env python3
"""smx deid on a generated tree with planted identifiers (`smx gen --phi`, issue 13).

The tree: 4 facilities (H01 ISO-2022-JP; the others UTF-8 or Shift_JIS as drawn from the seed),
names in kanji, kana, romaji and half-width kana, addresses, phone numbers in half- and
full-width digits, insurer numbers (IN1), next of kin (NK1), doctors' names (XCN), the name in
an NTE and an OBX TX comment with the patient ID, a Z-segment (ZPI). The planted values are read
back from the input (`smx cat`), so the test follows what gen writes. After `smx deid -o OUT`
with every built-in profile:
  - a byte search for every planted value, in UTF-8, ISO-2022-JP (with and without its escape
    sequences), CP932 and half/full-width forms, over every output file, file name and the audit
    finds nothing; no ZPI, NK1 or NTE segment is left;
  - `smx validate OUT` reports no error code the input did not have, besides the exceptions
    smx-deid(1) documents (EXPECTED below).
Usage: deid_gen.py SMX CORPUS TMPDIR"""
import json, os, re, shutil, subprocess, sys, unicodedata

smx, tmp = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[3])
source = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
key = os.path.join(source, 'tests', 'data', 'deid', 'test.key')
shutil.rmtree(tmp, ignore_errors=True)
os.makedirs(tmp)
failures, checks = [], 0


def check(ok, what):
    global checks
    checks += 1
    if not ok:
        failures.append(what)


def run(args):
    return subprocess.run([smx] + args, capture_output=True)


tree = os.path.join(tmp, 'in')
r = run(['gen', '--patients', '24', '--facilities', '4', '--seed', '13', '--phi', '--tables', source, '-o', tree])
check(r.returncode == 0, f'gen --phi: exit {r.returncode}: {r.stderr.decode()[:300]}')
roots = sorted(os.path.join(tree, d) for d in os.listdir(tree) if re.fullmatch(r'H\d\d', d))
messages = [json.loads(line) for line in run(['cat'] + roots).stdout.decode().splitlines()]
charsets = {m['charset'] for m in messages}
check({'ISO-2022-JP', 'Shift_JIS'} <= charsets, f'gen --phi: charsets {sorted(charsets)}')


def field(segment, n):
    parts = segment.split('|')
    return parts[n] if n < len(parts) else ''


def unescape(text):
    return text.replace('\\S\\', '^').replace('\\T\\', '&').replace('\\R\\', '~').replace('\\E\\', '\\')


def names(xpn):
    """Every repetition of an XPN/XCN as 'F^G' ('F G' and 'FG' are added below)."""
    out = set()
    for rep in xpn.split('~'):
        parts = rep.split('^') + ['', '']
        family, given = (parts[0], parts[1]) if parts[0] and not parts[0].isdigit() else (parts[1], parts[2])
        if family and given:
            out.add(family + '^' + given)
    return out


planted = set()
for m in messages:
    for seg in m['hl7'].split('\r'):
        kind = seg[:3]
        if kind == 'PID':
            planted.add(field(seg, 3).split('^')[0])
            planted |= names(field(seg, 5))
            if field(seg, 7)[:4] < '2023':  # later births could meet a shifted care date by chance
                planted.add(field(seg, 7))
            address = field(seg, 11).split('^')
            if len(address) > 7:
                planted |= {address[4], address[7], address[7][-9:]}
            planted |= {field(seg, 13).split('^')[0], field(seg, 14).split('^')[0]}
        elif kind == 'NK1':
            planted |= names(field(seg, 2)) | {field(seg, 5).split('^')[0]}
        elif kind == 'IN1':
            planted |= {field(seg, 3).split('^')[0]} | names(field(seg, 16))
        elif kind == 'ZPI':
            planted |= {unescape(f) for f in seg.split('|')[2:]}
        elif kind == 'NTE' or (kind == 'OBX' and field(seg, 2) == 'TX'):
            planted.add(unescape(field(seg, 3 if kind == 'NTE' else 5)))
        elif kind in ('ORC', 'PV1'):
            planted |= names(field(seg, 12 if kind == 'ORC' else 7))
planted.discard('')
raw = set(planted)  # as typed into the input; the forms below are how it may be retyped
for v in raw:
    if re.fullmatch(r'[^^]+\^[^^]+', v):
        planted |= {v.replace('^', ' '), v.replace('^', '')}
    if re.fullmatch(r'\d{3}-\d{4}', v):
        planted.add(v.replace('-', ''))
check(len(planted) > 200, f'only {len(planted)} planted values read back')
check(any(re.search('[\uff66-\uff9f]', v) for v in planted), 'no half-width kana planted')
check(any(re.search('[\uff10-\uff19]', v) for v in planted), 'no full-width digits planted')

# Half-width kana of each full-width one (NFKC maps the half-width forms back).
HALF = {}
for c in range(0xFF66, 0xFF9E):
    for suffix in ('', '\uff9e', '\uff9f'):
        full = unicodedata.normalize('NFKC', chr(c) + suffix)
        if len(full) == 1:
            HALF.setdefault(full, chr(c) + suffix)


def forms(value):
    texts = {value, unicodedata.normalize('NFKC', value), ''.join(HALF.get(c, c) for c in value)}
    wide = ''.join(chr(ord(c) + 0xFEE0) if '!' <= c <= '~' else c for c in value)
    texts |= {wide, wide.replace('\uff0d', '\u2212')}
    out = set()
    for t in texts:
        for codec in ('utf-8', 'iso2022_jp', 'cp932'):
            try:
                b = t.encode(codec)
            except UnicodeEncodeError:
                continue
            out.add(b)
            if codec == 'iso2022_jp':  # inside a longer text the escapes may sit elsewhere
                out.add(b.replace(b'\x1b$B', b'').replace(b'\x1b(B', b''))
                out.add(b.removeprefix(b'\x1b$B').removesuffix(b'\x1b(B'))  # 'F^G': escapes around '^'
    return {b for b in out if len(b) >= 4}


needles = {}
for v in planted:
    for b in forms(v):
        needles.setdefault(b, set()).add(v)  # one byte form may stand for several values


def error_codes(root_args):
    r = run(['validate'] + root_args)
    text = (r.stdout + r.stderr).decode()
    codes = set(re.findall(r'error: \[([A-Z0-9-]+)\]', text))
    # HL7-REQUIRED only on PID-7 (its own class here: ppc-anon removes the birth date at 90+).
    if codes & {'HL7-REQUIRED'} and not re.search(r':(?!PID-7:)[A-Z0-9]{3}-\d+: error: \[HL7-REQUIRED\]', text):
        codes = (codes - {'HL7-REQUIRED'}) | {'HL7-REQUIRED(PID-7)'}
    return codes


# Documented in smx-deid(1), PROFILES: ppc-anon removes the birth date of patients aged 90 or
# over (PID-7 then empty where validate requires it); safe-harbor cuts every date to the year, so
# care-date folders no longer match the message and one patient's visits of a year share a key.
EXPECTED = {'ppc-anon': {'HL7-REQUIRED(PID-7)'}, 'safe-harbor': {'SSMX-CARE-DATE', 'SSMX-FLAG-LIFECYCLE'}}


# The search itself works: every planted value is found in the input tree in some form.
input_blobs = [open(os.path.join(d, n), 'rb').read() for root in roots for d, _, ns in os.walk(root) for n in ns]
found = {v for b, vs in needles.items() if any(b in data for data in input_blobs) for v in vs}
check(raw <= found, f'planted values not found in the input: {sorted(raw - found)[:5]}')

input_errors = error_codes(roots)
for profile in ('ppc-anon', 'ppc-pseudo', 'jisedai-pseudo', 'safe-harbor'):
    out = os.path.join(tmp, 'out-' + profile)
    r = run(['deid', '--key', key, '--tables', source, '--profile', profile, '--audit', out + '.audit', '-o', out]
            + roots)
    check(r.returncode == 0, f'{profile}: exit {r.returncode}: {r.stderr.decode()[:300]}')
    files = [os.path.join(d, n) for d, _, ns in os.walk(out) for n in ns]
    check(len(files) > 300, f'{profile}: {len(files)} files written')
    blobs = [(os.path.relpath(f, out), open(f, 'rb').read() + b'\n' + os.path.relpath(f, out).encode())
             for f in files]
    blobs.append(('audit', open(out + '.audit', 'rb').read()))
    blobs.append(('stderr', r.stderr))
    for name, data in blobs:
        leaked = sorted(min(v) for b, v in needles.items() if b in data)
        check(not leaked, f'{profile}: planted values {leaked[:3]} found in {name}')
        for seg in (b'\rZPI|', b'\rNK1|', b'\rNTE|'):  # IN1 stays, generalized (法別番号)
            check(seg not in data, f'{profile}: {seg[1:4].decode()} segment left in {name}')
    new_errors = error_codes([out]) - input_errors - EXPECTED.get(profile, set())
    check(not new_errors, f'{profile}: smx validate reports new error classes {sorted(new_errors)}')
    check(any(b'\x1b$B' in open(f, 'rb').read() for f in files), f'{profile}: no ISO-2022-JP text written back')

print(f'deid_gen: {len(planted)} planted values, {len(needles)} byte forms, {checks} checks, '
      f'{len(failures)} failures')
for f in failures[:30]:
    print('FAIL', f)
sys.exit(1 if failures else 0)
