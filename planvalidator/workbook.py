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


ERROR_CODES = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
               "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#UNKNOWN!", "#CONNECT!", "#BUSY!")


def is_error_code(value) -> bool:
    """Whether a cell shows an error value (#REF!, #VALUE! …)."""
    return isinstance(value, str) and value.strip().upper() in ERROR_CODES


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
    unread: list[tuple[Pos, str, str]] = field(default_factory=list)   # (pos, text, "far" | "long" | "range" | "date")

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


@dataclass(frozen=True)
class InMemory:
    """A workbook held in memory only (the check page's uploads): never written to disk."""
    name: str
    data: bytes

    def __str__(self) -> str:
        return self.name

    def open(self):
        from io import BytesIO
        return BytesIO(self.data)


def _refuse_unreadable(source) -> None:
    from planvalidator import limits
    from planvalidator.package import size_text

    name = source.name
    if isinstance(source, InMemory):
        size = len(source.data)
    else:
        if not source.exists():
            raise CannotCheck("ファイルが見つかりません", file=name)
        if source.is_dir():
            raise CannotCheck("フォルダです（Excelブックを指定してください）", file=name)
        if not source.is_file():
            raise CannotCheck("通常のファイルではありません（Excelブックを指定してください）", file=name)
        size = source.stat().st_size
    if size == 0:
        raise CannotCheck("空のファイルです（0 バイト）", file=name)
    if size > limits.MAX_FILE_BYTES:
        raise CannotCheck(f"ファイルが {size_text(size)} あり、上限の {size_text(limits.MAX_FILE_BYTES)} を超えます",
                          file=name)
    try:
        with source.open("rb") if not isinstance(source, InMemory) else source.open() as fh:
            head = fh.read(8)
    except OSError as exc:
        raise CannotCheck(f"ファイルを開けません（{exc.strerror}）", file=name) from None
    if head == _OLE_MAGIC:
        try:
            import msoffcrypto
            with source.open("rb") if not isinstance(source, InMemory) else source.open() as fh:
                encrypted = msoffcrypto.OfficeFile(fh).is_encrypted()
        except Exception:
            encrypted = False
        if encrypted:
            raise CannotCheck("パスワードで保護されています。保護を解除して保存し直してください", file=name)
        raise CannotCheck("古い Excel 形式（.xls）です。.xlsx 形式で保存し直してください", file=name)
    if head.startswith(b"%PDF"):
        raise CannotCheck("PDF ファイルです（Excelブック .xlsx / .xlsm を指定してください）", file=name)
    opened = source.open() if isinstance(source, InMemory) else source
    if not zipfile.is_zipfile(opened):
        if head.startswith(b"PK"):
            raise CannotCheck("zip として壊れています（途中で切れたファイルではありませんか）", file=name)
        raise CannotCheck("Excelブック（.xlsx / .xlsm）ではありません", file=name)
    try:
        with zipfile.ZipFile(source.open() if isinstance(source, InMemory) else source) as zf:
            names = zf.namelist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise CannotCheck(f"zip として壊れています（{type(exc).__name__}）", file=name) from None
    if "xl/workbook.xml" not in names:
        raise CannotCheck("Excelブック（.xlsx / .xlsm）ではありません（xl/workbook.xml がありません）",
                          file=name)


