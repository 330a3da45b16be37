"""Where every field and table of a template version is in one workbook, found by their labels.

The first of reading's two steps: :func:`locate` resolves the whole layout — each sheet, each
field's input cell, each table's columns and record rows (or columns) — from the labels alone,
without reading a value; :mod:`planvalidator.reader` then reads and types the cells.

Each label is looked for as the layout words it (exact, else as a prefix). One that is not there is
looked for where the version's official template has it, worded otherwise
(:mod:`planvalidator.nearlabel`): a revised template still reads. What was found worded otherwise
than the version's template (``reworded``) and what was not found at all (``missing``) are listed, for
the reader to judge (:mod:`planvalidator.revision`: one warning, PV007, or too much to check).
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

from planvalidator.layout import FieldSpec, LabelIndex, Layout, SheetSpec, TableSpec, find_sheet
from planvalidator.grid import Grid, SheetGrid
from planvalidator.normalize import label_canon
from planvalidator.address import a1
from planvalidator.structs import Frozen, Struct, field

Cell = tuple[int, int]


class FieldPlace(Frozen):
    spec: FieldSpec
    row: int
    col: int
    label: Cell | None = None        # the label's cell


class TablePlace(Frozen):
    spec: TableSpec
    positions: dict[str, int]        # column name → column number (rows) or row number (columns)
    first: int                       # the first record number below (or right of) the header
    last: int                        # the last record number the table may have
    total_record: int | None         # the 合計 row, where the table has one
    header: int | None = None        # the headings' row (rows) or column (columns)

    @property
    def by_rows(self) -> bool:
        return self.spec.records == "rows"

    def heading(self, column: str) -> Cell:
        """The cell of a column's heading."""
        header = self.first - 1 if self.header is None else self.header
        p = self.positions[column]
        return (header, p) if self.by_rows else (p, header)


class SheetPlace(Struct):
    spec: SheetSpec
    name: str                                            # the sheet's name in the workbook
    fields: dict[str, FieldPlace] = field(default_factory=dict)
    tables: dict[str, TablePlace] = field(default_factory=dict)
    labels: dict[tuple, Cell] = field(default_factory=dict)   # every label found (see _keys) → its cell


class Reworded(Frozen):
    """A label found worded otherwise than the version's official template words it."""
    sheet: str                  # the layout's sheet name
    actual: str                 # the workbook's sheet name
    key: tuple
    what: str                   # Japanese, the layout's wording: 見出し「助成事業名」
    template: str | None        # the label as the version's template writes it
    wording: str                # as the workbook writes it
    cell: str                   # its A1 address
    near: bool                  # found only near (nearlabel); False: the layout's own prefix found it

    @property
    def where(self) -> str:
        return f"{self.actual}!{self.cell}"


class Absent(Frozen):
    """A sheet or label of the layout not found."""
    sheet: str                  # the layout's sheet name
    actual: str | None          # the workbook's sheet name (None: the sheet itself is missing)
    what: str                   # Japanese: シート「計画様式6」, 見出し「法人番号」, 表の見出し「単価（税抜・円）」
    message: str                # the PV007 text
    kind: str = "field"         # sheet | section | field | column | table
    labels: int = 1             # how many of the layout's labels it stands for (a whole table or sheet)


class Placement(Struct):
    layout: Layout
    sheets: dict[str, SheetPlace] = field(default_factory=dict)       # layout sheet name → its place
    missing: list[Absent] = field(default_factory=list)               # in order
    reworded: list[Reworded] = field(default_factory=list)            # in order


def locate(grid: Grid, layout: Layout, *, near: bool = True) -> Placement:
    """Every field and table of ``layout`` in ``grid``. ``near``: look for a label that is not there
    where the version's official template has it, worded otherwise (needs that template)."""
    placement = Placement(layout)
    official = official_placement(layout) if near else None
    for spec in layout.sheets:
        actual = find_sheet(grid, spec)
        if actual is None:
            if not spec.optional:
                placement.missing.append(Absent(spec.name, None, f"シート「{spec.name}」",
                                                f"シート「{spec.name}」がありません", "sheet",
                                                label_count(spec)))
            continue
        template = None
        if official is not None and spec.name in official[0].sheets:
            place = official[0].sheets[spec.name]
            template = (place, official[1].sheets[place.name])
        placement.sheets[spec.name] = _SheetLocator(spec, grid.sheets[actual], template, placement).locate()
    return placement


