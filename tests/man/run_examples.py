#!/usr/bin/env python3
"""Runs the EXAMPLES of a man page (man/*.md) as a test, jq's habit: an example in the manual that
no longer works fails the build.

  run_examples.py PAGE.md --smx BUILD/smx --source SOURCE_DIR --scratch DIR [--list]

The convention (README.md "Man pages"):
- Every indented code block (4 spaces) of the EXAMPLES section is an example: shell command lines,
  run in order with bash (-e, -o pipefail) in one scratch folder per page, so a later example can
  read what an earlier one wrote. `smx` is the binary under test; $SMX_TABLES is unset, so the
  tables are found the way a user's build finds them.
- The page's placeholders are replaced when run: /ssmix2 and /export/root by a copy of the
  bundled sample tree (examples/ssmix2-sample) whose files were modified on 2026-11-24 at 02:00
  (the night after the pages' --since 2026-11-23), /tmp/ by the scratch folder's tmp/. The
  scratch folder holds copies of the source tree's bench, examples, mappings, schema and units,
  so an example can use them by those names and never writes into the source tree.
- An HTML comment right before a block (pandoc leaves it out of the man page) says what else the
  example needs, one directive per comment:
    <!-- example: skip REASON -->         not run; REASON says why (e.g. needs a live tree)
    <!-- example: requires PROGRAM -->    skipped when PROGRAM is not installed
    <!-- example: setup COMMAND -->       run before the example (placeholders replaced too)
    <!-- example: status N -->            the exit status the example ends with (default 0)
Exit status: 0 every example ran as expected, 1 one did not, 77 every example was skipped.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time

DIRECTIVE = re.compile(r"^<!--\s*example:\s*(skip|requires|setup|status)\b\s*(.*?)\s*-->\s*$")
COPIED = ("bench", "examples", "mappings", "schema", "units")
SAMPLE_MTIME = time.mktime((2026, 11, 24, 2, 0, 0, 0, 0, -1))  # local time, as --since reads it


def examples_of(page_text):
    """[(line number, commands, directives)] of the EXAMPLES section. Directives written anywhere
    between the previous block and a block belong to that block."""
    section = re.search(r"^# EXAMPLES\n(.*?)(?=^# |\Z)", page_text, re.M | re.S)
    if not section:
        return []
    first_line = page_text.count("\n", 0, section.start(1)) + 1
    lines = section.group(1).split("\n")
    found, pending, block, start = [], [], [], 0
    for index, line in enumerate(lines):
        if line.startswith("    "):
            if not block:
                start = first_line + index
            block.append(line[4:])
            continue
        if block and not line.strip() and index + 1 < len(lines) and lines[index + 1].startswith("    "):
            block.append("")  # a blank line inside a block
            continue
        if block:
            found.append((start, "\n".join(block), pending))
            block, pending = [], []
        m = DIRECTIVE.match(line.strip())
        if m:
            pending.append((m.group(1), m.group(2)))
    if block:
        found.append((start, "\n".join(block), pending))
    return found


def substitute(text, sample, scratch):
    def replace(m):
        return sample if m.group(0) in ("/ssmix2", "/export/root") else os.path.join(scratch, "tmp") + "/"
    return re.sub(r"/ssmix2(?![\w-])|/export/root(?![\w-])|/tmp/", replace, text)


def prepare(scratch, source):
    shutil.rmtree(scratch, ignore_errors=True)
    os.makedirs(os.path.join(scratch, "tmp"))
    for name in COPIED:
        shutil.copytree(os.path.join(source, name), os.path.join(scratch, name))
    sample = os.path.join(scratch, "sample-tree")
    shutil.copytree(os.path.join(source, "examples", "ssmix2-sample"), sample)
    for folder, _, files in os.walk(sample):
        for f in files:
            os.utime(os.path.join(folder, f), (SAMPLE_MTIME, SAMPLE_MTIME))
    return sample


def run(script, scratch, env):
    return subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=scratch, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("page")
    parser.add_argument("--smx", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--scratch", required=True)
    parser.add_argument("--list", action="store_true", help="print the examples and their directives, run nothing")
    args = parser.parse_args()
    with open(args.page, encoding="utf-8") as f:
        examples = examples_of(f.read())
    name = os.path.basename(args.page)
    if args.list:
        for line, commands, directives in examples:
            print(f"{name}:{line}: {directives}\n{commands}\n")
        return 0
    scratch = os.path.abspath(args.scratch)
    sample = prepare(scratch, os.path.abspath(args.source))
    env = dict(os.environ)
    env.pop("SMX_TABLES", None)
    env["PATH"] = os.path.dirname(os.path.abspath(args.smx)) + os.pathsep + env.get("PATH", "")
    ran = failed = 0
    for line, commands, directives in examples:
        where = f"{name}:{line}"
        skip = [text for kind, text in directives if kind == "skip"]
        missing = [p for kind, p in directives if kind == "requires" and shutil.which(p) is None]
        if skip or missing:
            why = skip[0] if skip else "needs " + ", ".join(missing)
            if not why:
                print(f"{where}: a skip directive needs a reason")
                failed += 1
            print(f"{where}: skipped: {why}")
            continue
        expected = int(next((text for kind, text in directives if kind == "status"), "0"))
        for kind, text in directives:
            if kind == "setup":
                r = run(substitute(text, sample, scratch), scratch, env)
                if r.returncode != 0:
                    print(f"{where}: setup failed ({r.returncode}): {text}\n{r.stderr[-2000:]}")
                    failed += 1
        script = substitute(commands, sample, scratch)
        r = run(script, scratch, env)
        ran += 1
        status = "ok" if r.returncode == expected else f"FAILED: exit status {r.returncode}, expected {expected}"
        print(f"{where}: {status}\n  " + commands.replace("\n", "\n  "))
        if r.returncode != expected:
            failed += 1
            print("  stderr:\n" + r.stderr[-3000:])
    if failed:
        return 1
    return 0 if ran else 77


if __name__ == "__main__":
    sys.exit(main())
