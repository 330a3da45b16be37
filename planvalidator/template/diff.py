"""What changed between two versions of a template (``TemplateSnapshot``).

``diff(old, new)`` pairs the sheets (same name, or renamed: most labels equal), then, per pair,
aligns the rows and the columns of the two sheets (difflib over a per-row / per-column
signature: the labels, constants and formula shapes in it), so that rows or columns inserted or
deleted are one change each. Every cell is then compared through that mapping: labels (reworded,
moved, added, removed), constants, formulas (after moving the old formula's references through
the row/column mappings of the sheets they point at, and renaming renamed sheets: "=SUM(J6:J45)"
is "=SUM(J8:J47)" after two rows are inserted above row 6), input cells, data validations,
merged ranges, protection, and the defined names.

Reference moving uses ``planvalidator.formula.move`` (the same scanner ``insert_rows_like_excel``
moves formulas with) rather than openpyxl's ``Translator``: Translator moves every relative
reference by one offset, while after an insertion a reference moves only when it lies below
the insertion, a range spanning it grows, ``$`` references move too, and references to other
sheets move by *that* sheet's insertions.
"""

from __future__ import annotations

import bisect
import difflib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils.cell import coordinate_to_tuple, get_column_letter, range_boundaries

from planvalidator.formula import canonical, move
from planvalidator.template.snapshot import SheetSnapshot, TemplateSnapshot, Validation

MAX_ROW = 1_048_576
MAX_COL = 16_384
_CELL_SET_LIMIT = 200_000
_PAIRING_WORK = 20_000
RENAME_THRESHOLD = 0.5

# The kinds of change, in the order they are listed within a sheet.
KINDS = (
    "sheet_added", "sheet_removed", "sheet_renamed", "sheet_reordered", "sheet_state_changed",
    "rows_inserted", "rows_deleted", "columns_inserted", "columns_deleted",
    "label_reworded", "label_moved", "label_added", "label_removed",
    "value_changed", "value_added", "value_removed",
    "formula_changed", "formula_added", "formula_removed",
    "input_cells_added", "input_cells_removed",
    "validation_changed", "validation_added", "validation_removed",
    "merge_added", "merge_removed",
    "protection_changed", "unlocked_cells_added", "unlocked_cells_removed",
    "protected_range_added", "protected_range_removed", "protected_range_changed",
    "defined_name_added", "defined_name_removed", "defined_name_changed",
)
_ORDER = {k: i for i, k in enumerate(KINDS)}


@dataclass
class Change:
    """One change. ``sheet`` is the sheet's new name (old name for a removed sheet; None for the
    workbook); ``cell`` the place in the new sheet (the old one for what was removed)."""
    kind: str
    sheet: str | None = None
    cell: str | None = None
    old: Any = None
    new: Any = None
    detail: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "sheet": self.sheet, "cell": self.cell, "old": self.old,
                "new": self.new, "detail": dict(self.detail)}

    def text(self) -> str:
        return _describe(self)


@dataclass
class TemplateDiff:
    old: str
    new: str
    changes: list[Change] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.changes)

    def __len__(self) -> int:
        return len(self.changes)

    def of(self, kind: str | None = None, sheet: str | None = None) -> list[Change]:
        return [c for c in self.changes if (kind is None or c.kind == kind) and (sheet is None or c.sheet == sheet)]

    def kinds(self) -> Counter:
        return Counter(c.kind for c in self.changes)

    def to_dict(self) -> dict:
        return {"old": self.old, "new": self.new, "count": len(self.changes),
                "summary": dict(sorted(self.kinds().items(), key=lambda kv: _ORDER[kv[0]])),
                "changes": [c.to_dict() for c in self.changes]}

    def text(self) -> str:
        """One line per change, grouped by sheet (workbook first, then the new sheets' order,
        then removed sheets), in Japanese."""
        if not self.changes:
            return "変更はありません"
        lines = []
        for sheet, changes in self.by_sheet():
            for change in changes:
                lines.append(f"{sheet or 'ブック'}: {change.text()}")
        return "\n".join(lines)

    def by_sheet(self) -> list[tuple[str | None, list[Change]]]:
        groups: dict[str | None, list[Change]] = {}
        for change in self.changes:
            groups.setdefault(change.sheet, []).append(change)
        return list(groups.items())


# --- axis alignment -----------------------------------------------------------------------

@dataclass
class AxisMap:
    """How the rows (or columns) 1..old_len of the old sheet land in the new one."""
    old_len: int
    new_len: int
    forward: dict[int, int] = field(default_factory=dict)
    inserted: list[tuple[int | None, int, int]] = field(default_factory=list)  # (before old, new start, count)
    deleted: list[tuple[int, int, int]] = field(default_factory=list)          # (old start, count, new before)

    def __post_init__(self):
        self._kept: list[int] | None = None

    @property
    def identity(self) -> bool:
        return not self.inserted and not self.deleted

    def _survivors(self) -> list[int]:
        if self._kept is None:
            self._kept = sorted(self.forward)
        return self._kept

    def at(self, i: int, prefer: str = "next") -> int | None:
        """The new index of old index ``i``; a deleted one goes to its next (or previous)
        surviving neighbour's place, None when there is none."""
        if i in self.forward:
            return self.forward[i]
        if i > self.old_len:
            return i + self.new_len - self.old_len
        kept = self._survivors()
        if prefer == "next":
            k = bisect.bisect_right(kept, i)
            if k < len(kept):
                return self.forward[kept[k]]
            return self.new_len + 1 if i <= self.old_len else None
        k = bisect.bisect_left(kept, i) - 1
        return self.forward[kept[k]] if k >= 0 else None

    def span(self, lo: int, hi: int) -> tuple[int, int] | None:
        a, b = self.at(lo, "next"), self.at(hi, "prev")
        if a is None or b is None or a > b:
            return None
        return a, b


