"""Which part of an old template stands where in the new one.

Sheets are paired by name, or as renamed when most of their labels and formula shapes are the
same (:func:`match_sheets`). Within a pair of sheets the columns, then the rows, are aligned
with difflib over a per-column / per-row signature (the labels, constants and formula shapes in
it), so that rows or columns inserted or deleted are one run each (:func:`pair_sheets`, an
:class:`AxisMap` per axis). :class:`Translator` reads an old formula as it would read in the
new workbook: references moved through those mappings, renamed sheets renamed.

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

from openpyxl.formula.tokenizer import Token, Tokenizer
from openpyxl.utils.cell import coordinate_to_tuple, get_column_letter, range_boundaries

from planvalidator.formula import canonical, move
from planvalidator.structs import Struct, compared_on, field
from planvalidator.template.snapshot import SheetSnapshot, TemplateSnapshot

MAX_ROW = 1_048_576
MAX_COL = 16_384
_PAIRING_WORK = 20_000
RENAME_THRESHOLD = 0.5
NET_ZERO_GAP = 3


# --- axis alignment -----------------------------------------------------------------------

class AxisMap(Struct):
    """How the rows (or columns) 1..old_len of the old sheet land in the new one."""
    old_len: int
    new_len: int
    forward: dict[int, int] = field(default_factory=dict)
    inserted: list[tuple[int | None, int, int]] = field(default_factory=list)  # (before old, new start, count)
    deleted: list[tuple[int, int, int]] = field(default_factory=list)          # (old start, count, new before)
    _kept: list[int] | None = None      # (remembered: the surviving indices, sorted)
    __eq__, __hash__ = compared_on("old_len", "new_len", "forward", "inserted", "deleted", hashable=False)

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


def _op_size(op) -> int:
    """How many rows an insertion adds or a deletion takes away."""
    return (op[4] - op[3]) if op[0] == "insert" else (op[2] - op[1])


def _net_zero_as_replace(opcodes: list) -> list:
    """An insertion and a deletion of the same size with at most NET_ZERO_GAP equal rows between
    them are one edited block (a label moved down a row), not a row inserted and one deleted."""
    ops = [list(op) for op in opcodes]
    out: list = []
    i = 0
    while i < len(ops):
        tag = ops[i][0]
        if tag in ("insert", "delete"):
            j, gap = i + 1, 0
            while j < len(ops) and ops[j][0] == "equal" and gap <= NET_ZERO_GAP:
                gap += ops[j][2] - ops[j][1]
                j += 1
            if j < len(ops) and gap <= NET_ZERO_GAP and j > i + 1:
                other = ops[j]
                if other[0] in ("insert", "delete") and other[0] != tag and _op_size(other) == _op_size(ops[i]):
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

    def pair(q: int, p: int) -> tuple[int, int]:
        """The q-th pair's old and new index (from 0) when the surplus run starts after p pairs."""
        return (i1 + q + (surplus if la > lb and q >= p else 0),
                j1 + q + (surplus if lb > la and q >= p else 0))

    best = k                                   # surplus after the pairs by default
    if surplus and k and k * (k + 1) <= _PAIRING_WORK:
        scores = [sum(_similarity(old_sigs[a], new_sigs[b]) for a, b in (pair(q, p) for q in range(k)))
                  for p in range(k + 1)]
        best = max(range(k + 1), key=lambda p: (scores[p], p))
    for q in range(k):
        a, b = pair(q, best)
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

def skeleton(formula: str) -> str:
    """A formula's shape: its references blanked out (rows moving do not change it)."""
    try:
        return canonical(move(formula, lambda *_: (1, 1)))
    except Exception:          # pragma: no cover - malformed formula text
        return canonical(formula)


class Grid:
    """A sheet's snapshot by (row, column), with the signature of each row and column."""

    def __init__(self, sheet: SheetSnapshot):
        self.sheet = sheet
        self.tokens: dict[tuple[int, int], tuple] = {}
        self.labels = {coordinate_to_tuple(a): t for a, t in sheet.labels.items()}
        self.values = {coordinate_to_tuple(a): v for a, v in sheet.values.items()}
        self.formulas = {coordinate_to_tuple(a): f for a, f in sheet.formulas.items()}
        self.inputs = {coordinate_to_tuple(a) for a in sheet.inputs}
        self.unlocked = {coordinate_to_tuple(a) for a in sheet.unlocked}
        self.merges = [bounds(m) for m in sheet.merged]
        # what the form says: an input cell's text or number is an answer (or a sample), not the form
        for pos, text in self.labels.items():
            if pos not in self.inputs:
                self.tokens[pos] = ("t", text)
        for pos, value in self.values.items():
            if pos not in self.inputs:
                self.tokens[pos] = ("v", repr(value))
        for pos, formula in self.formulas.items():
            self.tokens[pos] = ("f", skeleton(formula))
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


def bounds(ref: str) -> tuple[int, int, int, int]:
    """(min_row, min_col, max_row, max_col) of "B2:N2", "C:C", "5:5"."""
    c1, r1, c2, r2 = range_boundaries(ref.replace("$", ""))
    return (r1 or 1, c1 or 1, r2 or MAX_ROW, c2 or MAX_COL)


def range_text(r1: int, c1: int, r2: int, c2: int) -> str:
    """"B2:N2" (or "B2" for one cell) of (min_row, min_col, max_row, max_col)."""
    a = f"{get_column_letter(c1)}{r1}"
    return a if (r1, c1) == (r2, c2) else f"{a}:{get_column_letter(c2)}{r2}"


class Pair(Struct):
    """An old sheet and the new one it became, with their rows' and columns' mappings."""
    old: SheetSnapshot
    new: SheetSnapshot
    old_grid: Grid
    new_grid: Grid
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


def pair_sheets(old: SheetSnapshot, new: SheetSnapshot) -> Pair:
    og, ng = Grid(old), Grid(new)
    cols = align(og.column_signatures(), ng.column_signatures())
    kept_old = set(cols.forward)
    kept_new = set(cols.forward.values())
    rows = align(og.row_signatures(kept_old), ng.row_signatures(kept_new))
    return Pair(old, new, og, ng, rows, cols)


# --- sheets by name or by content -------------------------------------------------------------

def _label_bag(sheet: SheetSnapshot) -> Counter:
    bag = Counter(sheet.labels.values())
    bag.update("=" + skeleton(f) for f in sheet.formulas.values())
    return bag


def match_sheets(old: TemplateSnapshot, new: TemplateSnapshot) -> dict[str, str]:
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
    for _score, _dist, a, b in sorted(candidates):
        if a in matched or b in matched.values():
            continue
        matched[a] = b
    return matched


# --- formulas through the mappings ----------------------------------------------------------

class Translator:
    """Old formulas as they read in the new workbook: references moved by the insertions and
    deletions of the sheet they point at, renamed sheets renamed."""

    def __init__(self, pairs: dict[str, Pair], renames: dict[str, str]):
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
