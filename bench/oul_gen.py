#!/usr/bin/env python3
"""Writes N synthetic SS-MIX2 OUL^R22 lab messages (raw HL7, CR-terminated segments, one message
after another) for bench/labnorm.sh, from the shipped tables so labnorm has real work to do:
every analyte of mappings/analytes.yaml with a canonical unit, each OBX with a unit spelling drawn
from units/aliases.yaml (global and the analyte's own) or the UCUM codes the analyte accepts
(canonical, alternative units), varied values (plain, comparators, exponents, some text) and
ranges ("a-b", "<x", sex-specific), sender flags that agree with value and range except for 2%.
Deterministic for a given seed.

Usage: oul_gen.py N [SEED] > FILE     (OBX per message: 8-24, mean 16)"""
import os, random, sys

import yaml

here = os.path.dirname(os.path.abspath(__file__))
repo = os.path.dirname(here)
n = int(sys.argv[1])
rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 1)

analytes = yaml.safe_load(open(os.path.join(repo, 'mappings/analytes.yaml'), encoding='utf-8'))['analytes']
aliases = yaml.safe_load(open(os.path.join(repo, 'units/aliases.yaml'), encoding='utf-8'))
by_target = {}
for spelling, ucum in (aliases.get('global') or {}).items():
    by_target.setdefault(ucum, []).append(spelling)

items = []  # (analyte code, name, [unit spellings])
for code, a in analytes.items():
    unit = a.get('unit')
    if not unit:
        continue
    accepted = [unit] + list(a.get('alternative_units') or [])
    spellings = list(accepted)
    for target in accepted:
        spellings += by_target.get(target, [])
    for spelling, target in ((aliases.get('by_analyte') or {}).get(code) or {}).items():
        if target in accepted:
            spellings.append(spelling)
    items.append((code, a.get('name_ja', code), sorted(set(spellings))))

def escape(text):
    return (text.replace('\\', '\\E\\').replace('|', '\\F\\').replace('^', '\\S\\')
            .replace('&', '\\T\\').replace('~', '\\R\\'))

def number():
    v = rng.choice([rng.uniform(0.1, 10), rng.uniform(10, 300), rng.uniform(0.01, 1)])
    text = f'{v:.{rng.choice([0, 1, 2])}f}'
    return text, float(text)

def value():
    """OBX-5 text and its number when it is a plain number."""
    r = rng.random()
    if r < 0.80:
        return number()
    if r < 0.88:
        return rng.choice(['<', '>', '≦', '≧']) + number()[0], None
    if r < 0.93:
        return f'{rng.uniform(1, 9):.1f}E+{rng.randint(1, 3)}', None
    if r < 0.97:
        return rng.choice(['陰性', '(-)', '±', '(2+)', '3+']), None
    return '検体不足', None

def reference_range(sex):
    """OBX-7 text and the limits that apply to a patient of `sex` (None: no flag from them)."""
    r = rng.random()
    low = round(rng.uniform(0.1, 100), 1)
    high = round(low * rng.uniform(1.2, 3), 1)
    if r < 0.70:
        return f'{low:.1f}-{high:.1f}', (low, high)
    if r < 0.80:
        return f'<{high:.1f}', None
    if r < 0.90:
        f_low, f_high = round(low * 0.9, 1), round(high * 0.9, 1)
        return f'M:{low:.1f}-{high:.1f} F:{f_low:.1f}-{f_high:.1f}', (low, high) if sex == 'M' else (f_low, f_high)
    if r < 0.95:
        return f'{low:.1f}～{high:.1f}', (low, high)
    return '', None

def sender_flag(number, limits):
    """The sender's OBX-8: agrees with the range (H/L, N or empty inside it); 2% disagree."""
    if number is None or limits is None:
        return ''
    flag = 'H' if number > limits[1] else 'L' if number < limits[0] else rng.choice(['', 'N'])
    if rng.random() < 0.02:
        flag = rng.choice(['H', 'L'])
    return flag

out = sys.stdout.buffer
for k in range(1, n + 1):
    sex = rng.choice('MF')
    when = f'2026{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 23):02d}{rng.randint(0, 59):02d}'
    order = f'{k:015d}'
    segments = [
        f'MSH|^~\\&|HIS123|SEND|GW|RCV|{when}00||OUL^R22^OUL_R22|{k}|P|2.5||||||UNICODE UTF-8|||SS-MIX2_1.20^SS-MIX2^1.2.392.200250.2.1.100.1.2.120^ISO',
        f'PID|0001||{rng.randint(1, 9999999):07d}^^^^PI||患者^太郎^^^^^L^I||19{rng.randint(30, 99)}0405|{sex}',
        'PV1|0001|O|01^^^^^C',
        f'SPM|1|{order}||023^血清^JC10|||||||||||||{when}',
        f'OBR|1|{order}|{order}|E001^検体検査^99O03|||{when[:8]}|{when[:8]}',
        f'ORC|SC|{order}|{order}||CM',
    ]
    for i in range(1, rng.randint(8, 24) + 1):
        code, name, spellings = rng.choice(items)
        jlac10 = code + '000002327101'
        unit = rng.choice(spellings)
        u = escape(unit)
        unit_field = rng.choice([f'{u}^{u}^99XYZ', u, f'{u}^^ISO+'])
        text, number_value = value()
        range_text, limits = reference_range(sex)
        segments.append(f'OBX|{i}|NM|{jlac10}^{name}^JC10||{escape(text)}|{unit_field}|{escape(range_text)}|'
                        f'{sender_flag(number_value, limits)}|||F|||{when}')
    out.write(('\r'.join(segments) + '\r').encode('utf-8'))
