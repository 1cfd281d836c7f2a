#!/usr/bin/env python3
"""smx deid on a tree with planted identifiers (issue 13, "What must be shown").

A synthetic SS-MIX2 tree (two invented patients; one in ISO-2022-JP, one in Shift_JIS) carries
names in kanji, kana, half-width kana and romaji, addresses, phone numbers in half- and
full-width digits, insurer and card numbers, next of kin, doctors' names, the patient's name in
NTE and an OBX TX comment, a Z-segment and the patient ID inside OBX-5 text. After
`smx deid -o OUT` with every built-in profile:
  - a byte search for every planted value over every output file and file name, in UTF-8,
    ISO-2022-JP, CP932 (ICU converters through uconv) and half/full-width forms, finds nothing;
  - `smx validate OUT` reports no error code the input did not have;
  - the ISO-2022-JP patient's files are still ISO-2022-JP, with MSH-18 as sent.
Consistency: two runs give the same tree; another key shares no patient folder; one pseudonym
and shift per patient across files; admission->discharge interval and lab rows byte-identical;
`labnorm | deid` and `deid | labnorm` give the same lab rows.
Usage: deid.py SMX CORPUS TMPDIR"""
import datetime, os, re, shutil, subprocess, sys

smx, corpus, tmp = os.path.abspath(sys.argv[1]), sys.argv[2], os.path.abspath(sys.argv[3])
source = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
key = os.path.join(source, 'tests', 'data', 'deid', 'test.key')
other_key = os.path.join(source, 'tests', 'data', 'deid', 'other.key')
shutil.rmtree(tmp, ignore_errors=True)
os.makedirs(tmp)
failures, checks = [], 0


def check(ok, what):
    global checks
    checks += 1
    if not ok:
        failures.append(what)


def run(args, **kw):
    return subprocess.run([smx] + args, capture_output=True, **kw)


# ---- the planted tree --------------------------------------------------------------------------
PATIENTS = [
    dict(id='0012345678', charset='iso2022jp', msh18='~ISO IR87', codec='iso2022_jp',
         kanji='山田^太郎', kana='ヤマダ^タロウ', half='ﾔﾏﾀﾞ^ﾀﾛｳ', romaji='YAMADA^TARO',
         birth='19800512', street='霞が関一丁目２番３号', city='千代田区', postal='100-8916',
         phone='03-1234-5678', phone_fw='０３\u2212９８７６\u2212５４３２', insurer='06139876',
         card_symbol='ｱｲｳ12', card_number='3456789', kin='山田^花子', kin_phone='090-1111-2222',
         doctor='佐藤^一郎', doctor_id='D0000771', mail='taro.yamada@example.jp', zvalue='秘密メモ七七七'),
    dict(id='0098765432', charset='shift_jis', msh18='SHIFT_JIS', codec='cp932',
         kanji='鈴木^花子', kana='スズキ^ハナコ', half='ｽｽﾞｷ^ﾊﾅｺ', romaji='SUZUKI^HANAKO',
         birth='19550203', street='梅田三丁目４番５号', city='大阪市北区', postal='530-0001',
         phone='06-2345-6789', phone_fw='０６－８７６５－４３２１', insurer='01270019',
         card_symbol='ｶｷｸ34', card_number='7654321', kin='鈴木^一夫', kin_phone='080-3333-4444',
         doctor='高橋^次郎', doctor_id='D0000882', mail='hanako.suzuki@example.jp', zvalue='秘密メモ八八八'),
]


def planted(p):
    """Every value that must not survive, as typed into the data."""
    values = [p['id'], p['birth'], p['street'], p['city'], p['postal'], p['postal'].replace('-', ''),
              p['phone'], p['phone_fw'], p['insurer'], p['card_symbol'], p['card_number'],
              p['kin_phone'], p['doctor_id'], p['mail'], p['zvalue']]
    for name in (p['kanji'], p['kana'], p['half'], p['romaji'], p['kin'], p['doctor']):
        family, given = name.split('^')
        values += [family + given, family, given]
    return values


def msh(p, stamp, type_, n):
    return (f"MSH|^~\\&|HIS|FAC01|GW|RCV|{stamp}||{type_}|MSG{p['id']}{n}|P|2.5||||||{p['msh18']}"
            "||ISO 2022-1994|SS-MIX2_1.20^SS-MIX2^1.2.392.200250.2.1.100.1.2.120^ISO")


