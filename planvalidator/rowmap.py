"""Which row of the official template each row of an application is.

Applicants insert rows (one more expense line, a longer description), so a template cell
is not at the same address in the application. A row is known by the template's own fixed
texts in it (labels, 合計 …); the rows that have any are aligned like two versions of a text
(difflib); the rows between two aligned ones (an expense table's input rows) keep their distance
from the nearer one, so a range over them keeps its ends as Excel moves them when rows are inserted.
Only the template's (column, text) pairs count, so what an applicant typed does not disturb the
alignment. The No column's numbers place inserted rows exactly — unless the applicant renumbered
them, so :func:`row_map` aligns with numbers or without (``numbers=False``).
"""

from __future__ import annotations

from planvalidator.normalize import by_value, canon
from planvalidator.grid import SheetGrid
from planvalidator.structs import Frozen


def _text(value) -> str:
    return canon(value)


class TemplateRows(Frozen):
    """One template sheet's side of the alignment, which depends on the template alone: its fixed
    (column, text) pairs and each row's signature — with the numbers of its No column and without —,
    the numbers each column holds (:func:`renumbered`) and its last row. Made once per template version
    (:func:`planvalidator.expected_formulas.template_rows` keeps it in the cache) or once per process."""
    pairs: dict[bool, frozenset]                # with numbers or not → fixed (column, text) pairs
    signatures: dict[bool, tuple[tuple, ...]]   # with numbers or not → each row's pairs
    numbers: dict[int, frozenset[str]]          # column → the numbers it holds
    max_row: int

    @classmethod
    def of(cls, template: SheetGrid) -> "TemplateRows":
        pairs, signatures = {}, {}
        for numbers in (True, False):
            pairs[numbers] = frozenset((c, _text(v)) for (_r, c), v in template.values.items()
                                       if str(v).strip() and (numbers or not _is_number(v)))
            signatures[numbers] = _signatures(template, pairs[numbers])
        held: dict[int, set[str]] = {}
        for (_r, c), v in template.values.items():
            if str(v).strip() and _is_number(v):
                held.setdefault(c, set()).add(_text(v))
        return cls(pairs, signatures, {c: frozenset(n) for c, n in held.items()}, template.max_row)

    def plain(self) -> dict:
        """As JSON holds it (:func:`planvalidator.datacache.remembered`)."""
        def reading(numbers: bool) -> dict:
            return {"pairs": sorted(map(list, self.pairs[numbers])),
                    "signatures": [[list(pair) for pair in row] for row in self.signatures[numbers]]}
        return {"numbers": reading(True), "plain": reading(False), "max_row": self.max_row,
                "held": {str(c): sorted(n) for c, n in self.numbers.items()}}

    @classmethod
    def from_plain(cls, plain: dict) -> "TemplateRows":
        pairs, signatures = {}, {}
        for numbers, name in ((True, "numbers"), (False, "plain")):
            pairs[numbers] = frozenset((c, text) for c, text in plain[name]["pairs"])
            signatures[numbers] = tuple(tuple((c, text) for c, text in row) for row in plain[name]["signatures"])
        return cls(pairs, signatures, {int(c): frozenset(n) for c, n in plain["held"].items()}, plain["max_row"])


_TEMPLATE_ROWS: dict[int, tuple[SheetGrid, TemplateRows]] = {}


def template_rows(template: SheetGrid) -> TemplateRows:
    """The template sheet's :class:`TemplateRows`: as :func:`know` was given them, else made once per sheet."""
    cached = _TEMPLATE_ROWS.get(id(template))
    if cached is None or cached[0] is not template:
        cached = _TEMPLATE_ROWS[id(template)] = (template, TemplateRows.of(template))
    return cached[1]


def know(template: SheetGrid, rows: TemplateRows) -> None:
    """Take ``rows`` as the template sheet's :class:`TemplateRows` (made for its version before)."""
    cached = _TEMPLATE_ROWS.get(id(template))
    if cached is None or cached[0] is not template:
        _TEMPLATE_ROWS[id(template)] = (template, rows)


def _pair(column: int, pairs: frozenset, value) -> tuple | None:
    """The template's (column, text) pair a value is in its column, None if it is none of the template's."""
    pair = (column, _text(value))
    return pair if pair in pairs else None


def _is_number(value) -> bool:
    return _text(value).replace(".", "", 1).isdigit()


