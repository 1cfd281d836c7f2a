#!/usr/bin/env python3
"""Scores `smx flat -t ndjson` obs rows (after smx labnorm) against `smx gen --truth`.

Usage: score_truth.py TRUTH.ndjson OBS.ndjson [--markdown]

Rows are joined on (file, OBX number) = (obs "src", obs "obx"). Per facility it prints the
share of truth rows whose normalized row has the right JLAC10 code, the right canonical unit,
the value within 1e-9 relative (or the same qualitative code), the range (both limits within
1e-9 relative) and the correct flag. A truth row without an obs row counts as wrong
everywhere ("missing"). Issue 5, benchmark 6.
"""
import json
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
    for line in open(truth_path, encoding="utf-8"):
        t = json.loads(line)
        s = stats[t["facility"]]
        s["rows"] += 1
        o = obs.get((t["file"], int(t["obx"])))
        if o is None:
            s["missing"] += 1
            continue
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
            s["value"] += close(o.get("value"), t["value"]) and comparator == t["comparator"]
            s["range"] += close(o.get("ref_low"), t["low"]) and close(o.get("ref_high"), t["high"])
        s["flag"] += (o.get("flag") or "") == t["flag"]
    keys = ["code", "unit", "value", "range", "flag"]
    print("| facility | OBX | missing | " + " | ".join(keys) + " |")
    print("| --- | ---: | ---: | " + " | ".join("---:" for _ in keys) + " |")
    total = defaultdict(int)
    for facility in sorted(stats):
        s = stats[facility]
        for k in ["rows", "missing"] + keys:
            total[k] += s[k]
        print("| %s | %d | %d | %s |" % (facility, s["rows"], s["missing"],
              " | ".join("%.1f %%" % (100.0 * s[k] / s["rows"]) for k in keys)))
    if total["rows"]:
        print("| **all** | %d | %d | %s |" % (total["rows"], total["missing"],
              " | ".join("%.1f %%" % (100.0 * total[k] / total["rows"]) for k in keys)))


if __name__ == "__main__":
    main()
