"""Write fixes into a copy of the workbook package: the fixed cells, and what recalculation needs.

Each edit replaces one cell's content (its cell format kept; a date in a cell that does not show dates
gets the same format with the built-in date format). The formulas that read a fixed cell — directly or
through other formulas — lose their saved result, and ``workbook.xml`` asks for a full calculation on load
(``calcPr fullCalcOnLoad="1"``): Excel and LibreOffice compute them when the copy is opened, and a check of
the copy computes them from the inputs (:mod:`planvalidator.calc`) instead of reading stale results. Every
other part of the package is written back byte for byte (:class:`planvalidator.package.Package`), so an
.xlsm keeps its macros.
"""

from __future__ import annotations

import datetime as dt

from planvalidator.address import a1, parse_a1
from planvalidator.findings import Edit
from planvalidator.formula import references
from planvalidator.ooxml.cells import drop_cached, find_cell, is_shared_master, set_content
from planvalidator.ooxml.styles import DATE_FORMAT, Styles, shows_date, with_number_format
from planvalidator.package import WORKBOOK_ORDER, Package, child

EXCEL_EPOCH = dt.date(1899, 12, 30)


def serial(day: dt.date) -> int:
    """A date as Excel stores it (days since 1899-12-30)."""
    return (day - EXCEL_EPOCH).days


def dependents(grid, changed: set[tuple[str, int, int]]) -> set[tuple[str, int, int]]:
    """The formula cells of ``grid`` that read a changed cell, directly or through other formulas."""
    formulas = [(name, r, c, [ref for ref in references(text) if not ref.external])
                for name, sheet in grid.sheets.items() for (r, c), text in sheet.formulas.items()]
    found: set[tuple[str, int, int]] = set()
    frontier = set(changed)
    while frontier:
        new = set()
        for name, r, c, refs in formulas:
            if (name, r, c) in found:
                continue
            for ref in refs:
                where = ref.sheet or name
                if any(s == where and ref.r1 <= fr <= ref.r2 and ref.c1 <= fc <= ref.c2 for s, fr, fc in frontier):
                    new.add((name, r, c))
                    break
        found |= new
        frontier = new - changed
    return found


def write_fixes(source, target, edits: list[Edit], grid) -> list[Edit]:
    """Write ``edits`` into a copy of ``source`` at ``target`` (a path or a binary stream); the edits written
    (a cell holding a shared formula that others take theirs from is left alone)."""
    pkg = Package(source)
    styles = None
    written: list[Edit] = []
    changed: set[tuple[str, int, int]] = set()
    for edit in edits:
        part = pkg.sheet_part(edit.sheet)
        if part is None:
            continue
        ws = pkg.xml(part)
        existing = find_cell(ws, edit.cell)
        if existing is not None and is_shared_master(existing):
            continue
        c = existing if existing is not None else find_cell(ws, edit.cell, create=True)
        value = edit.value
        if isinstance(value, dt.date):
            value = serial(value if not isinstance(value, dt.datetime) else value.date())
            styles = styles or Styles(pkg)
            style = int(c.get("s") or 0)
            if not shows_date(styles, style):
                c.set("s", str(with_number_format(styles, style, DATE_FORMAT)))
        set_content(c, value=value, formula=edit.formula)
        written.append(edit)
        changed.add((edit.sheet, *parse_a1(edit.cell)))
    for sheet, r, c in sorted(dependents(grid, changed) - changed):
        part = pkg.sheet_part(sheet)
        cell = find_cell(pkg.xml(part), a1(r, c)) if part else None
        if cell is not None:
            drop_cached(cell)
    if written:
        workbook = pkg.xml(pkg.workbook_part)
        child(workbook, "calcPr", WORKBOOK_ORDER).set("fullCalcOnLoad", "1")
    pkg.save(target)
    return written
