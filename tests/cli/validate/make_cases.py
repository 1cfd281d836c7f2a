#!/usr/bin/env python3
"""Writes the synthetic inputs of the smx validate golden cases (tests/cli/validate/*/).

Run from anywhere: python3 tests/cli/validate/make_cases.py. Each case gets `args` and its input
files (ISO-2022-JP unless a case is about the charset); expectations are blessed with
SMX_BLESS=1 ctest -R cli.validate and reviewed. One clean tree passes every rule; every other
case breaks one rule (or one family of rules) so each rule has a passing and a failing input.
"""
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
PID = "1234567"

# A clean OML-11 (OUL^R22) message, segments as lists of fields (index = HL7 field number).
def base():
    return [
        ["MSH", "^~\\&", "HIS", "SEND", "GW", "RCV", "20240101093000.123", "", "OUL^R22^OUL_R22", "M0001", "P", "2.5",
         "", "", "", "", "", "~ISO IR87", "", "ISO 2022-1994", "SS-MIX2_1.20^SS-MIX2^1.2.392.200250.2.1.100.1.2.120^ISO"],
        ["PID", "0001", "", PID + "^^^^PI", "", "患者^太郎^^^^^L^I~カンジャ^タロウ^^^^^L^P", "", "19700405", "M"],
        ["PV1", "0001", "O", "01^^^^^C", "", "", "", "", "", "", "01"],
        ["SPM", "1", "000000001219001", "", "023^血清^JC10"] + [""] * 12 + ["20240101080000"],
        ["OBR", "1", "000000000012345", "", "E001^血液学的検査^99O03", "", "", "20240101080000"],
        ["ORC", "SC", "000000000012345"] + [""] * 6 + ["20240101093000"] + [""] * 7 + ["01^内科^99XY1"] + [""] * 11
        + ["O^外来患者オーダ^HL70482"],
        ["OBX", "1", "NM", "3A010000002327101^総蛋白^JC10", "", "7.2", "g/dL^g/dL^99XYZ", "6.7-8.3", "N", "", "", "F",
         "", "", "20240101080000"],
    ]

def setf(msg, seg, n, value, occurrence=1):
    seen = 0
    for s in msg:
        if s[0] == seg:
            seen += 1
            if seen == occurrence:
                index = n if seg != "MSH" else n - 1
                while len(s) <= index:
                    s.append("")
                s[index] = value
                return msg
    raise KeyError(seg)

def text(msg):
    out = []
    for s in msg:
        if s[0] == "MSH":
            out.append("MSH|" + "|".join(s[1:]))
        else:
            out.append("|".join(s))
    return "\r".join(out) + "\r"

def name(date="20240101", dtype="OML-11", order="000000000012345", ts="20240101093000123", dept="01", flag=1, pid=PID):
    return f"{pid}_{date}_{dtype}_{order}_{ts}_{dept}_{flag}"

def tree_path(root, file_name, pid=PID, date="20240101", dtype="OML-11"):
    return os.path.join(root, pid[0:3], pid[3:6], pid, date, dtype, file_name)

