#!/usr/bin/env python
"""Copy benchmark figures from bench/results/ into README.md and bench/README.md, so the READMEs
quote the results files of a run and never a retyped number.

A quoted block in a Markdown file is

    <!-- quote bench/results/import-2026-12-07.txt head=4 from="RESULTS" to="  phase breakdown" -->
    ```
    …generated…
    ```
    <!-- /quote -->

and its fenced text is replaced by: the file's first `head` lines, then the lines from the first
one that starts with `from` (after any leading spaces are kept) up to, not including, the first
later one that starts with `to` (or the end of the file), leaving out each section that starts
with a line beginning with `omit` (up to its next blank line); rulers (=====) and blank lines are
left out. Without from/to the whole file is quoted.

    .venv/bin/python bench/quote_results.py            # rewrite the blocks
    .venv/bin/python bench/quote_results.py --check    # exit 1 when a block is out of date
"""

import argparse
import re
import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = ("README.md", "bench/README.md")
BLOCK = re.compile(r"(<!-- quote (?P<spec>[^\n]*?) -->\n)(?P<body>.*?)(<!-- /quote -->)", re.S)


def excerpt(spec: str) -> str:
    parts = shlex.split(spec)
    path, opts = parts[0], dict(p.split("=", 1) for p in parts[1:])
    lines = (ROOT / path).read_text("utf-8").splitlines()
    head = int(opts.get("head", 0))
    out = lines[:head]
    start, end = opts.get("from"), opts.get("to")
    if start is None:
        out = lines if not head else out + lines[head:]
    else:
        begin = next((i for i, ln in enumerate(lines) if ln.startswith(start)), None)
        if begin is None:
            raise SystemExit(f"{path}: no line starts with {start!r}")
        stop = len(lines)
        if end is not None:
            stop = next((i for i in range(begin + 1, len(lines)) if lines[i].startswith(end)), len(lines))
        out += lines[begin:stop]
    omit = opts.get("omit")
    if omit is not None:  # a section that starts with `omit` runs to the next blank line
        shown, skipping = [], False
        for ln in out:
            if ln.startswith(omit):
                skipping = True
            elif skipping and not ln.strip():
                skipping = False
            if not skipping:
                shown.append(ln)
        out = shown
    kept = [ln for ln in out if ln.strip() and not set(ln.strip()) <= {"="}]
    return "```\n" + f"# {path} (copied by bench/quote_results.py)\n" + "\n".join(kept) + "\n```\n"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--check", action="store_true", help="change nothing; exit 1 if a block is out of date")
    args = p.parse_args(argv)
    stale = []
    for name in FILES:
        path = ROOT / name
        text = path.read_text("utf-8")
        new = BLOCK.sub(lambda m: m[1] + excerpt(m["spec"]) + m[4], text)
        if new != text:
            stale.append(name)
            if not args.check:
                path.write_text(new, "utf-8")
    if stale:
        print(("out of date: " if args.check else "rewrote: ") + ", ".join(stale))
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