def _signatures(sheet: SheetGrid, pairs: frozenset, columns=None) -> tuple[tuple, ...]:
    """Each row's (column, text) pairs of the template's; ``columns`` (a :class:`planvalidator.colmap.ColumnMap`):
    the sheet's columns are the template's through it (a revised template added a column)."""
    rows: dict[int, list] = {}
    # in each column the template has texts in: each distinct value's pair (normalize.value_key: 1, 1.0 and
    # True differ), None if not the template's
    keys: dict[int, dict[object, tuple | None]] = {c: {} for c, _ in pairs}
    unseen = object()
    for (r, c), v in sheet.values.items():
        if columns is not None:
            c = columns.to_template(c)
        in_column = keys.get(c)
        if in_column is None:
            continue
        if v.__class__ is str:                  # (a text is its own key: by_value without the call)
            key = in_column.get(v, unseen)
            if key is unseen:
                key = in_column[v] = _pair(c, pairs, v)
        else:
            key = by_value(in_column, v, _pair, c, pairs)
        if key is not None:
            rows.setdefault(r, []).append(key)
    last = max(rows, default=0)
    return tuple(tuple(sorted(rows.get(r, ()))) for r in range(1, last + 1))


def renumbered(template: SheetGrid, sheet: SheetGrid) -> bool:
    """Whether the applicant renumbered a numbering column (No): it holds a number the template's
    column does not have (41 after inserting a row into 1…40). Then the numbers no longer mark the
    template's rows; otherwise Excel left them in place and they mark them exactly."""
    numbers = template_rows(template).numbers
    return any(c in numbers and str(v).strip() and _is_number(v) and _text(v) not in numbers[c]
               for (_r, c), v in sheet.values.items())


GAPS = ("middle", "top", "bottom")       # where rows inserted among unlabelled rows are taken to be


def row_map(template: SheetGrid, sheet: SheetGrid, *, numbers: bool = True, inserted: str = "middle",
            columns=None) -> dict[int, int]:
    """template row → application row, for every template row that has its counterpart. Without
    numbers, the rows between two labelled ones cannot tell where rows were inserted among them:
    ``inserted`` says where to take them (in the middle, at the top or at the bottom of each run).
    ``columns``: the sheet's :class:`planvalidator.colmap.ColumnMap`, where columns moved."""
    known = template_rows(template)
    pairs, theirs, max_row = known.pairs[numbers], known.signatures[numbers], known.max_row
    ours = _signatures(sheet, pairs, columns)
    if ours == theirs:                      # no row inserted or removed (the usual file): every row is itself
        return {r: r for r in range(1, max(max_row, len(theirs)) + 1)}
    if numbers:
        return _aligned_rows(theirs, ours, max_row)
    from difflib import SequenceMatcher     # (here, not at import: the usual file never aligns its rows)

    t_anchor = [r for r, sig in enumerate(theirs, start=1) if sig]
    o_anchor = [r for r, sig in enumerate(ours, start=1) if sig]
    matcher = SequenceMatcher(None, [theirs[r - 1] for r in t_anchor], [ours[r - 1] for r in o_anchor],
                              autojunk=False)
    anchors = [(t_anchor[a + i], o_anchor[b + i])
               for a, b, size in matcher.get_matching_blocks() for i in range(size)]
    mapping: dict[int, int] = {}
    previous = (0, 0)
    for t, o in [*anchors, (max_row + 1, None)]:
        pt, po = previous
        if o is None:                       # below the last anchor: the last anchor's offset
            for r in range(pt + 1, max_row + 1):
                mapping[r] = r + (po - pt)
            break
        _between(mapping, pt, t, po, o, inserted)
        mapping[t] = o
        previous = (t, o)
    return mapping


def _aligned_rows(theirs: tuple, ours: tuple, max_row: int) -> dict[int, int]:
    """Every row aligned by its signature (difflib); rows below the template's last fixed text
    follow the last one."""
    from difflib import SequenceMatcher

    mapping: dict[int, int] = {}
    matcher = SequenceMatcher(None, theirs, ours, autojunk=False)
    for a, b, size in matcher.get_matching_blocks():
        for i in range(size):
            mapping[a + i + 1] = b + i + 1
    last = len(theirs)
    if last in mapping:
        offset = mapping[last] - last
        for r in range(last + 1, max_row + 1):
            mapping[r] = r + offset
    return mapping


def _between(mapping: dict[int, int], t1: int, t2: int, o1: int, o2: int, inserted: str) -> None:
    """Map the template rows strictly between anchors t1 and t2 onto the application rows strictly
    between o1 and o2. Rows inserted at the top of the run keep every template row's distance from
    t2, at the bottom from t1; in the middle, the upper half keeps its distance from t1 and the lower
    half from t2 — so a range over the rows (SUMIF($C$6:$C$45 …)) keeps its ends as Excel moves them."""
    if t1 == 0:                             # above the first anchor: count up from the anchor
        for r in range(1, t2):
            if o2 - (t2 - r) >= 1:
                mapping[r] = o2 - (t2 - r)
        return
    middle = {"top": t1, "bottom": t2, "middle": (t1 + t2) / 2}[inserted]
    for r in range(t1 + 1, t2):
        o = o1 + (r - t1) if r < middle else o2 - (t2 - r)
        if o1 < o < o2:
            mapping[r] = o
