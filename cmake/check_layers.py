#!/usr/bin/env python3
"""The layering check (ctest layers.arrows): the library's layers use each other only along the
arrows declared with smx_layer() in CMakeLists.txt.

  check_layers.py --table BUILD/smx_layers.txt --source SOURCE_DIR [--no-symbols] [--readme README.md]

The table has one line per layer, bottom-up: NAME|USES,...|HEADERS,...|ARCHIVE. Checks:
  1. the arrows point down (a layer uses only layers declared before it), every lib/src/<dir> is a
     layer and every public header lib/include/smx/*.hpp is owned by exactly one layer;
  2. every #include of lib/src/<layer>/* and of the headers a layer owns names a header of the
     layer itself or of a layer it USES ("smx/x.hpp", "<layer>/x.hpp", or a file of its own folder);
  3. unless --no-symbols: every smx symbol a layer's archive leaves undefined (nm) is defined by the
     layer itself or by a layer it reaches through its arrows;
  4. every arrow is used (by an #include or a symbol), so the table stays the true picture;
  5. with --readme: the README's "Layers" table lists the same arrows.
Exit status 0 when all hold, 1 with one line per violation otherwise.
"""
import argparse
import os
import re
import subprocess
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.M)


def read_table(path):
    layers = []  # (name, uses, headers, archive) in declaration order
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            name, uses, headers, archive = line.split("|")
            layers.append((name, [u for u in uses.split(",") if u], [h for h in headers.split(",") if h], archive))
    return layers


def closure(uses, layer):
    seen, todo = set(), list(uses[layer])
    while todo:
        used = todo.pop()
        if used not in seen:
            seen.add(used)
            todo.extend(uses[used])
    return seen


def include_target(include, own_layer, layer_names, owner_of_header, including_file):
    """The layer an #include names, or None for a header that is not ours."""
    if include.startswith("smx/"):
        header = include[len("smx/"):]
        return owner_of_header.get(header, "?unowned smx/" + header)
    first = include.split("/", 1)[0]
    if "/" in include and first in layer_names:
        return first
    if "/" not in include and os.path.exists(os.path.join(os.path.dirname(including_file), include)):
        return own_layer
    return None


def check_includes(source, layers, problems):
    names = [l[0] for l in layers]
    uses = {l[0]: l[1] for l in layers}
    owner = {}
    for name, _, headers, _ in layers:
        for h in headers:
            if h in owner:
                problems.append(f"smx/{h} is owned by both {owner[h]} and {name}")
            owner[h] = name
    include_dir = os.path.join(source, "lib", "include", "smx")
    for h in sorted(os.listdir(include_dir)):
        if h.endswith(".hpp") and h not in owner:
            problems.append(f"lib/include/smx/{h} belongs to no layer (add it to HEADERS of a smx_layer in CMakeLists.txt)")
    src_dir = os.path.join(source, "lib", "src")
    for d in sorted(os.listdir(src_dir)):
        if os.path.isdir(os.path.join(src_dir, d)) and d not in names:
            problems.append(f"lib/src/{d}/ is not a layer (declare it with smx_layer in CMakeLists.txt)")
    files = []  # (layer, path)
    for name, _, headers, _ in layers:
        folder = os.path.join(src_dir, name)
        if os.path.isdir(folder):
            files += [(name, os.path.join(folder, f)) for f in sorted(os.listdir(folder))
                      if f.endswith((".cpp", ".hpp", ".h"))]
        files += [(name, os.path.join(include_dir, h)) for h in headers if os.path.exists(os.path.join(include_dir, h))]
    used = {n: set() for n in names}
    for layer, path in files:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for match in INCLUDE.finditer(text):
            target = include_target(match.group(1), layer, names, owner, path)
            if target is None or target == layer:
                continue
            line = text.count("\n", 0, match.start()) + 1
            rel = os.path.relpath(path, source)
            if target.startswith("?"):
                problems.append(f"{rel}:{line}: includes {target[1:]}")
            elif target not in uses[layer]:
                allowed = ", ".join(uses[layer]) or "nothing"
                problems.append(f"{rel}:{line}: layer {layer} includes {match.group(1)} of layer {target}, "
                                f"but {layer} uses only: {allowed}")
            else:
                used[layer].add(target)
    return used


def nm_symbols(archive):
    """(defined, undefined) smx symbols of an archive, demangled."""
    out = subprocess.run(["nm", "-C", archive], capture_output=True, text=True, check=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        if not line or line.endswith(":"):
            continue
        if line.startswith(" "):
            kind, _, name = line.strip().partition(" ")
            if kind in ("U", "w") and name.startswith("smx::"):
                undefined.add(name)
        else:
            parts = line.split(" ", 2)
            if len(parts) == 3 and parts[1] in "TWVRDBu" and parts[2].startswith("smx::"):
                defined.add(parts[2])
    return defined, undefined


def check_symbols(layers, problems):
    uses = {l[0]: l[1] for l in layers}
    defined_by, undefined_in = {}, {}
    for name, _, _, archive in layers:
        defined, undefined = nm_symbols(archive)
        undefined_in[name] = undefined - defined
        for symbol in defined:
            defined_by.setdefault(symbol, set()).add(name)
    used = {n: set() for n in uses}
    for name, _, _, _ in layers:
        reach = closure(uses, name)
        for symbol in sorted(undefined_in[name]):
            owners = defined_by.get(symbol, set())
            if not owners or owners & {name}:
                continue
            if owners & reach:
                used[name] |= owners & set(uses[name])
                continue
            problems.append(f"layer {name} uses {symbol} of layer {', '.join(sorted(owners))}, "
                            f"which {name} does not reach (it uses: {', '.join(uses[name]) or 'nothing'})")
    return used


def check_readme(readme, layers, problems):
    with open(readme, encoding="utf-8") as f:
        text = f.read()
    section = re.search(r"^## Layers\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    if not section:
        problems.append(f"{readme}: no '## Layers' section")
        return
    rows = {}
    for m in re.finditer(r"^\| `?([a-z0-9]+)`? \| ([^|]*) \|", section.group(1), re.M):
        if m.group(1) != "layer":
            rows[m.group(1)] = sorted(u.strip(" `") for u in m.group(2).split(",") if u.strip(" `—-"))
    for name, uses, _, _ in layers:
        if rows.get(name) != sorted(uses):
            problems.append(f"README.md Layers: row '{name}' says {rows.get(name)}, CMakeLists.txt says {sorted(uses)}")
    for name in rows.keys() - {l[0] for l in layers}:
        problems.append(f"README.md Layers: '{name}' is not a layer")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--table", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--readme")
    parser.add_argument("--no-symbols", action="store_true")
    args = parser.parse_args()
    layers = read_table(args.table)
    problems = []
    declared = set()
    for name, uses, _, _ in layers:
        for used in uses:
            if used not in declared:
                problems.append(f"layer {name} uses {used}, which is not below it")
        declared.add(name)
    used = check_includes(args.source, layers, problems)
    if not args.no_symbols:
        for name, by_symbol in check_symbols(layers, problems).items():
            used[name] |= by_symbol
        for name, uses, _, _ in layers:
            for arrow in uses:
                if arrow not in used[name]:
                    problems.append(f"arrow {name} -> {arrow} is not used by any #include or symbol: remove it")
    if args.readme:
        check_readme(args.readme, layers, problems)
    for p in problems:
        print(p)
    arrows = sum(len(l[1]) for l in layers)
    print(f"check_layers: {len(layers)} layers, {arrows} arrows, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
