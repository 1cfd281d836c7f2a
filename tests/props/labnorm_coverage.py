#!/usr/bin/env python3
"""Properties of smx labnorm over every lab-bearing file of the shared corpora (issue 3):
- groups: the SS-MIX2 DTT sample tree (whole), and the files of hl7v2/FHIR-Converter and
  hl7v2/trusted-intermediary that hold an ORU or OUL message (MSH-9.1, read from the bytes);
- each group: smx cat -> smx labnorm --site auto --coverage FILE --stats=json;
- nothing lost: labnorm read = written + rejected, and read = what cat wrote;
- coverage records are JSON with consistent counts: messages = lab messages in the stream,
  obx = lab OBX (OBX-2 not ED/RP/FT/TX), codes_mapped + unmapped codes = obx, units_mapped +
  unmapped units <= obx, units_converted <= units_mapped, values_parsed + unparsed <= obx;
- idempotence: labnorm of labnorm's output is byte-identical to it.
Usage: labnorm_coverage.py SMX CORPUS TMPDIR [--record FILE]
  --record FILE writes the coverage records, each labelled with its group ("corpus"), to FILE
  (bench/coverage.sh keeps them as bench/coverage-corpora.ndjson)."""
import json, os, re, subprocess, sys

args = sys.argv[1:]
record = None
if '--record' in args:
    i = args.index('--record')
    record = args[i + 1]
    del args[i:i + 2]
smx, corpus, tmp = args
os.makedirs(tmp, exist_ok=True)
tables = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')

def lab_file(path):
    """True when a line of the file is an MSH segment whose MSH-9.1 is ORU or OUL."""
    data = open(path, 'rb').read()
    for line in re.split(rb'[\r\n\x0b\x1c]+', data):
        line = line.lstrip(b'\xef\xbb\xbf')
        if line.startswith(b'MSH') and len(line) > 3:
            fields = line.split(line[3:4])
            if len(fields) > 8 and fields[8].split(b'^')[0] in (b'ORU', b'OUL'):
                return True
    return False

def files_under(rel):
    out = []
    for root, _, names in os.walk(os.path.join(corpus, rel)):
        out += [os.path.join(root, n) for n in names if lab_file(os.path.join(root, n))]
    return sorted(out)

groups = [('ssmix2-dtt', [os.path.join(corpus, 'ssmix2-dtt')]),
          ('hl7v2/FHIR-Converter', files_under('hl7v2/FHIR-Converter')),
          ('hl7v2/trusted-intermediary', files_under('hl7v2/trusted-intermediary'))]

failures = []
records = []
text_types = {'ED', 'RP', 'FT', 'TX'}

def stats_of(stderr):
    lines = [l for l in stderr.decode('utf-8', 'replace').splitlines() if '"kind":"stats"' in l]
    return json.loads(lines[-1]) if lines else None

def lab_counts(stream):
    """Lab messages and lab OBX in an smx stream, counted the way labnorm defines them."""
    messages = obx = 0
    for line in stream.splitlines():
        hl7 = json.loads(line).get('hl7', '')
        segments = [s for s in hl7.split('\r') if s]
        if not segments or not segments[0].startswith('MSH'):
            continue
        sep = segments[0][3]
        component = segments[0][4] if len(segments[0]) > 4 else '^'
        msh = segments[0].split(sep)
        if len(msh) <= 8 or msh[8].split(component)[0] not in ('ORU', 'OUL'):
            continue
        messages += 1
        for s in segments:
            f = s.split(sep)
            if f[0] == 'OBX' and (len(f) < 3 or f[2] not in text_types):
                obx += 1
    return messages, obx