def _similarity(a: tuple, b: tuple) -> float:
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def align(old_sigs: list, new_sigs: list) -> AxisMap:
    """Align two sequences of signatures (index 0 is row/column 1)."""
    amap = AxisMap(len(old_sigs), len(new_sigs))
    matcher = difflib.SequenceMatcher(None, old_sigs, new_sigs, autojunk=False)
    for tag, i1, i2, j1, j2 in _net_zero_as_replace(matcher.get_opcodes()):
        if tag == "equal":
            for k in range(i2 - i1):
                amap.forward[i1 + k + 1] = j1 + k + 1
        elif tag == "insert":
            amap.inserted.append((i1 + 1 if i1 < len(old_sigs) else None, j1 + 1, j2 - j1))
        elif tag == "delete":
            amap.deleted.append((i1 + 1, i2 - i1, j1 + 1))
        else:
            _pair_block(amap, old_sigs, new_sigs, i1, i2, j1, j2)
    _merge_adjacent(amap)
    _slide(amap, old_sigs, new_sigs)
    return amap


def _slide(amap: AxisMap, old_sigs: list, new_sigs: list) -> None:
    """Move each inserted (deleted) run down past rows equal to its first one — among empty
    rows, "2 rows inserted above the table" rather than "after the first blank row"."""
    back = {v: k for k, v in amap.forward.items()}
    inserted = []
    for _before, start, count in amap.inserted:
        while True:
            following = start + count
            o = back.get(following)
            if o is None or new_sigs[start - 1] != new_sigs[following - 1]:
                break
            amap.forward[o] = start
            del back[following]
            back[start] = o
            start += 1
        inserted.append((back.get(start + count), start, count))
    amap.inserted = inserted
    deleted = []
    for start, count, at in amap.deleted:
        while True:
            following = start + count
            if following not in amap.forward or old_sigs[start - 1] != old_sigs[following - 1]:
                break
            amap.forward[start] = amap.forward.pop(following)
            start += 1
        following = start + count
        deleted.append((start, count, amap.forward.get(following, at if following <= amap.old_len else amap.new_len + 1)))
    amap.deleted = deleted


NET_ZERO_GAP = 3


def _net_zero_as_replace(opcodes: list) -> list:
    """An insertion and a deletion of the same size with at most NET_ZERO_GAP equal rows between
    them are one edited block (a label moved down a row), not a row inserted and one deleted."""
    ops = [list(op) for op in opcodes]
    out: list = []
    i = 0
    while i < len(ops):
        tag = ops[i][0]
        if tag in ("insert", "delete"):
            size = (ops[i][4] - ops[i][3]) if tag == "insert" else (ops[i][2] - ops[i][1])
            j, gap = i + 1, 0
            while j < len(ops) and ops[j][0] == "equal" and gap <= NET_ZERO_GAP:
                gap += ops[j][2] - ops[j][1]
                j += 1
            if j < len(ops) and gap <= NET_ZERO_GAP and j > i + 1:
                other = ops[j]
                other_size = (other[4] - other[3]) if other[0] == "insert" else (other[2] - other[1])
                if other[0] in ("insert", "delete") and other[0] != tag and other_size == size:
                    out.append(("replace", ops[i][1], other[2], ops[i][3], other[4]))
                    i = j + 1
                    continue
        out.append(tuple(ops[i]))
        i += 1
    return out


def _pair_block(amap: AxisMap, old_sigs, new_sigs, i1, i2, j1, j2) -> None:
    """A replaced block: pair its rows one to one, the surplus being one inserted (or deleted)
    run placed where the pairs look most alike."""
    la, lb = i2 - i1, j2 - j1
    k, surplus = min(la, lb), abs(la - lb)
    best = k                                   # surplus after the pairs by default
    if surplus and k and k * (k + 1) <= _PAIRING_WORK:
        scores = []
        for p in range(k + 1):                 # surplus run starts after p pairs
            score = 0.0
            for q in range(k):
                a = i1 + q + (surplus if la > lb and q >= p else 0)
                b = j1 + q + (surplus if lb > la and q >= p else 0)
                score += _similarity(old_sigs[a], new_sigs[b])
            scores.append(score)
        best = max(range(k + 1), key=lambda p: (scores[p], p))
    for q in range(k):
        a = i1 + q + (surplus if la > lb and q >= best else 0)
        b = j1 + q + (surplus if lb > la and q >= best else 0)
        amap.forward[a + 1] = b + 1
    if lb > la:
        old_before = i1 + best + 1
        amap.inserted.append((old_before if old_before <= len(old_sigs) else None, j1 + best + 1, surplus))
    elif la > lb:
        amap.deleted.append((i1 + best + 1, surplus, j1 + best + 1))


def _merge_adjacent(amap: AxisMap) -> None:
    amap.inserted.sort(key=lambda t: t[1])
    merged: list = []
    for before, start, count in amap.inserted:
        if merged and merged[-1][1] + merged[-1][2] == start and merged[-1][0] == before:
            merged[-1] = (merged[-1][0], merged[-1][1], merged[-1][2] + count)
        else:
            merged.append((before, start, count))
    amap.inserted = merged
    amap.deleted.sort()
    merged = []
    for start, count, at in amap.deleted:
        if merged and merged[-1][0] + merged[-1][1] == start:
            merged[-1] = (merged[-1][0], merged[-1][1] + count, merged[-1][2])
        else:
            merged.append((start, count, at))
    amap.deleted = merged


# --- per-sheet grids ----------------------------------------------------------------------

def _skeleton(formula: str) -> str:
    """A formula's shape: its references blanked out (rows moving do not change it)."""
    try:
        return canonical(move(formula, lambda *_: (1, 1)))
    except Exception:          # pragma: no cover - malformed formula text
        return canonical(formula)


