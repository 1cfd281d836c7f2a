#!/usr/bin/env python3
"""Properties of smx cat over every file of the shared corpora (issue 2, 6):
- nothing lost: read = written + rejected; every MSH-started message is written or rejected;
- rejects hold raw bytes that occur in the input;
- round trip: the er7 output, with segment terminators and blanks removed, is the input's text
  (decoded with iconv for ISO-2022-JP) with the same removed, plus what was rejected;
- idempotence: cat -t er7 of the er7 output, and of the smx stream, gives the same er7 output."""
import base64, collections, json, os, re, subprocess, sys, tempfile

smx, corpus, tmp = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(tmp, exist_ok=True)
rejects_path = os.path.join(tmp, 'rejects.ndjson')
# Lines that start a message the way the framer sees it: MSH then a non-alphanumeric or the end.
msh_line = re.compile(rb'(?:^|[\r\n\x0b\x1c])(?:\xef\xbb\xbf)?MSH(?![A-Za-z0-9])')
# MANIFEST counts lines beginning with "MSH"; these do not start a message for us, documented:
not_a_message = {'hl7v2/nHapi/tests/NHapi.NUnit/TestData/BadInputs/LegacyPipeParser/EncodingNotSupportedException/nullref1'}
strip = re.compile(rb'[\r\n\x0b\x1c \t]')
batch = re.compile(rb'(?:^|(?<=[\r\n\x0b]))(?:FHS|BHS|BTS|FTS)[^\r\n\x1c]*')

def run(args, stdin=None):
    return subprocess.run([smx] + args, input=stdin, capture_output=True)

failures = []
rows = [l.rstrip('\n').split('\t') for l in open(os.path.join(corpus, 'MANIFEST.tsv'), encoding='utf-8')][1:]
for rel, size, msh, eol, bom, charset in rows:
    path = os.path.join(corpus, rel)
    data = open(path, 'rb').read()
    r = run(['cat', '-t', 'er7', '--stats=json', '--rejects', rejects_path, path])
    def fail(why):
        failures.append(f'{rel}: {why}')
    if r.returncode not in (0, 1):
        fail(f'exit {r.returncode}: {r.stderr[-300:]!r}')
        continue
    stats = json.loads(r.stderr.decode('utf-8').strip().splitlines()[-1])
    rejects = [json.loads(l) for l in open(rejects_path, encoding='utf-8')]
    if stats['read'] != stats['written'] + stats['rejected']:
        fail(f'read != written + rejected: {stats}')
    expected = len(msh_line.findall(data))
    if rel not in not_a_message and expected != int(msh):
        fail(f'test rule counts {expected} messages, MANIFEST {msh}')
    message_rejects = sum(1 for j in rejects if j['code'] != 'HL7-NO-MSH' and j.get('part', 1) == 1)
    if stats['written'] + message_rejects != expected:
        fail(f'{stats["written"]} written + {message_rejects} rejected messages != {expected} MSH segments')
    rejected_bytes = b''
    for j in rejects:
        raw = base64.b64decode(j['bytes_base64'])
        if len(raw) != j['bytes'] or raw not in data:
            fail(f'reject bytes are not input bytes: {j["code"]}')
        rejected_bytes += raw
    # Round trip. ISO-2022-JP text is compared after iconv; rejected parts stay raw.
    text = data
    if charset == 'iso-2022-jp':
        # Rejected parts of these files are ASCII, so decoding the whole input is fair.
        decoded = subprocess.run(['iconv', '-f', 'ISO-2022-JP', '-t', 'UTF-8'], input=data, capture_output=True)
        if decoded.returncode == 0:
            text = decoded.stdout
    text = batch.sub(b'', text[3:] if text.startswith(b'\xef\xbb\xbf') else text)
    want = strip.sub(b'', text)
    got = strip.sub(b'', r.stdout)
    if rejects:
        if collections.Counter(want) != collections.Counter(got + strip.sub(b'', rejected_bytes)):
            fail('output + rejects do not hold the input bytes')
    elif want != got:
        fail('er7 output differs from the input beyond segment terminators')
    # Idempotence: er7 -> er7, and stream -> er7.
    again = run(['cat', '-t', 'er7', '-'], stdin=r.stdout)
    if again.stdout != r.stdout:
        fail('cat -t er7 of the er7 output differs')
    stream = run(['cat', path])
    back = run(['cat', '-t', 'er7', '-'], stdin=stream.stdout)
    if back.stdout != r.stdout:
        fail('cat -t er7 of the smx stream differs from cat -t er7')

print(f'{len(rows) - len(failures)} passed, {len(failures)} failed')
for f in failures:
    print('FAIL', f)
sys.exit(1 if failures else 0)
