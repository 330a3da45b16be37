"""The Excel button's Python work on the 記入例: payload in → actions out, in a warm process.

    python bench/button.py [--repeat N]

Baseline, in the same run: reading the same workbook file with python-calamine (every sheet's
values). Three cases:
- first press: a warm process (imports done, schemas loaded) but nothing remembered of this book;
- press again: the same book unchanged (every sheet frame's validation is remembered);
- after an edit: one cell changed (only the frames that changed are validated again).
Target (issue 5): ≤ 100 ms median for the button's work.
"""

from __future__ import annotations

import argparse
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

from planvalidator import schema  # noqa: E402
from planvalidator.xl import check_book  # noqa: E402
from xl_payload import payload  # noqa: E402

EXAMPLE = ROOT / "templates" / "r7" / "kinyurei-r7.xlsx"


def median_ms(fn, repeat):
    runs = []
    for _ in range(repeat):
        runs.append(fn())
    return statistics.median(runs) * 1000


def press(p, *, forget=False):
    import copy
    data = copy.deepcopy(p)
    if forget and schema._CASES is not None:
        schema._CASES.clear()
    book = xlwings.Book(json=data)
    start = time.perf_counter()
    check_book(book)
    book.json()
    return time.perf_counter() - start


def calamine_read():
    start = time.perf_counter()
    book = CalamineWorkbook.from_path(str(EXAMPLE))
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    clean = payload(EXAMPLE)
    counter = iter(range(10_000))
    press(clean)                                   # warm the process: imports, schemas, template merges
    baseline = median_ms(calamine_read, args.repeat)
    first = median_ms(lambda: press(clean, forget=True), args.repeat)
    again = median_ms(lambda: press(clean), args.repeat)

    def after_edit():
        press(clean)                               # remember the unchanged book, then edit one cell
        edited = payload(EXAMPLE, edits={"計画様式7": {"F6": f"能登産アテ間伐材（板材 {next(counter)}）"}})
        return press(edited)
    edit = median_ms(after_edit, args.repeat)
    print(f"python-calamine reads the file (baseline)   {baseline:7.1f} ms   1.00")
    print(f"button, first press (nothing remembered)    {first:7.1f} ms   {first / baseline:5.2f}")
    print(f"button, pressed again (same book)           {again:7.1f} ms   {again / baseline:5.2f}")
    print(f"button, after editing one cell              {edit:7.1f} ms   {edit / baseline:5.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