class _Grid:
    def __init__(self, sheet: SheetSnapshot):
        self.sheet = sheet
        self.tokens: dict[tuple[int, int], tuple] = {}
        self.labels = {coordinate_to_tuple(a): t for a, t in sheet.labels.items()}
        self.values = {coordinate_to_tuple(a): v for a, v in sheet.values.items()}
        self.formulas = {coordinate_to_tuple(a): f for a, f in sheet.formulas.items()}
        self.inputs = {coordinate_to_tuple(a) for a in sheet.inputs}
        self.unlocked = {coordinate_to_tuple(a) for a in sheet.unlocked}
        self.merges = [_bounds(m) for m in sheet.merged]
        # what the form says: an input cell's text or number is an answer (or a sample), not the form
        for pos, text in self.labels.items():
            if pos not in self.inputs:
                self.tokens[pos] = ("t", text)
        for pos, value in self.values.items():
            if pos not in self.inputs:
                self.tokens[pos] = ("v", repr(value))
        for pos, formula in self.formulas.items():
            self.tokens[pos] = ("f", _skeleton(formula))
        positions = list(self.tokens) + list(self.inputs) + [(m[0], m[1]) for m in self.merges]
        self.rows = max([sheet.max_row] + [p[0] for p in positions])
        self.cols = max([sheet.max_column] + [p[1] for p in positions])

    def column_signatures(self) -> list[tuple]:
        cols: list[list] = [[] for _ in range(self.cols)]
        for (r, c), token in sorted(self.tokens.items()):
            cols[c - 1].append(token)
        return [tuple(t) for t in cols]

    def row_signatures(self, columns: set[int]) -> list[tuple]:
        rows: dict[int, list] = {}
        for (r, c), token in self.tokens.items():
            if c in columns:
                rows.setdefault(r, []).append((c, token))
        for r, c in self.inputs:
            if c in columns:
                rows.setdefault(r, []).append((c, ("i",)))
        for r1, c1, _r2, _c2 in self.merges:
            if c1 in columns:
                rows.setdefault(r1, []).append((c1, ("m",)))
        return [tuple(t for _, t in sorted(rows.get(r, []))) for r in range(1, self.rows + 1)]


def _bounds(ref: str) -> tuple[int, int, int, int]:
    """(min_row, min_col, max_row, max_col) of "B2:N2", "C:C", "5:5"."""
    c1, r1, c2, r2 = range_boundaries(ref.replace("$", ""))
    return (r1 or 1, c1 or 1, r2 or MAX_ROW, c2 or MAX_COL)


def _ref(r1: int, c1: int, r2: int, c2: int) -> str:
    a = f"{get_column_letter(c1)}{r1}"
    return a if (r1, c1) == (r2, c2) else f"{a}:{get_column_letter(c2)}{r2}"


def _addr(pos: tuple[int, int]) -> str:
    return f"{get_column_letter(pos[1])}{pos[0]}"


@dataclass
class _Pair:
    old: SheetSnapshot
    new: SheetSnapshot
    old_grid: _Grid
    new_grid: _Grid
    rows: AxisMap
    cols: AxisMap

    def cell(self, pos: tuple[int, int]) -> tuple[int, int] | None:
        r, c = self.rows.forward.get(pos[0]), self.cols.forward.get(pos[1])
        return (r, c) if r is not None and c is not None else None

    def range(self, b: tuple[int, int, int, int]) -> tuple[int, int, int, int] | None:
        rs = self.rows.span(b[0], b[2]) if b[2] < MAX_ROW or b[0] > 1 else (1, MAX_ROW)
        cs = self.cols.span(b[1], b[3]) if b[3] < MAX_COL or b[1] > 1 else (1, MAX_COL)
        if rs is None or cs is None:
            return None
        return (rs[0], cs[0], min(rs[1], MAX_ROW), min(cs[1], MAX_COL))


def _pair_sheets(old: SheetSnapshot, new: SheetSnapshot) -> _Pair:
    og, ng = _Grid(old), _Grid(new)
    cols = align(og.column_signatures(), ng.column_signatures())
    kept_old = set(cols.forward)
    kept_new = set(cols.forward.values())
    rows = align(og.row_signatures(kept_old), ng.row_signatures(kept_new))
    return _Pair(old, new, og, ng, rows, cols)


# --- formulas through the mappings ----------------------------------------------------------

class _Translator:
    """Old formulas as they read in the new workbook: references moved by the insertions and
    deletions of the sheet they point at, renamed sheets renamed."""

    def __init__(self, pairs: dict[str, _Pair], renames: dict[str, str]):
        self.pairs = pairs
        self.renames = renames

    def __call__(self, formula: str, own: str | None, prefer: str = "next") -> str:
        pairs = self.pairs

        def mover(sheet, row, col, _rf, _cf):
            pair = pairs.get(sheet if sheet is not None else own)
            if pair is None:
                return row, col
            if not pair.rows.identity:
                row = pair.rows.at(row, prefer) or 0
            if not pair.cols.identity:
                col = pair.cols.at(col, prefer) or 0
            return min(row, MAX_ROW), min(col, MAX_COL)

        moved = move(formula, mover) if any(not p.rows.identity or not p.cols.identity
                                            for p in pairs.values()) else formula
        return _rename_sheets(moved, self.renames) if self.renames else moved

    def same(self, old_formula: str, own: str | None, new_formula: str) -> bool:
        target = canonical(new_formula)
        if canonical(self(old_formula, own)) == target:
            return True
        return canonical(self(old_formula, own, "prev")) == target


def _quote(name: str) -> str:
    if name.replace("_", "a").replace(".", "a").isalnum() and not name[0].isdigit():
        return name
    return "'" + name.replace("'", "''") + "'"


