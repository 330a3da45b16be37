"""One streaming pass over a worksheet part, before any value reader sees it.

The pass (the standard library's expat: no tree, constant memory; a DTD refused by expat's own
events) tells
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
from functools import lru_cache
from operator import itemgetter

from planvalidator.address import col_number, parse_a1
from planvalidator.partxml import PackageError, expat_pass
from planvalidator.plainsheet import Split, census, plain_form, prove_well_formed
from planvalidator.patterns import lazy
from planvalidator.structs import Struct, field

Pos = tuple[int, int]
MAX_ROW, MAX_COL = 1_048_576, 16_384      # Excel's grid
# a serial this far from 1900 in a date-formatted cell makes python-calamine panic
# (「TimeDelta::milliseconds out of bounds」 at 1.0675e11 days); Excel's last date is 2,958,465
HUGE = 1e11

_address = lru_cache(maxsize=1 << 16)(parse_a1)     # the same addresses come back in every application


class SheetScan(Struct):
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
        return span(self.filled)

    def formula_chars(self) -> int:
        """The formula text this sheet amounts to once every shared formula is filled into each of
        its cells (what :func:`planvalidator.workbook.load_grid` would build), without building it."""
        masters = {si: len(text) for si, text in self.shared.values() if text}
        return (sum(len(text) for text in self.formulas.values())
                + sum(masters.get(si, 0) for si, text in self.shared.values() if not text))


def span(cells) -> int:
    """Cells in the rectangle from A1 to the last row and the last column of ``cells`` (0 for none)."""
    if not cells:
        return 0
    return max(cells)[0] * max(map(itemgetter(1), cells))


_LOCAL: dict[str, str] = {}         # tag → its name without the prefix (「x:c」 → 「c」), worked out once


def _local(tag: str) -> str:
    if len(_LOCAL) > 1000:              # a hostile part with endless distinct tags
        return tag.rpartition(":")[2]
    local = _LOCAL[tag] = tag.rpartition(":")[2]
    return local


class _Limits:
    """What one sheet may hold; a breach raises :class:`_TooMuch` with the Japanese reason."""

    def __init__(self, cells: int, merges: int):
        self.cells, self.merges = cells, merges


class _TooMuch(Exception):
    pass


class _Target:
    """expat handlers: start/end/data events → a SheetScan (tags without their prefix)."""

    def __init__(self, limits: _Limits):
        self.scan = SheetScan()
        self.limits = limits
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
                _merges(self.scan, (attrib.get("ref") or "",), self.limits)
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
        pos = self.pos
        if not isinstance(pos, tuple):
            pos = _address(pos)
            if pos is None:                         # an address that is not one: as if it had none
                self.pos = self.pos_before = None
                pos = self._unaddressed()
            self.pos = pos
        f_attrs = self.f_attrs
        _cell(self.scan, pos, self.kind, self.style, self.f_text if f_attrs is not None else None,
              (f_attrs.get("t"), f_attrs.get("si")) if f_attrs is not None else None, self.v_text,
              self.has_value, self.limits)


def _cell(scan: SheetScan, pos: Pos, kind, style, f_text, f_shared, v_text, has_value: bool, limits: _Limits):
    """Record one cell that holds something (both scans end here, so they agree by construction)."""
    if f_text is not None:
        scan.formulas[pos] = "=" + f_text
        if f_shared[0] == "shared" and f_shared[1] is not None:
            scan.shared[pos] = (f_shared[1], f_text)
    if kind == "e" and v_text:
        scan.errors[pos] = v_text.strip()
    if f_text is None and not has_value:
        return                                  # a styled empty cell: nothing to read
    if pos[0] > MAX_ROW or pos[1] > MAX_COL or pos[0] < 1:
        scan.outside_grid.append(pos)
    scan.filled.append(pos)
    if len(scan.filled) > limits.cells:
        raise _TooMuch(f"値のあるセルが {limits.cells:,} を超えます")
    if style and kind in (None, "n") and v_text and len(v_text.strip()) > 11:
        try:
            if abs(float(v_text)) >= HUGE:
                scan.huge[pos] = style
        except ValueError:
            pass


def _merges(scan: SheetScan, refs, limits: _Limits) -> None:
    """Record the merged ranges ``refs`` name (「B3:D4」 …; one that is not a range within the grid is skipped)."""
    merged = scan.merged
    for ref in refs:
        found = _merged_range(ref)
        if found is not None:
            merged.append(found)
    if len(merged) > limits.merges:
        raise _TooMuch(f"結合セルの範囲が {limits.merges:,} 個を超えます")


@lru_cache(maxsize=1 << 14)
def _merged_range(ref: str) -> tuple[int, int, int, int] | None:
    """(r1, c1, r2, c2) of a merged range's 「B3:D4」, None for one that is not a range within the grid (the same
    ranges come back in every application of a template)."""
    ends = [_address(end) for end in ref.split(":")]
    if len(ends) == 2 and None not in ends:
        (r1, c1), (r2, c2) = ends
        if 1 <= r1 <= r2 <= MAX_ROW and 1 <= c1 <= c2 <= MAX_COL:
            return r1, c1, r2, c2
    return None


# A styled empty cell (「<c r="B7" s="12"/>」 from Excel and LibreOffice, 「<c r="B7" s="12" t="n"></c>」
# from openpyxl: most cells of a template) holds nothing the scan keeps. When every cell names its
# address (so none takes its place from the one before it), they are dropped before parsing: a
# quarter of the time of a sheet, two handler calls each saved.
_EMPTY_CELL = lazy(rb'<c r="[A-Z]{1,3}[0-9]{1,7}" s="[0-9]{1,6}"(?:/>| t="n"></c>)')


def _without_empty_cells(xml: bytes, cells: int) -> bytes:
    """``cells``: the part's ``<c`` tags (:func:`census`)."""
    if b"<c>" not in xml and xml.count(b'<c r="') == cells:
        return _EMPTY_CELL.sub(b"", xml)
    return xml


