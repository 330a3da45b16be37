"""Template layouts (schemas/<version>/layout.yaml) and finding them in a workbook by label.

A layout says *which label* a field or table sits next to, never a cell address, so a
template whose rows moved, a sheet added in front or a reworded label still reads.
"""

from __future__ import annotations

import bisect
import re
from functools import cached_property, lru_cache
from pathlib import Path

from planvalidator.normalize import label_canon
from planvalidator.datacache import load_yaml
from planvalidator.resources import schemas_dir
from planvalidator.grid import Grid, SheetGrid
from planvalidator.structs import Frozen, Struct, compared_on, field


# --- the layout as written in YAML ----------------------------------------

def _labels(value) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, list) else (str(value),)


class FieldSpec(Frozen):
    """A single-cell field of a sheet, found by its labels (schemas/<version>/layout.yaml)."""
    name: str
    labels: tuple[str, ...]
    direction: str = "right"
    section: tuple[str, ...] = ()
    computed: bool = False
    total_of: dict | None = None   # {column: value} the rows it sums
    __eq__, __hash__ = compared_on("name", "labels", "direction", "section", "computed")


class ColumnSpec(Frozen):
    """A column of a table, found by its heading labels."""
    name: str
    labels: tuple[str, ...]
    fixed: bool = False
    computed: bool = False


class TableSpec(Frozen):
    """A table of a sheet: its columns, and the section headings that find it."""
    name: str
    columns: tuple[ColumnSpec, ...]
    section: tuple[str, ...] = ()
    end_before: tuple[str, ...] = ()
    records: str = "rows"
    total_row: tuple[str, ...] = ()
    title: str | None = None        # what the table is called where a finding names it (経費明細); else its section


class SheetSpec(Frozen, dict=True):
    """A sheet of the template version: its name, its stable key, its fields and tables."""
    name: str                       # the sheet's name in this version (計画様式7)
    key: str                        # what the sheet holds, ASCII and stable across versions (expenses)
    marker: str | None
    fields: tuple[FieldSpec, ...]
    tables: tuple[TableSpec, ...]
    optional: bool = False


class Layout(Frozen, dict=True):
    """A template version's layout (schemas/<version>/layout.yaml): its sheets and how to tell it."""
    template: str
    title: str
    signature: tuple[tuple[str, str], ...]
    sheets: tuple[SheetSpec, ...]
    folder: Path
    reference: str | None = None    # the official blank workbook of this version (templates/<version>/)

    def sheet(self, name: str) -> SheetSpec:
        """A sheet by its key (``expenses``) or by its name in this version (``計画様式7``)."""
        return next(s for s in self.sheets if name in (s.key, s.name))

    def name(self, key: str) -> str:
        """The sheet's name in this version for a key (a name is returned as it is)."""
        return self.names.get(key, key)

    @cached_property
    def names(self) -> dict[str, str]:
        """{key: sheet name} — for rule docs and messages that name a sheet."""
        return {s.key: s.name for s in self.sheets}


def _sheet_spec(name: str, raw: dict) -> SheetSpec:
    fields = tuple(
        FieldSpec(
            name=fname,
            labels=_labels(f["label"]),
            direction=f.get("dir", "right"),
            section=_labels(f["section"]) if f.get("section") else (),
            computed=bool(f.get("computed", False)),
            total_of=dict(f["total_of"] or {}) if "total_of" in f else None,
        )
        for fname, f in (raw.get("fields") or {}).items()
    )
    tables = tuple(
        TableSpec(
            name=tname,
            columns=tuple(
                ColumnSpec(cname, _labels(c["label"]), bool(c.get("fixed")), bool(c.get("computed")))
                for cname, c in t["header"].items()
            ),
            section=_labels(t["section"]) if t.get("section") else (),
            end_before=tuple(t.get("end_before") or ()),
            records=t.get("records", "rows"),
            total_row=_labels(t["total_row"]) if t.get("total_row") else (),
            title=t.get("title"),
        )
        for tname, t in (raw.get("tables") or {}).items()
    )
    return SheetSpec(name, raw.get("key", name), raw.get("marker"), fields, tables, bool(raw.get("optional", False)))


def load_layout(folder: Path) -> Layout:
    raw = load_yaml(folder / "layout.yaml")
    return Layout(
        template=raw["template"],
        title=raw.get("title", raw["template"]),
        signature=tuple((s["sheet"], s["label"]) for s in raw.get("signature", [])),
        sheets=tuple(_sheet_spec(n, s) for n, s in raw["sheets"].items()),
        folder=folder,
        reference=raw.get("reference"),
    )


