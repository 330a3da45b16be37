"""``planvalidator template verify NEW.xlsx``: does a candidate template still have everything the checks
rely on — its sheets, the labels of every field and table column, the formulas of the computed
cells, the drop-down lists the sheet schemas know?

Each thing is looked for as the checks look for it (:func:`planvalidator.locate.locate`, by label)
and compared with the version's own official template (layout.yaml ``reference``):

- ``moved``: found, at another place (the checks find it: exit 0);
- ``reordered``: a table's columns found in another order (exit 0);
- ``reworded`` / ``missing``: not found as the layout words it; the nearest text is named when one is
  close (「助成事業名」 → 「助成事業の名称」 at 計画様式1!B19) — where the checks found it themselves (a
  label cell where the template has it, :mod:`planvalidator.nearlabel`), that one; else the closest text of
  the sheet (:func:`planvalidator.wording.nearest`, the same matcher) (exit 1: the checks read it only
  with a warning, PV013, or not at all: the layout needs the new wording);
- ``input``: the cell a field is read from is no input cell (yellow) in the candidate (exit 0: a warning);
- ``formula``: a computed cell without its formula, or with another one than the template's (exit 1);
- ``list``: a drop-down list whose items are not the schema's choices (exit 1: the checks would reject
  a new item or accept a removed one).
"""

from __future__ import annotations

from pathlib import Path

from planvalidator.layout import Layout, LabelIndex, find_sheet, nearest_layout
from planvalidator.normalize import label_canon
from planvalidator.address import a1
from planvalidator.grid import Grid
from planvalidator.wording import nearest
from planvalidator.address import parse_a1
from planvalidator.structs import Struct, asdict, field

BREAKS = ("reworded", "missing", "formula", "list")     # kinds the checks cannot live with (exit 1)


class Item(Struct):
    """One thing the checks rely on, and what became of it in the candidate."""
    kind: str                     # moved | reordered | reworded | missing | formula | list
    sheet: str                    # the layout's sheet name
    what: str                     # Japanese: 「見出し「助成事業名」」
    was: str | None = None        # where it is in the version's template (「B19」)
    now: str | None = None        # where it is in the candidate, or its nearest match's cell
    nearest: str | None = None    # the nearest text, for reworded
    detail: str | None = None     # Japanese: what differs (list items, formula text)

    @property
    def breaks(self) -> bool:
        return self.kind in BREAKS

    def line(self) -> str:
        if self.detail == "renamed":
            return f"{self.what}: 名前が「{self.now}」になりました（シートの先頭の見出しで見つかるので読めます）"
        if self.kind == "moved":
            return f"{self.what}: {self.was} → {self.now}（移動。チェックは見出しで探すので読めます）"
        if self.kind == "reordered":
            return f"{self.what}: 列の順序が変わりました（{self.detail}）"
        if self.kind == "reworded":
            return f"{self.what}: 見つかりません。近い見出し「{self.nearest}」が {self.now} にあります（言い換え）"
        if self.kind == "missing":
            return f"{self.what}: 見つかりません" + (f"（様式では {self.was}）" if self.was else "")
        return f"{self.what}: {self.detail}"


class Verification(Struct):
    candidate: str
    template: str                 # the version it was verified against
    items: list[Item] = field(default_factory=list)

    @property
    def breaks(self) -> bool:
        return any(item.breaks for item in self.items)

    def to_dict(self) -> dict:
        return {"file": self.candidate, "template": self.template, "ok": not self.breaks,
                "items": [asdict(i) | {"breaks": i.breaks} for i in self.items]}

    def text(self) -> str:
        lines = [f"{self.candidate}: 様式 {self.template} と比べました"]
        by_sheet: dict[str, list[Item]] = {}
        for item in self.items:
            by_sheet.setdefault(item.sheet, []).append(item)
        for sheet, items in by_sheet.items():
            lines.append(f"  {sheet}")
            lines += [f"    {'✗' if i.breaks else '・'} {i.line()}" for i in items if not _shifted(i)]
            lines += _moves(items)
        gone = sum(i.breaks for i in self.items)
        lines.append(f"チェックが頼るもののうち {gone} 件が見つからないか変わっています（layout.yaml・sheets/ を直してください）"
                     if gone else "チェックが頼るものはすべて見つかりました" + (f"（移動・確かめること {len(self.items)} 件）" if self.items else ""))
        return "\n".join(lines)


def _offset(item: Item) -> tuple[int, int] | None:

    was, now = parse_a1(item.was or ""), parse_a1(item.now or "")
    return (now[0] - was[0], now[1] - was[1]) if was and now else None


def _shifted(item: Item) -> bool:
    return item.kind == "moved" and _offset(item) is not None


