"""What changed in one pair of aligned sheets (``planvalidator.template.alignment.Pair``).

Every cell is compared through the pair's row and column mappings: labels (reworded, moved,
added, removed), constants, formulas (the old formula's references moved through the mappings
of the sheets they point at, and renamed sheets renamed, by the ``Translator``: "=SUM(J6:J45)"
is "=SUM(J8:J47)" after two rows are inserted above row 6), input cells, data validations,
merged ranges, protection, and the defined names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from openpyxl.utils.cell import get_column_letter

from planvalidator.formula import canonical
from planvalidator.structs import Struct
from planvalidator.template.alignment import (
    AxisMap,
    Pair,
    Translator,
    bounds,
    range_text,
)
from planvalidator.template.changes import ORDER, Change
from planvalidator.template.snapshot import Validation

_CELL_SET_LIMIT = 200_000


def _addr(pos: tuple[int, int]) -> str:
    return f"{get_column_letter(pos[1])}{pos[0]}"


def _first_cell(cell: str | None):
    try:
        b = bounds(cell.split()[0])
        return (b[0], b[1])
    except Exception:
        return (0, 0)


def _sorted(changes: list[Change]) -> list[Change]:
    """By kind, then by the first cell the change names."""
    return sorted(changes, key=lambda c: (ORDER[c.kind], _first_cell(c.cell)))


def _keyed(old: dict, new: dict, same: Callable[[Any, Any], bool]) -> Iterator[tuple[str, str, Any, Any]]:
    """("removed" | "changed" | "added", key, old value, new value) for what is keyed by name in
    both versions: removed and changed ones in the old order, then the added ones."""
    for key, value in old.items():
        if key not in new:
            yield "removed", key, value, None
        elif not same(value, new[key]):
            yield "changed", key, value, new[key]
    for key, value in new.items():
        if key not in old:
            yield "added", key, None, value


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

    def add_axis(self, sheet: str, amap: AxisMap, axis: int) -> None:
        """The insertions and deletions of one axis (0: rows, numbered; 1: columns, lettered)."""
        noun, name = ("rows", int) if axis == 0 else ("columns", get_column_letter)
        for before, start, count in amap.inserted:
            self.add(Change(f"{noun}_inserted", sheet, cell=f"{name(start)}:{name(start + count - 1)}", detail={
                "before": name(before) if before else None, "at": name(start), "count": count}),
                "new", axis, start, count)
        for start, count, at in amap.deleted:
            self.add(Change(f"{noun}_deleted", sheet, cell=f"{name(start)}:{name(start + count - 1)}", detail={
                "start": name(start), "count": count, "at": name(at)}), "old", axis, start, count)

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
                change.detail["merges"] = [range_text(*b) for b in sorted(carried["merges"])]


def sheet_changes(pair: Pair, translate: Translator) -> list[Change]:
    """Every change from ``pair.old`` to ``pair.new``, in the order of ``KINDS``."""
    old, new = pair.old, pair.new
    name = new.name
    out: list[Change] = []
    if old.name != new.name:
        out.append(Change("sheet_renamed", name, old=old.name, new=new.name,
                          detail={"old_index": old.index, "new_index": new.index}))
    if old.state != new.state:
        out.append(Change("sheet_state_changed", name, old=old.state, new=new.state))

    moves = _Moves()
    moves.add_axis(name, pair.rows, 0)
    moves.add_axis(name, pair.cols, 1)
    out.extend(moves.changes)

    og, ng = pair.old_grid, pair.new_grid
    own = old.name
    out.extend(_labels(pair, og.labels, ng.labels, name))
    out.extend(_contents(pair, og.values, ng.values, name, "value",
                         lambda a, b: a == b and type(a) is type(b)))
    out.extend(_contents(pair, og.formulas, ng.formulas, name, "formula",
                         lambda a, b: translate.same(a, own, b), lambda f: translate(f, own)))
    out.extend(_cell_sets(pair, og.inputs, ng.inputs, name, "input_cells", moves))
    out.extend(_validations(pair, old.validations, new.validations, name, translate))
    out.extend(_merges(pair, name, moves))
    moves.finish()
    if old.protected != new.protected:
        out.append(Change("protection_changed", name, old=old.protected, new=new.protected))
    out.extend(_cell_sets(pair, og.unlocked, ng.unlocked, name, "unlocked_cells", moves))
    out.extend(_protected_ranges(pair, name))
    out.extend(names(old.defined_names, new.defined_names, name, own, translate))
    return out


# --- cells --------------------------------------------------------------------------------

def _labels(pair: Pair, old: dict, new: dict, sheet: str) -> list[Change]:
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


def _contents(pair: Pair, old: dict, new: dict, sheet: str, what: str, same: Callable[[Any, Any], bool],
              expected: Callable[[Any], Any] | None = None) -> list[Change]:
    """Values or formulas (``what``) changed, removed and added, cell by cell through the
    mapping; a changed formula's detail has what the old one reads as in the new sheet."""
    out, rest_new = [], dict(new)
    for pos, item in sorted(old.items()):
        target = pair.cell(pos)
        if target is not None and target in rest_new:
            other = rest_new.pop(target)
            if not same(item, other):
                detail = {"old_cell": _addr(pos)}
                if expected is not None:
                    detail["expected"] = expected(item)
                out.append(Change(f"{what}_changed", sheet, cell=_addr(target), old=item, new=other, detail=detail))
        else:
            out.append(Change(f"{what}_removed", sheet, cell=_addr(pos), old=item))
    for pos, item in sorted(rest_new.items()):
        out.append(Change(f"{what}_added", sheet, cell=_addr(pos), new=item))
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
    return [range_text(*b) for b in sorted(rects)]


