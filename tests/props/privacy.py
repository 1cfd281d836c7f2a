#!/usr/bin/env python3
"""Privacy (issue 6): diagnostics carry no patient names, IDs or addresses unless --show-phi.
Collects PID-5 name parts, PID-3 IDs and PID-11 address parts from every corpus message with
`smx get`, then runs the message-reading commands over the corpora and checks their stderr.
File paths are printed as they are (SS-MIX2 paths hold patient IDs by design), so names, IDs
and addresses are searched in the diagnostic text after the path."""
import os, re, subprocess, sys

smx, corpus, tmp = sys.argv[1], sys.argv[2], sys.argv[3]
source = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
inputs = [os.path.join(corpus, 'ssmix2-dtt'), os.path.join(corpus, 'hl7v2')]
files = []
for root in inputs:
    for d, _, names in os.walk(root):
        files += [os.path.join(d, n) for n in sorted(names)]
files.sort()

def run(args):
    return subprocess.run([smx] + args, capture_output=True)

names, ids = set(), set()
fields = ['PID-5.1', 'PID-5.2', 'PID-5[2].1', 'PID-5[2].2', 'PID-3.1', 'PID-11.1', 'PID-11.3', 'PID-11.4']
r = run(['get'] + fields + files)
for line in r.stdout.decode('utf-8', 'replace').splitlines():
    cells = line.split('\t')
    for i, c in enumerate(cells):
        c = c.strip()
        if len(c) < 3 and not re.search(r'[^\x00-\x7f]', c):
            continue  # too short to be meaningful (e.g. "A")
        if len(c) < 2:
            continue
        (ids if fields[i] == 'PID-3.1' else names).add(c)
# Name parts that are also ordinary words of diagnostics (fuzzed samples put segment names and
# test words into PID-5): these are not personal data.
names = {n for n in names if not re.fullmatch(r'[A-Za-z0-9]{1,4}', n)} - {'Test', 'TEST', 'test'}

commands = [
    ['cat'] + inputs,
    ['get', 'OBX[*]-5', 'PID-8'] + inputs,
    ['grep', 'PID-8=M'] + inputs,
    ['validate'] + inputs,
    ['labnorm', '--tables', source] + inputs,
    ['flat'] + inputs,
    ['ls', os.path.join(corpus, 'ssmix2-dtt')],
]
failures, lines_checked = [], 0
for args in commands:
    r = run(args)
    for line in r.stderr.decode('utf-8', 'replace').splitlines():
        lines_checked += 1
        m = re.search(r': (error|warning|note): ', line)
        text = line[m.end():] if m else line
        for n in names:
            if n in text:
                failures.append(f'smx {args[0]}: name {n!r} in: {line[:200]}')
        for i in ids:
            if re.search(r'(?<![0-9A-Za-z])' + re.escape(i) + r'(?![0-9A-Za-z])', text):
                failures.append(f'smx {args[0]}: patient ID {i!r} in: {line[:200]}')
print(f'{len(names)} names and {len(ids)} IDs searched in {lines_checked} diagnostic lines')
print(f'{lines_checked - len(failures)} passed, {len(failures)} failed')
for f in failures[:50]:
    print('FAIL', f)
sys.exit(1 if failures else 0)
