"""The checked plan: every field and table of the workbook, typed, each value tied to its cell."""

from __future__ import annotations


from planvalidator.layout import Layout
from planvalidator.address import a1, col_letter, col_number
from planvalidator.grid import Grid
from planvalidator.structs import Frozen, Struct, compared_on, field


class Field(Struct):
    """A field of the plan as read: its cell, its typed value and its formula."""
    sheet: str            # the layout's sheet name (計画様式1 …)
    name: str             # ASCII key from the layout
    title: str            # Japanese name from the schema
    cell: str             # A1 address of the input cell
    row: int
    col: int
    value: object = None  # typed value (None when empty or unreadable)
    formula: str | None = None


class Table(Struct):
    """A table of the plan as read: its rows (or columns) of records and where they were found."""
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
    _index: tuple | None = None            # (remembered: the labels' positions, for row())
    _rows: list | None = None              # (remembered: rows())
    __eq__, __hash__ = compared_on("sheet", "name", "records", "labels", "columns", "positions", "titles",
                                   "all_records", "total_record", "first_number", hashable=False)

    @property
    def empty(self) -> bool:
        return not self.labels

    def __len__(self) -> int:
        return len(self.labels)

    def position(self, label) -> int | None:
        """Where a record's values are in each column's list (None: no such record).

        Looked up in an index of the labels, built once (``labels.index`` made a table of n
        records cost n²); built again only if the labels were changed."""
        index = self._index
        if index is None or index[0] is not self.labels or index[1] != len(self.labels):
            where: dict = {}
            for i, label_i in enumerate(self.labels):
                where.setdefault(label_i, i)
            index = self._index = (self.labels, len(self.labels), where)
        return index[2].get(label)

    def value(self, label, column: str):
        """The typed value of one record's column (None when empty, or no such record)."""
        values = self.columns.get(column)
        if values is None:
            return None
        i = self.position(label)
        return None if i is None else values[i]

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

    def rows(self) -> list[tuple[object, dict]]:
        """(record, {column: value}) for each non-blank record, in sheet order (built once: every
        row rule walks them)."""
        if self._rows is None or len(self._rows) != len(self.labels):
            names = list(self.columns)
            self._rows = [(label, {c: self.columns[c][i] for c in names}) for i, label in enumerate(self.labels)]
        return self._rows

    def number(self, record) -> int:
        """The Excel row (or column number) of a record."""
        return int(record) if self.records == "rows" else col_number(record)

    def record_label(self, number: int):
        """The label for a record number (row number, or column letter)."""
        return number if self.records == "rows" else col_letter(number)


class Problem(Frozen):
    """What reading found wrong, as plain data: the rule it is a finding of (its stable code: PV002 a value
    that cannot be read, PV007 a sheet or label not found, PV013 a revised template), where, and what.
    The engine makes each a finding of that rule — reading knows no rule."""
    rule: str
    sheet: str | None
    cell: str | None
    message: str
    value: object = None
    severity: str | None = None      # None: the rule's own


class Plan(Struct, dict=True):
    """A workbook read as a plan: its fields and tables by the layout's names."""
    source: str
    layout: Layout
    grid: Grid
    sheet_names: dict[str, str]                    # layout sheet -> actual sheet name in the book
    fields: dict[str, dict[str, Field]]
    tables: dict[str, dict[str, Table]]
    problems: list[Problem] = field(default_factory=list)  # found while reading (unreadable cells …)
    typed_as_text: dict[tuple[str, str], str] = field(default_factory=dict)  # (sheet, cell) → text read as a number
    dates_as_text: dict[tuple[str, str], str] = field(default_factory=dict)  # (sheet, cell) → text read as a date (PV014)
    placement: object = None    # where the reader found everything (locate.Placement)
    _where: dict | None = None   # (book sheet, row, col) → layout key, built on first use

    @property
    def template(self) -> str:
        return self.layout.template

    # a sheet is named by its layout key (``expenses``) or by its name in the version (``計画様式7``)
    def field(self, sheet: str, name: str) -> Field | None:
        return self.fields.get(self.layout.name(sheet), {}).get(name)

    def value(self, sheet: str, name: str):
        f = self.field(sheet, name)
        return None if f is None else f.value

    def field_at(self, sheet: str, row: int, col: int) -> str | None:
        """The layout key of what sits at a cell of the book's sheet ``sheet``: 「applicant.category」
        for a field, 「expenses.expenses.amount」 (sheet, table, column) for a table cell; None elsewhere."""
        if self._where is None:
            self._where = {}
            for spec in self.layout.sheets:
                actual = self.sheet_names.get(spec.name)
                for f in self.fields.get(spec.name, {}).values():
                    self._where[(actual, f.row, f.col)] = f"{spec.key}.{f.name}"
                for t in self.tables.get(spec.name, {}).values():
                    for column, position in t.positions.items():
                        for number in (*t.all_records, t.total_record):
                            if number is not None:
                                rc = (number, position) if t.records == "rows" else (position, number)
                                self._where.setdefault((actual, *rc), f"{spec.key}.{t.name}.{column}")
        return self._where.get((sheet, row, col))

    def table(self, sheet: str, name: str) -> Table | None:
        return self.tables.get(self.layout.name(sheet), {}).get(name)

    def problems_at(self, sheet: str, cell: str) -> bool:
        """Whether the reader already reported the cell (an unreadable value)."""
        return cell in self.problem_cells(sheet)

    def problem_cells(self, sheet: str) -> frozenset[str]:
        """The cells of a sheet the reader already reported (unreadable values).

        Looked up in the problems' cells by sheet, made again only when problems were added (a
        scan of every problem per call cost a table of n records n × problems)."""
        seen = self.__dict__.get("_problem_cells")
        if seen is None or seen[0] is not self.problems or seen[1] != len(self.problems):
            by_sheet: dict = {}
            for p in self.problems:
                by_sheet.setdefault(p.sheet, set()).add(p.cell)
            seen = self.__dict__["_problem_cells"] = (self.problems, len(self.problems), by_sheet)
        return seen[2].get(self.actual(sheet), frozenset())

    def actual(self, sheet: str) -> str:
        """The sheet's name in the workbook (it may differ from the layout's)."""
        name = self.layout.name(sheet)
        return self.sheet_names.get(name, name)
