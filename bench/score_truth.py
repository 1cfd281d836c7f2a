#!/usr/bin/env python3
"""Scores `smx flat -t ndjson` obs rows (after smx labnorm) against `smx gen --truth`.

Usage: score_truth.py TRUTH.ndjson OBS.ndjson [--check]

--check (for tests): exit 1 unless every row without a gap is right, every gap row is
reported, and nothing is silent.

Rows are joined on (file, OBX number) = (obs "src", obs "obx"). Per facility it prints the
share of truth rows whose normalized row has the right JLAC10 code, the right canonical unit,
the value within 1e-9 relative (or the same qualitative code), the range (both limits within
1e-9 relative) and the correct flag. A truth row without an obs row counts as wrong
everywhere ("missing").

A converted value (sent in another unit than the canonical one) may also be the exact value
rounded to the significant digits the sender wrote, which is what smx labnorm writes (it does
not invent precision: 4.91 mmol/L -> 190 mg/dL): within half a unit in the last significant
place of the exact value. Unconverted values must match within 1e-9 relative.

Then each row is one of: right (all five), reported (something is wrong, but the row says the
normalizer did not know: no JLAC10, or no unit for a quantity) or silent (wrong while looking
normalized: the one outcome a normalizer must never produce). "gaps" counts the rows that
`smx gen --gap-rate` made uncoverable on purpose (truth "gap": code or unit). Issue 5,
benchmark 6.

Rows of `smx gen --variance-rate` (issue 11) carry "variance" (their kind: unit-case,
unit-trap, unit-decoration, unit-typo, unit-gap, mixed, compound, value-range, mislabel) and
"expect" ("right" or "reported"); they are also scored per kind (and unit-alternative: another
unit the analyte declares, such as Ca in mEq/L). A row with "kept" must come
out with exactly that OBX-5 text, no comparator, the sender's unit (normalized, never converted:
truth "unit") and the range as sent. Every row is expected to come out as its "expect" says
(without one: reported for a gap row, else right); --check fails on any row that does not, so
on every silent row and on every row expected right that is not.
"""
import json
import math
import re
import sys
from collections import defaultdict


def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    try:
        a, b = float(a), float(b)
    except (TypeError, ValueError):
        return False
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1e-300)


def significant(text):
    """Significant digits of a number as written (smx::lab::significant_digits)."""
    digits = "".join(c for c in text if c.isdigit()).lstrip("0")
    return len(digits) if digits else 1


def close_rounded(a, b, sig):
    """a is b, or b rounded to sig significant digits (half a unit in the last place)."""
    if close(a, b):
        return True
    try:
        a, b = float(a), float(b)
    except (TypeError, ValueError):
        return False
    if b == 0:
        return False
    last = math.floor(math.log10(abs(b))) - sig + 1
    return abs(a - b) <= 0.5 * 10.0 ** last * (1 + 1e-9)


def range_digits(text):
    """The fewest significant digits among the numbers of a range as sent."""
    numbers = re.findall(r"[0-9０-９][0-9０-９.．]*", text or "")
    return min((significant(n) for n in numbers), default=1)


QUAL = {"NEG", "EQV", "1+", "2+", "3+", "POS"}


def unit_of(o):
    return o.get("unit") or None


def score_row(t, o, s):
    """Adds one row to the counters `s`; returns right, reported or silent."""
    before = {k: s[k] for k in ("code", "unit", "value", "range", "flag")}
    s["code"] += o.get("jlac10") == t["jlac10"]
    if t.get("kept") is not None:
        # Kept as sent: the text, the sender's unit (normalized, not converted), the range as sent.
        s["unit"] += unit_of(o) == (t["unit"] or None)
        s["value"] += o.get("value") == t["kept"] and not o.get("comparator")
        s["range"] += close(o.get("ref_low"), t["low"]) and close(o.get("ref_high"), t["high"])
    elif t["qualitative"] is not None:
        s["unit"] += not o.get("unit")
        value = o.get("value")
        s["value"] += value == t["qualitative"] or (isinstance(value, str) and value.upper() == t["qualitative"])
        s["range"] += o.get("ref_low") is None and o.get("ref_high") is None
    else:
        s["unit"] += unit_of(o) == (t["unit"] or None)
        comparator = o.get("comparator") or ""
        converted = t["sent"]["unit_ucum"] != t["unit"]
        vsig = significant(t["sent"]["value"]) if converted else 99
        rsig = range_digits(t["sent"]["range"]) if converted else 99
        s["value"] += close_rounded(o.get("value"), t["value"], vsig) and comparator == t["comparator"]
        s["range"] += (close_rounded(o.get("ref_low"), t["low"], rsig) and
                       close_rounded(o.get("ref_high"), t["high"], rsig))
    s["flag"] += (o.get("flag") or "") == t["flag"]
    if all(s[k] == before[k] + 1 for k in before):
        return "right"
    if o.get("jlac10") is None or (t["qualitative"] is None and t.get("unit") and not o.get("unit")):
        return "reported"
    return "silent"


