"""The Excel button's Python work on the 記入例: payload in → actions out, in a warm process.

    python bench/button.py [--repeat N]

Baseline, in the same run: reading the same workbook file with python-calamine (every sheet's
values). Three cases:
the 記入例 as shipped, the 記入例 with one cell edited, and two invalid examples (their findings
are written back as notes, fills and the results sheet). Nothing is remembered between
presses: each is the whole work of one press in a warm process (imports done, schemas loaded).
Target (issue 5): ≤ 100 ms median for the button's work.

For context, a last row times a whole fresh process doing one press of the 記入例 (start Python,
import xlwings and planvalidator.xl, check, return the actions): what a press costs when
Excel starts Python anew for each RunPython (the default; on Windows the xlwings add-in's
"Use UDF Server" keeps one process, so presses after the first cost the warm time above).
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import xlwings  # noqa: E402
from python_calamine import CalamineWorkbook  # noqa: E402

from planvalidator.xl import check_book  # noqa: E402
from support.xl_payload import payload  # noqa: E402

EXAMPLE = ROOT / "templates" / "r7" / "kinyurei-r7.xlsx"
INVALID = ROOT / "templates" / "r7" / "invalid"


def median_ms(fn, repeat):
    return statistics.median(fn() for _ in range(repeat)) * 1000


def press(p):
    data = copy.deepcopy(p)
    book = xlwings.Book(json=data)
    start = time.perf_counter()
    check_book(book)
    book.json()
    return time.perf_counter() - start


def calamine_read(path):
    start = time.perf_counter()
    book = CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    cases = [
        ("記入例 (no findings)", payload(EXAMPLE)),
        ("記入例, one cell edited", payload(EXAMPLE, edits={"計画様式7": {"F6": "能登産アテ間伐材（板材）"}})),
        ("ineligible-expenses (4 findings)", payload(INVALID / "ineligible-expenses.xlsx")),
        ("form-errors (7 findings)", payload(INVALID / "form-errors.xlsx")),
    ]
    press(cases[0][1])                             # warm the process: imports, schemas, template merges
    baseline = median_ms(lambda: calamine_read(EXAMPLE), args.repeat)
    print(f"{'python-calamine reads the 記入例 file (baseline)':<48} {baseline:7.1f} ms   1.00")
    for title, p in cases:
        ms = median_ms(lambda p=p: press(p), args.repeat)
        print(f"{'button, ' + title:<48} {ms:7.1f} ms   {ms / baseline:5.2f}")
    ms = cold_press(cases[0][1], max(3, args.repeat // 2))
    print(f"{'fresh process: start, imports, one press':<48} {ms:7.1f} ms   {ms / baseline:5.2f}")
    return 0


COLD = """
import json, sys, time
import xlwings
from planvalidator.xl import check_book
book = xlwings.Book(json=json.load(open(sys.argv[1], encoding="utf-8")))
check_book(book)
book.json()
"""


def cold_press(p, repeat):
    import json
    import subprocess
    import tempfile

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}   # as pip installs: .pyc cached
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "payload.json"
        data.write_text(json.dumps(p, ensure_ascii=False), encoding="utf-8")
        argv = [sys.executable, "-c", COLD, str(data)]
        subprocess.run(argv, check=True, env=env, cwd=ROOT)
        runs = []
        for _ in range(repeat):
            start = time.perf_counter()
            subprocess.run(argv, check=True, env=env, cwd=ROOT)
            runs.append(time.perf_counter() - start)
    return statistics.median(runs) * 1000


if __name__ == "__main__":
    sys.exit(main())