def pid(p):
    names = '~'.join(f"{n}^^^^^L^{t}" for n, t in ((p['kanji'], 'I'), (p['kana'], 'P'), (p['half'], 'P'),
                                                  (p['romaji'], 'A')))
    return (f"PID|0001||{p['id']}^^^^PI||{names}||{p['birth']}|M|||"
            f"{p['street']}^^{p['city']}^東京都^{p['postal']}^JPN^H||{p['phone']}^PRN^PH~{p['phone_fw']}^PRN^PH"
            f"~^NET^Internet^{p['mail']}|{p['phone']}")


def messages(p):
    nk1 = f"NK1|1|{p['kin']}|SPO|{p['street']}^^{p['city']}|{p['kin_phone']}"
    in1 = (f"IN1|1|06^国保^JHSD0001|{p['insurer']}|{p['kanji'].replace('^', '')}共済||||||||||||"
           f"{p['kin']}|SEL||||||||||||||||||||{p['card_symbol']}|{p['card_number']}")
    def pv1(fields):
        values = {1: '0001', 2: 'I', 3: '01^101^1', 7: f"{p['doctor_id']}^{p['doctor']}^^^^^^^L^^^^^I"}
        values.update(fields)
        return 'PV1|' + '|'.join(values.get(n, '') for n in range(1, max(values) + 1))
    pv1_adm = pv1({44: '20240310093000'})
    pv1_dis = pv1({44: '20240310093000', 45: '20240322143015'})
    obx = [
        "OBX|1|NM|3D010000002327101^グルコース^JC10||112|mg/dL^mg/dL^UCUM|70-109|H|||F",
        "OBX|2|NM|3C015000002327101^クレアチニン^JC10||0.81|mg/dL^mg/dL^UCUM|0.65-1.07||||F",
        f"OBX|3|TX|COMMENT^コメント^99XX||患者 {p['kanji'].replace('^', '')} より電話 {p['phone']}||||||F",
        f"OBX|4|ST|COMMENT2^備考^99XX||ID {p['id']} 確認済||||||F",
    ]
    lab = '\r'.join([
        msh(p, '20240311103000', 'OUL^R22^OUL_R22', 3),
        pid(p),
        pv1_adm,
        f"SPM|1|S{p['id']}^^^|||||||||||||||20240311080000",
        "OBR|1|000000000100001^HIS||LAB^検体検査^99XX|||20240311080000",
        f"ORC|SC|000000000100001^HIS|||||||20240311080000|||{p['doctor_id']}^{p['doctor']}",
        f"NTE|1||{p['kanji'].replace('^', '')}さんへ説明済",
    ] + obx + [f"ZPD|1|{p['zvalue']}"])
    adt = '\r'.join([msh(p, '20240310093000', 'ADT^A01^ADT_A01', 1), "EVN||20240310093000", pid(p), nk1, pv1_adm,
                     in1, f"ZPD|1|{p['zvalue']}"])
    dis = '\r'.join([msh(p, '20240322143015', 'ADT^A03^ADT_A03', 2), "EVN||20240322143015", pid(p), pv1_dis])
    return [('ADT-22', '20240310', '999999999999999', '20240310093000000', adt),
            ('ADT-52', '20240322', '999999999999999', '20240322143015000', dis),
            ('OML-11', '20240311', '000000000100001', '20240311103000000', lab)]


def encode(text, p):
    if p['charset'] == 'iso2022jp':
        # SS-MIX2 writes half-width katakana nowhere in ISO-2022-JP (JIS X 0208 only): the
        # half-width name goes into this patient's files as its full-width form.
        import unicodedata
        text = text.replace(p['half'], unicodedata.normalize('NFKC', p['half']))
        text = text.replace(p['card_symbol'], unicodedata.normalize('NFKC', p['card_symbol']))
        return text.encode('iso2022_jp')
    return text.encode('cp932')


tree = os.path.join(tmp, 'tree')
for p in PATIENTS:
    for type_, date, order, stamp, text in messages(p):
        d = os.path.join(tree, p['id'][:3], p['id'][3:6], p['id'], date, type_)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, f"{p['id']}_{date}_{type_}_{order}_{stamp}_01_1"), 'wb') as f:
            f.write(encode(text + '\r', p))

# ---- every form a planted value may take --------------------------------------------------------


