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


def main():
    truth_path, obs_path = sys.argv[1], sys.argv[2]
    obs = {}
    for line in open(obs_path, encoding="utf-8"):
        r = json.loads(line)
        if r.get("kind") != "obs":
            continue
        obs[(r["src"], int(r["obx"]))] = r
    stats = defaultdict(lambda: defaultdict(int))
    unexpected = []
    for line in open(truth_path, encoding="utf-8"):
        t = json.loads(line)
        s = stats[t["facility"]]
        s["rows"] += 1
        s["gaps"] += bool(t.get("gap"))
        o = obs.get((t["file"], int(t["obx"])))
        if o is None:
            s["missing"] += 1
            continue
        before = {k: s[k] for k in ("code", "unit", "value", "range", "flag")}
        s["code"] += o.get("jlac10") == t["jlac10"]
        if t["qualitative"] is not None:
            s["unit"] += not o.get("unit")
            raw = str(o.get("value_raw") or "")
            value = o.get("value")
            s["value"] += value == t["qualitative"] or (isinstance(value, str) and value.upper() == t["qualitative"])
            s["range"] += o.get("ref_low") is None and o.get("ref_high") is None
        else:
            s["unit"] += o.get("unit") == t["unit"]
            comparator = o.get("comparator") or ""
            converted = t["sent"]["unit_ucum"] != t["unit"]
            vsig = significant(t["sent"]["value"]) if converted else 99
            rsig = range_digits(t["sent"]["range"]) if converted else 99
            s["value"] += close_rounded(o.get("value"), t["value"], vsig) and comparator == t["comparator"]
            s["range"] += (close_rounded(o.get("ref_low"), t["low"], rsig) and
                           close_rounded(o.get("ref_high"), t["high"], rsig))
        s["flag"] += (o.get("flag") or "") == t["flag"]
        if all(s[k] == before[k] + 1 for k in before):
            s["right"] += 1
            outcome = "right"
        elif o.get("jlac10") is None or (t["qualitative"] is None and not o.get("unit")):
            s["reported"] += 1
            outcome = "reported"
        else:
            s["silent"] += 1
            outcome = "silent"
        if outcome != ("reported" if t.get("gap") else "right") and len(unexpected) < 5:
            unexpected.append("%s OBX %s: %s, gap %s; truth %s; obs %s" % (
                t["file"], t["obx"], outcome, t.get("gap"), json.dumps(t, ensure_ascii=False),
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
    if "--check" in sys.argv[3:]:
        if unexpected or total["missing"] or not total["rows"]:
            print("\n".join(["score_truth: FAIL: rows not as the truth says (first 5):"] + unexpected), file=sys.stderr)
            sys.exit(1)
        print("score_truth: every row right, every gap reported, none silent")


if __name__ == "__main__":
    main()
