"""The one error that means "could not check this file" (exit code 2)."""

from __future__ import annotations


class CannotCheck(Exception):
    """A file that cannot be checked: not a workbook, unknown template, unreadable.

    ``str()`` is a one-line Japanese message naming the file (and the sheet and
    cell, where there is one).
    """

    def __init__(self, message: str, *, file: str | None = None,
                 sheet: str | None = None, cell: str | None = None):
        self.reason = message
        self.file = file
        self.sheet = sheet
        self.cell = cell
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = self.file or ""
        if self.sheet:
            where += f" {self.sheet}"
            if self.cell:
                where += f"!{self.cell}"
        return f"{where.strip()}: {self.reason}" if where.strip() else self.reason
