#!/usr/bin/env python3
"""Scores a link table of tests/link_bench encodings (bench/link.sh): facility A's person i
and facility B's record i are one person when link_bench re-recorded A's person for B (half of
them); B's other records are people of another population. Prints the cross-facility pairs
one link ID holds: with the same index (true when the person is shared) and with different
indexes (always wrong).  Usage: link_bench_score.py LINKS.tsv"""
import collections
import sys

groups = collections.defaultdict(list)
with open(sys.argv[1], encoding="utf-8") as f:
    next(f)
    for line in f:
        facility, patient, link_id = line.rstrip("\n").split("\t")[:3]
        groups[link_id].append(patient)
same = wrong = 0
for members in groups.values():
    a = [p[1:] for p in members if p.startswith("A")]
    b = [p[1:] for p in members if p.startswith("B")]
    for x in a:
        for y in b:
            if x == y:
                same += 1
            else:
                wrong += 1
print("cross-facility pairs linked: %d with the same index, %d wrong" % (same, wrong))
