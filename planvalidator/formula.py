"""The text of Excel formulas: the cells they refer to, moved or compared.

Only references matter here (which cells a formula reads, whether one points into another
workbook, how a formula reads after rows were inserted), so this is a reference scanner, not
an evaluator: string literals are skipped, every ``[sheet!]A1`` / ``A1:B2`` is found with its
``$`` anchors. (openpyxl's formula tokenizer would do the scanning, but importing openpyxl costs
a cold ``check`` 140 ms, more than a quarter of its time.)
"""

from __future__ import annotations

import re
from typing import Callable

from planvalidator.address import col_letter, col_number
from planvalidator.patterns import lazy
from planvalidator.structs import Frozen

_STRING = lazy(r'"(?:[^"]|"")*"')
_REF = lazy(
    r"""(?<![\w.$'\]])
    (?:(?P<sheet>'(?:[^']|'')+'|[^\s!'"(),:;=+\-*/&<>^%{}]+)!)?
    (?P<c1>\$?)(?P<col1>[A-Z]{1,3})(?P<r1>\$?)(?P<row1>\d{1,7})
    (?::(?P<c2>\$?)(?P<col2>[A-Z]{1,3})(?P<r2>\$?)(?P<row2>\d{1,7}))?
    (?![\w(!.])""",
    re.X | re.I,
)


def _col_number(letters: str) -> int:
    return col_number(letters.upper())


class Ref(Frozen):
    """One reference: a cell or a range, on a sheet (None: the formula's own)."""
    sheet: str | None          # unquoted; may name another workbook: "[予算.xlsx]Sheet1"
    r1: int
    c1: int
    r2: int
    c2: int

    @property
    def external(self) -> bool:
        return self.sheet is not None and "[" in self.sheet

    def cells(self, limit: int = 10_000):
        """Every (row, col) the reference covers (a range larger than ``limit`` gives nothing)."""
        if (self.r2 - self.r1 + 1) * (self.c2 - self.c1 + 1) > limit:
            return
        for r in range(self.r1, self.r2 + 1):
            for c in range(self.c1, self.c2 + 1):
                yield r, c


def _unquote(sheet: str | None) -> str | None:
    if sheet is None:
        return None
    if sheet.startswith("'") and sheet.endswith("'"):
        return sheet[1:-1].replace("''", "'")
    return sheet


def _outside_strings(formula: str):
    """(is_code, piece) pieces of a formula: string literals are not code."""
    last = 0
    for m in _STRING.finditer(formula):
        yield True, formula[last:m.start()]
        yield False, m.group(0)
        last = m.end()
    yield True, formula[last:]


def references(formula: str) -> list[Ref]:
    """Every reference in a formula, in order."""
    out = []
    for code, piece in _outside_strings(formula):
        if not code:
            continue
        for m in _REF.finditer(piece):
            r1, c1 = int(m["row1"]), _col_number(m["col1"])
            r2, c2 = (int(m["row2"]), _col_number(m["col2"])) if m["row2"] else (r1, c1)
            out.append(Ref(_unquote(m["sheet"]), min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))
    return out


Mover = Callable[[str | None, int, int, bool, bool], tuple[int, int]]


def move(formula: str, mover: Mover) -> str:
    """The formula with each reference's ends moved by ``mover(sheet, row, col, row_fixed,
    col_fixed) → (row, col)``; the ``$`` anchors and everything else stay as written."""
    def one(m: re.Match) -> str:
        sheet = _unquote(m["sheet"])
        text = m.group(0)[: m.start("c1") - m.start()]
        for i in ("1", "2"):
            if not m["row" + i]:
                continue
            row, col = mover(sheet, int(m["row" + i]), _col_number(m["col" + i]),
                             bool(m["r" + i]), bool(m["c" + i]))
            if row < 1 or col < 1:
                return "#REF!"
            text += ("" if i == "1" else ":") + m["c" + i] + col_letter(col) + m["r" + i] + str(row)
        return text

    return "".join(_REF.sub(one, piece) if code else piece for code, piece in _outside_strings(formula))


def shift(formula: str, rows: int, cols: int) -> str:
    """The formula copied ``rows`` down and ``cols`` right (relative references move; ``$`` ones
    stay), as Excel fills a shared formula."""
    def mover(_sheet, row, col, row_fixed, col_fixed):
        return row + (0 if row_fixed else rows), col + (0 if col_fixed else cols)
    return move(formula, mover)


def canonical(formula: str) -> str:
    """A formula's comparable form: no spaces, upper case and unquoted sheet names outside
    string literals, no leading "=" or "+"."""
    out = []
    for code, piece in _outside_strings(formula.strip().lstrip("=+")):
        if code:
            piece = re.sub(r"'((?:[^']|'')+)'!", lambda m: m.group(1).replace("''", "'") + "!", piece)
            piece = re.sub(r"\s+", "", piece).upper()
        out.append(piece)
    return "".join(out)