def main():
    truth_path, obs_path = sys.argv[1], sys.argv[2]
    obs = {}
    for line in open(obs_path, encoding="utf-8"):
        r = json.loads(line)
        if r.get("kind") != "obs":
            continue
        obs[(r["src"], int(r["obx"]))] = r
    stats = defaultdict(lambda: defaultdict(int))
    kinds = defaultdict(lambda: defaultdict(int))
    unexpected = []
    unexpected_count = 0
    for line in open(truth_path, encoding="utf-8"):
        t = json.loads(line)
        if t.get("kind") == "person":  # smx gen --shared-persons: who each local patient is
            continue
        s = stats[t["facility"]]
        s["rows"] += 1
        s["gaps"] += bool(t.get("gap"))
        expected = t.get("expect") or ("reported" if t.get("gap") else "right")
        k = kinds[t["variance"]] if t.get("variance") else None
        if k is not None:
            k["rows"] += 1
            k["expect " + expected] += 1
        o = obs.get((t["file"], int(t["obx"])))
        if o is None:
            s["missing"] += 1
            if k is not None:
                k["missing"] += 1
            continue
        outcome = score_row(t, o, s)
        s[outcome] += 1
        if k is not None:
            k[outcome] += 1
        if outcome != expected:
            unexpected_count += 1
            if k is not None:
                k["not as expected"] += 1
            if len(unexpected) < 5:
                unexpected.append("%s OBX %s: %s, expected %s; truth %s; obs %s" % (
                    t["file"], t["obx"], outcome, expected, json.dumps(t, ensure_ascii=False),
                    json.dumps(o, ensure_ascii=False)))
    keys = ["code", "unit", "value", "range", "flag", "right", "reported", "silent"]
    print("| facility | OBX | gaps | missing | " + " | ".join(keys) + " |")
    print("| --- | ---: | ---: | ---: | " + " | ".join("---:" for _ in keys) + " |")
    total = defaultdict(int)

    def line(name, s):
        print("| %s | %d | %d | %d | %s |" % (name, s["rows"], s["gaps"], s["missing"],
              " | ".join("%.1f %%" % (100.0 * s[k] / s["rows"]) for k in keys)))

    for facility in sorted(stats):
        s = stats[facility]
        for k in ["rows", "gaps", "missing"] + keys:
            total[k] += s[k]
        line(facility, s)
    if total["rows"]:
        line("**all**", total)
    if kinds:
        # Per variance kind: how many rows, what they should give, what they gave.
        print("\n| variance | rows | expect right | expect reported | right | reported | silent | not as expected |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        all_kinds = defaultdict(int)
        for name in sorted(kinds):
            k = kinds[name]
            for key, value in k.items():
                all_kinds[key] += value
            print(kind_line(name, k))
        print(kind_line("**all**", all_kinds))
    if "--check" in sys.argv[3:]:
        if unexpected or total["missing"] or not total["rows"]:
            print("\n".join(["score_truth: FAIL: %d rows not as the truth says, %d missing (first 5):" %
                             (unexpected_count, total["missing"])] + unexpected), file=sys.stderr)
            sys.exit(1)
        print("score_truth: every row as the truth expects (right, or reported), none silent")


def kind_line(name, k):
    rows = k["rows"] or 1
    return "| %s | %d | %d | %d | %s | %d |" % (
        name, k["rows"], k["expect right"], k["expect reported"],
        " | ".join("%d (%.1f %%)" % (k[o], 100.0 * k[o] / rows) for o in ("right", "reported", "silent")),
        k["not as expected"] + k["missing"])


if __name__ == "__main__":
    main()