def _moves(items: list[Item]) -> list[str]:
    """The moved labels of a sheet, one line per offset (rows inserted above a table move all its headings)."""
    groups: dict[tuple[int, int], list[Item]] = {}
    for item in items:
        if _shifted(item):
            groups.setdefault(_offset(item), []).append(item)
    lines = []
    for (rows, cols), moved in groups.items():
        way = "、".join(part for part in (rows and f"{abs(rows)} 行{'下' if rows > 0 else '上'}",
                                          cols and f"{abs(cols)} 列{'右' if cols > 0 else '左'}") if part)
        first = moved[0]
        more = f" ほか {len(moved) - 1} 件" if len(moved) > 1 else ""
        lines.append(f"    ・ {first.what}（{first.was} → {first.now}）{more}: {way}へ移動"
                     f"（チェックは見出しで探すので読めます）")
    return lines


def _nearest(label: str, texts: dict[str, tuple[int, int]]) -> tuple[str, tuple[int, int]] | None:
    """The sheet's text closest to ``label`` (the shared matcher), and its cell."""
    close = nearest(label, texts)
    return (close, texts[close]) if close is not None else None


def verify(path: str | Path, layout: Layout | None = None) -> Verification:
    """Verify the template at ``path`` against ``layout`` (default: the version it matches best)."""
    from planvalidator.locate import locate
    from planvalidator.reference import reference_grid
    from planvalidator.resources import templates_dir
    from planvalidator.workbook import load_grid

    from planvalidator.template.snapshot import snapshot

    grid = load_grid(path)
    layout = layout or nearest_layout(grid)[0]
    result = Verification(str(path), layout.template)
    reference = reference_grid(layout)
    candidate = snapshot(path)
    reference_path = templates_dir() / layout.template / layout.reference if layout.reference else None
    original = snapshot(reference_path) if reference_path is not None and reference_path.is_file() else None
    was = locate(reference, layout) if reference is not None else None
    now = locate(grid, layout)
    near = {(r.sheet, r.key): r for r in now.reworded if r.near}
    for spec in layout.sheets:
        actual = find_sheet(grid, spec)
        if actual is None:
            if not spec.optional:
                result.items.append(_missing_sheet(grid, spec))
            continue
        if label_canon(actual) != label_canon(spec.name):          # found by its marker (（計画様式1）)
            result.items.append(Item("moved", spec.name, f"シート「{spec.name}」", was=spec.name, now=actual,
                                     detail="renamed"))
        sheet = grid.sheets[actual]
        index = LabelIndex.of(sheet)
        texts: dict[str, tuple[int, int]] = {}
        for r, c, text in index.cells:
            texts.setdefault(text, (r, c))
        placed = now.sheets.get(spec.name)
        before = was.sheets.get(spec.name) if was is not None else None
        for fspec in spec.fields:
            what = f"欄「{fspec.labels[0]}」"
            old = before.fields.get(fspec.name) if before else None
            new = placed.fields.get(fspec.name) if placed else None
            result.items += _compare(spec.name, what, old and (old.row, old.col), new and (new.row, new.col),
                                     fspec.labels[0], texts, sheet, near.get((spec.name, ("field", fspec.name))))
            if fspec.computed and new is not None:
                result.items += _formula(spec.name, what, grid, actual, new)
            elif new is not None and old is not None and original is not None and before is not None:
                result.items += _input(spec.name, what, original.sheet(before.name), candidate.sheet(actual), old, new)
        for tspec in spec.tables:
            old_t = before.tables.get(tspec.name) if before else None
            new_t = placed.tables.get(tspec.name) if placed else None
            for cspec in tspec.columns:
                what = f"表の見出し「{cspec.labels[0]}」"
                o = old_t.positions.get(cspec.name) if old_t else None
                n = new_t.positions.get(cspec.name) if new_t else None
                result.items += _compare(spec.name, what, o and _col_place(old_t, o), n and _col_place(new_t, n),
                                         cspec.labels[0], texts, sheet,
                                         near.get((spec.name, ("column", tspec.name, cspec.name))))
            if old_t and new_t:
                order_old = sorted(old_t.positions, key=old_t.positions.get)
                order_new = sorted(new_t.positions, key=new_t.positions.get)
                common = [c for c in order_old if c in new_t.positions]
                if [c for c in order_new if c in old_t.positions] != common:
                    titles = {c.name: c.labels[0] for c in tspec.columns}
                    result.items.append(Item("reordered", spec.name, f"表「{tspec.name}」",
                                             detail="→".join(titles[c] for c in order_new)))
    result.items += _template_formulas(grid, layout)
    result.items += _lists(candidate, layout, now)
    return result


def _col_place(table, position: int) -> tuple[int, int]:
    """A table column's header cell: (header row, column) for tables by rows."""
    return (table.first - 1, position) if table.by_rows else (position, table.first - 1)


