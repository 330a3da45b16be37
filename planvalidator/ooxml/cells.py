"""One worksheet cell (``<c>``) as XML: written with a value and a style, or read back as text.

A written string is an inline string (``t="inlineStr"``), so a new sheet needs no shared string
table; reading follows a shared string (``t="s"``) into the workbook's table.
"""

from __future__ import annotations

from collections.abc import Iterator

from planvalidator import xmltree

from planvalidator.package import Package, q

XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"      # xml:space="preserve" keeps a text's spaces
REL_SHARED_STRINGS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def write_cell(row, ref: str, style: int, value) -> None:
    """Append cell ``ref`` to ``<row>`` with cell format ``style`` and ``value`` (None or "": styled, empty).

    Numbers are written as numbers (whole floats without ".0"), booleans as はい / いいえ, anything
    else as its text."""
    c = xmltree.SubElement(row, q("c"))
    c.set("r", ref)
    c.set("s", str(style))
    if value is None or value == "":
        return
    if isinstance(value, bool):
        value = "はい" if value else "いいえ"
    if isinstance(value, (int, float)):
        xmltree.SubElement(c, q("v")).text = repr(int(value)) if float(value).is_integer() else repr(value)
        return
    c.set("t", "inlineStr")
    t = xmltree.SubElement(xmltree.SubElement(c, q("is")), q("t"))
    text = str(value)
    t.text = text
    if text != text.strip() or "\n" in text:
        t.set(XML_SPACE, "preserve")


def cell_texts(pkg: Package, ws) -> Iterator[str]:
    """The text of every cell of the worksheet tree ``ws`` that holds one, in document order.

    Inline strings are joined from their runs, shared strings looked up (the table is read at the
    first cell that needs it), other values given as written; a cell without a value is skipped."""
    strings = None
    for c in ws.iter(q("c")):
        kind = c.get("t")
        if kind == "inlineStr":
            yield "".join(t.text or "" for t in c.iter(q("t")))
            continue
        v = c.find(q("v"))
        if v is None or v.text is None:
            continue
        if kind != "s":
            yield v.text
            continue
        if strings is None:
            strings = shared_strings(pkg)
        i = int(v.text)
        if i < len(strings):
            yield strings[i]


def shared_strings(pkg: Package) -> list[str]:
    """The workbook's shared string table as plain text (runs joined); [] when it has none."""
    rels = pkg.related(pkg.workbook_part, REL_SHARED_STRINGS)
    if not rels:
        return []
    root = pkg.xml(rels[0][1])
    return ["".join(t.text or "" for t in si.iter(q("t"))) for si in root.findall(q("si"))]


def find_cell(ws, ref: str, *, create: bool = False):
    """The ``<c>`` of ``ref`` in the worksheet tree ``ws`` (None if it has none and not ``create``); a new one
    goes where the row and column order puts it, its row created too."""
    from planvalidator.address import parse_a1
    from planvalidator.package import WORKSHEET_ORDER, child

    row_no, col_no = parse_a1(ref)
    data = child(ws, "sheetData", WORKSHEET_ORDER, create=create)
    if data is None:
        return None
    row = None
    for i, r in enumerate(data.findall(q("row"))):
        n = int(r.get("r") or i + 1)
        if n == row_no:
            row = r
            break
        if n > row_no:
            if not create:
                return None
            row = xmltree.Element(q("row"))
            row.set("r", str(row_no))
            data.insert(list(data).index(r), row)
            break
    if row is None:
        if not create:
            return None
        row = xmltree.SubElement(data, q("row"))
        row.set("r", str(row_no))
    for c in row.findall(q("c")):
        at = parse_a1(c.get("r") or "")
        if at == (row_no, col_no):
            return c
        if at and at[1] > col_no:
            if not create:
                return None
            new = xmltree.Element(q("c"))
            new.set("r", ref)
            row.insert(list(row).index(c), new)
            return new
    if not create:
        return None
    new = xmltree.SubElement(row, q("c"))
    new.set("r", ref)
    return new


def is_shared_master(c) -> bool:
    """Whether the cell holds a shared formula other cells take theirs from (rewriting it would change them)."""
    f = c.find(q("f"))
    return f is not None and f.get("t") == "shared" and f.get("ref") is not None


def set_content(c, *, value=None, formula: str | None = None) -> None:
    """Give ``<c>`` a new value or formula (「=G6*I6」, written without a cached result so that it is
    computed), keeping its cell format; a number is written as a number, anything else as an inline string."""
    for tag in ("f", "v", "is"):
        for el in c.findall(q(tag)):
            c.remove(el)
    c.attrib.pop("t", None)
    if formula is not None:
        xmltree.SubElement(c, q("f")).text = formula[1:] if formula.startswith("=") else formula
        return
    if value is None or value == "":
        return
    if isinstance(value, bool):
        c.set("t", "b")
        xmltree.SubElement(c, q("v")).text = "1" if value else "0"
        return
    if isinstance(value, (int, float)):
        xmltree.SubElement(c, q("v")).text = repr(int(value)) if float(value).is_integer() else repr(value)
        return
    c.set("t", "inlineStr")
    t = xmltree.SubElement(xmltree.SubElement(c, q("is")), q("t"))
    t.text = str(value)
    if t.text != t.text.strip() or "\n" in t.text:
        t.set(XML_SPACE, "preserve")


def drop_cached(c) -> bool:
    """Remove the saved result of a formula cell (so that a spreadsheet computes it again); False: no formula."""
    if c.find(q("f")) is None:
        return False
    saved = [v for v in c.findall(q("v")) if v.text]
    for v in saved:                    # (an empty <v/>, as openpyxl writes, is no result: left as it is)
        c.remove(v)
    if saved and c.get("t") in ("str", "e", "b", "n"):
        c.attrib.pop("t", None)
    return True