for name, inputs in groups:
    def fail(why):
        failures.append(f'{name}: {why}')
    if not inputs:
        fail('no lab-bearing files found')
        continue
    slug = name.replace('/', '_')
    cat = subprocess.run([smx, 'cat', '--stats=json'] + inputs, capture_output=True)
    if cat.returncode not in (0, 1):
        fail(f'smx cat exit {cat.returncode}: {cat.stderr[-300:]!r}')
        continue
    cat_stats = stats_of(cat.stderr)
    coverage = os.path.join(tmp, slug + '.coverage.ndjson')
    norm = subprocess.run([smx, 'labnorm', '--tables', tables, '--site', 'auto', '--coverage', coverage,
                           '--stats=json'], input=cat.stdout, capture_output=True)
    if norm.returncode not in (0, 1):
        fail(f'smx labnorm exit {norm.returncode}: {norm.stderr[-300:]!r}')
        continue
    stats = stats_of(norm.stderr)
    if stats is None:
        fail('no stats record from labnorm')
        continue
    if stats['read'] != stats['written'] + stats['rejected']:
        fail(f'labnorm read != written + rejected: {stats}')
    if stats['read'] != cat_stats['written'] or stats['read'] != len(cat.stdout.splitlines()):
        fail(f'labnorm read {stats["read"]}, cat wrote {cat_stats["written"]}')
    messages, obx = lab_counts(cat.stdout)
    totals = {'messages': 0, 'obx': 0}
    for line in open(coverage, encoding='utf-8'):
        try:
            c = json.loads(line)
        except ValueError as e:
            fail(f'coverage record is not JSON ({e}): {line[:200]!r}')
            continue
        if c.get('smx') != 1 or c.get('kind') != 'coverage' or not isinstance(c.get('site'), str):
            fail(f'not a coverage record: {line[:200]!r}')
            continue
        counts = ['messages', 'obx', 'codes_mapped', 'units_mapped', 'units_converted', 'values_parsed']
        if not all(isinstance(c.get(k), int) and c[k] >= 0 for k in counts):
            fail(f'site {c["site"]!r}: counts missing or negative: {line[:200]!r}')
            continue
        unmapped_codes = sum(c['unmapped_codes'].values())
        unmapped_units = sum(c['unmapped_units'].values())
        unparsed = sum(c['unparsed_values'].values())
        site = f'site {c["site"]!r}'
        if c['codes_mapped'] + unmapped_codes != c['obx']:
            fail(f'{site}: codes_mapped {c["codes_mapped"]} + unmapped {unmapped_codes} != obx {c["obx"]}')
        if c['units_mapped'] + unmapped_units > c['obx']:
            fail(f'{site}: units_mapped {c["units_mapped"]} + unmapped {unmapped_units} > obx {c["obx"]}')
        if c['units_converted'] > c['units_mapped']:
            fail(f'{site}: units_converted {c["units_converted"]} > units_mapped {c["units_mapped"]}')
        if c['values_parsed'] + unparsed > c['obx']:
            fail(f'{site}: values_parsed {c["values_parsed"]} + unparsed {unparsed} > obx {c["obx"]}')
        if c['obx'] and not c['messages']:
            fail(f'{site}: obx without messages')
        totals['messages'] += c['messages']
        totals['obx'] += c['obx']
        records.append((name, line.rstrip('\n')))
    if totals['messages'] != messages or totals['obx'] != obx:
        fail(f'coverage counts {totals} but the stream holds {messages} lab messages with {obx} lab OBX')
    again = subprocess.run([smx, 'labnorm', '--tables', tables, '--site', 'auto'], input=norm.stdout,
                           capture_output=True)
    if again.returncode not in (0, 1):
        fail(f'second labnorm exit {again.returncode}: {again.stderr[-300:]!r}')
    elif again.stdout != norm.stdout:
        first, second = norm.stdout.splitlines(), again.stdout.splitlines()
        at = next((i for i, (a, b) in enumerate(zip(first, second)) if a != b), min(len(first), len(second)))
        fail(f'labnorm twice != once (first difference at record {at + 1})')
    print(f'{name}: {len(inputs)} inputs, {stats["read"]} messages ({messages} lab, {obx} lab OBX), '
          f'{stats["rejected"]} rejected; idempotent: {again.stdout == norm.stdout}')

if record:
    with open(record, 'w', encoding='utf-8') as out:
        for name, line in records:
            assert line.startswith('{"smx":1,"kind":"coverage",')
            out.write(line.replace('"kind":"coverage",', '"kind":"coverage","corpus":' + json.dumps(name) + ',', 1) + '\n')

for f in failures:
    print('FAIL', f)
print(f'labnorm coverage: {len(groups)} groups, {len(failures)} failures')
sys.exit(1 if failures else 0)
