"""A label the layout names that a revised template words otherwise: which cell of the workbook it is.

Reading finds every label by its text (:class:`planvalidator.layout.LabelIndex`). When ISICO rewords one
(「助成事業名」 → 「助成事業の名称」), that search finds nothing; this module finds the label where the
version's official template has it, in other words. Two things make it safe to read a field there:

* **Only label cells are asked.** A candidate is a text cell no other label or input of the layout
  holds (what the applicant typed in the fields found is never a candidate), that is not one of the
  template's own texts still worded as the template words it, that lies where the template has the label
  — between the rows the template's rows around it moved to (:func:`planvalidator.rowmap.row_map`), so
  in the same section, and for a table heading in its header row — and that is shaped (merged) as the
  template's label cell, not as the wide or tall input cell beside or below it.
* **One matcher.** Whether a candidate is the label reworded is :func:`planvalidator.wording.closeness`,
  the test ``template verify`` uses; of the close ones the closest wins, then the one nearest to where
  the label would be had only rows moved. Each cell is given to one label at most, the closest pairs
  first, so two reworded headings of one table do not both take the same cell.
"""

from __future__ import annotations


from planvalidator.layout import LabelIndex
from planvalidator.normalize import label_canon
from planvalidator.wording import closeness
from planvalidator.grid import SheetGrid
from planvalidator.structs import Frozen

Cell = tuple[int, int]


class Wanted(Frozen):
    """One label to find: where the template has it and where in the workbook it may be."""
    key: tuple                      # the locator's key of the label (("field", "project_name") …)
    labels: tuple[str, ...]         # the layout's wordings of it
    rows: range                     # the workbook rows it may be in
    cols: range | None              # the workbook columns it may be in (None: any)
    expected: Cell                  # where it would be had only rows and columns moved
    shape: tuple[int, int] | None   # (height, width) of its merged cell in the template; None: not compared


def row_window(rows: dict[int, int], template_row: int, last: int) -> tuple[range, int]:
    """The workbook rows a label of ``template_row`` may be in, and the one it would be in: between
    the rows the template's aligned rows above and below it went to (``rows``: template row → workbook
    row, as :func:`planvalidator.rowmap.row_map` gives), since inserted rows stay between them."""
    if template_row in rows:
        at = rows[template_row]
        return range(at, at + 1), at
    above = max((t for t in rows if t < template_row), default=None)
    below = min((t for t in rows if t > template_row), default=None)
    lo = rows[above] + 1 if above is not None else 1
    hi = rows[below] - 1 if below is not None else max(last, lo)
    expected = lo + (template_row - above - 1) if above is not None else template_row
    return range(lo, hi + 1), min(max(expected, lo), hi)


def _shape(sheet: SheetGrid, cell: Cell) -> tuple[int, int]:
    r1, c1, r2, c2 = sheet.span(*cell)
    return r2 - r1 + 1, c2 - c1 + 1


def assign(sheet: SheetGrid, wanted: list[Wanted], *, taken: set[Cell], template_texts: frozenset[str],
           compare_shapes: bool = True) -> dict[tuple, Cell]:
    """{key: cell} for each wanted label found reworded in ``sheet``. ``taken``: the cells the layout's
    labels and the applicant's inputs already hold; ``template_texts``: the comparable forms of every text
    of the template's sheet (a cell still showing one is that text, not a reworded label);
    ``compare_shapes``: False where the sheet's merged cells are not its own (a live book's, borrowed
    from the template, :func:`planvalidator.reader.borrow_merges`)."""
    if not wanted:
        return {}
    pairs = []
    for r, c, text in LabelIndex.of(sheet).cells:
        if (r, c) in taken or text in template_texts:
            continue
        if sheet.span(r, c)[:2] != (r, c):
            continue                            # (a value hidden under a merged cell: not shown)
        for want in wanted:
            if r not in want.rows or (want.cols is not None and c not in want.cols):
                continue
            if compare_shapes and want.shape is not None and _shape(sheet, (r, c)) != want.shape:
                continue
            scores = [s for s in (closeness(label, text) for label in want.labels) if s is not None]
            if scores:
                distance = abs(r - want.expected[0]) + abs(c - want.expected[1])
                pairs.append((-max(scores), distance, want.key, (r, c)))
    found: dict[tuple, Cell] = {}
    used: set[Cell] = set()
    for _score, _distance, key, cell in sorted(pairs, key=lambda p: (p[0], p[1])):
        if key not in found and cell not in used:
            found[key] = cell
            used.add(cell)
    return found


def comparable(texts) -> frozenset[str]:
    """The comparable forms of a sheet's texts (:func:`planvalidator.normalize.label_canon`)."""
    return frozenset(label_canon(t) for t in texts)
