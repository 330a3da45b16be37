"""Raw cells of a workbook: what was typed, which cells are formulas, their cached values, merged ranges.

A :class:`Grid` is the one thing the reader needs from a workbook. It comes from a file
(:func:`planvalidator.workbook.load_grid`) or from a live Excel book through xlwings (:mod:`planvalidator.xl`).
"""

from __future__ import annotations


from planvalidator.address import Pos
from planvalidator.structs import Struct, field


class Merges:
    """A sheet's merged ranges, answering "which one holds this cell" without listing its cells.

    A range is filed under each of its rows when it is wider than it is tall, else under each of
    its columns; a query bisects the one row's and the one column's list. The work is the rows
    (or columns) the ranges span, which :data:`~planvalidator.limits.MAX_MERGE_LINES` bounds before
    it is done, not their area: one merge of A1:D999999 files 4 entries, not 4 million. A range
    wider *and* taller than :data:`~planvalidator.limits.MERGE_LABEL_SPAN` is a block of the
    sheet, never a label or a field, and is not filed at all. Merged ranges do not overlap in a
    workbook Excel can open; in one that overlaps, a cell is answered by one of them.
    """

    def __init__(self):
        self.ranges: list[tuple[int, int, int, int]] = []
        self._rows: dict[int, list[tuple[int, int, int, int]]] = {}   # row → ranges, by first column
        self._cols: dict[int, list[tuple[int, int, int, int]]] = {}   # column → ranges, by first row
        self._lines = 0
        self._sorted = True

    def add(self, rng: tuple[int, int, int, int]) -> None:
        self.add_all((rng,))

    def add_all(self, ranges) -> None:
        """File each of ``ranges`` in turn (a sheet's merged ranges, read together)."""
        from planvalidator import limits

        span, most = limits.MERGE_LABEL_SPAN, limits.MAX_MERGE_LINES
        rows, cols = self._rows, self._cols
        for rng in ranges:
            r1, c1, r2, c2 = rng
            height, width = r2 - r1 + 1, c2 - c1 + 1
            self.ranges.append(rng)
            if min(height, width) > span:
                continue
            self._lines += min(height, width)
            if self._lines > most:
                raise TooMuch(f"結合セルの範囲が合わせて {most:,} 行（列）を超えます")
            if height <= width:
                for r in range(r1, r2 + 1):
                    rows.setdefault(r, []).append(rng)
            else:
                for c in range(c1, c2 + 1):
                    cols.setdefault(c, []).append(rng)
            self._sorted = False

    def at(self, row: int, col: int) -> tuple[int, int, int, int] | None:
        """The merged range holding a cell, or None."""
        from bisect import bisect_right

        if not self._sorted:
            for lists, key in ((self._rows, 1), (self._cols, 0)):
                for ranges in lists.values():
                    ranges.sort(key=lambda rng, k=key: rng[k])
            self._sorted = True
        for ranges, at, first, last in ((self._rows.get(row), col, 1, 3), (self._cols.get(col), row, 0, 2)):
            if ranges:
                i = bisect_right(ranges, at, key=lambda rng, k=first: rng[k]) - 1
                if i >= 0 and ranges[i][first] <= at <= ranges[i][last]:
                    return ranges[i]
        return None


class TooMuch(ValueError):
    """A sheet declares more than a limit allows (the reason is Japanese)."""


class SheetGrid(Struct, dict=True):
    """One sheet as read: its typed values and formulas by position."""
    name: str
    values: dict[Pos, object] = field(default_factory=dict)    # typed values (not formulas)
    formulas: dict[Pos, str] = field(default_factory=dict)     # "=..." text
    cached: dict[Pos, object] = field(default_factory=dict)    # cached results of formulas
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2
    merges_known: bool = True   # False for a live book whose engine does not report merged ranges
    merges_borrowed: bool = False   # its merged label cells are the official template's (reader.borrow_merges)
    unread: list[tuple[Pos, str, str]] = field(default_factory=list)   # (pos, text, "far" | "long" | "range" | "date")

    def __post_init__(self):
        self._merges = Merges()
        for rng in self.merged:
            self._merges.add(rng)
        self.merged = self._merges.ranges

    def add_merge(self, rng: tuple[int, int, int, int]) -> None:
        self._merges.add(rng)

    def add_merges(self, ranges) -> None:
        self._merges.add_all(ranges)

    def clear_merges(self) -> None:
        """Forget every merged range (as a live book that does not report them)."""
        self._merges = Merges()
        self.merged = self._merges.ranges

    @property
    def max_row(self) -> int:
        return max((r for r, _ in (*self.values, *self.formulas)), default=0)

    @property
    def max_col(self) -> int:
        return max((c for _, c in (*self.values, *self.formulas)), default=0)

    def span(self, row: int, col: int) -> tuple[int, int, int, int]:
        """The merged range holding a cell, or the cell itself."""
        return self._merges.at(row, col) or (row, col, row, col)

    def value(self, row: int, col: int):
        return self.values.get((row, col))

    def is_formula(self, row: int, col: int) -> bool:
        return (row, col) in self.formulas

    def shown(self, row: int, col: int):
        """What the cell shows: the typed value, or a formula's cached result (None if none)."""
        if (row, col) in self.formulas:
            return self.cached.get((row, col))
        return self.values.get((row, col))

    def texts(self) -> list[tuple[int, int, str]]:
        """(row, col, text) of every non-formula text cell, in reading order. One list, sorted by
        position with the text alongside (positions are unique, so texts are never compared): every
        label index and sheet search of a check starts here, and a generator looking each text up again
        was ~2x the cost."""
        return [(r, c, v) for (r, c), v in sorted((pos, v) for pos, v in self.values.items()
                                                  if isinstance(v, str) and v.strip())]


class Grid(Struct):
    """A workbook as read: its sheets by name, and the file they came from."""
    source: str
    sheets: dict[str, SheetGrid]

    @property
    def sheet_names(self) -> list[str]:
        return list(self.sheets)
