"""Revised versions of the official R7 template, made with openpyxl, for the template diff tests.

Each revision is a function ``(book, ...)`` editing an openpyxl workbook the way ISICO would in
Excel. ``revise(tmp_path, edit, ...)`` returns (OLD, NEW): the official template saved once by
openpyxl, and the same saved again after the edits — so only the intended change differs.

For checking filled workbooks of a revised template, an :class:`Edit` is such a revision that also
knows where it moves each cell of the template; :func:`filled_revision` revises the official template
and fills it with the 記入例's values (and planted defects) at the cells they moved to.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field as _field
from pathlib import Path

import openpyxl
from openpyxl.utils.cell import get_column_letter, range_boundaries

from support.helpers import TEMPLATE, insert_rows_like_excel, like_excel

_BASE: dict[str, Path] = {}


def base_copy(directory: Path) -> Path:
    """The official template as saved by openpyxl (made once per process, copied into ``directory``)."""
    key = "base"
    if key not in _BASE or not _BASE[key].exists():
        book = openpyxl.load_workbook(TEMPLATE)
        path = Path(directory) / "base-openpyxl.xlsx"
        book.save(path)
        _BASE[key] = path
    target = Path(directory) / "old.xlsx"
    if _BASE[key] != target:
        shutil.copy(_BASE[key], target)
    return target


def revise(directory, *edits, name: str = "new.xlsx") -> tuple[Path, Path]:
    """(OLD, NEW): OLD the openpyxl-saved template, NEW the same with ``edits`` (functions of
    the workbook) applied and saved."""
    directory = Path(directory)
    old = base_copy(directory)
    book = openpyxl.load_workbook(old)
    for edit in edits:
        edit(book)
    new = directory / name
    book.save(new)
    return old, new


# --- the revisions ----------------------------------------------------------------------------

def _shift_ranges(text: str, axis: str, idx: int, amount: int) -> str:
    """A space-separated sqref with rows (axis "row") or columns ("col") at or after ``idx``
    moved by ``amount``; a range spanning ``idx`` grows."""
    out = []
    for part in str(text).split():
        c1, r1, c2, r2 = range_boundaries(part)
        if axis == "row":
            r1 = r1 + amount if r1 >= idx else r1
            r2 = r2 + amount if r2 >= idx else r2
        else:
            c1 = c1 + amount if c1 >= idx else c1
            c2 = c2 + amount if c2 >= idx else c2
        a = f"{get_column_letter(c1)}{r1}"
        b = f"{get_column_letter(c2)}{r2}"
        out.append(a if a == b else f"{a}:{b}")
    return " ".join(out)


def _shift_validations(ws, axis: str, idx: int, amount: int) -> None:
    from openpyxl.worksheet.cell_range import MultiCellRange
    for dv in ws.data_validations.dataValidation:
        dv.sqref = MultiCellRange(_shift_ranges(str(dv.sqref), axis, idx, amount))


def insert_rows(book, sheet: str, idx: int, n: int = 1) -> None:
    """Insert ``n`` rows above row ``idx`` as Excel does: cells, merges, every formula in the
    book pointing at or below ``idx`` and the sheet's data validations move down."""
    insert_rows_like_excel(book, sheet, idx, n)
    _shift_validations(book[sheet], "row", idx, n)


def add_column(book, sheet: str, idx: int, n: int = 1, *, header: tuple[int, str] | None = None) -> None:
    """Insert ``n`` columns left of column ``idx`` as Excel does (cells, merges, formulas in the
    whole book, data validations); ``header=(row, text)`` writes a label in the new column."""
    like_excel(book, sheet, "col", idx, n)
    _shift_validations(book[sheet], "col", idx, n)
    if header is not None:
        book[sheet].cell(row=header[0], column=idx, value=header[1])


def reword(book, sheet: str, old_label: str, new_label: str) -> str:
    """Replace the label ``old_label`` (exactly one cell) by ``new_label``; returns the cell."""
    found = [c for row in book[sheet].iter_rows() for c in row if c.value == old_label]
    assert len(found) == 1, f"{sheet}: 「{old_label}」 is in {len(found)} cells"
    found[0].value = new_label
    return found[0].coordinate


def rename_sheet(book, old: str, new: str) -> None:
    """Rename a sheet; formulas referring to it follow (as in Excel)."""
    from openpyxl.formula.tokenizer import Token, Tokenizer

    book[old].title = new
    quoted = new if new.isidentifier() else "'" + new.replace("'", "''") + "'"
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    tok = Tokenizer(cell.value)
                    changed = False
                    for item in tok.items:
                        if item.type == Token.OPERAND and item.subtype == Token.RANGE and "!" in item.value:
                            target, rest = item.value.rsplit("!", 1)
                            if target.strip("'").replace("''", "'") == old:
                                item.value = f"{quoted}!{rest}"
                                changed = True
                    if changed:
                        cell.value = tok.render()


def change_list(book, sheet: str, cell: str, items: list[str]) -> None:
    """The list validation that applies to ``cell`` now offers ``items``."""
    ws = book[sheet]
    for dv in ws.data_validations.dataValidation:
        if cell in dv.sqref:
            assert dv.type == "list"
            dv.formula1 = '"' + ",".join(items) + '"'
            return
    raise AssertionError(f"{sheet}!{cell} has no validation")


def change_formula(book, sheet: str, cell: str, formula: str) -> None:
    book[sheet][cell].value = formula


def set_label(book, sheet: str, cell: str, text: str | None) -> None:
    book[sheet][cell].value = text