def scan_sheet(xml: bytes, part: str = "sheet", *, limit_cells: int | None = None,
               plain: bool | None = None) -> SheetScan:
    """One pass over a worksheet part. Raises PackageError (a DTD, broken XML, too many cells or
    merged ranges).

    Before anything is built from it, the part's tags are counted (:func:`census`): far more cells
    than the limit, more values or formulas than the limit (each belongs to a cell that holds
    something), or more merged ranges than their limit, and it is refused at once.

    A part as spreadsheet programs write it (:func:`planvalidator.plainsheet.is_plain`: UTF-8, the
    SpreadsheetML namespace the only default one, every cell addressed, no comments or CDATA) is then
    proved well-formed, with no DTD, by expat with no handlers, at the parser's own speed, over what is
    left once its plain cells are out (:func:`~planvalidator.plainsheet.prove_well_formed`), and its cells
    and merged ranges are picked out of the bytes. Any other part is read event by event. ``plain``
    forces one way or the other (the tests compare them).

    A part in that form with no more addressed cells than the limit is split first (:class:`Split`,
    held at once only within that bound): its tags are then counted from the split, the plain
    cells by the split itself and the rest by :func:`census` (the same counts, in a third of the
    time of counting the whole part)."""
    from planvalidator import limits as budget

    limit = budget.MAX_SHEET_CELLS if limit_cells is None else limit_cells
    addressed = xml.count(b'<c r="')
    form = plain_form(xml) if plain is None else plain
    split = Split(xml) if form and addressed <= limit else None
    tags = split.census() if split is not None else census(xml)
    if tags[b"c"] > 4 * limit:                  # far too many, without parsing
        raise PackageError(part, f"セルが {limit:,} を大きく超えます")
    if max(tags[b"v"], tags[b"f"]) > limit:     # every value and formula belongs to a cell that holds something
        raise PackageError(part, f"値のあるセルが {limit:,} を超えます")
    if tags[b"mergeCell"] > budget.MAX_MERGES:
        raise PackageError(part, f"結合セルの範囲が {budget.MAX_MERGES:,} 個を超えます")
    bounds = _Limits(limit, budget.MAX_MERGES)
    try:
        if plain is None:                       # (is_plain: every cell tag is a 「<c r="」)
            plain = form and tags[b"c"] == addressed
        if plain:
            prove_well_formed(xml, part, split)
            try:
                return _scan_bytes(xml, bounds, addressed, pieces=split)
            except _NotPlain:
                pass
        return _scan_events(_without_empty_cells(xml, tags[b"c"]), part, bounds)
    except _TooMuch as exc:
        raise PackageError(part, str(exc)) from None


