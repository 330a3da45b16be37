"""The official blank workbook of a template version (templates/<version>/, named by the layout's
``reference``), read once: where its labels are and how they are merged — what near labels, borrowed
merges and the template's own formulas are compared with."""

from __future__ import annotations

from functools import lru_cache

from planvalidator.grid import Grid, SheetGrid
from planvalidator.layout import Layout
from planvalidator.workbook import load_grid


def reference_grid(layout: Layout) -> Grid | None:
    """The official blank workbook of the layout's version, read once per process (None without one)."""
    return _reference_grid(layout.template, layout.reference) if layout.reference else None


@lru_cache(maxsize=4)
def _reference_grid(template: str, reference: str) -> Grid | None:
    from planvalidator.resources import templates_dir
    path = templates_dir() / template / reference
    if not path.is_file():
        return None
    try:
        return load_grid(path)
    except ImportError:     # no python-calamine (a Pyodide without it, e.g. xlwings Lite): the template's
        return _labels_and_merges(path)     # labels and merged ranges are all borrow_merges needs


def _labels_and_merges(path) -> Grid:
    """The official template's values and merged ranges through openpyxl (pure Python)."""
    import openpyxl

    book = openpyxl.load_workbook(path, data_only=True)
    sheets = {}
    for ws in book.worksheets:
        sheet = SheetGrid(ws.title)
        sheet.values.update(((c.row, c.column), c.value) for row in ws.iter_rows() for c in row
                            if c.value not in (None, ""))
        for m in ws.merged_cells.ranges:
            sheet.add_merge((m.min_row, m.min_col, m.max_row, m.max_col))
        sheets[ws.title] = sheet
    return Grid(source=path.name, sheets=sheets)
