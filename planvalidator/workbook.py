"""Raw cells of a workbook: what was typed, which cells are formulas, their cached values.

A :class:`Grid` is the one thing the reader needs from a workbook. It comes from a file
(:func:`load_grid`: openpyxl read-only for typed values and formulas, python-calamine for
cached formula results and merged ranges — both stream the sheet XML, far faster than a
full openpyxl load) or, later, from a live Excel book through xlwings.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from planvalidator.errors import CannotCheck

Pos = tuple[int, int]  # (row, column), both 1-based


def col_letter(col: int) -> str:
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def a1(row: int, col: int) -> str:
    return f"{col_letter(col)}{row}"


@dataclass
class SheetGrid:
    name: str
    values: dict[Pos, object] = field(default_factory=dict)    # typed values (not formulas)
    formulas: dict[Pos, str] = field(default_factory=dict)     # "=..." text
    cached: dict[Pos, object] = field(default_factory=dict)    # cached results of formulas
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2
    merges_known: bool = True   # False for a live book whose engine does not report merged ranges

    def __post_init__(self):
        self._merged_at: dict[Pos, tuple[int, int, int, int]] = {}
        for rng in self.merged:
            self._index_merge(rng)

    def _index_merge(self, rng):
        r1, c1, r2, c2 = rng
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                self._merged_at[(r, c)] = rng

    def add_merge(self, rng: tuple[int, int, int, int]) -> None:
        self.merged.append(rng)
        self._index_merge(rng)

    @property
    def max_row(self) -> int:
        return max((r for r, _ in (*self.values, *self.formulas)), default=0)

    @property
    def max_col(self) -> int:
        return max((c for _, c in (*self.values, *self.formulas)), default=0)

    def span(self, row: int, col: int) -> tuple[int, int, int, int]:
        """The merged range holding a cell, or the cell itself."""
        return self._merged_at.get((row, col), (row, col, row, col))

    def value(self, row: int, col: int):
        return self.values.get((row, col))

    def is_formula(self, row: int, col: int) -> bool:
        return (row, col) in self.formulas

    def shown(self, row: int, col: int):
        """What the cell shows: the typed value, or a formula's cached result (None if none)."""
        if (row, col) in self.formulas:
            return self.cached.get((row, col))
        return self.values.get((row, col))

    def texts(self):
        """(row, col, text) of every non-formula text cell, in reading order."""
        for (r, c), v in sorted(self.values.items()):
            if isinstance(v, str) and v.strip():
                yield r, c, v


@dataclass
class Grid:
    source: str
    sheets: dict[str, SheetGrid]

    @property
    def sheet_names(self) -> list[str]:
        return list(self.sheets)


# --- loading a file -------------------------------------------------------

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _refuse_unreadable(path: Path) -> None:
    name = path.name
    if not path.exists():
        raise CannotCheck("ファイルが見つかりません", file=name)
    if path.is_dir():
        raise CannotCheck("フォルダです（Excelブックを指定してください）", file=name)
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise CannotCheck(f"ファイルを開けません（{exc.strerror}）", file=name) from None
    if head == _OLE_MAGIC:
        try:
            import msoffcrypto
            with path.open("rb") as fh:
                encrypted = msoffcrypto.OfficeFile(fh).is_encrypted()
        except Exception:
            encrypted = False
        if encrypted:
            raise CannotCheck("パスワードで保護されています。保護を解除して保存し直してください", file=name)
        raise CannotCheck("古い Excel 形式（.xls）です。.xlsx 形式で保存し直してください", file=name)
    if not zipfile.is_zipfile(path):
        raise CannotCheck("Excelブック（.xlsx / .xlsm）ではありません", file=name)
    with zipfile.ZipFile(path) as zf:
        if "xl/workbook.xml" not in zf.namelist():
            raise CannotCheck("Excelブック（.xlsx / .xlsm）ではありません（xl/workbook.xml がありません）",
                              file=name)


def load_grid(path: str | Path) -> Grid:
    """Read every sheet's cells, formulas, cached values and merged ranges from a file."""
    path = Path(path)
    _refuse_unreadable(path)
    name = path.name
    import openpyxl
    from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
    from python_calamine import CalamineWorkbook

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds for broken packages
        raise CannotCheck(f"Excelブックとして読めません（{type(exc).__name__}）", file=name) from None
    try:
        calamine = CalamineWorkbook.from_path(str(path))
    except Exception as exc:
        book.close()
        raise CannotCheck(f"Excelブックとして読めません（{type(exc).__name__}）", file=name) from None

    sheets: dict[str, SheetGrid] = {}
    try:
        for ws in book.worksheets:
            grid = SheetGrid(ws.title)
            for row in ws.iter_rows():
                for cell in row:
                    value = getattr(cell, "value", None)
                    if value is None:
                        continue
                    pos = (cell.row, cell.column)
                    if isinstance(value, (ArrayFormula, DataTableFormula)):
                        grid.formulas[pos] = getattr(value, "text", None) or "={array}"
                    elif cell.data_type == "f":
                        grid.formulas[pos] = value
                    else:
                        grid.values[pos] = value
            sheets[ws.title] = grid
    except Exception as exc:
        raise CannotCheck(f"シートを読めません（{type(exc).__name__}）", file=name,
                          sheet=getattr(ws, "title", None)) from None
    finally:
        book.close()

    for title, grid in sheets.items():
        try:
            sheet = calamine.get_sheet_by_name(title)
        except Exception:
            continue
        for (r1, c1), (r2, c2) in sheet.merged_cell_ranges or []:
            grid.add_merge((r1 + 1, c1 + 1, r2 + 1, c2 + 1))
        if not grid.formulas:
            continue
        rows = sheet.to_python(skip_empty_area=False)
        for (r, c) in grid.formulas:
            if r - 1 < len(rows) and c - 1 < len(rows[r - 1]):
                v = rows[r - 1][c - 1]
                if v != "" and v is not None:
                    grid.cached[(r, c)] = v
    return Grid(source=name, sheets=sheets)
