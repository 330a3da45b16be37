"""What a template workbook is made of: per sheet its labels, formulas, input cells, data
validations, merged ranges and protection, plus the workbook's defined names.

``snapshot(path)`` reads the workbook with openpyxl (the full model, not read-only: data
validations, merges and protection live there) and keeps plain data, so that two versions of
the official form can be compared (``planvalidator.template.diff``) or written out as JSON.
Protected ranges (``<protectedRanges>``), which openpyxl does not read, come from the sheet XML.
"""

from __future__ import annotations

import datetime as _dt
import re
import zipfile
from pathlib import Path, PurePosixPath

from planvalidator.structs import Struct, asdict, field

MAX_BYTES = 20 * 1024 * 1024
MAX_LIST_ITEMS = 1000
__all__ = ["snapshot", "TemplateSnapshot", "SheetSnapshot", "Validation", "ProtectedRange",
           "TemplateTooLarge", "list_items", "MAX_BYTES", "INPUT_COLOURS"]
INPUT_COLOURS = frozenset({"FFF2CC"})     # the form's light yellow input fill (theme accent 4, 80 %)


class Validation(Struct):
    """One data validation (``<dataValidation>``)."""
    type: str | None                  # list, whole, decimal, date, textLength, custom… (None: any value)
    sqref: str                        # the ranges it applies to, as written: "D25 D29:D30"
    formula1: str | None = None
    formula2: str | None = None
    operator: str | None = None
    items: list[str] | None = None    # list validations: the choices (literal list or the cells it names)
    allow_blank: bool = False


class ProtectedRange(Struct):
    name: str
    sqref: str


class SheetSnapshot(Struct):
    name: str
    index: int
    state: str                                                   # visible, hidden, veryHidden
    max_row: int
    max_column: int
    labels: dict[str, str] = field(default_factory=dict)         # address → text (str cells, no formula)
    values: dict[str, object] = field(default_factory=dict)      # address → number / bool / ISO date
    formulas: dict[str, str] = field(default_factory=dict)       # address → "=…"
    inputs: list[str] = field(default_factory=list)              # addresses filled with the input colour
    validations: list[Validation] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)              # "B2:N2"
    protected: bool = False
    unlocked: list[str] = field(default_factory=list)            # cells whose protection is not locked
    protected_ranges: list[ProtectedRange] = field(default_factory=list)
    defined_names: dict[str, str] = field(default_factory=dict)  # sheet-local names → value

    def to_dict(self) -> dict:
        return asdict(self)


class TemplateSnapshot(Struct):
    path: str
    sheets: list[SheetSnapshot]
    defined_names: dict[str, str] = field(default_factory=dict)  # workbook-level names → value

    def sheet(self, name: str) -> SheetSnapshot | None:
        return next((s for s in self.sheets if s.name == name), None)

    @property
    def sheet_names(self) -> list[str]:
        return [s.name for s in self.sheets]

    def to_dict(self) -> dict:
        return asdict(self)


class TemplateTooLarge(ValueError):
    pass


def _colour(fill) -> str | None:
    if fill is None or fill.fill_type != "solid":
        return None
    colour = fill.fgColor
    if colour is None or colour.type != "rgb" or not isinstance(colour.rgb, str):
        return None
    return colour.rgb[-6:].upper()


def _plain(value):
    if isinstance(value, bool) or isinstance(value, (int, float)):
        return value
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, _dt.timedelta):
        return value.total_seconds()
    return str(value)


def _formula_text(value) -> str | None:
    """The formula of a cell value (plain "=…", array or data-table formula), or None."""
    if isinstance(value, str):
        return value if value.startswith("=") and len(value) > 1 else None
    text = getattr(value, "text", None)            # openpyxl ArrayFormula
    if isinstance(text, str):
        return text if text.startswith("=") else "=" + text
    if type(value).__name__ == "DataTableFormula":
        return "=TABLE()"
    return None


def list_items(formula1: str | None, book=None, sheet=None) -> list[str] | None:
    """The choices of a list validation: a literal ``"A,B,C"`` list, or the cells of a
    range/name it refers to (at most MAX_LIST_ITEMS)."""
    if formula1 is None:
        return None
    text = formula1.strip()
    if text.startswith("="):
        text = text[1:]
    if len(text) >= 2 and text.startswith('"') and text.endswith('"'):
        inner = text[1:-1].replace('""', '"')
        return [item for item in inner.split(",")]
    if book is None:
        return None
    return _range_values(text, book, sheet)


def _range_values(text: str, book, sheet) -> list[str] | None:
    from openpyxl.utils.cell import range_boundaries

    target_sheet, ref = sheet, text
    names = book.defined_names
    if text in names:
        dest = list(names[text].destinations)
        if len(dest) != 1:
            return None
        sheet_name, ref = dest[0]
        target_sheet = book[sheet_name] if sheet_name in book.sheetnames else None
    elif "!" in text:
        sheet_name, ref = text.rsplit("!", 1)
        sheet_name = sheet_name.strip("'").replace("''", "'")
        target_sheet = book[sheet_name] if sheet_name in book.sheetnames else None
    if target_sheet is None:
        return None
    try:
        c1, r1, c2, r2 = range_boundaries(ref.replace("$", ""))
    except (ValueError, TypeError):
        return None
    if None in (c1, r1, c2, r2) or (r2 - r1 + 1) * (c2 - c1 + 1) > MAX_LIST_ITEMS:
        return None
    out = []
    for row in target_sheet.iter_rows(min_row=r1, max_row=r2, min_col=c1, max_col=c2, values_only=True):
        out.extend("" if v is None else str(v) for v in row)
    while out and out[-1] == "":
        out.pop()
    return out


