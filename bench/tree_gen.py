#!/usr/bin/env python3
"""Make a synthetic SS-MIX2 standardized-storage tree for the read benchmark.

Usage: tree_gen.py SRC_PATIENT_DIR OUT_ROOT NFILES

SRC_PATIENT_DIR is one patient folder of a real tree (e.g. the DTT sample
ssmix2-dtt/999/901/9999013). Its files are copied under new patient IDs until
NFILES files exist. Only names and folders change: each copy keeps the source
file's bytes, so the message inside still names the original patient. That is
enough for `smx cat` vs `find | xargs cat`, which measure walking and reading.

Layout (SS-MIX2 standardized storage): pid[0:3]/pid[3:6]/pid/date/type/file,
file name <pid>_<date>_<type>_<order>_<ts>_<dept>_<flag> with the new pid.
Patient IDs are 7 digits, spread over the shard folders by a fixed permutation,
so the same NFILES always gives the same tree. A finished tree is marked with
OUT_ROOT/../<name>.done holding NFILES; a second run with the same count is a no-op.
"""
import os
import shutil
import sys


def source_files(patient_dir):
    """(date, type, name fields after the pid, bytes) for every file of the patient."""
    pid = os.path.basename(os.path.normpath(patient_dir))
    found = []
    for date in sorted(os.listdir(patient_dir)):
        date_dir = os.path.join(patient_dir, date)
        if not os.path.isdir(date_dir):
            continue
        for data_type in sorted(os.listdir(date_dir)):
            type_dir = os.path.join(date_dir, data_type)
            if not os.path.isdir(type_dir):
                continue
            for name in sorted(os.listdir(type_dir)):
                if not name.startswith(pid + "_"):
                    continue  # a misplaced file of another patient: not ours to multiply
                with open(os.path.join(type_dir, name), "rb") as f:
                    found.append((date, data_type, name[len(pid):], f.read()))
    return found


def patient_id(i):
    # 104729 is prime and coprime to 9,000,000, so i -> id is one-to-one for i < 9e6.
    return "%07d" % (1000000 + (i * 104729) % 9000000)


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: tree_gen.py SRC_PATIENT_DIR OUT_ROOT NFILES")
    src, out, nfiles = sys.argv[1], os.path.normpath(sys.argv[2]), int(sys.argv[3])
    marker = out + ".done"
    if os.path.isdir(out) and os.path.exists(marker):
        with open(marker) as f:
            if f.read().strip() == str(nfiles):
                print("tree_gen: %s already holds %d files" % (out, nfiles))
                return
    if os.path.exists(out):
        shutil.rmtree(out)
    files = source_files(src)
    if not files:
        sys.exit("tree_gen: no files under " + src)
    written, i = 0, 0
    while written < nfiles:
        pid = patient_id(i)
        i += 1
        base = os.path.join(out, pid[0:3], pid[3:6], pid)
        for date, data_type, rest, data in files:
            if written == nfiles:
                break
            folder = os.path.join(base, date, data_type)
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, pid + rest), "wb") as f:
                f.write(data)
            written += 1
    with open(marker, "w") as f:
        f.write("%d\n" % nfiles)
    print("tree_gen: wrote %d files for %d patients under %s" % (written, i, out))


if __name__ == "__main__":
    main()
