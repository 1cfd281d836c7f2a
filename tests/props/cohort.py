#!/usr/bin/env python3
"""Compares smx cohort's output and --attrition with smx gen --cohort-truth (tests/props/cohort.sh).

Usage: cohort.py TRUTH.ndjson MEMBERS.csv ATTRITION.csv
The truth has one row per patient: the steps passed (0 no index event, 1 an index event, 1+k
rules 1..k hold, 5 a member with its index date) and the lab results not judged, by reason.
"""
import csv
import json
import sys
from collections import defaultdict

REASONS = ["not-numeric", "unit-missing", "unit-unknown", "unit-incompatible", "inequality"]
STEPS = 6  # patients, index, 4 rules


def main(truth_path, members_path, attrition_path):
    expected_members = set()
    steps = defaultdict(lambda: [0] * STEPS)
    excluded = defaultdict(lambda: defaultdict(int))
    with open(truth_path, encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if row.get("kind") != "cohort":
                continue
            facility = row["facility"]
            for k in range(STEPS):
                if k == 0 or row["steps"] >= k:
                    steps[facility][k] += 1
                    steps["(all)"][k] += 1
            for reason, n in row["excluded"].items():
                excluded[facility][reason] += n
                excluded["(all)"][reason] += n
            if row["steps"] == STEPS - 1:
                expected_members.add((facility, row["patient"], row["index_date"]))
    with open(members_path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    members = {(r["facility"], r["patient"], r["index_date"]) for r in rows}
    problems = []
    if len(rows) != len(members):
        problems.append(f"{len(rows) - len(members)} duplicate member rows")
    for m in sorted(expected_members - members)[:10]:
        problems.append(f"missing member {m}")
    for m in sorted(members - expected_members)[:10]:
        problems.append(f"unexpected member {m}")
    got_steps = defaultdict(dict)
    got_excluded = defaultdict(dict)
    with open(attrition_path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["kind"] == "attrition":
                got_steps[r["facility"]][int(r["step"])] = int(r["count"])
            else:
                got_excluded[r["facility"]][r["name"]] = int(r["count"])
    for facility in sorted(steps):
        want = steps[facility]
        got = [got_steps[facility].get(k) for k in range(STEPS)]
        if got != want:
            problems.append(f"attrition {facility}: got {got}, truth {want}")
        want_ex = [excluded[facility].get(r, 0) for r in REASONS]
        got_ex = [got_excluded[facility].get(r) for r in REASONS]
        if got_ex != want_ex:
            problems.append(f"excluded {facility}: got {got_ex}, truth {want_ex}")
    total = steps["(all)"]
    # The test means something only when every step keeps some patients and loses some.
    for k in range(1, STEPS):
        if not 0 < total[k] < total[k - 1]:
            problems.append(f"step {k} does not discriminate: {total}")
    if sum(excluded["(all)"].values()) == 0:
        problems.append("no lab result excluded: the gaps do not reach the value tests (choose another seed)")
    for p in problems:
        print("cohort.py:", p, file=sys.stderr)
    print(f"cohort.py: {len(expected_members)} members; attrition (all) {total}; "
          f"excluded (all) {dict(excluded['(all)'])}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