def version_key(name: str) -> tuple:
    """Sort key of a version folder: r7 < r8 < r10 (numbers compare as numbers, not as text)."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in re.findall(r"\d+|\D+", name))


@lru_cache(maxsize=None)
def known_layouts() -> tuple[Layout, ...]:
    """Every template version under schemas/, newest first."""
    folders = sorted((p.parent for p in schemas_dir().glob("*/layout.yaml")),
                     key=lambda f: version_key(f.name), reverse=True)
    return tuple(load_layout(f) for f in folders)


# --- finding labels in a sheet --------------------------------------------

class LabelIndex(Struct):
    """Every text cell of a sheet, by its comparable form."""
    sheet: SheetGrid
    cells: list[tuple[int, int, str]] = field(default_factory=list)
    exact: dict[str, list[tuple[int, int]]] = field(default_factory=dict)   # text → its cells in reading order

    def __post_init__(self):
        self.cells = [(r, c, label_canon(t)) for r, c, t in self.sheet.texts()]
        exact: dict[str, list[tuple[int, int]]] = {}
        for r, c, text in self.cells:
            cells = exact.get(text)
            if cells is None:
                exact[text] = [(r, c)]
            else:
                cells.append((r, c))
        self.exact = exact

    @classmethod
    def of(cls, sheet: SheetGrid) -> "LabelIndex":
        """The sheet's index, built once (identifying the version and reading both look labels up)."""
        index = sheet.__dict__.get("_label_index")
        if index is None:
            index = sheet.__dict__["_label_index"] = cls(sheet)
        return index

    def find(self, labels, *, min_row: int = 1, max_row: int | None = None,
             row: int | None = None, col: int | None = None) -> tuple[int, int] | None:
        """The first cell (reading order) whose text is one of ``labels``; exact beats prefix."""
        wanted = _wanted(labels if isinstance(labels, tuple) else tuple(labels))
        first = None                    # (the usual case: the label as the layout writes it)
        for w in wanted:
            for r, c in self.exact.get(w, ()):          # (in reading order: the first that fits is its first)
                if (r >= min_row and (max_row is None or r <= max_row) and (row is None or r == row)
                        and (col is None or c == col)):
                    if first is None or (r, c) < first:
                        first = (r, c)
                    break
        if first is not None:
            return first
        best = None
        stop = min(x for x in (max_row, row) if x is not None) if (max_row is not None or row is not None) else None
        start = bisect.bisect_left(self.cells, (max(min_row, row or 0),))
        for r, c, text in self.cells[start:] if start else self.cells:
            if stop is not None and r > stop:
                break
            if r < min_row:
                continue
            if (row is not None and r != row) or (col is not None and c != col):
                continue
            for w in wanted:
                level = 0 if text == w else (1 if w and text.startswith(w) else None)
                if level is None:
                    continue
                key = (level, r, c)
                if best is None or key < best[0]:
                    best = (key, (r, c))
        return best[1] if best else None


@lru_cache(maxsize=4096)
def _wanted(labels: tuple[str, ...]) -> tuple[str, ...]:
    """Labels in their comparable form (a layout's labels are looked up on every sheet of every check)."""
    return tuple(label_canon(label) for label in labels)


def find_sheet(grid: Grid, spec: SheetSpec) -> str | None:
    """The sheet for ``spec``: same name (up to width/spaces), else one whose top shows the marker."""
    target = label_canon(spec.name)
    for name in grid.sheet_names:
        if label_canon(name) == target:
            return name
    if spec.marker:
        marker = label_canon(spec.marker)
        for name, sheet in grid.sheets.items():
            for r, c, text in sheet.texts():
                if r > 3:
                    break
                if label_canon(text) == marker:
                    return name
    return None


def matches(grid: Grid, layout: Layout) -> bool:
    """Does the workbook look like this template version (its signature labels are there)?"""
    for sheet_name, label in layout.signature:
        found = find_sheet(grid, layout.sheet(sheet_name))
        if found is None or LabelIndex.of(grid.sheets[found]).find([label]) is None:
            return False
    return True


def identify_layout(grid: Grid) -> Layout | None:
    """The template version a workbook follows: of the versions whose whole signature is there, the
    one with the most specific signature (a revised template usually keeps the old labels and adds
    its own), and of equally specific ones the newest. None when no version matches."""
    candidates = [layout for layout in known_layouts() if matches(grid, layout)]   # newest first
    return max(candidates, key=lambda layout: len(layout.signature), default=None)


def nearest_layout(grid: Grid) -> tuple[Layout, list[str]]:
    """The known version a workbook is closest to — the one with the most of its signature labels found
    (of equals, the newest) — and what of its signature is not there (Japanese)."""
    best = None
    for layout in known_layouts():                       # newest first
        absent = []
        for sheet_name, label in layout.signature:
            actual = find_sheet(grid, layout.sheet(sheet_name))
            if actual is None:
                absent.append(f"シート「{sheet_name}」")
            elif LabelIndex.of(grid.sheets[actual]).find([label]) is None:
                absent.append(f"{sheet_name} の見出し「{label}」")
        if best is None or len(absent) < len(best[1]):
            best = (layout, absent)
    return best
