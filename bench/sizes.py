"""The check on large expense tables: 計画様式7 with 40, 1,000 and 3,000 filled rows.

    python bench/sizes.py [--sizes 40,1000,3000] [--repeat N] [--keep DIR]

Inputs, made in a temporary folder (``--keep DIR`` writes them there instead): the 記入例 with
its 計画様式7 expense table grown to N filled rows, the extra rows inserted as Excel inserts
them (``tests/support/helpers.py`` ``insert_rows_like_excel``: the 合計 rows' SUMIF ranges, the
計画様式8 references and the merges move down). Every row is valid: each of the 記入例's 12
expense lines is split into N/12 lines (数量 1, 単価 its share of the line's amount, the 金額
formula of the template), so 年度, 経費区分, 経費内訳, 発注予定日 and 見積書 are the 記入例's and
every total (per 年度, per 経費区分, the 合計, 計画様式8) is the same: the file checks clean, as
the 記入例 does. The No column is left as Excel leaves it: the template's 1–40 moved down with
their rows, the inserted rows blank (a renumbered No column is read too — tests/rules/test_rules_cells.py —
but costs PV012 a second alignment).

For each size, two comparisons, each against python-calamine reading the same file, measured
in the same run the same way (ratio 1.00):
- cold: a fresh `planvalidator check FILE` process against a fresh process that reads the
  file with python-calamine (both timed from start to exit, compiled modules cached);
- warm: ``planvalidator.engine.check_file`` in this process (imports done, schemas loaded)
  against a python-calamine read in this process, both going round :data:`VARIANTS` copies of the
  input that differ in every sheet's bytes (each sheet's first row height) and in the expense rows'
  values (each line's shares in another order, so the totals stay the same): a memo of what one file
  held, which no applicant re-checking an edited file would gain from, does not flatter the figure.
Target (the issue on quadratic tables): both ratios ≤ 10 at every size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from python_calamine import CalamineWorkbook  # noqa: E402

from support.helpers import EXAMPLE, insert_rows_like_excel  # noqa: E402
from timing import CALAMINE, cold, warm  # noqa: E402

PY = sys.executable
SHEET = "計画様式7"
FIRST = 6            # the first expense row of the template
SLOTS = 40           # expense rows in the template (6–45)
COLUMNS = "BCDEFGHIJKLMN"


def expense_lines(ws) -> list[dict[str, object]]:
    """The 記入例's filled expense rows, column letter → value."""
    lines = []
    for r in range(FIRST, FIRST + SLOTS):
        if ws[f"C{r}"].value is None:
            break
        lines.append({c: ws[f"{c}{r}"].value for c in COLUMNS})
    return lines


def shares(amount: int, parts: int) -> list[int]:
    """``amount`` split into ``parts`` whole yen (the last takes the remainder)."""
    each = amount // parts
    return [each] * (parts - 1) + [amount - each * (parts - 1)]


VARIANTS = 3         # copies of each input the warm figures go round


def grown(rows: int, target: Path, variant: int = 0) -> Path:
    """The 記入例 with ``rows`` filled expense rows in 計画様式7 (rows ≥ the 記入例's 12); ``variant``: which
    copy (see the module's doc: the same findings, other bytes in every sheet and other row values)."""
    import openpyxl

    book = openpyxl.load_workbook(EXAMPLE)
    ws = book[SHEET]
    lines = expense_lines(ws)
    if rows > SLOTS:                       # inside the table, below the filled rows, as Excel does
        insert_rows_like_excel(book, SHEET, FIRST + len(lines), rows - SLOTS)
    counts = shares(rows, len(lines))      # how many rows each 記入例 line becomes
    r = FIRST
    for line, count in zip(lines, counts):
        parts = shares(line["G"] * line["I"], count)
        parts = parts[variant % count:] + parts[:variant % count]
        for k, price in enumerate(parts, 1):
            values = dict(line, G=1, I=price, J=f'=IF(OR(G{r}="",I{r}=""),"",G{r}*I{r})')
            del values["B"]                # the No column stays as Excel leaves it (see above)
            if count > 1:
                values["F"] = f"{line['F']}（{k}/{count}）"
                values["H"] = "式"
            for c, v in values.items():
                ws[f"{c}{r}"].value = v
                if isinstance(v, dt.datetime):
                    ws[f"{c}{r}"].number_format = "yyyy/m/d"
            r += 1
    if variant:
        for sheet in book.worksheets:
            sheet.row_dimensions[1].height = 30 + variant    # (not a height the 記入例 has)
    book.save(target)
    return target


def calamine_read(path: Path) -> None:
    book = CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="40,1000,3000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="write the inputs to this folder and keep them")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    from planvalidator.engine import check_file

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        print(f"{'rows':>6} {'findings':>8} | {'cold check':>10} {'calamine':>8} {'ratio':>6} | "
              f"{'warm check':>10} {'calamine':>8} {'ratio':>6}")
        for n in sizes:
            paths = [grown(n, folder / (f"keikaku7-{n}.xlsx" if v == 0 else f"keikaku7-{n}-{v}.xlsx"), v)
                     for v in range(VARIANTS)]
            path = paths[0]
            findings = len(check_file(path).findings)
            assert all(len(check_file(p).findings) == findings for p in paths[1:]), "the copies should check alike"
            check_ms = cold([PY, "-m", "planvalidator", "check", str(path)], args.repeat)
            base_ms = cold([PY, "-c", CALAMINE.format(path)], args.repeat)
            turn = itertools.cycle(paths)
            warm_ms = warm(lambda: check_file(next(turn)), args.repeat * VARIANTS)
            turn = itertools.cycle(paths)
            warm_base = warm(lambda: calamine_read(next(turn)), args.repeat * VARIANTS)
            print(f"{n:>6} {findings:>8} | {check_ms:7.0f} ms {base_ms:5.0f} ms {check_ms / base_ms:6.2f} | "
                  f"{warm_ms:7.1f} ms {warm_base:5.1f} ms {warm_ms / warm_base:6.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
