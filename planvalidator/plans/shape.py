"""The shape of a plan as data, and where each of its values goes in the template.

The shape of a plan::

    {"template": "r7", "program": null,
     "applicant": {"name": "株式会社…", …, "documents": [{"document": "① 事業計画書…", "attached": "有"}, …]},
     "expenses": [{"year": "1年目", "category": "試作・開発費", …, "quantity": 40, "unit_price": 6000}, …],
     "sales": {"launch": "2027-04-01", "basis": "…", "sales_plan": [{"year": "1年目", "quantity": 3000, …}, …]},
     …}

* One key per sheet of the layout (its ASCII ``key``). A sheet is an object of its input fields
  (name → value, null when blank) and its tables (name → list of records). A sheet with no input
  field and one table (activities, schedule, expenses, consent) *is* that table's list.
* A record is an object of its columns (only those with a value). Records are in sheet order and
  only those with any input; record i goes into the table's i-th row (or column) of the template.
* Columns the template prints itself (No, 年度, 区分, 書類名 …: ``fixed`` in the layout) are left
  out — except the one that names a record, where the template names its records (計画様式1 書類名,
  計画様式2 区分 前々期/前期, 計画様式8 and 計画様式9 年度 1年目…): that label is kept in each
  record and places it (a record ``{"year": "2年目", …}`` goes into the 2年目 row whatever its index).
  計画様式9's records are the template's *columns* (one per year); in JSON they are a list like
  any other table.
* Cells the template computes (``computed``: 金額, 合計, 資金合計 …) are left out: the template's
  formula computes them. A computed cell the applicant overwrote with a number (or emptied) is
  kept, with that number (or null), so the checker still finds the overwritten total; a sheet that
  is a list gets the object form ``{"expenses": [...], "grand_total": 1234}`` for that.
* Values are as the applicant wrote them (text exactly as typed, 「約200」 and 「２４０，０００」
  included: the checker reports them as it would in the workbook); numbers as numbers, dates
  as ISO 「YYYY-MM-DD」.

:func:`form` finds, in the version's official blank workbook, where each field and record of that
shape goes (:class:`SheetForm`, :class:`TableForm`); export, fill and the JSON Schema all read it.
"""

from __future__ import annotations

from functools import lru_cache

from planvalidator.errors import CannotCheck
from planvalidator.layout import LabelIndex, Layout, SheetSpec, TableSpec, known_layouts
from planvalidator.normalize import is_blank, label_canon
from planvalidator.structs import Frozen

MAX_OPEN_RECORDS = 1000                # records of a table the template does not end (no row below it)


# --- the template's form: where each field and record goes ---------------------------------------

class TableForm(Frozen):
    sheet: SheetSpec
    spec: TableSpec
    positions: dict            # column → column number (rows) or row number (columns), in the template
    numbers: tuple[int, ...]   # the record numbers (rows, or columns) records go into, in order
    bounded: bool              # the template ends the table (a row below it, or its last column)
    label_column: str | None   # the fixed column naming the records, where the template names them
    labels: tuple               # (label text, record number) of the template's named records
    total_record: int | None

    @property
    def by_rows(self) -> bool:
        return self.spec.records == "rows"

    def at(self, number: int, column: str) -> tuple[int, int]:
        p = self.positions[column]
        return (number, p) if self.by_rows else (p, number)

    def named(self, label) -> int | None:
        wanted = label_canon(str(label))
        return next((n for text, n in self.labels if label_canon(text) == wanted), None)


class SheetForm(Frozen):
    spec: SheetSpec
    name: str                               # the sheet's name in the template workbook
    fields: dict                            # field → (row, col)
    formulas: frozenset                     # (row, col) of the template's formula cells on this sheet
    tables: dict                            # table → TableForm

    @property
    def is_list(self) -> bool:
        """No input field and exactly one table: the sheet is that table's list of records."""
        return not any(not f.computed for f in self.spec.fields) and len(self.spec.tables) == 1


@lru_cache(maxsize=4)
def form(layout: Layout) -> dict[str, SheetForm]:
    """{sheet key: SheetForm}: where each field and record of the version goes in its blank workbook."""
    from planvalidator.locate import locate
    from planvalidator.reference import reference_grid

    grid = reference_grid(layout)
    if grid is None:
        raise CannotCheck(f"様式 {layout.template} の公式の空の様式（{layout.reference}）が見つかりません")
    placement = locate(grid, layout)
    out: dict[str, SheetForm] = {}
    for spec in layout.sheets:
        place = placement.sheets.get(spec.name)
        if place is None:
            continue
        sheet = grid.sheets[place.name]
        tables = {}
        for tname, tplace in place.tables.items():
            tables[tname] = _table_form(spec, tplace, sheet)
        out[spec.key] = SheetForm(spec, place.name, {n: (f.row, f.col) for n, f in place.fields.items()},
                                  frozenset(sheet.formulas), tables)
    return out


def _table_form(sheet_spec: SheetSpec, place, sheet) -> TableForm:
    spec = place.spec
    by_rows = spec.records == "rows"
    if by_rows:
        index = LabelIndex.of(sheet)
        bounded = any(index.find([label], min_row=place.first) for label in spec.end_before)
        numbers = range(place.first, place.last + 1) if bounded else range(place.first, place.first + MAX_OPEN_RECORDS)
    else:
        bounded, numbers = True, range(place.first, place.last + 1)

    def value(number, column):
        p = place.positions[column]
        return sheet.value(*((number, p) if by_rows else (p, number)))

    if bounded:     # where the template numbers its records (No 1…40) or computes them, those are its rows
        fixed = [c.name for c in spec.columns if (c.fixed or c.computed) and c.name in place.positions]
        ruled = [n for n in numbers if any(
            not is_blank(value(n, c)) or ((n, place.positions[c]) if by_rows else (place.positions[c], n))
            in sheet.formulas for c in fixed)]
        if ruled:
            numbers = range(ruled[0], ruled[-1] + 1)

    label_column, labels = None, ()
    for c in spec.columns:
        if not c.fixed or c.name not in place.positions:
            continue
        named = [(value(n, c.name), n) for n in numbers if not is_blank(value(n, c.name))]
        if any(isinstance(text, str) and not text.strip().isdigit() for text, _ in named):
            label_column, labels = c.name, tuple((str(text), n) for text, n in named)
            break
    return TableForm(sheet_spec, spec, dict(place.positions), tuple(numbers), bounded, label_column, labels,
                     place.total_record)


def layout_named(template) -> Layout | None:
    return next((layout for layout in known_layouts() if layout.template == template), None)


def pointer(*parts) -> str:
    """A JSON pointer (RFC 6901) of the parts."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def pointer_join(base: str, name) -> str:
    return base + pointer(name)


def column_of(frame, name):
    """The sheet schema's column ``name`` of a frame (None when there is no frame or no such column)."""
    return frame.columns.get(name) if frame is not None else None
