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
  - `smx validate --deidentified PROFILE OUT` reports no error code the input did not have; plain
    `smx validate OUT` still reports what the profile does by design (BY_DESIGN below, smx-deid(1)
    "Validating the output"), and --deidentified turns exactly those into VAL-DEID-EXPECTED notes;
  - --deidentified cannot hide a real error: a message broken in a de-identified tree (another
    required field emptied, a malformed birth date, a care date of another year) is an error.
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


def validate(root_args, profile=None):
    """(error codes, {code: n} of the VAL-DEID-EXPECTED notes, all output) of smx validate."""
    options = ['--deidentified', profile] if profile else []
    r = run(['validate', '--tables', source, '--max-diagnostics', '0', '--diagnostics', 'json'] + options + root_args)
    check(r.returncode in (0, 1), f'validate {options}: exit {r.returncode}: {r.stderr.decode()[:300]}')
    records = [json.loads(line) for line in r.stdout.decode().splitlines()]
    diags = [d for d in records if d.get('kind') == 'diag']
    errors = {d['code'] for d in diags if d['severity'] == 'error'}
    expected = {}
    for d in diags:
        if d['code'] == 'VAL-DEID-EXPECTED':
            check(d['severity'] == 'note', f'VAL-DEID-EXPECTED as {d["severity"]}')
            expected[d['subject']] = expected.get(d['subject'], 0) + 1
    stats = json.loads(r.stderr.decode().splitlines()[-1])
    if profile:
        check(stats.get('deid_expected') == expected, f'{profile}: stats deid_expected {stats.get("deid_expected")} != {expected}')
    return errors, expected, diags


def errors_at(diags, code, hl7_path):
    return [d for d in diags if d['severity'] == 'error' and d['code'] == code and d.get('hl7_path', '').endswith(hl7_path)]


# What the profiles do by design (smx-deid(1) "Validating the output"): ppc-anon removes the
# birth date at 90 or over (PID-7 empty where validate requires it); safe-harbor cuts every date
# to the year (care-date folder and timestamp padded, a patient's visits of a year in one folder).
BY_DESIGN = {'ppc-anon': {'HL7-REQUIRED'},
             'safe-harbor': {'SSMX-CARE-DATE', 'SSMX-FLAG-LIFECYCLE'}}


# The search itself works: every planted value is found in the input tree in some form.
input_blobs = [open(os.path.join(d, n), 'rb').read() for root in roots for d, _, ns in os.walk(root) for n in ns]
found = {v for b, vs in needles.items() if any(b in data for data in input_blobs) for v in vs}
check(raw <= found, f'planted values not found in the input: {sorted(raw - found)[:5]}')

input_errors, _, _ = validate(roots)
outputs = {}
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
    outputs[profile] = out
    plain_errors, _, plain_diags = validate([out])
    new_plain = plain_errors - input_errors
    check(new_plain == BY_DESIGN.get(profile, set()),
          f'{profile}: plain smx validate reports new error classes {sorted(new_plain)}, '
          f'by design {sorted(BY_DESIGN.get(profile, set()))}')
    if profile == 'ppc-anon':  # only PID-7 is emptied by design
        required = {d.get('hl7_path', '') for d in plain_diags if d['code'] == 'HL7-REQUIRED' and d['severity'] == 'error'}
        check(required == {'PID-7'}, f'{profile}: HL7-REQUIRED at {sorted(required)}')
    deid_errors, expected, _ = validate([out], profile)
    new_errors = deid_errors - input_errors
    check(not new_errors, f'{profile}: smx validate --deidentified reports new error classes {sorted(new_errors)}')
    check(BY_DESIGN.get(profile, set()) <= set(expected),
          f'{profile}: VAL-DEID-EXPECTED for {sorted(expected)}, by design {sorted(BY_DESIGN.get(profile, set()))}')
    print(f'deid_gen: {profile}: new errors without --deidentified {sorted(new_plain)}; '
          f'VAL-DEID-EXPECTED with it {dict(sorted(expected.items()))}')
    if profile in ('ppc-pseudo', 'jisedai-pseudo'):  # full dates, birth date kept: nothing to explain
        check(not expected, f'{profile}: VAL-DEID-EXPECTED {expected}')
    check(any(b'\x1b$B' in open(f, 'rb').read() for f in files), f'{profile}: no ISO-2022-JP text written back')



# --deidentified cannot hide a real error: break one message of a de-identified tree (a UTF-8
# file, so that editing bytes between '|' cannot cut a multi-byte character) and the error shows.
def utf8_files(root, kind):
    for d, _, ns in sorted(os.walk(root)):
        for n in sorted(ns):
            path = os.path.join(d, n)
            data = open(path, 'rb').read()
            if (kind and f'_{kind}_' not in n) or b'\x1b' in data:
                continue
            try:
                data.decode('utf-8')
            except UnicodeDecodeError:
                continue
            yield path, data


def set_field(data, segment, n, value):
    lines = data.split(b'\r')
    for i, line in enumerate(lines):
        if line.startswith(segment + b'|'):
            fields = line.split(b'|')
            fields += [b''] * (n + 1 - len(fields))
            old, fields[n] = fields[n], value
            lines[i] = b'|'.join(fields)
            return b'\r'.join(lines), old
    return data, None


def broken(profile, segment, n, make_value, code, hl7_path, kind='OML-11'):
    """Breaks field n of segment in the first `kind` file where make_value(old) gives a value;
    validate --deidentified must then report `code` at hl7_path as an error."""
    out = outputs.get(profile)
    if not out:
        return
    for path, data in utf8_files(out, kind):
        _, old = set_field(data, segment, n, b'')
        value = make_value(old) if old is not None else None
        if value is None:
            continue
        _, _, before = validate([path], profile)
        check(not errors_at(before, code, hl7_path), f'{profile}: {code} at {hl7_path} before breaking the file')
        new, _ = set_field(data, segment, n, value)
        open(path, 'wb').write(new)
        _, _, after = validate([path], profile)
        open(path, 'wb').write(data)
        print(f'deid_gen: {profile}: {segment.decode()}-{n} broken in one file: '
              f'{len(errors_at(after, code, hl7_path))} {code} error(s) at {hl7_path} with --deidentified')
        check(errors_at(after, code, hl7_path),
              f'{profile}: {segment.decode()}-{n} set to {value!r}: no {code} error at {hl7_path} with --deidentified')
        return
    check(False, f'{profile}: no UTF-8 {kind or ""} file to break {segment.decode()}-{n} in')


# Another required field emptied next to the profile's own; a malformed birth date where the
# profile removed one; a care date of another year than the padded folder under safe-harbor.
broken('ppc-anon', b'PID', 8, lambda old: b'' if old else None, 'HL7-REQUIRED', 'PID-8')
broken('ppc-anon', b'PID', 7, lambda old: b'19X0' if not old else None, 'HL7-DT-DTM', 'PID-7', kind=None)
broken('safe-harbor', b'SPM', 17, lambda old: str(int(old) - 1).encode() if re.fullmatch(rb'\d{4}', old) else None,
       'SSMX-CARE-DATE', 'SPM-17')
broken('safe-harbor', b'SPM', 17, lambda old: old + b'0615' if re.fullmatch(rb'\d{4}', old) else None,
       'SSMX-CARE-DATE', 'SPM-17')

print(f'deid_gen: {len(planted)} planted values, {len(needles)} byte forms, {checks} checks, '
      f'{len(failures)} failures')
for f in failures[:30]:
    print('FAIL', f)
sys.exit(1 if failures else 0)