def uconv(text, to=None, transliterate=None):
    args = ['uconv', '-f', 'utf-8']
    if to:
        args += ['-t', to, '--callback', 'skip']
    if transliterate:
        args += ['-x', transliterate]
    r = subprocess.run(args, input=text.encode(), capture_output=True)
    return r.stdout if r.returncode == 0 else b''


def forms(value):
    texts = {value}
    for t in ('Fullwidth-Halfwidth', 'Halfwidth-Fullwidth'):
        texts.add(uconv(value, transliterate=t).decode())
    out = set()
    for t in texts:
        if not t:
            continue
        out.add(t.encode())
        for charset in ('ISO_2022,locale=ja,version=0', 'windows-31j', 'ibm-943_P15A-2003'):
            b = uconv(t, to=charset)
            if b:
                out.add(b)
                # inside a longer ISO-2022-JP text the escape sequences may sit elsewhere
                out.add(b.replace(b'\x1b$B', b'').replace(b'\x1b(B', b''))
    return {b for b in out if len(b) >= 4}


needles = {}
for p in PATIENTS:
    for v in planted(p):
        for b in forms(v):
            needles[b] = v


def leaks(root):
    found = []
    for d, _, names in os.walk(root):
        for n in names:
            path = os.path.join(d, n)
            data = open(path, 'rb').read()
            rel = os.path.relpath(path, root).encode()
            for b, v in needles.items():
                if b in data or b in rel:
                    found.append((os.path.relpath(path, root), v))
    return found


def error_codes(root):
    r = run(['validate', root])
    return set(re.findall(r'error: \[([A-Z0-9-]+)\]', (r.stdout + r.stderr).decode()))


input_errors = error_codes(tree)
for profile in ('ppc-anon', 'ppc-pseudo', 'jisedai-pseudo', 'safe-harbor'):
    out = os.path.join(tmp, 'out-' + profile)
    r = run(['deid', '--key', key, '--tables', source, '--profile', profile, '--audit', out + '.audit', '-o', out, tree])
    check(r.returncode == 0, f'{profile}: exit {r.returncode}: {r.stderr.decode()[:300]}')
    files = [os.path.join(d, n) for d, _, ns in os.walk(out) for n in ns]
    iso_files = []
    check(len(files) == 6, f'{profile}: {len(files)} files written, expected 6')
    for f, v in leaks(out):
        check(False, f'{profile}: planted value {v!r} found in {f}')
    audit = open(out + '.audit', 'rb').read()
    for b, v in needles.items():
        check(b not in audit, f'{profile}: planted value {v!r} in the audit file')
    check(open(key, 'rb').read().hex().encode() not in audit and open(key, 'rb').read() not in audit,
          f'{profile}: key in the audit')
    for b, v in needles.items():
        check(b not in r.stderr, f'{profile}: planted value {v!r} in diagnostics')
    new_errors = error_codes(out) - input_errors
    if profile == 'safe-harbor':
        # Documented (smx-deid(1), safe-harbor): dates are cut to the year, so the care-date
        # folder (padded YYYY0101) no longer matches the message's care date.
        new_errors.discard('SSMX-CARE-DATE')
    check(not new_errors, f'{profile}: smx validate reports new error classes {sorted(new_errors)}')
    # ISO-2022-JP written back as ISO-2022-JP, MSH-18 as sent; Shift_JIS as Shift_JIS.
    for f in files:
        data = open(f, 'rb').read()
        if b'ISO IR87' in data:
            iso_files.append(data)
            check(all(c < 0x80 for c in data), f'{profile}: {f} is not ISO-2022-JP (8-bit bytes)')
        if b'SHIFT_JIS' in data:
            check(b'\x1b' not in data and data.decode('cp932', 'replace').count('\ufffd') == 0,
                  f'{profile}: {f} is not Shift_JIS')

    check(any(b'\x1b$B' in data for data in iso_files), f'{profile}: no ISO-2022-JP text (ESC $ B) written back')

# ---- consistency --------------------------------------------------------------------------------


def tree_bytes(root):
    return {os.path.relpath(os.path.join(d, n), root): open(os.path.join(d, n), 'rb').read()
            for d, _, ns in os.walk(root) for n in ns}


