"""One streaming pass over a worksheet part, before any value reader sees it.

The pass (the standard library's expat with handlers: no tree, constant memory; a DTD refused
as defusedxml refuses it) tells
what python-calamine does not: which cells hold a formula and its text, which hold an error
value — and it measures the sheet: how many cells hold something and the rectangle they span.
python-calamine allocates that whole rectangle (rows × columns), so one stray value at
XFD1048576 would ask for 512 GB and abort the process (tafia/calamine #693). :func:`far_cells`
picks the few cells to leave out so that the rest fits :data:`~planvalidator.limits.MAX_GRID_CELLS`,
and :func:`without_cells` removes them from the part that the value reader gets; the reader
reports each one (PV009) instead of losing the application.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from planvalidator.package import DTD_REFUSED, PackageError, broken_xml
from planvalidator.workbook import parse_a1

Pos = tuple[int, int]
MAX_ROW, MAX_COL = 1_048_576, 16_384      # Excel's grid
# a serial this far from 1900 in a date-formatted cell makes python-calamine panic
# (「TimeDelta::milliseconds out of bounds」 at 1.0675e11 days); Excel's last date is 2,958,465
HUGE = 1e11

_address = lru_cache(maxsize=1 << 16)(parse_a1)     # the same addresses come back in every application


@dataclass
class SheetScan:
    """What one pass over a worksheet part found."""
    formulas: dict[Pos, str] = field(default_factory=dict)   # "=..." ("=" after a shared formula)
    shared: dict[Pos, tuple[str, str]] = field(default_factory=dict)  # pos → (si, master text or "")
    errors: dict[Pos, str] = field(default_factory=dict)     # error values ("#REF!"), typed or cached
    filled: list[Pos] = field(default_factory=list)          # cells with a value or a formula
    unaddressed: set[Pos] = field(default_factory=set)       # cells placed by position, without r=""
    outside_grid: list[Pos] = field(default_factory=list)    # addresses beyond XFD1048576
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2 (well-formed ones)
    huge: dict[Pos, str] = field(default_factory=dict)      # styled numbers no date can be: pos → style index

    def area(self) -> int:
        """Cells in the rectangle from A1 to the last row and column that hold something: what
        the values are read as (python-calamine's rows, padded from A1)."""
        if not self.filled:
            return 0
        return max(r for r, _ in self.filled) * max(c for _, c in self.filled)


_LOCAL: dict[str, str] = {}         # tag → its name without the prefix (「x:c」 → 「c」), worked out once


def _local(tag: str) -> str:
    if len(_LOCAL) > 1000:              # a hostile part with endless distinct tags
        return tag.rpartition(":")[2]
    local = _LOCAL[tag] = tag.rpartition(":")[2]
    return local


class _Target:
    """expat handlers: start/end/data events → a SheetScan (tags without their prefix)."""

    def __init__(self, limit_cells: int):
        self.scan = SheetScan()
        self.limit_cells = limit_cells
        self.row = 0
        self.col = 0
        self.pos: Pos | str | None = None        # the cell being read: its address, or the text of its r
        self.pos_before: Pos | str | None = None  # the cell before it in the row
        self.kind: str | None = None
        self.style: str | None = None
        self.f_attrs: dict | None = None
        self.f_text: str | None = None
        self.v_text: str | None = None
        self.has_value = False
        self.buf: list[str] | None = None

    def start(self, tag, attrib):
        local = _LOCAL.get(tag) or _local(tag)
        if local == "c":
            # the address is worked out only for a cell that holds something (most are styled and empty)
            self.pos = attrib.get("r") or self._unaddressed()
            self.kind = attrib.get("t")
            self.style = attrib.get("s")
            self.f_attrs = self.f_text = self.v_text = None
            self.has_value = False
        elif self.pos is None:
            if local == "mergeCell":
                self._merge(attrib.get("ref") or "")
            elif local == "row":
                try:
                    self.row = int(attrib.get("r") or self.row + 1)
                except ValueError:
                    self.row += 1
                self.col = 0
                self.pos_before = None
        elif local in ("f", "v"):
            self.buf = []
            if local == "f":
                self.f_attrs = dict(attrib)
        elif local == "is":
            self.has_value = True

    def _unaddressed(self) -> Pos:
        """A cell without an address follows the one before it in its row."""
        last = self.pos_before
        col = (last[1] if isinstance(last, tuple) else (_address(last) or (0, self.col))[1]) if last else self.col
        pos = (self.row, col + 1)
        self.scan.unaddressed.add(pos)
        return pos

    def _merge(self, ref: str):
        ends = [_address(end) for end in ref.split(":")]
        if len(ends) == 2 and None not in ends:
            (r1, c1), (r2, c2) = ends
            if 1 <= r1 <= r2 <= MAX_ROW and 1 <= c1 <= c2 <= MAX_COL:
                self.scan.merged.append((r1, c1, r2, c2))

    def data(self, text):
        if self.buf is not None:
            self.buf.append(text)

    def end(self, tag):
        if self.pos is None:
            return
        local = _LOCAL.get(tag) or _local(tag)
        if local == "f":
            self.f_text = "".join(self.buf or ())
            self.buf = None
        elif local == "v":
            self.v_text = "".join(self.buf or ())
            self.buf = None
            self.has_value = True
        elif local == "c":
            self._cell()
            self.pos_before, self.pos = self.pos, None

    def _cell(self):
        if self.f_attrs is None and not self.has_value and self.kind != "e":
            return                                  # a styled empty cell: nothing to read
        pos, scan = self.pos, self.scan
        if not isinstance(pos, tuple):
            pos = _address(pos)
            if pos is None:                         # an address that is not one: as if it had none
                self.pos = self.pos_before = None
                pos = self._unaddressed()
            self.pos = pos
        if self.f_attrs is not None:
            text = self.f_text or ""
            scan.formulas[pos] = "=" + text
            if self.f_attrs.get("t") == "shared" and self.f_attrs.get("si") is not None:
                scan.shared[pos] = (self.f_attrs["si"], text)
        if self.kind == "e" and self.v_text:
            scan.errors[pos] = self.v_text.strip()
        if self.f_attrs is None and not self.has_value:
            return                                  # a styled empty cell: nothing to read
        if pos[0] > MAX_ROW or pos[1] > MAX_COL or pos[0] < 1:
            scan.outside_grid.append(pos)
        scan.filled.append(pos)
        if len(scan.filled) > self.limit_cells:
            raise _TooManyCells
        if self.style and self.kind in (None, "n") and self.v_text and len(self.v_text.strip()) > 11:
            try:
                if abs(float(self.v_text)) >= HUGE:
                    scan.huge[pos] = self.style
            except ValueError:
                pass


class _TooManyCells(Exception):
    pass


# A styled empty cell (「<c r="B7" s="12"/>」 from Excel and LibreOffice, 「<c r="B7" s="12" t="n"></c>」
# from openpyxl: most cells of a template) holds nothing the scan keeps. When every cell names its
# address (so none takes its place from the one before it), they are dropped before parsing: a
# quarter of the time of a sheet, two handler calls each saved.
_EMPTY_CELL = re.compile(rb'<c r="[A-Z]{1,3}[0-9]{1,7}" s="[0-9]{1,6}"(?:/>| t="n"></c>)')


def _without_empty_cells(xml: bytes) -> bytes:
    if b"<c>" not in xml and xml.count(b'<c r="') == xml.count(b"<c "):
        return _EMPTY_CELL.sub(b"", xml)
    return xml


def scan_sheet(xml: bytes, part: str = "sheet", *, limit_cells: int | None = None) -> SheetScan:
    """One pass over a worksheet part. Raises PackageError (a DTD, broken XML, too many cells)."""
    from planvalidator import limits

    from xml.parsers import expat

    limit = limits.MAX_SHEET_CELLS if limit_cells is None else limit_cells
    if xml.count(b"<c ") + xml.count(b":c ") > 4 * limit:     # far too many, without parsing
        raise PackageError(part, f"セルが {limit:,} を大きく超えます")
    xml = _without_empty_cells(xml)
    target = _Target(limit)
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler = target.start
    parser.EndElementHandler = target.end
    parser.CharacterDataHandler = target.data
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.ExternalEntityRefHandler = _refuse_dtd
    try:
        parser.Parse(xml, True)
    except _TooManyCells:
        raise PackageError(part, f"値のあるセルが {limit:,} を超えます") from None
    except _DtdRefused:
        raise PackageError(part, DTD_REFUSED) from None
    except expat.ExpatError as exc:
        raise PackageError(part, broken_xml(exc.lineno)) from None
    return target.scan


class _DtdRefused(Exception):
    pass


def _refuse_dtd(*_args):
    raise _DtdRefused


def far_cells(scan: SheetScan, max_area: int) -> set[Pos]:
    """The fewest cells to leave out so that the rest spans at most ``max_area`` cells.

    Cells beyond Excel's grid always go. Then, while the rectangle is too large, the last row
    or the last column — whichever holds fewer cells — goes: a stray value far to the right or
    below goes alone, the form stays whole."""
    out = set(scan.outside_grid)
    by_row: dict[int, set[int]] = {}
    by_col: dict[int, set[int]] = {}
    for r, c in scan.filled:
        if (r, c) in out:
            continue
        by_row.setdefault(r, set()).add(c)
        by_col.setdefault(c, set()).add(r)
    rows, cols = sorted(by_row), sorted(by_col)

    def area():
        return rows[-1] * cols[-1]

    while rows and area() > max_area:
        last_row, last_col = rows[-1], cols[-1]
        if len(by_row[last_row]) <= len(by_col[last_col]):
            for c in by_row.pop(last_row):
                out.add((last_row, c))
                by_col[c].discard(last_row)
        else:
            for r in by_col.pop(last_col):
                out.add((r, last_col))
                by_row[r].discard(last_col)
        while rows and not by_row.get(rows[-1]):
            by_row.pop(rows.pop(), None)
        while cols and not by_col.get(cols[-1]):
            by_col.pop(cols.pop(), None)
    return out


_MERGES = re.compile(rb"<(?:[\w.-]+:)?mergeCells\b[^>]*?(?:/>|>.*?</(?:[\w.-]+:)?mergeCells\s*>)", re.S)


def without_merges(xml: bytes) -> bytes:
    """The part without its merged ranges (read by :func:`scan_sheet` instead, where a malformed
    one is skipped rather than failing the whole sheet)."""
    return _MERGES.sub(b"", xml)


_CELL = re.compile(rb"<(?:[\w.-]+:)?c\b([^>]*?)(?:/>|>.*?</(?:[\w.-]+:)?c\s*>)", re.S)
_R_ATTR = re.compile(rb"""\br\s*=\s*["']([^"']*)["']""")


def without_cells(xml: bytes, cells: set[Pos], part: str = "sheet") -> tuple[bytes, dict[Pos, bytes]]:
    """The worksheet part with ``cells`` removed (every other byte as it was), and the removed
    ``<c>`` elements by position."""
    out, last, removed = [], 0, {}
    for m in _CELL.finditer(xml):
        r = _R_ATTR.search(m.group(1))
        pos = _address(r.group(1).decode("ascii", "replace")) if r else None
        if pos in cells:
            out.append(xml[last:m.start()])
            last = m.end()
            removed[pos] = m.group(0)
    if len(removed) < len(cells):
        raise PackageError(part, "様式から離れたセルを取り除けません（セルの番地がありません）")
    out.append(xml[last:])
    return b"".join(out), removed


_BUILTIN_DATE_FORMATS = {*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)}
_NOT_CODE = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


