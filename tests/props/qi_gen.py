"""smx qi against the truth of smx gen --qi (issue 15).

gen computes every indicator's numerator and denominator per facility and month from its own
timeline (lib/src/gen/qi_events.cpp, never from the HL7 it writes); smx qi reads the tree. They
must agree exactly, for every indicator, facility and month, over 3 facilities and 12 months;
the same through the stream with -j 2; quarters must be the sums of their months for the additive
indicators; --min-cell must suppress exactly the small cells. Usage: qi_gen.py SMX CORPUS TMPDIR
"""
import collections
import csv
import io
import json
import os
import shutil
import subprocess
import sys

smx, _corpus, tmp = sys.argv[1:4]
shutil.rmtree(tmp, ignore_errors=True)
os.makedirs(tmp)
root, truth, drugs = f"{tmp}/root", f"{tmp}/truth.ndjson", f"{tmp}/drugs.csv"
failures = []


def fail(text):
    failures.append(text)
    print("FAIL:", text)


def run(args, stdin=None):
    p = subprocess.run([smx] + args, input=stdin, capture_output=True)
    if p.returncode != 0:
        sys.exit(f"smx {' '.join(args)} exited {p.returncode}: {p.stderr.decode()[:2000]}")
    return p.stdout.decode(), p.stderr.decode()


run(["gen", "--qi", "--facilities", "3", "--patients", "1500", "--from", "2024-01-01", "--to", "2024-12-31",
     "--seed", "15", "-o", root, "--truth", truth, "--drugs-master", drugs])

expected = {}
for line in open(truth, encoding="utf-8"):
    row = json.loads(line)
    if row.get("kind") == "qi":
        expected[(row["facility"], row["period"], row["indicator"])] = (row["numerator"], row["denominator"])


def read_csv(text):
    rows = list(csv.DictReader(io.StringIO(text)))
    return rows


out, err = run(["qi", "--min-cell", "0", "--drugs", drugs, root])
if not out.startswith("facility,period,indicator,numerator,denominator,value,suppressed\n"):
    fail("header: " + out.split("\n", 1)[0])
rows = read_csv(out)
got = {(r["facility"], r["period"], r["indicator"]): (r["numerator"], r["denominator"]) for r in rows}

facilities = {k[0] for k in expected}
months = {k[1] for k in expected}
indicators = {k[2] for k in expected}
if len(facilities) < 3:
    fail(f"the truth has {len(facilities)} facilities, not 3")
if len(months) < 12:
    fail(f"the truth has {len(months)} months, not 12")
if len(indicators) < 6:
    fail(f"the truth has {len(indicators)} indicators, not 6")
# Not vacuous: every indicator has a numerator and a denominator somewhere.
totals = collections.defaultdict(lambda: [0.0, 0.0])
for key, (n, d) in expected.items():
    totals[key[2]][0] += float(n)
    totals[key[2]][1] += float(d)
for indicator, (n, d) in sorted(totals.items()):
    print(f"{indicator}: numerator {n:g}, denominator {d:g} (all facilities and months)")
    if n <= 0 or d <= 0:
        fail(f"{indicator}: the generated tree gives it nothing to count")

differ = sorted(k for k in set(expected) | set(got) if expected.get(k) != got.get(k))
for key in differ[:20]:
    fail(f"{key}: truth {expected.get(key)} smx qi {got.get(key)}")
if len(differ) > 20:
    fail(f"... {len(differ)} cells differ")
print(f"{len(expected)} truth cells, {len(got)} smx qi cells, {len(differ)} differ")

# value = numerator / denominator x per, empty for a 0 denominator.
per = {"abx-dot": 1000, "abx-lot": 1000, "abx-aud": 1000}
for r in rows:
    n, d = float(r["numerator"]), float(r["denominator"])
    scale = per.get(r["indicator"], 100)
    want = "" if d == 0 else f"{n / d * scale:.4f}"
    # AUD's numerator is written rounded to 4 decimals; its value comes from the exact sum.
    close = r["indicator"] == "abx-aud" and d > 0 and r["value"] and abs(float(r["value"]) - n / d * scale) <= 0.5e-4 * scale / d + 1e-4
    if (r["value"] != want and not close) or r["suppressed"] != "false":
        fail(f"value of {r['facility']} {r['period']} {r['indicator']}: {r['value']!r}, expected {want!r}")
        break

# The stream with two workers gives the same bytes.
stream, _ = run(["cat", root])
out_stream, _ = run(["qi", "--min-cell", "0", "--drugs", drugs, "-j", "2", "-"], stdin=stream.encode())
if out_stream != out:
    fail("smx cat ROOT | smx qi -j 2 - differs from smx qi ROOT")

# Quarters: the sums of their months for the additive indicators.
out_q, _ = run(["qi", "--min-cell", "0", "--drugs", drugs, "--by", "facility,quarter", root])
quarters = {(r["facility"], r["period"], r["indicator"]): r for r in read_csv(out_q)}
sums = collections.defaultdict(lambda: [0, 0])
for (facility, month, indicator), (n, d) in expected.items():
    if indicator in ("abx-dot", "abx-lot", "culture-before-broad"):
        q = f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"
        sums[(facility, q, indicator)][0] += int(n)
        sums[(facility, q, indicator)][1] += int(d)
for key, (n, d) in sums.items():
    r = quarters.get(key)
    if not r or (int(r["numerator"]), int(r["denominator"])) != (n, d):
        fail(f"quarter {key}: months sum to {(n, d)}, --by facility,quarter gives {r and (r['numerator'], r['denominator'])}")

# --min-cell 10: suppressed exactly when a side is below 10, and then no value.
out_10, _ = run(["qi", "--drugs", drugs, root])
for r in read_csv(out_10):
    small = float(r["numerator"]) < 10 or float(r["denominator"]) < 10
    if (r["suppressed"] == "true") != small or (small and r["value"]):
        fail(f"--min-cell 10: {r}")
        break

# Without --drugs the DDDs are missing: AUD counts nothing and says why.
out_nodrugs, err_nodrugs = run(["qi", "--min-cell", "0", "--indicators", "abx-aud", root])
if any(float(r["numerator"]) != 0 for r in read_csv(out_nodrugs)):
    fail("abx-aud without --drugs counted something")
if "[QI-EXCLUDED] no-ddd" not in err_nodrugs:
    fail("abx-aud without --drugs: no QI-EXCLUDED no-ddd note")

if failures:
    sys.exit(f"{len(failures)} failures")
print("ok")
