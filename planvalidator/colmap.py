"""Which column of the official template each column of an application is.

A revised template may add a column (ISICO adding 「型番」 to 計画様式7 before 単価), and Excel moves
every formula that refers to the columns right of it: 計画様式8's 「=計画様式7!J47」 becomes
「=計画様式7!K47」. To compare such a workbook's formulas with the template's (PV012), a template
column is known by the labels in it: every field and table heading the reader found
(:mod:`planvalidator.locate`) pairs the template's column with the workbook's. Columns between two
labels that moved alike moved with them; between two that moved differently (the new column is
somewhere between them) a column is not known, and a formula using it is not compared.
"""

from __future__ import annotations

from planvalidator.structs import Frozen


class ColumnMap(Frozen):
    """The columns of one sheet: template column ↔ workbook column, through the labels' columns."""
    anchors: tuple[tuple[int, int], ...]          # (template column, workbook column), both increasing

    def to_workbook(self, col: int) -> int | None:
        """The workbook column of a template column (None: not known)."""
        return _mapped(col, self.anchors)

    def to_template(self, col: int) -> int | None:
        """The template column of a workbook column (None: a new column, or not known)."""
        return _mapped(col, tuple((to, c) for c, to in self.anchors))


def column_map(theirs, ours) -> ColumnMap | None:
    """The column map of one sheet (:class:`planvalidator.locate.SheetPlace` of the template and of the
    workbook); None when no column moved (the usual workbook)."""
    seen: dict[int, set[int]] = {}
    for key, (_r, c) in theirs.labels.items():
        if key in ours.labels:
            seen.setdefault(c, set()).add(ours.labels[key][1])
    for name, place in theirs.fields.items():
        if name in ours.fields:
            seen.setdefault(place.col, set()).add(ours.fields[name].col)
    anchors: list[tuple[int, int]] = []
    for c in sorted(seen):
        if len(seen[c]) != 1:
            continue                                 # one template column, two workbook ones: no anchor
        (to,) = seen[c]
        if anchors and to <= anchors[-1][1]:
            continue                                 # (out of order: not a column insertion)
        anchors.append((c, to))
    if all(c == to for c, to in anchors):
        return None
    return ColumnMap(tuple(anchors))


def _mapped(c: int, anchors) -> int | None:
    """``c`` through increasing (from, to) anchors: an anchor's own; between two that moved alike, moved
    as they did; left of the first, itself if the first did not move; right of the last, as the last."""
    before = [(t, to) for t, to in anchors if t <= c]
    after = [(t, to) for t, to in anchors if t >= c]
    if before and before[-1][0] == c:
        return before[-1][1]
    if not before:
        shift = after[0][1] - after[0][0] if after else 0
        return c if shift == 0 else None
    left = before[-1][1] - before[-1][0]
    if not after:
        return c + left
    right = after[0][1] - after[0][0]
    return c + left if left == right else None