def move_label(book, sheet: str, source: str, target: str) -> None:
    ws = book[sheet]
    ws[target].value, ws[source].value = ws[source].value, None


def protect(book, sheet: str, on: bool = True) -> None:
    book[sheet].protection.sheet = on


def add_sheet(book, title: str, labels: dict[str, str] | None = None) -> None:
    ws = book.create_sheet(title)
    for cell, text in (labels or {}).items():
        ws[cell] = text


def add_name(book, name: str, value: str) -> None:
    from openpyxl.workbook.defined_name import DefinedName
    book.defined_names[name] = DefinedName(name, attr_text=value)


def delete_rows(book, sheet: str, idx: int, n: int = 1) -> None:
    """Delete rows ``idx``..``idx+n-1`` as Excel does (cells, merges, formulas and validations
    below move up). Only for rows no formula or merge points into."""
    like_excel(book, sheet, "row", idx, -n)
    _shift_validations(book[sheet], "row", idx + n, -n)


# --- revisions that know where they move each cell (for filling a revised template) --------------


_INPUTS: dict[tuple[str, str], object] = {}


def _stays(sheet: str, row: int, col: int) -> tuple[str, int, int]:
    return sheet, row, col


@dataclass(frozen=True)
class Edit:
    """One change ISICO might make to its template, and where it moves each cell of the template
    (sheet, row, column) → (sheet, row, column): what the test knows of the edit, not what the checker finds."""
    name: str
    apply: Callable = _field(repr=False)
    move: Callable = _field(default=_stays, repr=False)
    wording: str | None = None          # a reworded label's new text …
    was: str | None = None              # … and its old one


def reworded(sheet: str, old: str, new: str) -> Edit:
    return Edit(f"{sheet}「{old}」→「{new}」", lambda book: reword(book, sheet, old, new), wording=new, was=old)


def reworded_at(sheet: str, cell: str, new: str) -> Edit:
    """The label in ``cell`` of the official template (one the sheet has more than once) reworded."""
    return Edit(f"{sheet}!{cell}→「{new}」", lambda book: set_label(book, sheet, cell, new), wording=new)


def rows_inserted(sheet: str, idx: int, n: int = 1) -> Edit:
    def move(s, r, c):
        return (s, r + n, c) if s == sheet and r >= idx else (s, r, c)
    return Edit(f"{sheet} {idx} 行目の上に {n} 行", lambda book: insert_rows(book, sheet, idx, n), move)


def column_added(sheet: str, idx: int, header: tuple[int, str] | None = None) -> Edit:
    """A column inserted left of ``idx``; ``header``: (template row, text) of its heading."""
    def apply(book):
        add_column(book, sheet, idx)
        if header is not None:
            row = header[0]
            book[sheet].cell(row=row, column=idx, value=header[1])

    def move(s, r, c):
        return (s, r, c + 1) if s == sheet and c >= idx else (s, r, c)
    return Edit(f"{sheet} {idx} 列目に列", apply, move)


def sheet_renamed(old: str, new: str) -> Edit:
    def move(s, r, c):
        return (new if s == old else s), r, c
    return Edit(f"シート {old}→{new}", lambda book: rename_sheet(book, old, new), move)


def sheet_added_in_front(title: str, labels: dict[str, str] | None = None) -> Edit:
    def apply(book):
        ws = book.create_sheet(title, 0)
        for cell, text in (labels or {}).items():
            ws[cell] = text
    return Edit(f"シート {title} を先頭に", apply)


def moved(edits, sheet: str, cell: str) -> tuple[str, str]:
    """Where a cell of the official template (``sheet``!``cell``) is after ``edits``."""
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    letters, row = coordinate_from_string(cell)
    where = (sheet, row, column_index_from_string(letters))
    for e in edits:
        where = e.move(*where)
    return where[0], f"{get_column_letter(where[2])}{where[1]}"


def example_inputs() -> dict[tuple[str, str], object]:
    """What the 記入例 writes into the official template: {(sheet, cell): value} of every cell it changes
    (the 記入例 is the template with its input cells filled, nothing else)."""
    from support.helpers import EXAMPLE

    if not _INPUTS:
        template, example = openpyxl.load_workbook(TEMPLATE), openpyxl.load_workbook(EXAMPLE)
        inputs = {}
        for ws in example.worksheets:
            theirs = template[ws.title]
            for row in ws.iter_rows():
                for c in row:
                    if c.value != theirs[c.coordinate].value:
                        assert theirs[c.coordinate].value is None, (ws.title, c.coordinate)
                        assert not (isinstance(c.value, str) and c.value.startswith("=")), (ws.title, c.coordinate)
                        inputs[(ws.title, c.coordinate)] = c.value
        _INPUTS.update(inputs)
    return dict(_INPUTS)


def filled_revision(directory, edits, values: dict[str, dict[str, object]] | None = None,
                    name: str = "filled.xlsx") -> Path:
    """The official template revised by ``edits``, then filled as an applicant fills it: the 記入例's
    values, with ``values`` ({sheet: {cell: value}}, in the official template's addresses: a defect
    planted) over them, each written into the cell the revision moved it to."""
    book = openpyxl.load_workbook(TEMPLATE)
    for e in edits:
        e.apply(book)
    cells = example_inputs()
    for sheet, edits_of in (values or {}).items():
        for cell, value in edits_of.items():
            cells[(sheet, cell)] = value
    for (sheet, cell), value in cells.items():
        target_sheet, target = moved(edits, sheet, cell)
        book[target_sheet][target].value = value
    path = Path(directory) / name
    book.save(path)
    return path