def load_grid(path: "str | Path | InMemory") -> Grid:
    """Read every sheet's cells, formulas, cached values and merged ranges from a file.

    Each sheet part is first measured in one streaming pass (:mod:`planvalidator.sheetxml`:
    formulas, error values, how many cells and the rectangle they span), within the limits of
    :mod:`planvalidator.limits`. python-calamine then reads the values (typed: numbers, dates by
    their number format, text) and the merged ranges — from an in-memory copy of the XML parts
    that were measured, with any cell far outside the form left out (each one becomes a PV009
    warning at its own address, so one stray value does not make the application uncheckable).
    """
    from io import BytesIO

    from python_calamine import CalamineWorkbook

    from planvalidator import limits, sheetxml
    from planvalidator.package import Package, PackageError

    path = path if isinstance(path, InMemory) else Path(path)
    _refuse_unreadable(path)
    name = path.name
    try:
        package = Package(path, editable=False)
        parts = [(title, part) for title, _el, part in package.sheets()]
    except PackageError as exc:
        raise CannotCheck(_part_reason(exc), file=name) from None
    except Exception as exc:  # a broken package raises many kinds
        raise CannotCheck(f"Excelブックとして読めません（{type(exc).__name__}）", file=name) from None

    scans: dict[str, sheetxml.SheetScan] = {}
    trimmed: dict[str, bytes] = {}          # sheet parts as the value reader gets them
    left_out: dict[str, dict[Pos, tuple[bytes, str]]] = {}
    dates = None
    for title, part in parts:
        try:
            xml = package.data[part]
            scan = sheetxml.scan_sheet(xml, part)
            far = set()
            if scan.area() > limits.MAX_GRID_CELLS or scan.outside_grid:
                far = sheetxml.far_cells(scan, limits.MAX_GRID_CELLS)
            if scan.huge:
                dates = _date_styles(package) if dates is None else dates
            bad_dates = {pos for pos, style in scan.huge.items() if style in (dates or ())}
            if far or bad_dates:
                xml, removed = sheetxml.without_cells(xml, far | bad_dates, part)
                left_out[title] = {pos: (el, "far" if pos in far else "date") for pos, el in removed.items()}
            trimmed[part] = sheetxml.without_merges(xml)
        except PackageError as exc:
            raise CannotCheck(_part_reason(exc, sheet=title), file=name, sheet=title) from None
        scans[title] = scan
    try:
        calamine = CalamineWorkbook.from_filelike(BytesIO(_measured_copy(package, trimmed)))
    except PackageError as exc:
        raise CannotCheck(_part_reason(exc), file=name) from None
    except BaseException as exc:    # a Rust panic (pyo3's PanicException) is not an Exception
        _reraise_interrupt(exc)
        raise CannotCheck(f"Excelブックとして読めません（{_calamine_reason(exc)}）", file=name) from None

    sheets: dict[str, SheetGrid] = {}
    shared_strings = _shared_strings(package)     # parsed on first use, once for the file
    for title, part in parts:
        scan = scans[title]
        try:
            rows = calamine.get_sheet_by_name(title).to_python(skip_empty_area=False)
        except BaseException as exc:    # e.g. a date far out of range panics: 「TimeDelta::milliseconds out of bounds」
            _reraise_interrupt(exc)
            raise CannotCheck(f"{title} のシートを読めません（{_calamine_reason(exc)}）", file=name, sheet=title) from None
        formulas = _expand_shared(scan)
        grid = SheetGrid(title, formulas=formulas)
        for r, row in enumerate(rows, 1):
            for c, value in enumerate(row, 1):
                if value == "" or value is None:
                    continue
                if type(value) is float and value.is_integer():
                    value = int(value)      # Excel stores every number as a float; 2400 was typed as 2400
                elif type(value) is str and len(value) > limits.MAX_TEXT_CHARS:
                    grid.unread.append(((r, c), value[:40], "long"))
                    value = value[:limits.MAX_TEXT_CHARS]
                (grid.cached if (r, c) in formulas else grid.values)[(r, c)] = value
        for pos, code in scan.errors.items():
            (grid.cached if pos in formulas else grid.values)[pos] = code   # shown as its code (#N/A)
        for pos, (element, why) in sorted(left_out.get(title, {}).items()):
            grid.unread.append((pos, sheetxml.cell_text(element, shared_strings), why))
        for r1, c1, r2, c2 in scan.merged:
            if (r2 - r1 + 1) * (c2 - c1 + 1) <= limits.MAX_GRID_CELLS:   # a merge of the whole sheet is not a label
                grid.add_merge((r1, c1, r2, c2))
        sheets[title] = grid
    return Grid(source=name, sheets=sheets)


def _expand_shared(scan) -> dict[Pos, str]:
    """Formulas with each cell of a shared formula given its own text (the master's, moved as
    Excel fills it); a cell whose master is missing stays "=" (still a formula)."""
    from planvalidator.formula import shift

    formulas = scan.formulas
    masters = {si: (pos, text) for pos, (si, text) in scan.shared.items() if text}
    for pos, (si, text) in scan.shared.items():
        if not text and si in masters:
            (mr, mc), master = masters[si]
            formulas[pos] = "=" + shift(master, pos[0] - mr, pos[1] - mc)
    return formulas


def _part_reason(exc, *, sheet: str | None = None) -> str:
    """A PackageError as one Japanese line naming the sheet and the part (the caller names the file):
    「計画様式7 のシート（xl/worksheets/sheet7.xml）は展開すると 1.1 GB になり、…」."""
    if exc.part == "zip":
        return exc.reason
    reason = (" " if exc.reason[:1].isascii() else "") + exc.reason
    return f"{sheet} のシート（{exc.part}）は{reason}" if sheet else f"{exc.part} は{reason}"


def _reraise_interrupt(exc: BaseException) -> None:
    if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
        raise exc


def _calamine_reason(exc: BaseException) -> str:
    """What python-calamine said, on one short line (its messages are English)."""
    text = " ".join(str(exc).split())[:120]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _measured_copy(package, trimmed: dict[str, bytes]) -> bytes:
    """The XML parts (each read within the limits), stored in a new zip, as the value reader
    gets them: it never decompresses anything that was not measured."""
    import zipfile
    from io import BytesIO

    from planvalidator.package import is_xml_part, refuse_dtd

    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:
        for info in package.infos:
            name = info.filename
            if is_xml_part(name) and not name.endswith(".vml"):
                data = trimmed.get(name)
                if data is None:
                    data = package.data[name]
                    refuse_dtd(data, name)
                zf.writestr(name, data)
    return out.getvalue()


def _date_styles(package) -> set[str]:
    from planvalidator.package import read_xml
    from planvalidator.sheetxml import date_styles

    part = next((n for n in package.data if n.lower().endswith("styles.xml")), None)
    return date_styles(read_xml(package.data[part], part) if part else None)


def _shared_strings(package):
    """index → text of the workbook's shared strings, parsed on first use (messages only)."""
    from functools import lru_cache

    @lru_cache(maxsize=1)
    def table() -> list[str]:
        from planvalidator.package import read_xml
        part = next((n for n in package.data if n.lower().endswith("sharedstrings.xml")), None)
        if part is None:
            return []
        root = read_xml(package.data[part], part)
        return ["".join(t.text or "" for t in si.iter() if t.tag.endswith("}t")) for si in root]

    return lambda i: table()[i]
