"""Raw cells of a workbook: what was typed, which cells are formulas, their cached values.

A :class:`Grid` is the one thing the reader needs from a workbook. It comes from a file
(:func:`load_grid`: python-calamine for values and merged ranges, one streaming pass over each
sheet's XML for which cells are formulas) or from a live Excel book through xlwings
(:mod:`planvalidator.xl`).
"""

from __future__ import annotations

import re
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


def col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


_A1 = re.compile(r"\$?([A-Z]{1,3})\$?(\d+)")


def parse_a1(ref: str | None) -> Pos | None:
    """(row, col) of an A1 address such as "D13" (or "$D$13"); None if it is not one."""
    m = _A1.fullmatch(ref or "")
    return (int(m.group(2)), col_number(m.group(1))) if m else None


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
    """Read every sheet's cells, formulas, cached values and merged ranges from a file.

    python-calamine reads the values (typed: numbers, dates by their number format, text) and
    the merged ranges; which cells hold a formula comes from one streaming pass over each sheet's
    XML (the standard library's parser, a DTD refused), since calamine gives a formula cell's
    cached result. Nothing here needs lxml.
    """
    path = Path(path)
    _refuse_unreadable(path)
    name = path.name
    from python_calamine import CalamineWorkbook

    from planvalidator.package import Package

    try:
        package = Package(path, editable=False)
        parts = [(title, part) for title, _el, part in package.sheets()]
        calamine = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # a broken package raises many kinds
        raise CannotCheck(f"Excelブックとして読めません（{type(exc).__name__}）", file=name) from None

    sheets: dict[str, SheetGrid] = {}
    for title, part in parts:
        try:
            sheet = calamine.get_sheet_by_name(title)
            rows = sheet.to_python(skip_empty_area=False)
            formulas, errors = scan_cells(package.data[part])
            merged = sheet.merged_cell_ranges or []
        except Exception as exc:
            raise CannotCheck(f"シートを読めません（{type(exc).__name__}）", file=name, sheet=title) from None
        grid = SheetGrid(title, formulas=formulas)
        for r, row in enumerate(rows, 1):
            for c, value in enumerate(row, 1):
                if value == "" or value is None:
                    continue
                if type(value) is float and value.is_integer():
                    value = int(value)      # Excel stores every number as a float; 2400 was typed as 2400
                (grid.cached if (r, c) in formulas else grid.values)[(r, c)] = value
        for pos, code in errors.items():
            if pos not in formulas:
                grid.values[pos] = code     # an error typed as a value (#N/A): shown as its code
        for (r1, c1), (r2, c2) in merged:
            grid.add_merge((r1 + 1, c1 + 1, r2 + 1, c2 + 1))
        sheets[title] = grid
    return Grid(source=name, sheets=sheets)


def scan_cells(sheet_xml: bytes) -> tuple[dict[Pos, str], dict[Pos, str]]:
    """What calamine does not tell of a worksheet part: which cells hold a formula
    ({pos: "=formula"}) and which hold an error value ({pos: "#N/A"}).

    A cell following a shared formula holds no text of its own; it is given as "=" (it is a
    formula: the checks need only that, not its text)."""
    from io import BytesIO
    from xml.etree import ElementTree

    from planvalidator.package import refuse_dtd

    refuse_dtd(sheet_xml)           # no DTD, so no entity to expand or fetch
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    row_tag, cell_tag, f_tag, v_tag = main + "row", main + "c", main + "f", main + "v"
    formulas: dict[Pos, str] = {}
    errors: dict[Pos, str] = {}
    row_no, col_no = 0, 0
    for event, el in ElementTree.iterparse(BytesIO(sheet_xml), events=("start", "end")):
        tag = el.tag
        if tag == row_tag:
            if event == "start":
                row_no = int(el.get("r") or row_no + 1)
                col_no = 0
            else:
                el.clear()
            continue
        if tag != cell_tag or event == "start":
            continue
        pos = parse_a1(el.get("r"))
        if pos is None:
            pos = (row_no, col_no + 1)      # a cell without an address follows the one before it
        col_no = pos[1]
        f = el.find(f_tag)
        if f is not None:
            formulas[pos] = "=" + (f.text or "")
        elif el.get("t") == "e":
            v = el.find(v_tag)
            if v is not None and v.text:
                errors[pos] = v.text
    return formulas, errors
