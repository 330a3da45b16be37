"""Shared helpers for the tests, built on the official R7 workbook (templates/r7/)."""

from __future__ import annotations

from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
R7 = ROOT / "templates" / "r7"
TEMPLATE = R7 / "jigyo-keikakusho-r7.xlsx"
EXAMPLE = R7 / "kinyurei-r7.xlsx"


def edit(source: Path, target: Path, edits: dict[str, dict[str, object]], *, prepare=None) -> Path:
    """A copy of ``source`` with cells changed (and ``prepare(book)`` run first), saved by openpyxl."""
    book = openpyxl.load_workbook(source)
    if prepare:
        prepare(book)
    for sheet, cells in edits.items():
        for cell, value in cells.items():
            book[sheet][cell].value = value
    book.save(target)
    return target


def keys(report, *, severities=("error", "warning", "info")):
    """(rule, sheet, cell) of every finding of the given severities."""
    return {(f.rule, f.sheet, f.cell) for f in report.findings if f.severity.value in severities}


def hits(report, rule: str):
    """(sheet, cell, severity) of every finding of one rule."""
    return {(f.sheet, f.cell, f.severity.value) for f in report.findings if f.rule == rule}


def errors(report):
    return keys(report, severities=("error",))