def _scan_events(xml: bytes, part: str, bounds: _Limits) -> SheetScan:
    target = _Target(bounds)
    expat_pass(xml, part, target)
    return target.scan


# A cell as Excel, LibreOffice and openpyxl write it: r, s and t first and in that order, then a
# formula and a value (each optional), then anything else (an inline string, an extension) up to
# the first </c>, in runs between 「<」s (as fast as a lazy 「.*?」 is slow).
_CELL_BYTES = re.compile(
    rb'<c r="([A-Z]{1,3})([0-9]{1,7})"(?: s="([0-9]*)")?(?: t="([A-Za-z]*)")?([^>]*?)'
    rb'(?:(/)>|>(<f([^>]*?)(?:/>|>([^<]*)</f\s*>))?(<v\s*(?:/>|>([^<]*)</v\s*>))?'
    rb'([^<]*(?:<(?!/c\s*>)[^<]*)*)</c\s*>)')
_ATTR = lazy(rb"""\b([ts])\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_F = lazy(rb"<f\b([^>]*?)(?:/>|>(.*?)</f\s*>)", re.S)
_V = lazy(rb"<v\b[^>]*?(?:/>|>(.*?)</v\s*>)", re.S)
_F_ATTR = re.compile(rb"""\b(t|si)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_MERGE = re.compile(rb"""<mergeCell\b[^>]*?\bref\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _text(raw: bytes | None) -> str | None:
    if raw is None:
        return None
    text = raw.decode("utf-8")
    if "\r" in text:                           # as an XML parser reads line ends
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _xml_unescape(text) if "&" in text else text


def _attrs(raw: bytes, pattern) -> dict[bytes, str]:
    return {name: (double if double or not single else single).decode("utf-8")
            for name, double, single in pattern.findall(raw)}


def _scan_bytes(xml: bytes, bounds: _Limits, cells: int, *, split: bool = True,
                pieces: Split | None = None) -> SheetScan:
    """The cells and merged ranges of a well-formed, plain part (:func:`planvalidator.plainsheet.is_plain`), from its bytes.

    The plain cells (:data:`planvalidator.plainsheet.PLAIN_CELL`) are taken out first, in one pass that keeps only the
    addresses of those holding a value; every other cell (a formula, an error, attributes or
    children in another order, a styled value long enough to be :data:`HUGE`) is then read from
    what is left by :data:`_CELL_BYTES`, through :func:`_cell` as the event scan's cells are.

    A plain cell could only be taken out of a cell around it (well-formed, not SpreadsheetML)
    inside a row inside that cell, as it is followed by a cell or a row's end: such a part is read
    again without the split (``split=False``), where a cell inside a cell is not plain. So is a
    part of more cells than the limit on filled ones (one match at a time, the pieces of a split
    being held at once). ``cells``: the part's ``<c r="`` tags (:func:`planvalidator.plainsheet.is_plain`); ``pieces``: the
    part's :class:`Split`, when :func:`scan_sheet` made it already."""
    from itertools import compress

    scan = SheetScan()
    columns: dict[bytes, int] = {}
    if split and cells <= bounds.cells:
        pieces = pieces or Split(xml)
        rest, plain, rows, held = pieces.rest, pieces.letters, pieces.rows, pieces.held
        for letters in set(plain):
            columns[letters] = col_number(letters.decode("ascii"))
        filled = list(zip(map(int, compress(rows, held)), map(columns.__getitem__, compress(plain, held))))
        # a row past MAX_ROW has 7 digits, row 0 starts with 「0」 (searched over the rows as bytes)
        if filled and (max(map(len, rows)) == 7 or min(rows)[:1] == b"0" or max(columns.values()) > MAX_COL):
            scan.outside_grid.extend(pos for pos in filled if pos[0] > MAX_ROW or pos[1] > MAX_COL or pos[0] < 1)
        scan.filled = filled
    else:
        rest, plain = xml, ()
    found = 0
    for m in _CELL_BYTES.finditer(rest):
        found += 1
        letters, digits, style, kind, others, closed, f, f_attrs, f_raw, v, v_raw, tail = m.groups()
        if closed:
            continue                                # <c r="B7" s="12"/>: styled and empty
        if tail and plain and (b"<row" in tail or b"</row" in tail):
            return _scan_bytes(xml, bounds, cells, split=False)
        if tail and (b"<f" in tail or b"<v" in tail):   # children in another order: read them one by one
            f, v = _F.search(tail) or f, _V.search(tail) or v
            if not isinstance(f, bytes) and f is not None:
                f, f_attrs, f_raw = b"<f", f.group(1), f.group(2)
            if not isinstance(v, bytes) and v is not None:
                v, v_raw = b"<v", v.group(1)
        has_value = v is not None or (tail is not None and b"<is" in tail)
        if f is None and not has_value:
            continue                                # <c r="B7" s="12" t="n"></c>: the same
        if others and b"=" in others:               # attributes in another order
            named = _attrs(b" " + others, _ATTR)
            style, kind = named.get(b"s", style), named.get(b"t", kind)
        style = style.decode("ascii") if isinstance(style, bytes) else style
        kind = kind.decode("ascii") if isinstance(kind, bytes) else kind
        f_text = f_shared = None
        if f is not None:
            f_text = _text(f_raw) or ""
            named = _attrs(f_attrs, _F_ATTR) if f_attrs else {}
            f_shared = (named.get(b"t"), named.get(b"si"))
        col = columns.get(letters)
        if col is None:
            col = columns[letters] = col_number(letters.decode("ascii"))
        _cell(scan, (int(digits), col), kind, style, f_text, f_shared,
              (_text(v_raw) or "") if v is not None else None, has_value, bounds)
    if found + len(plain) != cells:                 # a cell the patterns do not know: read it event by event
        raise _NotPlain
    if len(scan.filled) > bounds.cells:
        raise _TooMuch(f"値のあるセルが {bounds.cells:,} を超えます")
    _merges(scan, ((double or single).decode("utf-8", "replace") for double, single in _MERGE.findall(rest)), bounds)
    return scan


class _NotPlain(Exception):
    pass


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
    one is skipped rather than failing the whole sheet). The search starts at the tag holding the
    first 「mergeCells」 (a prefix holds no 「<」): in a sheet they follow the cells."""
    first = xml.find(b"mergeCells")
    if first < 0:
        return xml
    start = max(xml.rfind(b"<", 0, first), 0)
    return xml[:start] + _MERGES.sub(b"", xml[start:])


_CELL = lazy(rb"<(?:[\w.-]+:)?c\b([^>]*?)(?:/>|>.*?</(?:[\w.-]+:)?c\s*>)", re.S)
_R_ATTR = lazy(rb"""\br\s*=\s*["']([^"']*)["']""")


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
_NOT_CODE = lazy(r'"[^"]*"|\[[^\]]*\]|\\.')


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
    def char(m: re.Match) -> str:
        code = m.group(1)
        n = int(code[1:], 16) if code[0] in "xX" else int(code)
        return chr(n) if 0 < n < 0x110000 else m.group(0)

    # (xml.sax.saxutils.unescape's replacements, in its order, without its import of urllib, http and ssl)
    text = _CHAR_REF.sub(char, text)
    for entity, value in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&")):
        text = text.replace(entity, value)
    return text


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