@lru_cache(maxsize=4)
def official_placement(layout: Layout) -> tuple[Placement, Grid] | None:
    """The version's official blank template and where everything is in it (None without it)."""
    from planvalidator.reference import reference_grid

    reference = reference_grid(layout)
    if reference is None:
        return None
    return locate(reference, layout, near=False), reference


def label_count(spec: SheetSpec) -> int:
    """How many labels of a sheet reading relies on (its fields, table headings and sections)."""
    return len(spec.fields) + sum(len(t.columns) for t in spec.tables) + len(_sections(spec))


def _sections(spec: SheetSpec) -> list[tuple[str, ...]]:
    known = _worked_out(spec, "sections")
    if "all" not in known:
        seen: dict[str, tuple[str, ...]] = {}
        for part in (*spec.fields, *spec.tables):
            if part.section:
                seen.setdefault(part.section[0], part.section)
        known["all"] = tuple(seen.values())
    return list(known["all"])


def _worked_out(spec: SheetSpec, what: str) -> dict:
    """What is worked out from a sheet's layout once, kept with it (a layout is never changed)."""
    return spec.__dict__.setdefault(f"_{what}", {})


def _what(key: tuple, spec: SheetSpec) -> tuple[str, tuple[str, ...]]:
    """(Japanese name, the layout's wordings) of a label key."""
    known = _worked_out(spec, "what")
    if key not in known:
        known[key] = _work_out_what(key, spec)
    return known[key]


def _work_out_what(key: tuple, spec: SheetSpec) -> tuple[str, tuple[str, ...]]:
    if key[0] == "section":
        labels = next(s for s in _sections(spec) if s[0] == key[1])
        return f"見出し「{labels[0]}」", labels
    if key[0] == "field":
        labels = next(f for f in spec.fields if f.name == key[1]).labels
        return f"見出し「{labels[0]}」", labels
    table = next(t for t in spec.tables if t.name == key[1])
    labels = next(c for c in table.columns if c.name == key[2]).labels
    return f"表の見出し「{labels[0]}」", labels


class _Taken(Frozen):
    """Cells a reworded label cannot be: labels found, the found fields' input cells, table records."""
    cells: set[Cell]
    records: list[tuple[bool, int, int, frozenset[int]]]     # (by rows, first, last, positions) per table

    def __contains__(self, cell: Cell) -> bool:
        if cell in self.cells:
            return True
        r, c = cell
        for by_rows, first, last, positions in self.records:
            number, position = (r, c) if by_rows else (c, r)
            if first <= number <= last and position in positions:
                return True
        return False