def _rename_sheets(formula: str, renames: dict[str, str]) -> str:
    from openpyxl.formula.tokenizer import Token, Tokenizer
    try:
        tok = Tokenizer(formula if formula.startswith("=") else "=" + formula)
    except Exception:
        return formula
    changed = False
    for item in tok.items:
        if item.type == Token.OPERAND and item.subtype == Token.RANGE and "!" in item.value:
            sheet, rest = item.value.rsplit("!", 1)
            plain = sheet[1:-1].replace("''", "'") if sheet.startswith("'") and sheet.endswith("'") else sheet
            if plain in renames:
                item.value = _quote(renames[plain]) + "!" + rest
                changed = True
    if not changed:
        return formula
    text = tok.render()
    return text if formula.startswith("=") else text.lstrip("=")


# --- the diff -------------------------------------------------------------------------------

def diff(old: TemplateSnapshot, new: TemplateSnapshot) -> TemplateDiff:
    """Every change from ``old`` to ``new``."""
    out = TemplateDiff(old=old.path, new=new.path)
    changes = out.changes
    matched, renamed = _match_sheets(old, new)
    renames = {o: n for o, n in matched.items() if o != n}
    pairs = {o: _pair_sheets(old.sheet(o), new.sheet(n)) for o, n in matched.items()}
    translate = _Translator(pairs, renames)

    # workbook level: sheet order, defined names
    order_old = [matched[s.name] for s in old.sheets if s.name in matched]
    order_new = [s.name for s in new.sheets if s.name in matched.values()]
    if order_old != order_new:
        changes.append(Change("sheet_reordered", None, old=order_old, new=order_new,
                              detail={"old_order": old.sheet_names, "new_order": new.sheet_names}))
    changes.extend(_names(old.defined_names, new.defined_names, None, None, translate))

    removed = [s for s in old.sheets if s.name not in matched]
    added = {s.name for s in new.sheets if s.name not in matched.values()}
    back = {n: o for o, n in matched.items()}
    for sheet in new.sheets:
        if sheet.name in added:
            changes.append(Change("sheet_added", sheet.name, detail={
                "index": sheet.index, "labels": len(sheet.labels), "formulas": len(sheet.formulas),
                "inputs": len(sheet.inputs)}))
            continue
        pair = pairs[back[sheet.name]]
        changes.extend(_sheet_changes(pair, translate, renames))
    for sheet in removed:
        changes.append(Change("sheet_removed", sheet.name, detail={
            "index": sheet.index, "labels": len(sheet.labels), "formulas": len(sheet.formulas),
            "inputs": len(sheet.inputs)}))
    return out


def _label_bag(sheet: SheetSnapshot) -> Counter:
    bag = Counter(sheet.labels.values())
    bag.update("=" + _skeleton(f) for f in sheet.formulas.values())
    return bag


def _match_sheets(old: TemplateSnapshot, new: TemplateSnapshot) -> tuple[dict[str, str], set[str]]:
    """old name → new name for every sheet that is in both (renamed ones too)."""
    new_names = set(new.sheet_names)
    matched = {s.name: s.name for s in old.sheets if s.name in new_names}
    rest_old = [s for s in old.sheets if s.name not in matched]
    rest_new = [s for s in new.sheets if s.name not in matched.values()]
    candidates = []
    for a in rest_old:
        bag_a = _label_bag(a)
        for b in rest_new:
            bag_b = _label_bag(b)
            total = sum(bag_a.values()) + sum(bag_b.values())
            score = 2 * sum((bag_a & bag_b).values()) / total if total else 0.0
            if score >= RENAME_THRESHOLD:
                candidates.append((-score, abs(a.index - b.index), a.name, b.name))
    renamed = set()
    for _score, _dist, a, b in sorted(candidates):
        if a in matched or b in matched.values():
            continue
        matched[a] = b
        renamed.add(a)
    return matched, renamed


class _Moves:
    """The rows/columns inserted and deleted in one sheet, and what they carry that is not
    listed on its own (input cells, unlocked cells, merges inside them)."""

    def __init__(self):
        self.changes: list[Change] = []
        self._spans: list[tuple[str, int, int, int, Change]] = []
        self._carried: dict[int, dict[str, list]] = {}

    def add(self, change: Change, side: str, axis: int, start: int, count: int) -> None:
        self.changes.append(change)
        self._spans.append((side, axis, start, start + count - 1, change))

    def owner(self, side: str, b: tuple[int, int, int, int]) -> Change | None:
        """The insertion (side "new") or deletion ("old") a cell/range lies wholly inside."""
        for s, axis, lo, hi, change in self._spans:
            if s == side and lo <= b[axis] and b[axis + 2] <= hi:
                return change
        return None

    def carry(self, change: Change, what: str, item) -> None:
        self._carried.setdefault(id(change), {}).setdefault(what, []).append(item)

    def finish(self) -> None:
        for change in self.changes:
            carried = self._carried.get(id(change), {})
            for what in ("input_cells", "unlocked_cells"):
                if carried.get(what):
                    change.detail[what] = _rectangles(set(carried[what]))
            if carried.get("merges"):
                change.detail["merges"] = [_ref(*b) for b in sorted(carried["merges"])]


