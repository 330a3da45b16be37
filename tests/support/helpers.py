"""Shared helpers for the tests, built on the official R7 workbook (templates/r7/)."""

from __future__ import annotations

from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parents[2]
R7 = ROOT / "templates" / "r7"
TEMPLATE = R7 / "jigyo-keikakusho-r7.xlsx"
EXAMPLE = R7 / "kinyurei-r7.xlsx"


def edit(source: Path, target: Path, edits: dict[str, dict[str, object]], *, prepare=None) -> Path:
    """A copy of ``source`` with cells changed (and ``prepare(book)`` run first), saved by openpyxl."""
    book = openpyxl.load_workbook(source)
    if prepare:
        prepare(book)
    for sheet, cells in edits.items():
        for cell, value in cells.items():
            book[sheet][cell].value = value
    book.save(target)
    return target


def keys(report, *, severities=("error", "warning", "info")):
    """(rule, sheet, cell) of every finding of the given severities."""
    return {(f.rule, f.sheet, f.cell) for f in report.findings if f.severity.value in severities}


def hits(report, rule: str):
    """(sheet, cell, severity) of every finding of one rule."""
    return {(f.sheet, f.cell, f.severity.value) for f in report.findings if f.rule == rule}


def errors(report):
    return keys(report, severities=("error",))


def finding_keys(report):
    """Every finding of a report, in order, as (rule, severity, sheet, cell, message)."""
    return [(f.rule, f.severity.value, f.sheet, f.cell, f.message) for f in report.findings]


def parts(path) -> dict[str, bytes]:
    import zipfile
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def write_parts(path, contents: dict[str, bytes]) -> Path:
    import zipfile
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in contents.items():
            zf.writestr(name, data)
    return Path(path)


def make_xlsm(source: Path, target: Path) -> Path:
    """``source`` as a macro-enabled workbook carrying a real VBA project (xlwings' quickstart one)."""
    import os
    import xlwings
    quickstart = Path(os.path.dirname(xlwings.__file__)) / "quickstart.xlsm"
    vba = parts(quickstart)["xl/vbaProject.bin"]
    contents = parts(source)
    ct = contents["[Content_Types].xml"].decode()
    ct = ct.replace("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    "application/vnd.ms-excel.sheet.macroEnabled.main+xml")
    ct = ct.replace("</Types>", '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')
    contents["[Content_Types].xml"] = ct.encode()
    rels = contents["xl/_rels/workbook.xml.rels"].decode()
    rels = rels.replace("</Relationships>", '<Relationship Id="rIdVBA" Type="http://schemas.microsoft.com/office/'
                        '2006/relationships/vbaProject" Target="vbaProject.bin"/></Relationships>')
    contents["xl/_rels/workbook.xml.rels"] = rels.encode()
    contents["xl/vbaProject.bin"] = vba
    return write_parts(target, contents)


def insert_rows_like_excel(book, sheet: str, idx: int, amount: int = 1) -> None:
    """Insert rows as Excel does: cells, merged ranges and every formula in the book that points
    at or below ``idx`` on ``sheet`` move down (openpyxl's insert_rows moves cells only)."""
    like_excel(book, sheet, "row", idx, amount)


def like_excel(book, sheet: str, axis: str, idx: int, amount: int) -> None:
    """Insert (``amount`` > 0, before ``idx``) or delete (``amount`` < 0, from ``idx``) rows (axis "row") or
    columns ("col") as Excel does: cells, merged ranges and every formula in the book that points past them
    move (a merge inside deleted rows goes)."""
    from planvalidator.formula import move

    ws = book[sheet]
    edit = {("row", True): ws.insert_rows, ("row", False): ws.delete_rows,
            ("col", True): ws.insert_cols, ("col", False): ws.delete_cols}[(axis, amount > 0)]
    edit(idx, abs(amount))
    after = idx if amount > 0 else idx - amount          # the first row/column that moves

    def shifted(p: int) -> int:
        return p + amount if p >= after else p

    merges = [(r.min_row, r.min_col, r.max_row, r.max_col) for r in ws.merged_cells.ranges]
    for rng in list(ws.merged_cells.ranges):
        ws.merged_cells.remove(rng)
    for r1, c1, r2, c2 in merges:
        lo, hi = (r1, r2) if axis == "row" else (c1, c2)
        if amount < 0 and idx <= lo and hi < after:
            continue                                      # deleted with its rows
        if axis == "row":
            ws.merge_cells(start_row=shifted(r1), start_column=c1, end_row=shifted(r2), end_column=c2)
        else:
            ws.merge_cells(start_row=r1, start_column=shifted(c1), end_row=r2, end_column=shifted(c2))
    for other in book.worksheets:
        for row in other.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    def mover(target, r, c, _rf, _cf, own=other.title):
                        if (target or own) != sheet:
                            return r, c
                        return (shifted(r), c) if axis == "row" else (r, shifted(c))
                    cell.value = move(cell.value, mover)