def date_styles(styles: object | None) -> set[str]:
    """The cell style indices (``s``) whose number format shows a date or time, from the parsed
    styles part (built-in formats 14–22, 27–36, 45–47, 50–58, or a code with y m d h s)."""
    if styles is None:
        return set()
    custom = {}
    out = set()
    for el in styles.iter():
        if el.tag.endswith("}numFmt"):
            custom[el.get("numFmtId")] = el.get("formatCode") or ""
    xfs = next((el for el in styles if el.tag.endswith("}cellXfs")), None)
    for i, xf in enumerate(xfs if xfs is not None else ()):
        fid = xf.get("numFmtId") or "0"
        code = _NOT_CODE.sub("", custom.get(fid, ""))
        if (fid.isdigit() and int(fid) in _BUILTIN_DATE_FORMATS) or re.search(r"[ymdhs]", code, re.I):
            out.add(str(i))
    return out


_CHAR_REF = re.compile(r"&#(x[0-9a-fA-F]+|[0-9]+);")


def _xml_unescape(text: str) -> str:
    """XML's character and entity references (not HTML's: &#133; is U+0085, not 「…」)."""
    from xml.sax.saxutils import unescape

    def char(m: re.Match) -> str:
        code = m.group(1)
        n = int(code[1:], 16) if code[0] in "xX" else int(code)
        return chr(n) if 0 < n < 0x110000 else m.group(0)

    return unescape(_CHAR_REF.sub(char, text), {"&quot;": '"', "&apos;": "'"})


def cell_text(element: bytes, shared_strings) -> str:
    """What a removed ``<c>`` element holds, as text for a message (a shared string looked up
    through ``shared_strings(index)``)."""
    kind = re.search(rb"""\bt\s*=\s*["']([^"']*)["']""", element.split(b">", 1)[0])
    kind = kind.group(1).decode() if kind else None
    texts = re.findall(rb"<(?:[\w.-]+:)?(?:v|t)\b[^>]*>([^<]*)<", element)
    text = _xml_unescape("".join(t.decode("utf-8", "replace") for t in texts))
    if kind == "s":
        try:
            return shared_strings(int(text))
        except (ValueError, IndexError):
            return text
    return text