def _sheet_changes(pair: _Pair, translate: _Translator, renames: dict[str, str]) -> list[Change]:
    old, new = pair.old, pair.new
    name = new.name
    out: list[Change] = []
    if old.name != new.name:
        out.append(Change("sheet_renamed", name, old=old.name, new=new.name,
                          detail={"old_index": old.index, "new_index": new.index}))
    if old.state != new.state:
        out.append(Change("sheet_state_changed", name, old=old.state, new=new.state))

    # rows and columns inserted / deleted
    moves = _Moves()
    for before, start, count in pair.rows.inserted:
        moves.add(Change("rows_inserted", name, cell=f"{start}:{start + count - 1}", detail={
            "before": before, "at": start, "count": count}), "new", 0, start, count)
    for start, count, at in pair.rows.deleted:
        moves.add(Change("rows_deleted", name, cell=f"{start}:{start + count - 1}", detail={
            "start": start, "count": count, "at": at}), "old", 0, start, count)
    for before, start, count in pair.cols.inserted:
        moves.add(Change("columns_inserted", name,
                         cell=f"{get_column_letter(start)}:{get_column_letter(start + count - 1)}",
                         detail={"before": get_column_letter(before) if before else None,
                                 "at": get_column_letter(start), "count": count}), "new", 1, start, count)
    for start, count, at in pair.cols.deleted:
        moves.add(Change("columns_deleted", name,
                         cell=f"{get_column_letter(start)}:{get_column_letter(start + count - 1)}",
                         detail={"start": get_column_letter(start), "count": count,
                                 "at": get_column_letter(at)}), "old", 1, start, count)
    out.extend(moves.changes)

    og, ng = pair.old_grid, pair.new_grid
    out.extend(_labels(pair, og.labels, ng.labels, name))
    out.extend(_values(pair, og.values, ng.values, name))
    out.extend(_formulas(pair, og.formulas, ng.formulas, name, translate))
    out.extend(_cell_sets(pair, og.inputs, ng.inputs, name, "input_cells", moves))
    out.extend(_validations(pair, old.validations, new.validations, name, translate))
    out.extend(_merges(pair, name, moves))
    moves.finish()
    if old.protected != new.protected:
        out.append(Change("protection_changed", name, old=old.protected, new=new.protected))
    out.extend(_cell_sets(pair, og.unlocked, ng.unlocked, name, "unlocked_cells", moves))
    out.extend(_protected_ranges(pair, name))
    out.extend(_names(old.defined_names, new.defined_names, name, old.name, translate))
    return out


def _labels(pair: _Pair, old: dict, new: dict, sheet: str) -> list[Change]:
    rest_old, rest_new = {}, dict(new)
    for pos, text in old.items():
        target = pair.cell(pos)
        if target is not None and rest_new.get(target) == text:
            del rest_new[target]
        else:
            rest_old[pos] = text
    out = []
    # the same text elsewhere in the sheet: moved
    where: dict[str, list] = {}
    for pos, text in sorted(rest_new.items()):
        where.setdefault(text, []).append(pos)
    for pos, text in sorted(rest_old.items()):
        places = where.get(text)
        if not places:
            continue
        target = pair.cell(pos)
        mapped = target or (pair.rows.at(pos[0]) or pos[0], pair.cols.at(pos[1]) or pos[1])
        best = min(places, key=lambda p: (abs(p[0] - mapped[0]) + abs(p[1] - mapped[1]), p))
        places.remove(best)
        del rest_new[best]
        del rest_old[pos]
        out.append(Change("label_moved", sheet, cell=_addr(best), old=text, new=text,
                          detail={"old_cell": _addr(pos)}))
    for pos, text in sorted(rest_old.items()):
        target = pair.cell(pos)
        if target is not None and target in rest_new:
            out.append(Change("label_reworded", sheet, cell=_addr(target), old=text, new=rest_new.pop(target),
                              detail={"old_cell": _addr(pos)}))
        else:
            out.append(Change("label_removed", sheet, cell=_addr(pos), old=text))
    for pos, text in sorted(rest_new.items()):
        out.append(Change("label_added", sheet, cell=_addr(pos), new=text))
    return _sorted(out)


def _sorted(changes: list[Change]) -> list[Change]:
    def key(c: Change):
        try:
            r, col = coordinate_to_tuple(c.cell) if c.cell else (0, 0)
        except (ValueError, TypeError):
            r, col = 0, 0
        return (_ORDER[c.kind], r, col)
    return sorted(changes, key=key)


def _values(pair: _Pair, old: dict, new: dict, sheet: str) -> list[Change]:
    out, rest_new = [], dict(new)
    for pos, value in sorted(old.items()):
        target = pair.cell(pos)
        if target is not None and target in rest_new:
            other = rest_new.pop(target)
            if other != value or type(other) is not type(value):
                out.append(Change("value_changed", sheet, cell=_addr(target), old=value, new=other,
                                  detail={"old_cell": _addr(pos)}))
        else:
            out.append(Change("value_removed", sheet, cell=_addr(pos), old=value))
    for pos, value in sorted(rest_new.items()):
        out.append(Change("value_added", sheet, cell=_addr(pos), new=value))
    return _sorted(out)


def _formulas(pair: _Pair, old: dict, new: dict, sheet: str, translate: _Translator) -> list[Change]:
    out, rest_new = [], dict(new)
    own = pair.old.name
    for pos, formula in sorted(old.items()):
        target = pair.cell(pos)
        if target is not None and target in rest_new:
            other = rest_new.pop(target)
            if not translate.same(formula, own, other):
                out.append(Change("formula_changed", sheet, cell=_addr(target), old=formula, new=other,
                                  detail={"old_cell": _addr(pos), "expected": translate(formula, own)}))
        else:
            out.append(Change("formula_removed", sheet, cell=_addr(pos), old=formula))
    for pos, formula in sorted(rest_new.items()):
        out.append(Change("formula_added", sheet, cell=_addr(pos), new=formula))
    return _sorted(out)