def write(path, content, encoding="iso2022_jp"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(content if isinstance(content, bytes) else content.encode(encoding))

def case(name_, args, files):
    d = os.path.join(HERE, name_)
    for entry in os.listdir(d) if os.path.isdir(d) else []:
        p = os.path.join(d, entry)
        if entry.startswith("expected.") or entry == "site.yaml" or entry == "broken.yaml":
            continue
        shutil.rmtree(p) if os.path.isdir(p) else os.remove(p)
    os.makedirs(d, exist_ok=True)
    for rel, content in files.items():
        write(os.path.join(d, rel), *content) if isinstance(content, tuple) else write(os.path.join(d, rel), content)
    with open(os.path.join(d, "args"), "w") as f:
        f.write("\n".join(args) + "\n")

def adt00():
    return [
        ["MSH", "^~\\&", "HIS", "SEND", "GW", "RCV", "20240101100000", "", "ADT^A08^ADT_A01", "M0002", "P", "2.5",
         "", "", "", "", "", "~ISO IR87", "", "ISO 2022-1994"],
        ["EVN", "", "20240101100000"],
        ["PID", "0001", "", PID + "^^^^PI", "", "患者^太郎^^^^^L^I", "", "19700405", "M"],
        ["PV1", "0001", "O", "", "", "", "", "", "", "", "01"],
    ]

def main():
    # --- the passing input for every rule: a clean tree (history + current + deletion keys) ---
    clean = {}
    older = base()
    setf(older, "MSH", 7, "20240101090000")
    clean[tree_path("tree", name(ts="20240101090000000", flag=2))] = text(older)
    clean[tree_path("tree", name())] = text(base())
    clean[tree_path("tree", name(date="-", dtype="ADT-00", order="9" * 15, ts="20240101100000000"), date="-",
                    dtype="ADT-00")] = text(adt00())
    deleted = base()
    setf(deleted, "MSH", 7, "20240101110000")
    setf(deleted, "ORC", 2, "000000000012399")
    setf(deleted, "OBR", 2, "000000000012399")
    clean[tree_path("tree", name(order="000000000012399", ts="20240101110000000", flag=0))] = text(deleted)
    setf(deleted, "MSH", 7, "20240101100000")
    clean[tree_path("tree", name(order="000000000012399", ts="20240101100000000", flag=0))] = text(deleted)
    case("clean-tree", ["validate", "@CASE@/tree"], clean)
    case("clean-tree-jobs", ["validate", "-j", "3", "@CASE@/../clean-tree/tree"], {})

    # --- HL7 structure ---
    def single(case_name, msg, extra_args=(), file_name=None, encoding="iso2022_jp"):
        fn = file_name or name()
        case(case_name, ["validate", *extra_args, "@CASE@/" + fn], {fn: (text(msg), encoding)})

    m = base(); m.insert(3, ["OBX", "1", "NM", "3A010000002327101^総蛋白^JC10", "", "1", "", "", "", "", "", "F"])
    single("seg-order", m)
    m = base(); del m[3]  # no SPM: a required group is missing
    single("seg-missing", m)
    m = base(); setf(m, "MSH", 9, "ZZZ^Z99^ZZZ_Z99")
    single("structure-unknown", m, file_name="message.hl7")
    m = base(); setf(m, "MSH", 9, "OUL^R22")
    single("msh9-no-structure", m)
    m = base(); setf(m, "MSH", 12, "2.4")
    single("version", m)
    m = base(); setf(m, "OBX", 11, ""); setf(m, "PID", 8, "")
    single("required", m)

    # --- data types ---
    m = base(); setf(m, "OBX", 14, "20241301"); setf(m, "PID", 7, "1970-04-05")
    single("dt-dtm", m)
    m = base(); setf(m, "OBX", 14, "202401012430")
    single("dt-dtm-hour24", m)
    m = base(); setf(m, "OBX", 5, "1.3E+2")
    m.append(["OBX", "2", "NM", "3A015000002327101^アルブミン^JC10", "", "4,9", "g/dL^g/dL^99XYZ", "", "", "", "", "F"])
    single("dt-nm", m)
    m = base(); setf(m, "OBX", 1, "A")
    single("dt-si", m)
    m = base(); setf(m, "OBX", 6, "g/dL")
    single("dt-cwe", m)
    m = base(); setf(m, "PID", 3, "^^^^PI")
    single("dt-cx", m)
    m = base(); setf(m, "PID", 5, "^太郎^^^^^L^I~カンジャ^タロウ")
    single("dt-xpn", m)
    m = base(); setf(m, "OBX", 2, "")
    single("obx-value-type", m)

    # --- tables and expected values ---
    m = base(); setf(m, "OBX", 8, "ZZ"); setf(m, "OBX", 11, "Q"); setf(m, "MSH", 18, "~ISO IR99")
    setf(m, "MSH", 20, "ISO 9999"); setf(m, "ORC", 29, "X^不明^HL70482")
    m.append(["OBX", "2", "XX", "3A015000002327101^アルブミン^JC10", "", "4.9", "g/dL^g/dL^99XYZ", "", "", "", "", "F"])
    single("tables", m)
    m = base(); setf(m, "MSH", 18, "~ISOIR87"); setf(m, "MSH", 20, "ISO2022-1994")
    setf(m, "MSH", 21, "SS-MIX2_1.20_h^SS-MIX2^1.2.392.200250.2.1.100.1.2.120^ISO")
    single("msh-spelling", m)
    m = base(); setf(m, "MSH", 21, "SS -MIX2_0.96^SS -MIX2^1.2.392.200250. 2.1.100.1.2. 96 ^ISO")
    single("msh21", m)

    # --- escapes ---
    m = base(); setf(m, "OBX", 2, "ST"); setf(m, "OBX", 5, "a\\Q\\b"); setf(m, "OBX", 7, "\\X4\\")
    m.append(["NTE", "1", "", "unterminated \\F"])
    single("escapes", m)
    m = base(); setf(m, "OBX", 6, "m\\S\\2^m\\S\\2^99XYZ")
    single("escapes-ok", m)

    # --- SS-MIX2 content rules ---
    m = base(); setf(m, "OBX", 2, "SN"); setf(m, "OBX", 5, "^100")
    single("obx2-type", m)
    m = base()
    setf(m, "OBX", 3, "3A01000000232710^総蛋白^JC10")
    m.append(["OBX", "2", "NM", "ABCDE000002327101^総蛋白^JC10", "", "1", "g/dL^g/dL^99XYZ", "", "", "", "", "F"])
    m.append(["OBX", "3", "NM", "99999999999999999^未コード^JC10", "", "1", "g/dL^g/dL^99XYZ", "", "", "", "", "F"])
    m.append(["OBX", "4", "ST", "1234^local^99XYZ^3A0100000023271^総蛋白^JC10", "", "x", "", "", "", "", "", "F"])
    single("jlac10", m)

    # --- charsets ---
    case("charset-utf8", ["validate", "@CASE@/" + name()], {name(): (text(base()), "utf-8")})
    m = base(); setf(m, "OBX", 5, "")
    setf(m, "OBX", 2, "ST")
    msg = text(m).encode("cp932")
    msg = msg.replace(b"OBX|1|ST|", b"OBX|1|ST|").replace(b"||g/dL", b"|\xb6\xc5 \x87\x40|g/dL")
    case("charset-sjis", ["validate", "@CASE@/" + name()], {name(): (msg, None)})

    # --- name <-> content ---
    files = {}
    m = base(); setf(m, "PID", 3, "7654321^^^^PI")
    files[name()] = text(m)                                             # SSMX-PATIENT-ID
    files[name(pid="1234568")] = text(setf(base(), "PID", 3, "1234568"))  # SSMX-PID3-TYPE
    m = base(); setf(m, "PID", 3, "3456789^^^^PI"); setf(m, "MSH", 9, "ADT^A08^ADT_A01")
    files[name(pid="3456789")] = text(m)                               # SSMX-DATA-TYPE
    m = base(); setf(m, "PID", 3, "4567890^^^^PI"); setf(m, "SPM", 17, "20231231235900")
    files[name(pid="4567890")] = text(m)                               # SSMX-CARE-DATE
    m = base(); setf(m, "PID", 3, "5678901^^^^PI"); setf(m, "SPM", 17, "")
    files[name(pid="5678901")] = text(m)                               # SSMX-CARE-DATE-SOURCE
    m = base(); setf(m, "PID", 3, "6789012^^^^PI")
    files[name(pid="6789012", order="000000000054321")] = text(m)      # SSMX-ORDER-NUMBER
    m = base(); setf(m, "PID", 3, "7890123^^^^PI")
    files[name(pid="7890123", ts="20240101093000999")] = text(m)       # SSMX-TIMESTAMP
    m = base(); setf(m, "PID", 3, "8901234^^^^PI"); setf(m, "MSH", 7, "202401010930")
    files[name(pid="8901234", ts="20240101093000000")] = text(m)       # SSMX-MSH7-PRECISION
    m = base(); setf(m, "PID", 3, "9012345^^^^PI")
    files[name(pid="9012345", dept="02")] = text(m)                    # SSMX-DEPT
    m = base(); setf(m, "PID", 3, "0123456^^^^PI")
    files[name(pid="0123456")] = text(m) + text(m)                     # SSMX-ONE-MESSAGE
    m = base(); setf(m, "PID", 3, "1234567890123456^^^^PI")
    files[name(pid="1234567890123456")] = text(m)                      # SSMX-PATIENT-LONG, SSMX-LENGTH
    case("name-content", ["validate"] + ["@CASE@/" + f for f in sorted(files)], files)
    case("name-content-phi", ["validate", "--show-phi"] + ["@CASE@/../name-content/" + f for f in sorted(files)][:1]
         + ["@CASE@/../name-content/" + name(pid="4567890")], {})

    # --- tree and names ---
    t = {}
    t["tree/123/456/1234567/20240101/OML-11/" + name(pid="1234999")] = text(base())              # SSMX-PATH-PATIENT
    t["tree/123/456/1234567/20240102/OML-11/" + name()] = text(base())                           # SSMX-PATH-DATE
    t["tree/123/456/1234567/20240101/OML-01/" + name()] = text(base())                           # SSMX-PATH-TYPE
    t["tree/123/456/1234567/20240101/" + name()] = text(base())                                  # SSMX-PATH-DEPTH
    t["tree/123/456/1234567/20240101/OML-11/" + name() + ".hl7"] = text(base())                  # SSMX-NAME-EXTENSION
    t["tree/123/456/1234567/20240101/OML-11/" + name(ts="2024010109300012", flag=3)] = text(base())  # WIDTH, FLAG
    t["tree/123/456/1234567/20240101/OML-11/" + name(dept="0001", order="00000000001234A")] = text(base())
    t["tree/123/456/1234567/20240101/OML-11/1234567_20240101_OML-11_x"] = text(base())          # SSMX-NAME-FIELDS
    t["tree/123/456/1234567/20240101/OML-12/" + name(dtype="OML-12")] = text(base())             # TYPE-UNKNOWN
    t["tree/123/456/1234567/20240101/ADT-00/" + name(dtype="ADT-00")] = text(adt00())            # DATE-TYPE
    t["tree/123/4/1234/20240101/OML-11/" + name(pid="1234")] = text(setf(base(), "PID", 3, "1234^^^^PI"))  # SHORT
    case("tree-names", ["validate", "@CASE@/tree"], t)

    # --- condition-flag lifecycle ---
    lc = {}
    def v(ts, flag, order="000000000012345"):
        m = base(); setf(m, "MSH", 7, ts[:14] + "." + ts[14:]); setf(m, "ORC", 2, order); setf(m, "OBR", 2, order)
        lc[tree_path("tree", name(ts=ts, flag=flag, order=order))] = text(m)
    v("20240101090000000", 1); v("20240101093000123", 1)                       # two current: LIFECYCLE
    v("20240101080000000", 1, "000000000000002"); v("20240101081000000", 0, "000000000000002")  # DELETED
    v("20240101080000000", 1, "000000000000003"); v("20240101090000000", 2, "000000000000003")  # HISTORY newer
    v("20240101080000000", 2, "000000000000004")                                                # HISTORY alone
    case("flag-lifecycle", ["validate", "@CASE@/tree"], lc)

    # --- --deidentified (issue 13): smx deid writes the tree, validate checks it with and without ---
    # (no ';' in args: CMake reads the file as a list)
    # One order's results on 2 and 4 July 2024 (one key once safe-harbor keeps only the year: any
    # shift within the default ±180 days keeps both in one year), a
    # patient of 90 or over (ppc-anon removes the birth date) whose PID-8 is also empty (a real
    # error the option must leave alone).
    dt = {}
    for day, ts in (("20240702", "20240702093000123"), ("20240704", "20240704093000123")):
        m = base()
        setf(m, "MSH", 7, ts[:14] + "." + ts[14:])
        for seg, n in (("SPM", 17), ("OBR", 7), ("OBX", 14)):
            setf(m, seg, n, day + "080000")
        setf(m, "ORC", 9, day + "093000")
        dt[tree_path("tree", name(date=day, ts=ts), date=day)] = text(m)
    old = base()
    old_pid = "7654321"
    setf(old, "PID", 3, old_pid + "^^^^PI")
    setf(old, "PID", 7, "19300405")
    setf(old, "PID", 8, "")
    dt[tree_path("tree", name(pid=old_pid), pid=old_pid)] = text(old)
    def deidentified(profile):
        return ["@SH@",
                f"@SMX@ deid -q --key @SOURCE@/tests/data/deid/test.key --tables @SOURCE@ --profile {profile} -o @TMP@/out "
                f"@CASE@/../deidentified-safe-harbor/tree && (@SMX@ validate --tables @SOURCE@ @TMP@/out 2>&1 || echo \"plain: exit $?\") && "
                f"(@SMX@ validate --tables @SOURCE@ --deidentified {profile} @TMP@/out 2>&1 || echo \"deidentified: exit $?\")"]
    case("deidentified-safe-harbor", deidentified("safe-harbor"), dt)
    case("deidentified-ppc-anon", deidentified("ppc-anon"), {})
    case("deidentified-unknown", ["validate", "--deidentified", "no-such-profile", "@CASE@/../deidentified-safe-harbor/tree"], {})

if __name__ == "__main__":
    main()
