#!/usr/bin/env python3
"""Scores smx link against the truth of `smx gen --shared-persons` (issue 14).

Usage: link_score.py TRUTH.ndjson PATIENTS.ndjson ENCODED.ndjson NAME=LINKS.tsv... [--check P R]

TRUTH: gen's truth file (its "person" rows say who every local patient is). PATIENTS: `smx flat
-k patients -t ndjson` of the tree (for the ID2 key as sent, before any normalizer). ENCODED:
the concatenated `smx link encode` output with local IDs. Each LINKS.tsv is a `smx link match`
table. Pairs are pairs of local patients at different facilities; a predicted pair is two rows
with one link ID, a true pair two rows of one person. Clusters: a person is found when the rows
of one link ID are exactly that person's rows. --check P R fails (exit 1) unless the table named
"combined" reaches pair precision >= P and pair recall >= R.
"""
import collections
import itertools
import json
import sys


def pairs_of(groups):
    out = set()
    for members in groups.values():
        for a, b in itertools.combinations(sorted(members), 2):
            if a[0] != b[0]:  # different facilities
                out.add((a, b))
    return out


def score(name, predicted_groups, truth_groups, truth_pairs):
    predicted = pairs_of(predicted_groups)
    tp = len(predicted & truth_pairs)
    precision = tp / len(predicted) if predicted else 1.0
    recall = tp / len(truth_pairs) if truth_pairs else 1.0
    truth_sets = {frozenset(v) for v in truth_groups.values()}
    predicted_sets = [frozenset(v) for v in predicted_groups.values()]
    exact = sum(1 for s in predicted_sets if s in truth_sets)
    shared_truth = [s for s in truth_sets if len(s) > 1]
    shared_found = sum(1 for s in shared_truth if s in set(predicted_sets))
    row = {"method": name, "pair_precision": round(precision, 4), "pair_recall": round(recall, 4),
           "true_pairs": len(truth_pairs), "predicted_pairs": len(predicted), "correct_pairs": tp,
           "cluster_precision": round(exact / len(predicted_sets), 4) if predicted_sets else 1.0,
           "cluster_recall": round(len(truth_sets & set(predicted_sets)) / len(truth_sets), 4),
           "shared_persons_exact": "%d/%d" % (shared_found, len(shared_truth))}
    print("\t".join("%s=%s" % kv for kv in row.items()))
    return row


def main():
    args = sys.argv[1:]
    check = None
    if "--check" in args:
        i = args.index("--check")
        check = (float(args[i + 1]), float(args[i + 2]))
        names = ["combined"]
        if i + 3 < len(args) and "=" not in args[i + 3]:
            names = args[i + 3].split(",")
            del args[i + 3]
        del args[i:i + 3]
    truth_path, patients_path, encoded_path = args[:3]
    person = {}
    for line in open(truth_path, encoding="utf-8"):
        t = json.loads(line)
        if t.get("kind") == "person":
            person[(t["facility"], t["patient"])] = t["person"]
    truth_groups = collections.defaultdict(set)
    for key, p in person.items():
        truth_groups[p].add(key)
    truth_pairs = pairs_of(truth_groups)

    # ID2 as sent (no normalizer): kana name + birth date + sex, byte for byte.
    raw = collections.defaultdict(set)
    for line in open(patients_path, encoding="utf-8"):
        r = json.loads(line)
        if r.get("name_kana") and r.get("birth_date") and r.get("sex"):
            raw[(r["name_kana"], r["birth_date"], r["sex"])].add((r["facility"], r["patient"]))
    score("id2-as-sent", raw, truth_groups, truth_pairs)
    by_token = {"id2": collections.defaultdict(set), "id1": collections.defaultdict(set)}
    for line in open(encoded_path, encoding="utf-8"):
        e = json.loads(line)
        for token in by_token:
            if e.get(token):
                by_token[token][e[token]].add((e["facility"], e["patient"]))
    score("id2-normalized", by_token["id2"], truth_groups, truth_pairs)
    score("id1-normalized", by_token["id1"], truth_groups, truth_pairs)

    results = {}
    for spec in args[3:]:
        name, path = spec.split("=", 1)
        groups = collections.defaultdict(set)
        with open(path, encoding="utf-8") as f:
            next(f)
            for line in f:
                facility, patient, link_id = line.rstrip("\n").split("\t")[:3]
                groups[link_id].add((facility, patient))
        results[name] = score(name, groups, truth_groups, truth_pairs)
    if check:
        for name in names:
            r = results[name]
            if r["pair_precision"] < check[0] or r["pair_recall"] < check[1]:
                print("link_score: FAIL: %s precision %.4f recall %.4f below %.2f / %.2f" %
                      (name, r["pair_precision"], r["pair_recall"], check[0], check[1]))
                return 1
            print("link_score: %s precision %.4f >= %.2f, recall %.4f >= %.2f" %
                  (name, r["pair_precision"], check[0], r["pair_recall"], check[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