again = os.path.join(tmp, 'again')
run(['deid', '--key', key, '--tables', source, '--profile', 'ppc-anon', '-o', again, tree])
check(tree_bytes(again) == tree_bytes(os.path.join(tmp, 'out-ppc-anon')), 'two runs with one key differ')
other = os.path.join(tmp, 'other')
run(['deid', '--key', other_key, '--tables', source, '--profile', 'ppc-anon', '-o', other, tree])
first_levels = lambda root: {rel.split('/')[2] for rel in tree_bytes(root)}
check(not (first_levels(other) & first_levels(again)), 'another key gave a shared patient pseudonym')
check(len(first_levels(again)) == 2, f'expected 2 patient folders, got {first_levels(again)}')

# -j 2: the same tree, audit, stream and diagnostics as -j 1.
jobs2 = os.path.join(tmp, 'jobs2')
r1 = run(['deid', '--key', key, '--tables', source, '--audit', again + '.audit', tree])
r2 = run(['deid', '--key', key, '--tables', source, '-j', '2', '--audit', jobs2 + '.audit', '-o', jobs2, tree])
r3 = run(['deid', '--key', key, '--tables', source, '-j', '2', '--audit', jobs2 + '.audit2', tree])
check(tree_bytes(jobs2) == tree_bytes(again), '-j 2 tree differs from -j 1')
check(r1.stdout == r3.stdout and r1.stderr == r3.stderr, '-j 2 stream or diagnostics differ from -j 1')
check(open(again + '.audit', 'rb').read() == open(jobs2 + '.audit2', 'rb').read(), '-j 2 audit differs from -j 1')

# One pseudonym per patient: folder, name and PID-3 agree in every file; one shift per patient:
# every file's folder date moved by the same number of days.
out = os.path.join(tmp, 'out-ppc-pseudo')
shifts = {}
for rel, data in tree_bytes(out).items():
    parts = rel.split('/')
    pseudonym = parts[2]
    check(parts[0] == pseudonym[:3] and parts[1] == pseudonym[3:6] and parts[5].startswith(pseudonym + '_'),
          f'{rel}: ID folders and name disagree')
    text = data.decode('iso2022_jp' if b'\x1b' in data else 'cp932')
    pid3 = re.search(r'\rPID\|[^|]*\|[^|]*\|([^|^]*)', text).group(1)
    check(pid3 == pseudonym, f'{rel}: PID-3 {pid3} is not the folder pseudonym')
    original_type = parts[4]
    original_date = {'ADT-22': '20240310', 'ADT-52': '20240322', 'OML-11': '20240311'}[original_type]
    shift = (datetime.date.fromisoformat(f'{parts[3][:4]}-{parts[3][4:6]}-{parts[3][6:]}') -
             datetime.date.fromisoformat(f'{original_date[:4]}-{original_date[4:6]}-{original_date[6:]}')).days
    shifts.setdefault(pseudonym, set()).add(shift)
    check(shift != 0, f'{rel}: date not shifted')
    if original_type == 'ADT-52':
        pv1 = re.search(r'\rPV1\|([^\r]*)', text).group(1).split('|')
        admit, discharge = pv1[43], pv1[44]
        fmt = '%Y%m%d%H%M%S'
        interval = datetime.datetime.strptime(discharge, fmt) - datetime.datetime.strptime(admit, fmt)
        check(interval == datetime.datetime(2024, 3, 22, 14, 30, 15) - datetime.datetime(2024, 3, 10, 9, 30),
              f'{rel}: admission->discharge interval changed: {interval}')
    if original_type == 'OML-11':
        check('|112|mg/dL^mg/dL^UCUM|70-109|H|' in text and '|0.81|mg/dL^mg/dL^UCUM|0.65-1.07|' in text,
              f'{rel}: lab values changed')
for pseudonym, s in shifts.items():
    check(len(s) == 1, f'patient {pseudonym}: several shifts {s}')

# labnorm and deid commute on the lab rows.
def pipeline(first, second):
    script = (f"'{smx}' {first} '{tree}' | '{smx}' {second} - | '{smx}' flat -k obs -")
    return subprocess.run(['sh', '-c', script], capture_output=True).stdout
labnorm = f"labnorm --tables '{source}'"
deid = f"deid --key '{key}' --tables '{source}' --profile ppc-pseudo"
a = pipeline(labnorm, deid)
b = pipeline(deid, labnorm)
check(a and a == b, 'labnorm | deid and deid | labnorm give different lab rows')

if failures:
    print(f'{len(failures)} of {checks} checks failed:')
    for f in failures[:40]:
        print('  ' + f)
    sys.exit(1)
print(f'deid: {checks} checks passed ({len(needles)} byte forms of the planted values)')
