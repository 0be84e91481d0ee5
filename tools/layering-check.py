#!/usr/bin/env python3
"""Checks that host/'s folders call each other only as documented.

The rule is the layering table in docs/internals-pipeline.md (between the
layering:begin and layering:end markers): each folder may use only the
folders in its row. The check reads the built objects, not the sources, so
that macros, inline functions and headers cannot hide a call: for every
host/<folder>/<file>.c it runs `nm` on the object CMake built and takes the
undefined wh_* symbols; each must be defined by a file of the same folder or
of a folder the row lists. A symbol no host file defines is a violation too
(a test or tool would have to stub it).

usage: tools/layering-check.py [--build DIR] [--doc FILE] [--host DIR]
Exit 0 when clean, 1 on violations (one line each), 2 on a usage error
(no table, an object not built, a folder missing from the table).
"""
import argparse
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# walord's own object (main.c) is built into another target than walorcore
MAIN = "core/main.c"


def read_table(doc):
    """{folder: set(folders it may use)} from the doc's layering table."""
    with open(doc, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"<!-- layering:begin[^>]*-->(.*?)<!-- layering:end -->", text, re.S)
    if not m:
        sys.exit(f"layering-check: no layering table (layering:begin/end markers) in {doc}")
    rules = {}
    for line in m.group(1).splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not cells[0].startswith("`"):
            continue  # header, separator, prose
        folder = cells[0].strip("`")
        rules[folder] = {x.strip().strip("`") for x in cells[1].split(",") if x.strip()}
    if not rules:
        sys.exit(f"layering-check: the layering table in {doc} has no rows")
    for folder, uses in rules.items():
        unknown = uses - set(rules)
        if unknown:
            sys.exit(f"layering-check: {doc}: row {folder} names unknown folders {sorted(unknown)}")
    return rules


def objects(host, build):
    """[(source relative to host/, object path)] for every host/*/*.c."""
    out = []
    for folder in sorted(os.listdir(host)):
        d = os.path.join(host, folder)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            if not name.endswith(".c"):
                continue
            rel = f"{folder}/{name}"
            target = "walord" if rel == MAIN else "walorcore"
            out.append((rel, os.path.join(build, "host", "CMakeFiles", f"{target}.dir", rel + ".o")))
    return out


def symbols(obj):
    """(defined wh_* symbols, undefined wh_* symbols) of one object."""
    res = subprocess.run(["nm", "-P", obj], capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit(f"layering-check: nm {obj}: {res.stderr.strip()}")
    defined, undefined = set(), set()
    for line in res.stdout.splitlines():
        parts = line.split()
        if len(parts) < 2 or not parts[0].startswith("wh_"):
            continue
        if parts[1] == "U":
            undefined.add(parts[0])
        elif parts[1] in "TDBRCGSVW":  # global definitions only: static ones (t, d, b...) cannot be called
            defined.add(parts[0])
    return defined, undefined


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"), help="CMake build directory")
    ap.add_argument("--doc", default=os.path.join(ROOT, "docs", "internals-pipeline.md"))
    ap.add_argument("--host", default=os.path.join(ROOT, "host"))
    args = ap.parse_args()

    rules = read_table(args.doc)
    objs = objects(args.host, args.build)
    folders = {rel.split("/")[0] for rel, _ in objs}
    missing = sorted(folders - set(rules))
    if missing:
        sys.exit(f"layering-check: host folders {missing} are not in the layering table of {args.doc}")

    where = {}      # symbol -> file defining it
    uses = {}       # file -> undefined symbols
    for rel, obj in objs:
        if not os.path.exists(obj):
            sys.exit(f"layering-check: {obj} is not built (run make build first)")
        defined, undefined = symbols(obj)
        for s in defined:
            where[s] = rel
        uses[rel] = undefined

    bad = []
    for rel in sorted(uses):
        folder = rel.split("/")[0]
        for s in sorted(uses[rel]):
            d = where.get(s)
            if d is None:
                bad.append(f"host/{rel}: uses {s}, which no host file defines")
                continue
            to = d.split("/")[0]
            if to != folder and to not in rules[folder]:
                bad.append(f"host/{rel}: uses {s} (host/{d}): {folder}/ may not use {to}/")
    for line in bad:
        print(line)
    if bad:
        print(f"layering-check: {len(bad)} violation(s) of the layering table in "
              f"{os.path.relpath(args.doc, ROOT)}", file=sys.stderr)
        return 1
    print(f"layering-check: {len(objs)} objects in {len(folders)} folders follow the layering table")
    return 0


if __name__ == "__main__":
    sys.exit(main())
