"""The JSON payload Excel sends to xlwings' remote interpreter, built from a real workbook.

Values from A1 as the workbook shows them (formula results included: a workbook saved by a
spreadsheet program carries them), dates as ISO strings, the sheets in tab order, the cells
that have notes. ``edits`` change cells the way an applicant types into Excel.
"""

from __future__ import annotations

import datetime as dt

import openpyxl
import xlwings

from planvalidator.findings import cell_key
from planvalidator.address import a1


def _json(value):
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(value, dt.date):
        return f"{value.isoformat()}T00:00:00.000Z"
    return value


def payload(path, *, edits=None, notes=None, name=None, first_sheets=()) -> dict:
    book = openpyxl.load_workbook(path, data_only=True)
    sheets = list(first_sheets)
    for ws in book.worksheets:
        values = [[_json(c.value) for c in row]
                  for row in ws.iter_rows(min_row=1, min_col=1, max_row=ws.max_row, max_col=ws.max_column)]
        for ref, value in (edits or {}).get(ws.title, {}).items():
            r, c = cell_key(ref)
            while len(values) < r:
                values.append([None] * len(values[0]))
            for row in values:
                row.extend([None] * (c - len(row)))
            values[r - 1][c - 1] = _json(value)
        sheets.append(sheet_payload(ws.title, values, (notes or {}).get(ws.title, [])))
    return {
        "client": "Office.js", "version": xlwings.__version__,
        "book": {"name": name or path.name, "active_sheet_index": 0, "selection": "A1"},
        "names": [], "sheets": sheets,
    }


def sheet_payload(name, values, notes=()) -> dict:
    return {"name": name, "values": values, "pictures": [], "shapes": [], "charts": [], "tables": [],
            "notes": [{"address": f"${''.join(ch for ch in n if ch.isalpha())}${''.join(ch for ch in n if ch.isdigit())}"}
                      for n in notes],
            "visibility": "Visible", "show_gridlines": True, "pivot_tables": [], "print_area": None}


def actions(book) -> list[dict]:
    return book.json()["actions"]


def cell_of(action, sheet_names) -> tuple[str, str]:
    """(sheet, A1 cell) an action targets."""
    return sheet_names[action["sheet_position"]], a1(action["start_row"] + 1, action["start_column"] + 1)