_PROTECTED_RANGE = re.compile(rb"<(?:\w+:)?protectedRange\b([^>]*)/?>")
_ATTR = re.compile(rb'(\w+)="([^"]*)"')


def _xml_unescape(text: str) -> str:
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&apos;", "'").replace("&amp;", "&"))


def _protected_ranges(path: Path) -> dict[str, list[ProtectedRange]]:
    """Sheet name → its ``<protectedRange>`` elements (openpyxl drops them)."""
    out: dict[str, list[ProtectedRange]] = {}
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
                return out
            rels = {}
            for attrs in re.findall(rb"<Relationship\b([^>]*)/?>", zf.read("xl/_rels/workbook.xml.rels")):
                a = dict(_ATTR.findall(attrs))
                if b"Id" in a and b"Target" in a:
                    rels[a[b"Id"].decode()] = a[b"Target"].decode()
            for attrs in re.findall(rb"<(?:\w+:)?sheet\b([^>]*)/?>", zf.read("xl/workbook.xml")):
                a = {k.split(b":")[-1]: v for k, v in re.findall(rb'([\w:]+)="([^"]*)"', attrs)}
                target = rels.get(a.get(b"id", b"").decode())
                if not target or b"name" not in a:
                    continue
                part = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
                if part not in names or zf.getinfo(part).file_size > 8 * MAX_BYTES:
                    continue
                xml = zf.read(part)
                if b"protectedRange" not in xml:
                    continue
                ranges = []
                for found in _PROTECTED_RANGE.findall(xml):
                    r = dict(_ATTR.findall(found))
                    ranges.append(ProtectedRange(_xml_unescape(r.get(b"name", b"").decode()),
                                                 r.get(b"sqref", b"").decode()))
                out[_xml_unescape(a[b"name"].decode())] = ranges
    except (zipfile.BadZipFile, KeyError, OSError):
        return out
    return out


def _name_value(defined) -> str:
    value = defined.attr_text or ""
    return value if value.startswith("=") else "=" + value


def snapshot(path, *, input_colours=INPUT_COLOURS) -> TemplateSnapshot:
    """What the workbook at ``path`` is made of (sheets in order). Refuses files over 20 MB."""
    import openpyxl
    from openpyxl.utils.cell import get_column_letter

    path = Path(path)
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise TemplateTooLarge(f"{path.name}: {size:,} バイトは大きすぎます（上限 {MAX_BYTES:,} バイト）")
    try:
        with zipfile.ZipFile(path) as zf:
            unpacked = sum(info.file_size for info in zf.infolist())
    except zipfile.BadZipFile:
        unpacked = 0                   # openpyxl says what is wrong with it
    if unpacked > 10 * MAX_BYTES:
        raise TemplateTooLarge(f"{path.name}: 展開すると {unpacked:,} バイトになり、大きすぎます")
    book = openpyxl.load_workbook(path, data_only=False, keep_links=False)
    colours = {c.upper()[-6:] for c in input_colours}
    protected_ranges = _protected_ranges(path)
    sheets = []
    for index, ws in enumerate(book.worksheets):
        snap = SheetSnapshot(name=ws.title, index=index, state=ws.sheet_state,
                             max_row=ws.max_row, max_column=ws.max_column,
                             protected=bool(ws.protection.sheet))
        cells = sorted(ws._cells.values(), key=lambda c: (c.row, c.column))
        letters: dict[int, str] = {}
        for cell in cells:
            col = letters.get(cell.column)
            if col is None:
                col = letters[cell.column] = get_column_letter(cell.column)
            address = f"{col}{cell.row}"
            value = cell.value
            if value is not None:
                formula = _formula_text(value)
                if formula is not None:
                    snap.formulas[address] = formula
                elif isinstance(value, str):
                    if value.strip():
                        snap.labels[address] = value
                else:
                    snap.values[address] = _plain(value)
            if cell.has_style:
                if _colour(cell.fill) in colours:
                    snap.inputs.append(address)
                if snap.protected and not cell.protection.locked:
                    snap.unlocked.append(address)
        for dv in ws.data_validations.dataValidation:
            items = list_items(dv.formula1, book, ws) if dv.type == "list" else None
            snap.validations.append(Validation(
                type=dv.type, sqref=str(dv.sqref), formula1=dv.formula1, formula2=dv.formula2,
                operator=dv.operator, items=items, allow_blank=bool(dv.allow_blank)))
        snap.merged = sorted((str(r) for r in ws.merged_cells.ranges), key=_range_key)
        snap.protected_ranges = protected_ranges.get(ws.title, [])
        snap.defined_names = {name: _name_value(d) for name, d in sorted(ws.defined_names.items())}
        sheets.append(snap)
    names = {name: _name_value(d) for name, d in sorted(book.defined_names.items())}
    book.close()
    return TemplateSnapshot(path=str(path), sheets=sheets, defined_names=names)


def _range_key(text: str):
    from openpyxl.utils.cell import range_boundaries
    c1, r1, c2, r2 = range_boundaries(text)
    return (r1 or 0, c1 or 0, r2 or 0, c2 or 0)
