"""Checking a JSON plan: filled into a workbook held in memory (never written to disk), read by the
same reader as a workbook file, checked by the same rules.

Findings of a JSON plan carry the JSON pointer of what they are about in ``sheet``
(``/expenses/3/amount``, ``/applicant/postal_code``; ``/expenses`` for a computed total of a sheet
that is a list) and ``cell`` None, so every output that shows 「sheet!cell」 for a workbook shows the
path; ``field`` keeps the layout key as for a workbook.
"""

from __future__ import annotations

import io
from pathlib import Path

from planvalidator.errors import CannotCheck
from planvalidator.plans.fill import Places, fill_with_places
from planvalidator.plans.load import load_json
from planvalidator.structs import replace


def check_json(path, options=None):
    """Check a JSON plan: filled into a workbook held in memory and checked like one, read from its bytes
    by the reader of workbook files (:class:`~planvalidator.workbook.InMemory`): no file is written.
    Each finding's ``sheet`` is the JSON pointer of what it is about (``/expenses/3/amount``) and
    ``cell`` is None (``field`` keeps the layout key). The report's file is the JSON file."""
    from planvalidator.engine import check_file
    from planvalidator.workbook import InMemory

    data = load_json(path)
    options = _with_program(data, options, str(path))
    book = io.BytesIO()
    _layout, places = fill_with_places(data, book, str(path))
    filled = InMemory(f"{Path(path).stem}.xlsx", book.getvalue())
    report = check_file(filled, options, file=str(path), figures=data.get("figures"))
    report.findings = [pointed(f, places) for f in report.findings]
    return report


def _with_program(data, options, file: str):
    """The plan's ``program`` (``"ID[:COURSE]"``, as ``--program``) when the command line names none."""
    from planvalidator.engine import Options

    options = options or Options()
    program = data.get("program") if isinstance(data, dict) else None
    if not isinstance(program, str) or not program or getattr(options, "course", "") is not None:
        return options                  # none given, --program given, or no programs in this version
    try:
        from planvalidator.profiles import profile_of
    except ImportError:
        return options
    try:
        profile_of(program)
    except Exception as exc:  # noqa: BLE001 — the profile's own one-line reason
        raise CannotCheck(f"/program: {exc}", file=file) from None
    return replace(options, course=program)


def pointed(finding, places: Places):
    """A finding of the filled workbook at the JSON pointer of its cell."""
    if finding.sheet is None:
        return finding
    return replace(finding, sheet=places.pointer(finding.sheet, finding.cell), cell=None)
