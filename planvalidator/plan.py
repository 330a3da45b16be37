"""The checked plan: every field and table of the workbook, typed, each value tied to its cell."""

from __future__ import annotations

from dataclasses import dataclass, field

from planvalidator.findings import Finding
from planvalidator.layout import Layout
from planvalidator.workbook import Grid, a1, col_letter, col_number


@dataclass
class Field:
    sheet: str            # the layout's sheet name (計画様式1 …)
    name: str             # ASCII key from the layout
    title: str            # Japanese name from the schema
    cell: str             # A1 address of the input cell
    row: int
    col: int
    value: object = None  # typed value (None when empty or unreadable)
    formula: str | None = None


@dataclass
class Table:
    sheet: str
    name: str
    records: str                           # "rows": labels are Excel rows; "columns": column letters
    labels: list                           # the non-blank records, in sheet order
    columns: dict[str, list]               # column name -> typed value per label (None when empty)
    positions: dict[str, int]              # column name -> column number (rows) or row number (columns)
    titles: dict[str, str]
    all_records: list[int] = field(default_factory=list)  # row (or column) numbers, blank ones too
    total_record: int | None = None        # the 合計 row, where the table has one
    first_number: int | None = None        # the first row (or column) below the header

    @property
    def empty(self) -> bool:
        return not self.labels

    def __len__(self) -> int:
        return len(self.labels)

    def value(self, label, column: str):
        """The typed value of one record's column (None when empty, or no such record)."""
        values = self.columns.get(column)
        if values is None or label not in self.labels:
            return None
        return values[self.labels.index(label)]

    def first_free(self) -> int | None:
        """The first record number with nothing typed in it (where a missing record goes)."""
        if self.first_number is None:
            return None
        filled = {self.number(rec) for rec in self.labels}
        n = self.first_number
        while n in filled:
            n += 1
        return n

    def rowcol(self, record: int | str, column: str) -> tuple[int, int]:
        if self.records == "rows":
            return int(record), self.positions[column]
        col = record if isinstance(record, int) else col_number(record)
        return self.positions[column], col

    def cell(self, record: int | str, column: str) -> str:
        return a1(*self.rowcol(record, column))

    def rows(self):
        """(record, {column: value}) for each non-blank record, in sheet order."""
        names = list(self.columns)
        for i, label in enumerate(self.labels):
            yield label, {c: self.columns[c][i] for c in names}

    def number(self, record) -> int:
        """The Excel row (or column number) of a record."""
        return int(record) if self.records == "rows" else col_number(record)

    def record_label(self, number: int):
        """The label for a record number (row number, or column letter)."""
        return number if self.records == "rows" else col_letter(number)


@dataclass
class Plan:
    source: str
    layout: Layout
    grid: Grid
    sheet_names: dict[str, str]                    # layout sheet -> actual sheet name in the book
    fields: dict[str, dict[str, Field]]
    tables: dict[str, dict[str, Table]]
    problems: list[Finding] = field(default_factory=list)  # found while reading (unreadable cells …)
    typed_as_text: dict[tuple[str, str], str] = field(default_factory=dict)  # (sheet, cell) → text read as a number

    @property
    def template(self) -> str:
        return self.layout.template

    def field(self, sheet: str, name: str) -> Field | None:
        return self.fields.get(sheet, {}).get(name)

    def value(self, sheet: str, name: str):
        f = self.field(sheet, name)
        return None if f is None else f.value

    def table(self, sheet: str, name: str) -> Table | None:
        return self.tables.get(sheet, {}).get(name)

    def problems_at(self, sheet: str, cell: str) -> bool:
        """Whether the reader already reported the cell (an unreadable value)."""
        name = self.actual(sheet)
        return any(p.sheet == name and p.cell == cell for p in self.problems)

    def actual(self, sheet: str) -> str:
        """The sheet's name in the workbook (it may differ from the layout's)."""
        return self.sheet_names.get(sheet, sheet)
