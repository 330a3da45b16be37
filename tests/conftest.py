"""Fixtures built from the official R7 workbook (templates/r7/, copied from ISICO's files)."""

from __future__ import annotations

import os
import shutil

# xlwings' remote interpreter (the Excel button's tests) needs a licence key at import time;
# the tests use the noncommercial one (PolyForm Noncommercial, see docs/applicants.md, 「Excel on the web」).
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import pytest

from support.helpers import EXAMPLE, edit
from planvalidator.engine import check_file


@pytest.fixture
def example_with(tmp_path):
    """example_with({sheet: {cell: value}}) → Report of the 記入例 with those edits."""
    counter = iter(range(1000))

    def make(edits, *, source=EXAMPLE, prepare=None):
        path = edit(source, tmp_path / f"case{next(counter)}.xlsx", edits, prepare=prepare)
        return check_file(path)
    return make


@pytest.fixture
def example_copy(tmp_path):
    path = tmp_path / "記入例.xlsx"
    shutil.copy(EXAMPLE, path)
    return path
