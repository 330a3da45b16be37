"""The one error that means "could not check this file" (exit code 2); what each front door tells the
user of it, or of any other error, is :mod:`planvalidator.outcome`."""

from __future__ import annotations


class CannotCheck(Exception):
    """A file that cannot be checked: not a workbook, unknown template, unreadable.

    ``str()`` is a one-line Japanese message naming the file; ``reason`` names the sheet, part
    or cell itself where there is one (``sheet`` and ``cell`` repeat them for programs).
    """

    def __init__(self, message: str, *, file: str | None = None,
                 sheet: str | None = None, cell: str | None = None):
        self.reason = message
        self.file = file
        self.sheet = sheet
        self.cell = cell
        super().__init__(self.__str__())

    def __str__(self) -> str:
        return f"{self.file}: {self.reason}" if self.file else self.reason

