"""Reading a workbook file into a :class:`~planvalidator.grid.Grid`: python-calamine for values and merged
ranges, one bounded pass over each sheet's XML (:mod:`planvalidator.sheetxml`) for which cells are formulas,
every quantity the file declares measured first (:mod:`planvalidator.limits`).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from planvalidator.address import Pos
from planvalidator.errors import CannotCheck
from planvalidator.grid import Grid, SheetGrid, TooMuch
from planvalidator.structs import Frozen

# --- loading a file -------------------------------------------------------

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class InMemory(Frozen):
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
    from planvalidator.partxml import size_text

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
    from planvalidator.package import open_zip
    from planvalidator.partxml import PackageError
    try:
        with open_zip(source.open() if isinstance(source, InMemory) else source) as zf:
            names = zf.namelist()
    except PackageError as exc:
        raise CannotCheck(exc.reason, file=name) from None
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
    from planvalidator.package import Package
    from planvalidator.partxml import PackageError

    path = path if isinstance(path, InMemory) else Path(path)
    _refuse_unreadable(path)
    name = path.name
    try:
        package = Package(path, editable=False)
        parts = [(title, part) for title, _el, part in package.sheets()]
    except PackageError as exc:
        raise CannotCheck(part_reason(exc), file=name) from None
    except Exception as exc:  # a broken package raises many kinds
        raise CannotCheck(f"Excelブックとして読めません（{type(exc).__name__}）", file=name) from None

    scans: dict[str, sheetxml.SheetScan] = {}        # by part: each part is read once, however many sheets name it
    trimmed: dict[str, bytes] = {}          # sheet parts as the value reader gets them
    left_out: dict[str, dict[Pos, tuple[bytes, str]]] = {}
    areas: dict[str, int | None] = {}       # the rectangle each part's values span, when none was left out
    budget = _Budget()
    dates = None
    for title, part in parts:
        try:
            if part not in scans:
                xml = package.data[part]
                scan = sheetxml.scan_sheet(xml, part)
                far = set()
                max_area = min(limits.MAX_GRID_CELLS, budget.grid_left())
                area = scan.area()
                if area > max_area or scan.outside_grid:
                    far = sheetxml.far_cells(scan, max_area)
                if scan.huge:
                    dates = _date_styles(package) if dates is None else dates
                bad_dates = {pos for pos, style in scan.huge.items() if style in (dates or ())}
                if far or bad_dates:
                    xml, removed = sheetxml.without_cells(xml, far | bad_dates, part)
                    left_out[part] = {pos: (el, "far" if pos in far else "date") for pos, el in removed.items()}
                trimmed[part] = sheetxml.without_merges(xml)
                scans[part] = scan
                areas[part] = area if part not in left_out else None
            budget.add(scans[part], left_out.get(part, ()), areas[part])
        except (PackageError, TooMuch) as exc:
            exc = exc if isinstance(exc, PackageError) else PackageError(part, str(exc))
            sheet = title if exc.part == part else None      # styles.xml read for this sheet is not the sheet
            raise CannotCheck(part_reason(exc, sheet=sheet), file=name, sheet=sheet) from None
    try:
        calamine = CalamineWorkbook.from_filelike(BytesIO(_measured_copy(package, trimmed)))
    except PackageError as exc:
        raise CannotCheck(part_reason(exc), file=name) from None
    except BaseException as exc:    # a Rust panic (pyo3's PanicException) is not an Exception
        _reraise_interrupt(exc)
        raise CannotCheck(f"Excelブックとして読めません（{_calamine_reason(exc)}）", file=name) from None

    sheets: dict[str, SheetGrid] = {}
    shared_strings = _shared_strings(package)     # parsed on first use, once for the file
    expanded: dict[str, dict[Pos, str]] = {}
    for title, part in parts:
        scan = scans[part]
        try:
            rows = calamine.get_sheet_by_name(title).to_python(skip_empty_area=False)
        except BaseException as exc:    # e.g. a date far out of range panics: 「TimeDelta::milliseconds out of bounds」
            _reraise_interrupt(exc)
            raise CannotCheck(f"{title} のシートを読めません（{_calamine_reason(exc)}）", file=name, sheet=title) from None
        if part not in expanded:
            expanded[part] = _expand_shared(scan)
        formulas = dict(expanded[part])
        grid = SheetGrid(title, formulas=formulas)
        cached, typed, longest = grid.cached, grid.values, limits.MAX_TEXT_CHARS
        for r, row in enumerate(rows, 1):
            for c, value in enumerate(row, 1):
                kind = value.__class__      # (by kind first: most cells are a number or a text)
                if kind is float:
                    if value.is_integer():
                        value = int(value)  # Excel stores every number as a float; 2400 was typed as 2400
                elif kind is str:
                    if not value:
                        continue
                    if len(value) > longest:
                        grid.unread.append(((r, c), value[:40], "long"))
                        value = value[:longest]
                elif value is None:
                    continue
                pos = (r, c)
                if pos in formulas:
                    cached[pos] = value
                else:
                    typed[pos] = value
        for pos, code in scan.errors.items():
            (grid.cached if pos in formulas else grid.values)[pos] = code   # shown as its code (#N/A)
        for pos, (element, why) in sorted(left_out.get(part, {}).items()):
            grid.unread.append((pos, sheetxml.cell_text(element, shared_strings), why))
        try:
            grid.add_merges(scan.merged)
        except TooMuch as exc:
            raise CannotCheck(part_reason(PackageError(part, str(exc)), sheet=title), file=name, sheet=title) from None
        sheets[title] = grid
    return Grid(source=name, sheets=sheets)


class _Budget:
    """What all the sheets of one workbook may hold together (a part named by many sheets counts
    for each): cells, formula text once shared formulas are filled in, and the rectangles the
    value reader allocates. Each is checked before the work that is proportional to it."""

    def __init__(self):
        self.cells = self.formula_chars = self.grid = 0

    def grid_left(self) -> int:
        from planvalidator import limits
        return max(0, limits.MAX_WORKBOOK_GRID - self.grid)

    def add(self, scan, left_out, area: int | None = None) -> None:
        """``area``: the scan's (:meth:`~planvalidator.sheetxml.SheetScan.area`) when nothing was left out."""
        from planvalidator import limits
        from planvalidator.sheetxml import span

        self.cells += len(scan.filled)
        if self.cells > limits.MAX_WORKBOOK_CELLS:
            raise TooMuch(f"値のあるセルがブック全体で {limits.MAX_WORKBOOK_CELLS:,} を超えます")
        self.formula_chars += scan.formula_chars()
        if self.formula_chars > limits.MAX_FORMULA_CHARS:
            raise TooMuch(f"計算式の文字がブック全体で {limits.MAX_FORMULA_CHARS:,} 文字を超えます"
                          "（共有の計算式は使うセルごとに数えます）")
        if area is None or left_out:
            kept = [pos for pos in scan.filled if pos not in left_out] if left_out else scan.filled
            area = span(kept)
        self.grid += area
        if self.grid > limits.MAX_WORKBOOK_GRID:
            raise TooMuch(f"値を読む範囲がブック全体で {limits.MAX_WORKBOOK_GRID:,} セルを超えます")


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


def part_reason(exc, *, sheet: str | None = None) -> str:
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

    from planvalidator.partxml import is_xml_part, refuse_dtd

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
    from planvalidator.partxml import read_xml
    from planvalidator.sheetxml import date_styles

    part = next((n for n in package.data if n.lower().endswith("styles.xml")), None)
    return date_styles(read_xml(package.data[part], part) if part else None)


def _shared_strings(package):
    """index → text of the workbook's shared strings, parsed on first use (messages only)."""
    from functools import lru_cache

    @lru_cache(maxsize=1)
    def table() -> list[str]:
        from planvalidator.partxml import read_xml
        part = next((n for n in package.data if n.lower().endswith("sharedstrings.xml")), None)
        if part is None:
            return []
        root = read_xml(package.data[part], part)
        return ["".join(t.text or "" for t in si.iter() if t.tag.endswith("}t")) for si in root]

    return lambda i: table()[i]
