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
