"""A1 addresses and the error values a cell can show: the words every layer uses for a place in a sheet."""

from __future__ import annotations

import re

Pos = tuple[int, int]  # (row, column), both 1-based


def col_letter(col: int) -> str:
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def a1(row: int, col: int) -> str:
    return f"{col_letter(col)}{row}"


def col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


_A1 = re.compile(r"\$?([A-Z]{1,3})\$?(\d+)")


ERROR_CODES = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
               "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#UNKNOWN!", "#CONNECT!", "#BUSY!")


def is_error_code(value) -> bool:
    """Whether a cell shows an error value (#REF!, #VALUE! …)."""
    return isinstance(value, str) and value.strip().upper() in ERROR_CODES


def parse_a1(ref: str | None) -> Pos | None:
    """(row, col) of an A1 address such as "D13" (or "$D$13"); None if it is not one."""
    m = _A1.fullmatch(ref or "")
    return (int(m.group(2)), col_number(m.group(1))) if m else None