def _compare(sheet: str, what: str, old, new, label: str, texts, grid_sheet, near=None) -> list[Item]:
    """What became of one label: ``near`` is the checks' own find of it worded otherwise (locate.Reworded)."""
    if near is not None:
        return [Item("reworded", sheet, what, was=old and a1(*old), now=near.cell, nearest=near.wording)]
    if new is not None:
        if old is not None and tuple(old) != tuple(new):
            return [Item("moved", sheet, what, was=a1(*old), now=a1(*new))]
        return []
    found = _nearest(label, texts)
    if found is not None:
        wording = str(grid_sheet.value(*found[1]) or found[0]).strip()       # as the candidate writes it
        return [Item("reworded", sheet, what, was=old and a1(*old), now=a1(*found[1]), nearest=wording)]
    return [Item("missing", sheet, what, was=old and a1(*old))]


def _formula(sheet, what, grid, actual, new) -> list[Item]:
    """A computed cell keeps a formula (that it is the template's is :func:`_template_formulas`' question)."""
    if (new.row, new.col) in grid.sheets[actual].formulas:
        return []
    return [Item("formula", sheet, what, now=a1(new.row, new.col),
                 detail=f"{a1(new.row, new.col)} に計算式がありません（チェックは入力から計算し直した値と比べます）")]


def _input(sheet, what, theirs, ours, old, new) -> list[Item]:
    """An input cell of the template that is no input cell (the yellow fill) in the candidate: the field
    may have moved away from its label (the checks read the cell right of / below the label)."""
    if theirs is None or ours is None or a1(old.row, old.col) not in theirs.inputs:
        return []
    cell = a1(new.row, new.col)
    if cell in ours.inputs:
        return []
    return [Item("input", sheet, what, was=a1(old.row, old.col), now=cell,
                 detail=f"{cell} が入力欄（黄色）ではありません。見出しと入力欄の並びが変わっていないか確かめてください")]


def _template_formulas(grid: Grid, layout: Layout) -> list[Item]:
    """The candidate's formulas against the version's template, as PV012 compares an applicant's: through
    the row mapping (rows inserted above a table move its formulas), so only a real change is named."""
    from planvalidator.context import Context
    from planvalidator.engine import run_rules
    from planvalidator.reader import read_grid
    from planvalidator.locate import official_placement
    from planvalidator.rules.cells import NOT_TEMPLATE
    from planvalidator.selection import Selection

    plan = read_grid(grid, layout, refuse_too_far=False)
    names = {plan.actual(spec.name): spec.name for spec in layout.sheets}
    return [Item("formula", names.get(f.sheet, f.sheet), f"計算式 {f.cell}", now=f.cell, detail=f.message)
            for f in run_rules(plan, Context(plan, template=lambda: official_placement(layout)), Selection(),
                                  {NOT_TEMPLATE.code}) if f.rule == NOT_TEMPLATE.code]


def _list_at(sheet, r: int, c: int) -> list[str] | None:
    """The items of the drop-down list (a list validation) that covers a cell, or None."""
    from openpyxl.worksheet.cell_range import MultiCellRange

    cell = a1(r, c)
    for validation in sheet.validations:
        if validation.type == "list" and validation.items is not None and cell in MultiCellRange(validation.sqref):
            return validation.items
    return None


def _missing_sheet(grid: Grid, spec) -> Item:
    names = {label_canon(n): n for n in grid.sheet_names}
    close = nearest(spec.name, names)
    if close is not None:
        return Item("reworded", spec.name, f"シート「{spec.name}」", now=names[close], nearest=names[close])
    return Item("missing", spec.name, f"シート「{spec.name}」")


def _lists(snap, layout: Layout, placement) -> list[Item]:
    """Each field or column the sheet schemas give choices (isin) against the candidate's drop-down list
    at its cell (data validation, read by :mod:`planvalidator.template.snapshot`)."""
    from planvalidator.normalize import canon
    from planvalidator.schema import column_types

    items = []
    for name, place in placement.sheets.items():
        sheet = snap.sheet(place.name)
        if sheet is None:
            continue
        cells = [("fields", fname, (fp.row, fp.col)) for fname, fp in place.fields.items()]
        for tname, tp in place.tables.items():
            if tp.by_rows:
                cells += [(tname, cname, (tp.first, col)) for cname, col in tp.positions.items()]
        for frame, column, (r, c) in cells:
            choices = column_types(layout, name, frame).get(column)
            if choices is None or not choices.choices:
                continue
            listed = _list_at(sheet, r, c)
            if listed is None:
                continue                                  # no drop-down here: the schema still checks the values
            want, have = {canon(x): x for x in choices.choices}, {canon(x): x for x in listed}
            added = [have[k] for k in have if k not in want]
            removed = [want[k] for k in want if k not in have]
            if added or removed:
                detail = "ドロップダウンの選択肢がスキーマと違います（" + "、".join(
                    part for part in (added and f"増えた: {'・'.join(added)}", removed and f"消えた: {'・'.join(removed)}")
                    if part) + "）"
                items.append(Item("list", name, f"「{choices.title}」の選択肢", now=a1(r, c), detail=detail))
    return items
