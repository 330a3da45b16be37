"""Which row of the official template each row of an application is.

Applicants insert rows (one more expense line, a longer description), so a template cell
is not at the same address in the application. Each row is known by the template's own
fixed texts in it (labels, the No column, 合計 …); the two sequences of rows are aligned like
two versions of a text (difflib), and rows the applicant inserted fall out as insertions.
Only the template's (column, text) pairs count, so what an applicant typed does not disturb
the alignment.
"""

from __future__ import annotations

from difflib import SequenceMatcher

from planvalidator.normalize import canon
from planvalidator.workbook import SheetGrid


def _text(value) -> str:
    return canon(value)


_TEMPLATE_ROWS: dict[int, tuple[SheetGrid, frozenset, tuple]] = {}


def _template_rows(template: SheetGrid) -> tuple[frozenset, tuple[tuple, ...]]:
    """The template sheet's fixed (column, text) pairs and its rows' signatures, once per sheet."""
    cached = _TEMPLATE_ROWS.get(id(template))
    if cached is None or cached[0] is not template:
        pairs = frozenset((c, _text(v)) for (_r, c), v in template.values.items() if str(v).strip())
        cached = _TEMPLATE_ROWS[id(template)] = (template, pairs, _signatures(template, pairs))
    return cached[1], cached[2]


def _signatures(sheet: SheetGrid, pairs: frozenset) -> tuple[tuple, ...]:
    rows: dict[int, list] = {}
    columns = {c for c, _ in pairs}
    texts: dict[tuple[type, object], str] = {}   # each distinct value made comparable once (by type: 1, 1.0, True differ)
    for (r, c), v in sheet.values.items():
        if c not in columns:
            continue
        known = (v.__class__, v)
        text = texts.get(known)
        if text is None:
            text = texts[known] = _text(v)
        key = (c, text)
        if key in pairs:
            rows.setdefault(r, []).append(key)
    last = max(rows, default=0)
    return tuple(tuple(sorted(rows.get(r, ()))) for r in range(1, last + 1))


def row_map(template: SheetGrid, sheet: SheetGrid) -> dict[int, int]:
    """template row → application row, for every template row up to its last fixed text that
    has its counterpart (rows after the last text map by the last matched offset)."""
    pairs, theirs = _template_rows(template)
    ours = _signatures(sheet, pairs)
    mapping: dict[int, int] = {}
    matcher = SequenceMatcher(None, theirs, ours, autojunk=False)
    for a, b, size in matcher.get_matching_blocks():
        for i in range(size):
            mapping[a + i + 1] = b + i + 1
    # rows below the template's last fixed text (a formula row after 合計, say) follow the last one
    last = len(theirs)
    if last in mapping:
        offset = mapping[last] - last
        for r in range(last + 1, template.max_row + 1):
            mapping[r] = r + offset
    return mapping