def _rectangles(cells: set[tuple[int, int]]) -> list[str]:
    """A set of cells as few ranges: runs along rows, stacked where rows repeat."""
    runs: dict[int, list[tuple[int, int]]] = {}
    for r in sorted({p[0] for p in cells}):
        cols = sorted(c for rr, c in cells if rr == r)
        row_runs, start = [], cols[0]
        for a, b in zip(cols, cols[1:] + [None]):
            if b != a + 1:
                row_runs.append((start, a))
                start = b
        runs[r] = row_runs
    open_: dict[tuple[int, int], int] = {}
    rects = []
    last_row = None
    for r in sorted(runs):
        current = set(runs[r])
        for run in list(open_):
            if run not in current or last_row != r - 1:
                rects.append((open_.pop(run), run[0], r - 1 if last_row == r - 1 else last_row, run[1]))
        for run in runs[r]:
            open_.setdefault(run, r)
        last_row = r
    for run, start in open_.items():
        rects.append((start, run[0], last_row, run[1]))
    return [_ref(*b) for b in sorted(rects)]


def _cell_sets(pair: _Pair, old: set, new: set, sheet: str, what: str, moves: _Moves) -> list[Change]:
    mapped = set()
    for pos in old:
        target = pair.cell(pos)
        if target is not None:
            mapped.add(target)
            continue
        owner = moves.owner("old", pos + pos)
        if owner is not None:               # in a deleted row/column: part of that change
            moves.carry(owner, what, pos)
    added = set()
    for pos in new - mapped:
        owner = moves.owner("new", pos + pos)
        if owner is not None:               # in an inserted row/column
            moves.carry(owner, what, pos)
        else:
            added.add(pos)
    removed = mapped - new
    out = []
    if added:
        ranges = _rectangles(added)
        out.append(Change(f"{what}_added", sheet, cell=" ".join(ranges), detail={"ranges": ranges, "count": len(added)}))
    if removed:
        ranges = _rectangles(removed)
        out.append(Change(f"{what}_removed", sheet, cell=" ".join(ranges), detail={"ranges": ranges, "count": len(removed)}))
    return out


# --- data validations ---------------------------------------------------------------------

def _sqref_ranges(sqref: str) -> list[tuple[int, int, int, int]]:
    out = []
    for part in sqref.split():
        try:
            out.append(_bounds(part))
        except (ValueError, TypeError):
            continue
    return out


def _cells_of(ranges) -> frozenset:
    area = sum((r2 - r1 + 1) * (c2 - c1 + 1) for r1, c1, r2, c2 in ranges)
    if area > _CELL_SET_LIMIT:
        return frozenset(("range",) + r for r in ranges)
    return frozenset((r, c) for r1, c1, r2, c2 in ranges for r in range(r1, r2 + 1) for c in range(c1, c2 + 1))


def _sqref_text(ranges) -> str:
    return " ".join(_ref(*r) for r in sorted(ranges))


def _cells_text(cells: frozenset) -> str:
    if any(len(p) != 2 for p in cells):
        return " ".join(_ref(*p[1:]) for p in sorted(p for p in cells if len(p) == 5))
    return " ".join(_rectangles(set(cells))) if cells else ""


@dataclass
class _DV:
    dv: Validation
    cells: frozenset
    sqref: str          # in new coordinates
    key: tuple


def _dv_formula(text: str | None, own: str, translate: _Translator | None) -> str | None:
    if text is None:
        return None
    if translate is None:
        return canonical(text)
    return canonical(translate(text if text.startswith("=") else "=" + text, own))


def _validations(pair: _Pair, old: list[Validation], new: list[Validation], sheet: str,
                 translate: _Translator) -> list[Change]:
    def prepared(dvs, mapper, own, tr):
        out = []
        for dv in dvs:
            ranges = [m for m in (mapper(b) for b in _sqref_ranges(dv.sqref)) if m is not None]
            cells = _cells_of(ranges)
            literal = dv.items is not None and (dv.formula1 or "").lstrip("=").startswith('"')
            f1 = canonical(dv.formula1) if literal else _dv_formula(dv.formula1, own, tr)
            key = (dv.type, dv.operator if dv.type not in (None, "list", "custom") else None, f1,
                   _dv_formula(dv.formula2, own, tr) if dv.type not in (None, "list") else None,
                   tuple(dv.items) if dv.items is not None else None, dv.allow_blank)
            out.append(_DV(dv, cells, _sqref_text(ranges), key))
        return out

    olds = prepared(old, pair.range, pair.old.name, translate)
    news = prepared(new, lambda b: b, pair.new.name, None)
    rest_new = list(news)
    rest_old = []
    for o in olds:
        same = next((n for n in rest_new if n.key == o.key and n.cells == o.cells), None)
        if same is not None:
            rest_new.remove(same)
        else:
            rest_old.append(o)
    out = []
    # changed: the old and new validation that share the most cells
    candidates = sorted(((len(o.cells & n.cells), i, j) for i, o in enumerate(rest_old)
                         for j, n in enumerate(rest_new) if o.cells & n.cells), reverse=True)
    used_o, used_n = set(), set()
    for _overlap, i, j in candidates:
        if i in used_o or j in used_n:
            continue
        used_o.add(i)
        used_n.add(j)
        out.append(_validation_change(rest_old[i], rest_new[j], sheet))
    for i, o in enumerate(rest_old):
        if i not in used_o:
            out.append(Change("validation_removed", sheet, cell=o.dv.sqref if not o.sqref else o.sqref,
                              old=_dv_summary(o.dv), detail={"old_sqref": o.dv.sqref}))
    for j, n in enumerate(rest_new):
        if j not in used_n:
            out.append(Change("validation_added", sheet, cell=n.dv.sqref, new=_dv_summary(n.dv)))
    return sorted(out, key=lambda c: (_ORDER[c.kind], _first_cell(c.cell)))


def _first_cell(cell: str | None):
    try:
        b = _bounds(cell.split()[0])
        return (b[0], b[1])
    except Exception:
        return (0, 0)


