#!/usr/bin/env python3
"""Summarise the differences between two snapshot folders (made by snapshot.py).

    summarise.py <snapA> <snapB> [--examples N]

For each output that differs: lines removed/added, and how many of the changed lines differ
only in dates and times (a changed pair whose two lines become equal once every date,
time, "24:00" and date-cell type/format is masked). Prints a total per kind of output and a
few examples per file. The audit trail (_db/audit.txt) is compared without its sequence
numbers, so one record more or less does not show every later record as changed.
"""

from __future__ import annotations

import difflib
import re
import sys
from collections import defaultdict
from pathlib import Path

DATE_BITS = [
    re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?)?"),
    re.compile(r"\d{4}年\d{1,2}月\d{1,2}日"),
    re.compile(r"\d{1,2}月\d{1,2}日"),
    re.compile(r"\b\d{1,2}-\d{2}\b"),  # MM-DD
    re.compile(r"\b\d{2}:\d{2}(:\d{2})?\b"),
    re.compile(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\b|星期.|周[一二三四五六日]"),
]


def mask(line: str) -> str:
    for pattern in DATE_BITS:
        line = pattern.sub("<D>", line)
    # an .xlsx cell that became a date cell: the type and number format columns
    parts = line.split("\t")
    if len(parts) == 4 and "!" in parts[0]:
        parts[2] = "<T>"
        parts[3] = "<F>"
        line = "\t".join(parts)
    return line


def kind(rel: str) -> str:
    name = rel.split("/", 2)[-1]
    if rel.startswith("_db/audit"):
        return "audit records"
    if rel.startswith("_db/"):
        return "table row counts"
    for key, label in (("notice.docx", "meeting notice .docx"), ("notice.xlsx", "meeting notice .xlsx"),
                       ("projects_meetings_", "meeting page"), ("projects_meetings", "meeting list"),
                       ("cases_export", "case .xlsx"), ("api_v1", "API JSON"), ("inspections", "inspections"),
                       ("dashboard", "dashboard"), ("notifications", "notifications"), ("root", "home"),
                       ("cases_scope_all", "inbox"), ("cases.html", "inbox"), ("cases_", "case page")):
        if key in name:
            return label
    return "other"


def main() -> int:
    a, b = Path(sys.argv[1]), Path(sys.argv[2])
    examples = int(sys.argv[sys.argv.index("--examples") + 1]) if "--examples" in sys.argv else 3
    files_a = {str(p.relative_to(a)) for p in a.rglob("*") if p.is_file()}
    files_b = {str(p.relative_to(b)) for p in b.rglob("*") if p.is_file()}
    only_a, only_b = sorted(files_a - files_b), sorted(files_b - files_a)
    per_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # files, -, +, date-only pairs
    rows = []
    non_date_examples: list[str] = []
    for rel in sorted(files_a & files_b):
        la = (a / rel).read_text(encoding="utf-8").splitlines()
        lb = (b / rel).read_text(encoding="utf-8").splitlines()
        if rel == "_db/audit.txt":  # compared without the sequence number: one record more shifts them all
            la = [line.split("\t", 1)[-1] for line in la]
            lb = [line.split("\t", 1)[-1] for line in lb]
        if la == lb:
            continue
        removed = added = date_only = 0
        samples: list[str] = []
        others: list[str] = []
        matcher = difflib.SequenceMatcher(a=la, b=lb, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            removed += i2 - i1
            added += j2 - j1
            old, new = la[i1:i2], lb[j1:j2]
            for k in range(max(len(old), len(new))):
                o = old[k] if k < len(old) else None
                n = new[k] if k < len(new) else None
                if o is not None and n is not None and mask(o) == mask(n):
                    date_only += 1
                    if len(samples) < examples:
                        samples.append(f"    - {o.strip()}\n    + {n.strip()}")
                else:
                    if len(others) < examples:
                        others.append((f"    - {o.strip()}\n" if o is not None else "")
                                      + (f"    + {n.strip()}" if n is not None else "").rstrip())
        k = kind(rel)
        per_kind[k][0] += 1
        per_kind[k][1] += removed
        per_kind[k][2] += added
        per_kind[k][3] += date_only
        rows.append((rel, removed, added, date_only, samples, others))
        if others:
            non_date_examples.append(rel)

    print(f"outputs: {len(files_a)} vs {len(files_b)}; differing: {len(rows)}; only in A: {len(only_a)}; only in B: {len(only_b)}")
    for rel in only_a:
        print(f"  only in A: {rel}")
    for rel in only_b:
        print(f"  only in B: {rel}")
    if not rows:
        print("NO DIFFERENCE in any output.")
        return 0
    print("\nper kind of output: files, lines -/+, changed pairs that differ only in dates/times")
    for k, (n, r, ad, d) in sorted(per_kind.items()):
        print(f"  {k:24s} {n:4d} files  -{r:<6d} +{ad:<6d} date-only pairs {d}")
    print(f"\noutputs with changes other than dates/times: {len(non_date_examples)}")
    for rel in non_date_examples:
        print(f"  {rel}")
    print("\nper file: -removed +added (date-only pairs), examples")
    for rel, r, ad, d, samples, others in rows:
        print(f"{rel}: -{r} +{ad} (date-only pairs {d})")
        for s in samples:
            print(s)
        if others:
            print("   other changes:")
            for s in others:
                print(s)
    return 1


if __name__ == "__main__":
    sys.exit(main())