def _cell_sets(pair: Pair, old: set, new: set, sheet: str, what: str, moves: _Moves) -> list[Change]:
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
    out = []
    for how, cells in (("added", added), ("removed", mapped - new)):
        if cells:
            ranges = _rectangles(cells)
            out.append(Change(f"{what}_{how}", sheet, cell=" ".join(ranges),
                              detail={"ranges": ranges, "count": len(cells)}))
    return out


# --- data validations ---------------------------------------------------------------------

def _sqref_ranges(sqref: str) -> list[tuple[int, int, int, int]]:
    out = []
    for part in sqref.split():
        try:
            out.append(bounds(part))
        except (ValueError, TypeError):
            continue
    return out


def _cells_of(ranges) -> frozenset:
    area = sum((r2 - r1 + 1) * (c2 - c1 + 1) for r1, c1, r2, c2 in ranges)
    if area > _CELL_SET_LIMIT:
        return frozenset(("range",) + r for r in ranges)
    return frozenset((r, c) for r1, c1, r2, c2 in ranges for r in range(r1, r2 + 1) for c in range(c1, c2 + 1))


def _sqref_text(ranges) -> str:
    return " ".join(range_text(*r) for r in sorted(ranges))


def _cells_text(cells: frozenset) -> str:
    if any(len(p) != 2 for p in cells):
        return " ".join(range_text(*p[1:]) for p in sorted(p for p in cells if len(p) == 5))
    return " ".join(_rectangles(set(cells))) if cells else ""


class _DV(Struct):
    dv: Validation
    cells: frozenset
    sqref: str          # in new coordinates
    key: tuple


def _dv_formula(text: str | None, own: str, translate: Translator | None) -> str | None:
    if text is None:
        return None
    if translate is None:
        return canonical(text)
    return canonical(translate(text if text.startswith("=") else "=" + text, own))


def _validations(pair: Pair, old: list[Validation], new: list[Validation], sheet: str,
                 translate: Translator) -> list[Change]:
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
            out.append(Change("validation_removed", sheet, cell=o.sqref or o.dv.sqref,
                              old=_dv_summary(o.dv), detail={"old_sqref": o.dv.sqref}))
    for j, n in enumerate(rest_new):
        if j not in used_n:
            out.append(Change("validation_added", sheet, cell=n.dv.sqref, new=_dv_summary(n.dv)))
    return _sorted(out)


def _dv_summary(dv: Validation) -> dict:
    return {"type": dv.type, "operator": dv.operator, "formula1": dv.formula1, "formula2": dv.formula2,
            "items": dv.items, "sqref": dv.sqref, "allow_blank": dv.allow_blank}


def _validation_change(o: _DV, n: _DV, sheet: str) -> Change:
    detail: dict[str, Any] = {"old_sqref": o.dv.sqref, "new_sqref": n.dv.sqref, "expected_sqref": o.sqref}
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
        if _dv_formula(o.dv.formula1, "", None) != o.key[2]:
            detail["expected_formula1"] = o.key[2]      # the old one read where the new sheet has it
    for attribute, i in (("formula2", 3), ("operator", 1), ("allow_blank", 5)):     # places in _DV.key
        if o.key[i] != n.key[i]:
            detail[attribute] = [getattr(o.dv, attribute), getattr(n.dv, attribute)]
    return Change("validation_changed", sheet, cell=n.dv.sqref, old=_dv_summary(o.dv), new=_dv_summary(n.dv),
                  detail=detail)


# --- merges, protected ranges, names ------------------------------------------------------

def _merges(pair: Pair, sheet: str, moves: _Moves) -> list[Change]:
    old = {}
    out = []
    for b in pair.old_grid.merges:
        target = pair.range(b)
        owner = moves.owner("old", b)
        if owner is not None:
            moves.carry(owner, "merges", b)
        elif target is None:
            out.append(Change("merge_removed", sheet, cell=range_text(*b), old=range_text(*b)))
        else:
            old[target] = b
    for target, b in old.items():
        if target not in set(pair.new_grid.merges):
            out.append(Change("merge_removed", sheet, cell=range_text(*b), old=range_text(*b)))
    for b in sorted(set(pair.new_grid.merges) - set(old)):
        owner = moves.owner("new", b)
        if owner is not None:
            moves.carry(owner, "merges", b)
        else:
            out.append(Change("merge_added", sheet, cell=range_text(*b), new=range_text(*b)))
    return _sorted(out)


def _protected_ranges(pair: Pair, sheet: str) -> list[Change]:
    def same(old_sqref, new_sqref):
        moved = [m for m in (pair.range(b) for b in _sqref_ranges(old_sqref)) if m is not None]
        return _sqref_text(moved) == _sqref_text(_sqref_ranges(new_sqref))
    old = {r.name: r.sqref for r in pair.old.protected_ranges}
    new = {r.name: r.sqref for r in pair.new.protected_ranges}
    out = []
    for how, name, old_sqref, new_sqref in _keyed(old, new, same):
        if how == "removed":
            out.append(Change("protected_range_removed", sheet, cell=old_sqref, old=name))
        elif how == "added":
            out.append(Change("protected_range_added", sheet, cell=new_sqref, new=name))
        else:
            out.append(Change("protected_range_changed", sheet, cell=new_sqref, old=old_sqref, new=new_sqref,
                              detail={"name": name}))
    return out


def names(old: dict, new: dict, sheet: str | None, own: str | None, translate: Translator) -> list[Change]:
    """The defined names of the workbook (``sheet`` None) or of one sheet removed, changed, added."""
    return [Change(f"defined_name_{how}", sheet, old=old_value, new=new_value, detail={"name": name})
            for how, name, old_value, new_value in _keyed(old, new, lambda a, b: translate.same(a, own, b))]
