"""Where every field and table of a template version is in one workbook, found by their labels.

The first of reading's two steps: :func:`locate` resolves the whole layout — each sheet, each
field's input cell, each table's columns and record rows (or columns) — from the labels alone,
without reading a value; :mod:`planvalidator.reader` then reads and types the cells. What cannot
be found is listed (``missing``) for the reader to report.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from planvalidator.layout import FieldSpec, LabelIndex, Layout, SheetSpec, TableSpec, find_sheet
from planvalidator.grid import Grid, SheetGrid


@dataclass(frozen=True)
class FieldPlace:
    spec: FieldSpec
    row: int
    col: int


@dataclass(frozen=True)
class TablePlace:
    spec: TableSpec
    positions: dict[str, int]        # column name → column number (rows) or row number (columns)
    first: int                       # the first record number below (or right of) the header
    last: int                        # the last record number the table may have
    total_record: int | None         # the 合計 row, where the table has one

    @property
    def by_rows(self) -> bool:
        return self.spec.records == "rows"


@dataclass
class SheetPlace:
    spec: SheetSpec
    name: str                                            # the sheet's name in the workbook
    fields: dict[str, FieldPlace] = field(default_factory=dict)
    tables: dict[str, TablePlace] = field(default_factory=dict)


@dataclass
class Placement:
    layout: Layout
    sheets: dict[str, SheetPlace] = field(default_factory=dict)       # layout sheet name → its place
    missing: list[tuple[str, str]] = field(default_factory=list)      # (sheet, what is missing), in order


def locate(grid: Grid, layout: Layout) -> Placement:
    placement = Placement(layout)
    for spec in layout.sheets:
        actual = find_sheet(grid, spec)
        if actual is None:
            if not spec.optional:
                placement.missing.append((spec.name, f"シート「{spec.name}」がありません"))
            continue
        placement.sheets[spec.name] = _locate_sheet(spec, grid.sheets[actual], placement.missing)
    return placement


def _section_row(index: LabelIndex, section) -> int:
    if not section:
        return 1
    found = index.find(section)
    return found[0] if found else 1


def _locate_sheet(spec: SheetSpec, sheet: SheetGrid, missing: list) -> SheetPlace:
    index = LabelIndex.of(sheet)
    place = SheetPlace(spec, sheet.name)
    for fspec in spec.fields:
        found = index.find(fspec.labels, min_row=_section_row(index, fspec.section))
        if found is None:
            missing.append((sheet.name, f"見出し「{fspec.labels[0]}」が見つかりません（欄を削除していませんか）"))
            continue
        r1, c1, r2, c2 = sheet.span(*found)
        row, col = (r2 + 1, c1) if fspec.direction == "below" else (r1, c2 + 1)
        place.fields[fspec.name] = FieldPlace(fspec, row, col)
    for tspec in spec.tables:
        table = _locate_table(tspec, sheet, index, missing)
        if table is not None:
            place.tables[tspec.name] = table
    return place


def _locate_table(spec: TableSpec, sheet: SheetGrid, index: LabelIndex, missing: list) -> TablePlace | None:
    start = _section_row(index, spec.section)
    by_rows = spec.records == "rows"
    first = index.find(spec.columns[0].labels, min_row=start)
    if first is None:
        missing.append((sheet.name, f"表の見出し「{spec.columns[0].labels[0]}」が見つかりません"))
        return None
    positions: dict[str, int] = {}
    for cspec in spec.columns:
        hit = index.find(cspec.labels, min_row=start, **({"row": first[0]} if by_rows else {"col": first[1]}))
        if hit is None:
            missing.append((sheet.name, f"表の見出し「{cspec.labels[0]}」が見つかりません"))
            continue
        positions[cspec.name] = hit[1] if by_rows else hit[0]
    # the records: rows below the header (or columns right of the labels) up to the end
    header_end = sheet.span(*first)[2] if by_rows else sheet.span(*first)[3]
    last = sheet.max_row if by_rows else sheet.max_col
    total_record = None
    if by_rows:
        for label in (*spec.end_before, *spec.total_row):
            hit = index.find([label], min_row=header_end + 1)
            if hit and label in spec.end_before:
                last = min(last, hit[0] - 1)
            if hit and label in spec.total_row:
                total_record = hit[0]
    return TablePlace(spec, positions, header_end + 1, last, total_record)