def _dv_summary(dv: Validation) -> dict:
    return {"type": dv.type, "operator": dv.operator, "formula1": dv.formula1, "formula2": dv.formula2,
            "items": dv.items, "sqref": dv.sqref, "allow_blank": dv.allow_blank}


def _validation_change(o: _DV, n: _DV, sheet: str) -> Change:
    detail: dict[str, Any] = {"old_sqref": o.dv.sqref, "new_sqref": n.dv.sqref}
    if o.cells != n.cells:
        detail["cells_added"] = _cells_text(n.cells - o.cells)
        detail["cells_removed"] = _cells_text(o.cells - n.cells)
    if o.dv.type != n.dv.type:
        detail["type"] = [o.dv.type, n.dv.type]
    if o.dv.items is not None or n.dv.items is not None:
        oi, ni = o.dv.items or [], n.dv.items or []
        added = [x for x in ni if x not in oi]
        removed = [x for x in oi if x not in ni]
        if added:
            detail["items_added"] = added
        if removed:
            detail["items_removed"] = removed
        if not added and not removed and oi != ni:
            detail["items_reordered"] = True
    if o.key[2] != n.key[2] and "items_added" not in detail and "items_removed" not in detail \
            and "items_reordered" not in detail:
        detail["formula1"] = [o.dv.formula1, n.dv.formula1]
    if o.key[3] != n.key[3]:
        detail["formula2"] = [o.dv.formula2, n.dv.formula2]
    if o.key[1] != n.key[1]:
        detail["operator"] = [o.dv.operator, n.dv.operator]
    if o.key[5] != n.key[5]:
        detail["allow_blank"] = [o.dv.allow_blank, n.dv.allow_blank]
    return Change("validation_changed", sheet, cell=n.dv.sqref, old=_dv_summary(o.dv), new=_dv_summary(n.dv),
                  detail=detail)


# --- merges, protected ranges, names ------------------------------------------------------

def _merges(pair: _Pair, sheet: str, moves: _Moves) -> list[Change]:
    old = {}
    out = []
    for b in pair.old_grid.merges:
        target = pair.range(b)
        owner = moves.owner("old", b)
        if owner is not None:
            moves.carry(owner, "merges", b)
        elif target is None:
            out.append(Change("merge_removed", sheet, cell=_ref(*b), old=_ref(*b)))
        else:
            old[target] = b
    for target, b in old.items():
        if target not in set(pair.new_grid.merges):
            out.append(Change("merge_removed", sheet, cell=_ref(*b), old=_ref(*b)))
    for b in sorted(set(pair.new_grid.merges) - set(old)):
        owner = moves.owner("new", b)
        if owner is not None:
            moves.carry(owner, "merges", b)
        else:
            out.append(Change("merge_added", sheet, cell=_ref(*b), new=_ref(*b)))
    return _sorted_ranges(out)


def _sorted_ranges(changes: list[Change]) -> list[Change]:
    return sorted(changes, key=lambda c: (_ORDER[c.kind], _first_cell(c.cell)))


def _protected_ranges(pair: _Pair, sheet: str) -> list[Change]:
    def mapped(sqref):
        return _sqref_text([m for m in (pair.range(b) for b in _sqref_ranges(sqref)) if m is not None])
    old = {r.name: r.sqref for r in pair.old.protected_ranges}
    new = {r.name: r.sqref for r in pair.new.protected_ranges}
    out = []
    for name, sqref in old.items():
        if name not in new:
            out.append(Change("protected_range_removed", sheet, cell=sqref, old=name))
        elif mapped(sqref) != _sqref_text(_sqref_ranges(new[name])):
            out.append(Change("protected_range_changed", sheet, cell=new[name], old=sqref, new=new[name],
                              detail={"name": name}))
    for name, sqref in new.items():
        if name not in old:
            out.append(Change("protected_range_added", sheet, cell=sqref, new=name))
    return out


def _names(old: dict, new: dict, sheet: str | None, own: str | None, translate: _Translator) -> list[Change]:
    out = []
    for name, value in old.items():
        if name not in new:
            out.append(Change("defined_name_removed", sheet, old=value, detail={"name": name}))
        elif not translate.same(value, own, new[name]):
            out.append(Change("defined_name_changed", sheet, old=value, new=new[name], detail={"name": name}))
    for name, value in new.items():
        if name not in old:
            out.append(Change("defined_name_added", sheet, new=value, detail={"name": name}))
    return out


# --- Japanese text ----------------------------------------------------------------------------

_STATE = {"visible": "表示", "hidden": "非表示", "veryHidden": "非表示（VBA のみ）"}


def _items(items) -> str:
    return "、".join(f"「{x}」" for x in items)


def _describe(c: Change) -> str:
    d = c.detail
    k = c.kind
    if k in ("rows_inserted", "rows_deleted", "columns_inserted", "columns_deleted"):
        return _describe_move(c) + _carried_text(d)
    if k == "sheet_added":
        return f"シートの追加（{d['index'] + 1} 番目、見出し {d['labels']} 個・数式 {d['formulas']} 個・入力欄 {d['inputs']} 個）"
    if k == "sheet_removed":
        return f"シートの削除（もとは {d['index'] + 1} 番目）"
    if k == "sheet_renamed":
        return f"シート名の変更「{c.old}」→「{c.new}」"
    if k == "sheet_reordered":
        return f"シートの順序の変更 {' / '.join(c.old)} → {' / '.join(c.new)}"
    if k == "sheet_state_changed":
        return f"シートの表示の変更 {_STATE.get(c.old, c.old)} → {_STATE.get(c.new, c.new)}"
    return _describe_rest(c)


def _carried_text(d: dict) -> str:
    bits = []
    if d.get("input_cells"):
        bits.append("入力欄 " + " ".join(d["input_cells"]))
    if d.get("unlocked_cells"):
        bits.append("ロックしないセル " + " ".join(d["unlocked_cells"]))
    if d.get("merges"):
        bits.append(f"セルの結合 {len(d['merges'])} 個")
    return f"［{'、'.join(bits)}］" if bits else ""