class _SheetLocator:
    """One sheet: its labels found as the layout words them, then those not found looked for near."""

    def __init__(self, spec: SheetSpec, sheet: SheetGrid, template: tuple[SheetPlace, SheetGrid] | None,
                 placement: Placement):
        self.spec, self.sheet, self.template, self.placement = spec, sheet, template, placement
        self.index = LabelIndex.of(sheet)
        self.found: dict[tuple, Cell] = {}          # label key → its cell
        self.near: set[tuple] = set()               # keys found only near
        self._rows: dict[int, int] | None = None

    # --- the steps ---------------------------------------------------------------------------

    def locate(self) -> SheetPlace:
        sections = [("section", s[0]) for s in _sections(self.spec)]
        for key, labels in zip(sections, _sections(self.spec)):
            self._found(key, self._label_shaped(key, labels, self.index.find(labels)))
        self._near(sections)
        fields = [("field", f.name) for f in self.spec.fields]
        for key, fspec in zip(fields, self.spec.fields):
            cell = self.index.find(fspec.labels, min_row=self._section_row(fspec.section))
            self._found(key, self._label_shaped(key, fspec.labels, cell))
        self._one_cell_one_field(fields)
        headers = {t.name: self._table_header(t) for t in self.spec.tables}
        self._near(fields + [("column", t.name, c.name) for t in self.spec.tables for c in t.columns],
                   headers=headers)
        return self._place(headers)

    def _found(self, key: tuple, cell: Cell | None) -> None:
        if cell is not None:
            self.found[key] = cell

    def _label_shaped(self, key: tuple, labels, cell: Cell | None) -> Cell | None:
        """``cell``, unless it only begins with the label (the prefix rule) and is not shaped as the
        template's label cell: then it is an input the applicant began with the label's words
        (「新商品・新サービスの概要：…」 below a heading reworded), not the label."""
        if cell is None or self.template is None or self.sheet.merges_borrowed:
            return cell
        text = label_canon(str(self.sheet.value(*cell)))
        if any(label_canon(label) == text for label in labels) or key not in self.template[0].labels:
            return cell
        r1, c1, r2, c2 = self.template[1].span(*self.template[0].labels[key])
        s1, d1, s2, d2 = self.sheet.span(*cell)
        return cell if (r2 - r1, c2 - c1) == (s2 - s1, d2 - d1) else None

    def _section_row(self, section) -> int:
        if not section:
            return 1
        cell = self.found.get(("section", section[0]))
        return cell[0] if cell else 1

    def _table_header(self, spec: TableSpec) -> int | None:
        """The row (or column) of a table's headings, as the layout words them, below its section: the
        first heading's; without it, the line most of the others are on."""
        start = self._section_row(spec.section)
        by_rows = spec.records == "rows"
        first = self.index.find(spec.columns[0].labels, min_row=start)
        if first is not None and len(spec.columns) > 1 and not any(
                self.index.find(c.labels, min_row=start, **({"row": first[0]} if by_rows else {"col": first[1]}))
                for c in spec.columns[1:]):
            first = None                     # (alone on its line: not the heading, e.g. an input beginning with it)
        if first is not None:
            line = first[0] if by_rows else first[1]
        else:                                # (the first heading reworded: the others place the table)
            cells = [self.index.find(c.labels, min_row=start) for c in spec.columns[1:]]
            lines = Counter(cell[0] if by_rows else cell[1] for cell in cells if cell is not None)
            if not lines:
                return None
            line = lines.most_common(1)[0][0]
        for cspec in spec.columns:
            where = {"row": line} if by_rows else {"col": line}
            self._found(("column", spec.name, cspec.name), self.index.find(cspec.labels, min_row=start, **where))
        return line

    def _one_cell_one_field(self, keys: list[tuple]) -> None:
        """Two fields found at one label (a reworded 「電話番号」 of 申請者 lets its search reach 連絡担当者's):
        the one the template has farther from it was not found."""
        if self.template is None:
            return
        holders: dict[Cell, list[tuple]] = {}
        for key in keys:
            if key in self.found:
                holders.setdefault(self.found[key], []).append(key)
        for cell, held in holders.items():
            if len(held) < 2:
                continue
            placed = [k for k in held if k in self.template[0].labels]
            if len(placed) < 2:
                continue
            keep = min(placed, key=lambda k: abs(self._expected_row(k) - cell[0]))
            for key in held:
                if key != keep:
                    del self.found[key]

    # --- near ----------------------------------------------------------------------------------

    def _row_map(self) -> dict[int, int]:
        if self._rows is None:
            from planvalidator.rowmap import row_map
            self._rows = row_map(self.template[1], self.sheet)
        return self._rows

    def _expected_row(self, key: tuple) -> int:
        from planvalidator.nearlabel import row_window
        return row_window(self._row_map(), self.template[0].labels[key][0], self.sheet.max_row)[1]

    def _near(self, keys: list[tuple], headers: dict[str, int | None] | None = None) -> None:
        """The labels of ``keys`` not found, looked for where the template has them (nearlabel)."""
        lost = [k for k in keys if k not in self.found]
        if not lost or self.template is None:
            return                      # (the usual case: nearlabel, its matcher and difflib are not imported)
        from planvalidator.nearlabel import Wanted, assign, comparable, row_window

        theirs, template_sheet = self.template
        wanted = []
        for key in lost:
            if key not in theirs.labels:
                continue                     # (not in the template either)
            tr, tc = theirs.labels[key]
            rows, expected_row = row_window(self._row_map(), tr, self.sheet.max_row)
            cols, shape = None, None
            if key[0] == "column":
                table = next(t for t in self.spec.tables if t.name == key[1])
                line = (headers or {}).get(key[1])
                if line is not None and table.records == "rows":
                    rows, expected_row = range(line, line + 1), line
                elif line is not None:
                    cols = range(line, line + 1)
                tc += self._column_shift(key, theirs)
            else:
                r1, c1, r2, c2 = template_sheet.span(tr, tc)
                shape = (r2 - r1 + 1, c2 - c1 + 1)
            wanted.append(Wanted(key, _what(key, self.spec)[1], rows, cols, (expected_row, tc), shape))
        hits = assign(self.sheet, wanted, taken=self._taken(headers or {}),
                      template_texts=comparable(t for _r, _c, t in template_sheet.texts()),
                      compare_shapes=not self.sheet.merges_borrowed)
        for key, cell in hits.items():
            self.found[key] = cell
            self.near.add(key)
            if self.sheet.merges_borrowed:       # a live book: the label's merged shape is the template's
                r1, c1, r2, c2 = template_sheet.span(*theirs.labels[key])
                self.sheet.add_merge((cell[0], cell[1], cell[0] + r2 - r1, cell[1] + c2 - c1))

    def _column_shift(self, key: tuple, theirs: SheetPlace) -> int:
        """How far the table's headings found moved right (the nearest one's), for a column heading."""
        same = [(k, theirs.labels[k]) for k in self.found if k[:2] == key[:2] and k in theirs.labels]
        if not same:
            return 0
        tc = theirs.labels[key][1]
        k, (_r, c) = min(same, key=lambda kc: abs(kc[1][1] - tc))
        return self.found[k][1] - c

    def _taken(self, headers: dict[str, int | None]) -> _Taken:
        """The cells labels already found and the inputs of the fields and tables found hold."""
        cells = set(self.found.values())
        for key, cell in self.found.items():
            if key[0] == "field":
                fspec = next(f for f in self.spec.fields if f.name == key[1])
                cells.add(self._input_cell(fspec, cell))
        records = []
        for tspec in self.spec.tables:
            line = headers.get(tspec.name)
            if line is None:
                continue
            by_rows = tspec.records == "rows"
            positions = frozenset(cell[1] if by_rows else cell[0] for k, cell in self.found.items()
                                  if k[:2] == ("column", tspec.name))
            first, last = self._records(tspec, line)
            if by_rows:
                last = self._records_end(tspec, first, last)
            records.append((by_rows, first, last, positions))
        return _Taken(cells, records)

    def _records_end(self, spec: TableSpec, first: int, last: int) -> int:
        """The last record row of a table, for what near labels may not be: before its end label as written,
        else before where the template's end went (a reworded 「1年目 計」 is below the records)."""
        for label in spec.end_before:
            hit = self.index.find([label], min_row=first)
            if hit is not None:
                last = min(last, hit[0] - 1)
        theirs = self.template[0].tables.get(spec.name) if self.template else None
        if theirs is not None and theirs.last < self.template[1].max_row:
            from planvalidator.nearlabel import row_window
            window, _at = row_window(self._row_map(), theirs.last + 1, self.sheet.max_row)
            last = min(last, window.start - 1)
        return last

    # --- the place --------------------------------------------------------------------------------

    def _input_cell(self, fspec: FieldSpec, label: Cell) -> Cell:
        r1, c1, r2, c2 = self.sheet.span(*label)
        return (r2 + 1, c1) if fspec.direction == "below" else (r1, c2 + 1)

    def _records(self, spec: TableSpec, line: int) -> tuple[int, int]:
        """(first, last) record numbers of a table whose headings are on ``line``."""
        by_rows = spec.records == "rows"
        anchor = next((self.found[("column", spec.name, c.name)] for c in spec.columns
                       if ("column", spec.name, c.name) in self.found), None)
        span = self.sheet.span(*anchor) if anchor else (line, line, line, line)
        header_end = span[2] if by_rows else span[3]
        return header_end + 1, self.sheet.max_row if by_rows else self.sheet.max_col

    def _place(self, headers: dict[str, int | None]) -> SheetPlace:
        place = SheetPlace(self.spec, self.sheet.name, labels=dict(self.found))
        for key in [("section", s[0]) for s in _sections(self.spec)]:
            self._report(key)
        for fspec in self.spec.fields:
            key = ("field", fspec.name)
            self._report(key)
            if key in self.found:
                row, col = self._input_cell(fspec, self.found[key])
                place.fields[fspec.name] = FieldPlace(fspec, row, col, self.found[key])
        for tspec in self.spec.tables:
            table = self._table(tspec, headers.get(tspec.name))
            if table is not None:
                place.tables[tspec.name] = table
        return place

    def _table(self, spec: TableSpec, line: int | None) -> TablePlace | None:
        by_rows = spec.records == "rows"
        keys = [("column", spec.name, c.name) for c in spec.columns]
        if line is None:                     # no heading as the layout words it: a near one places it
            near = [self.found[k] for k in keys if k in self.found]
            if near:
                line = Counter(c[0] if by_rows else c[1] for c in near).most_common(1)[0][0]
        if line is None:
            self.placement.missing.append(Absent(
                self.spec.name, self.sheet.name, f"表の見出し「{spec.columns[0].labels[0]}」",
                f"表の見出し「{spec.columns[0].labels[0]}」が見つかりません", "table", len(spec.columns)))
            return None
        positions: dict[str, int] = {}
        for cspec, key in zip(spec.columns, keys):
            cell = self.found.get(key)
            if cell is not None and (cell[0] if by_rows else cell[1]) != line:
                del self.found[key]                              # (a near heading off the header line)
                cell = None
            self._report(key)
            if cell is not None:
                positions[cspec.name] = cell[1] if by_rows else cell[0]
        first, last = self._records(spec, line)
        total_record = None
        if by_rows:
            for label in (*spec.end_before, *spec.total_row):
                hit = self._line_label(label, first)
                if hit and label in spec.end_before:
                    last = min(last, hit[0] - 1)
                if hit and label in spec.total_row:
                    total_record = hit[0]
        return TablePlace(spec, positions, first, last, total_record, line)

    def _line_label(self, label: str, min_row: int) -> Cell | None:
        """Where a table's end (「1年目 計」) or 合計 row is: as written, or the field of that label found
        reworded (「1年目 小計」)."""
        hit = self.index.find([label], min_row=min_row)
        if hit is not None:
            return hit
        wanted = label_canon(label)
        near = [self.found[k] for k in self.near if k[0] == "field" and self.found[k][0] >= min_row
                and any(label_canon(x) == wanted for x in _what(k, self.spec)[1])]
        return min(near, default=None)

    def _report(self, key: tuple) -> None:
        """Record a label found worded otherwise than the template, or not found."""
        what, labels = _what(key, self.spec)
        cell = self.found.get(key)
        if cell is None:
            noun = "表の見出し" if key[0] == "column" else "見出し"
            tail = "（欄を削除していませんか）" if key[0] == "field" else ""
            self.placement.missing.append(Absent(self.spec.name, self.sheet.name, what,
                                                 f"{noun}「{labels[0]}」が見つかりません{tail}", key[0]))
            return
        wording = str(self.sheet.value(*cell)).strip()
        template = None
        if self.template is not None and key in self.template[0].labels:
            template = str(self.template[1].value(*self.template[0].labels[key])).strip()
        if key in self.near or (template is not None and label_canon(template) != label_canon(wording)):
            self.placement.reworded.append(Reworded(self.spec.name, self.sheet.name, key, what, template,
                                                    wording, a1(*cell), key in self.near))
