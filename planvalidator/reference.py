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
        import python_calamine  # noqa: F401 — what load_grid reads with
    except ImportError:     # no python-calamine (a Pyodide without it, e.g. xlwings Lite): the template's
        return _labels_and_merges(path)     # labels and merged ranges are all borrow_merges needs
    from planvalidator.datacache import remembered

    # read once per version and kept in the user's cache as plain data (a cold check then reads ~40 KB of
    # JSON instead of the template workbook); made again when the template or the reading code changes
    try:
        return _grid_of(remembered(path, "reference", lambda: _plain_grid(load_grid(path)), _reading_code(),
                                   template), path.name)
    except TypeError:       # a cell value JSON cannot hold: read from the workbook every time
        return load_grid(path)


def _reading_code() -> tuple[str, ...]:
    """The modules a reference grid's cells follow from (a change to one reads the template again)."""
    from planvalidator import grid, sheetxml, workbook
    return (workbook.__file__, sheetxml.__file__, grid.__file__, __file__)


# a cell value in JSON: a list [kind, text] for what JSON has no type for
_TAGS = {"datetime": "dt", "date": "d", "time": "t", "timedelta": "td"}


def _plain_value(value):
    import datetime as dt

    if isinstance(value, bool) or value is None or isinstance(value, (int, float, str)):
        return value
    if isinstance(value, dt.timedelta):
        return ["td", value.total_seconds()]
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return [_TAGS[type(value).__name__], value.isoformat()]
    raise TypeError(type(value).__name__)      # not kept: the grid is read from the file each time


def _value(plain):
    import datetime as dt

    if not isinstance(plain, list):
        return plain
    kind, text = plain
    if kind == "td":
        return dt.timedelta(seconds=text)
    return {"dt": dt.datetime, "d": dt.date, "t": dt.time}[kind].fromisoformat(text)


def _plain_grid(grid: Grid) -> dict:
    return {"sheets": [{"name": s.name,
                        "values": [[r, c, _plain_value(v)] for (r, c), v in s.values.items()],
                        "formulas": [[r, c, f] for (r, c), f in s.formulas.items()],
                        "cached": [[r, c, _plain_value(v)] for (r, c), v in s.cached.items()],
                        "merged": [list(m) for m in s.merged]} for s in grid.sheets.values()]}


def _grid_of(plain: dict, source: str) -> Grid:
    sheets = {}
    for s in plain["sheets"]:
        sheets[s["name"]] = SheetGrid(
            s["name"], values={(r, c): _value(v) for r, c, v in s["values"]},
            formulas={(r, c): f for r, c, f in s["formulas"]},
            cached={(r, c): _value(v) for r, c, v in s["cached"]},
            merged=[tuple(m) for m in s["merged"]])
    return Grid(source=source, sheets=sheets)


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