def _describe_move(c: Change) -> str:
    d, k = c.detail, c.kind
    if k == "rows_inserted":
        n = d["count"]
        if d["before"] is None:
            return f"行の追加 最後の行の下（{d['at']} 行目から）に {n} 行"
        return f"行の挿入 {d['before']} 行目の上に {n} 行（以降のセルは {n} 行下へ）"
    if k == "rows_deleted":
        n, s = d["count"], d["start"]
        where = f"{s} 行目" if n == 1 else f"{s}〜{s + n - 1} 行目"
        return f"行の削除 {where}の {n} 行（以降のセルは {n} 行上へ）"
    if k == "columns_inserted":
        n = d["count"]
        if d["before"] is None:
            return f"列の追加 最後の列の右（{d['at']} 列から）に {n} 列"
        return f"列の挿入 {d['before']} 列の左に {n} 列（以降のセルは {n} 列右へ）"
    if k == "columns_deleted":
        n, s = d["count"], d["start"]
        from openpyxl.utils.cell import column_index_from_string
        where = f"{s} 列" if n == 1 else f"{s}〜{get_column_letter(column_index_from_string(s) + n - 1)} 列"
        return f"列の削除 {where}の {n} 列（以降のセルは {n} 列左へ）"
    raise ValueError(k)


def _describe_rest(c: Change) -> str:
    d, k = c.detail, c.kind
    if k == "label_reworded":
        at = c.cell if d["old_cell"] == c.cell else f"{d['old_cell']} → {c.cell}"
        return f"見出し「{c.old}」→「{c.new}」({at})"
    if k == "label_moved":
        return f"見出し「{c.old}」の移動 ({d['old_cell']} → {c.cell})"
    if k == "label_added":
        return f"見出しの追加「{c.new}」({c.cell})"
    if k == "label_removed":
        return f"見出しの削除「{c.old}」(もとの {c.cell})"
    if k == "value_changed":
        return f"値の変更 {c.old!r} → {c.new!r} ({c.cell})"
    if k == "value_added":
        return f"値の追加 {c.new!r} ({c.cell})"
    if k == "value_removed":
        return f"値の削除 {c.old!r} (もとの {c.cell})"
    if k == "formula_changed":
        return f"数式の変更 {c.old} → {c.new} ({c.cell})"
    if k == "formula_added":
        return f"数式の追加 {c.new} ({c.cell})"
    if k == "formula_removed":
        return f"数式の削除 {c.old} (もとの {c.cell})"
    if k in ("input_cells_added", "unlocked_cells_added"):
        what = "入力欄" if k.startswith("input") else "ロックしないセル"
        return f"{what}の追加 {c.cell}（{d['count']} セル）"
    if k in ("input_cells_removed", "unlocked_cells_removed"):
        what = "入力欄" if k.startswith("input") else "ロックしないセル"
        return f"{what}の削除 {c.cell}（{d['count']} セル）"
    if k == "validation_changed":
        bits = []
        if "items_added" in d:
            bits.append(f"選択肢の追加 {_items(d['items_added'])}")
        if "items_removed" in d:
            bits.append(f"選択肢の削除 {_items(d['items_removed'])}")
        if d.get("items_reordered"):
            bits.append("選択肢の順序")
        if "cells_added" in d or "cells_removed" in d:
            bits.append(f"範囲 {d['old_sqref']} → {d['new_sqref']}")
        if "type" in d:
            bits.append(f"種類 {d['type'][0]} → {d['type'][1]}")
        for key in ("formula1", "formula2", "operator", "allow_blank"):
            if key in d:
                bits.append(f"{key} {d[key][0]} → {d[key][1]}")
        return f"入力規則の変更 ({c.cell}): {'、'.join(bits) or '設定'}"
    if k == "validation_added":
        return f"入力規則の追加 ({c.cell}): {_dv_text(c.new)}"
    if k == "validation_removed":
        return f"入力規則の削除 (もとの {c.detail['old_sqref']}): {_dv_text(c.old)}"
    if k == "merge_added":
        return f"セルの結合の追加 {c.cell}"
    if k == "merge_removed":
        return f"セルの結合の削除 (もとの {c.cell})"
    if k == "protection_changed":
        return f"シートの保護 {'あり' if c.old else 'なし'} → {'あり' if c.new else 'なし'}"
    if k == "protected_range_added":
        return f"範囲の編集の許可の追加「{c.new}」{c.cell}"
    if k == "protected_range_removed":
        return f"範囲の編集の許可の削除「{c.old}」(もとの {c.cell})"
    if k == "protected_range_changed":
        return f"範囲の編集の許可「{d['name']}」の範囲 {c.old} → {c.new}"
    if k == "defined_name_added":
        return f"名前の定義の追加「{d['name']}」{c.new}"
    if k == "defined_name_removed":
        return f"名前の定義の削除「{d['name']}」{c.old}"
    if k == "defined_name_changed":
        return f"名前の定義の変更「{d['name']}」{c.old} → {c.new}"
    return k  # pragma: no cover


def _dv_text(summary: dict) -> str:
    if summary.get("type") == "list" and summary.get("items") is not None:
        return f"リスト {_items(summary['items'])}"
    f = summary.get("formula1")
    return f"{summary.get('type') or '任意'}" + (f" {summary.get('operator') or ''} {f}" if f else "")


def diff_files(old_path, new_path) -> TemplateDiff:
    """``diff(snapshot(old_path), snapshot(new_path))``."""
    from planvalidator.template.snapshot import snapshot
    return diff(snapshot(old_path), snapshot(new_path))
