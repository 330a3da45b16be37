"""Conditional formats of a worksheet: expression rules added, or removed by a text in their formula.

A rule's look is a differential format of ``styles.xml`` (see :meth:`.styles.Styles.dxf`); the
cells' own styles are not touched.
"""

from __future__ import annotations

from planvalidator import xmltree

from planvalidator.findings import cell_key
from planvalidator.package import WORKSHEET_ORDER, insert_ordered, q


def last_priority(ws) -> int:
    """The highest ``priority`` of the worksheet's rules (0 when it has none): new rules go after it."""
    return max((int(r.get("priority", 0)) for r in ws.iter(q("cfRule"))), default=0)


def add_expression_format(ws, cells, dxf_id: int, priority: int, formula: str) -> None:
    """Give ``cells`` (A1 addresses, duplicates allowed) the differential format ``dxf_id`` while
    ``formula`` (without "=") is true."""
    cf = xmltree.Element(q("conditionalFormatting"))
    cf.set("sqref", " ".join(sorted(set(cells), key=cell_key)))
    rule = xmltree.SubElement(cf, q("cfRule"))
    rule.set("type", "expression")
    rule.set("dxfId", str(dxf_id))
    rule.set("priority", str(priority))
    xmltree.SubElement(rule, q("formula")).text = formula
    insert_ordered(ws, cf, WORKSHEET_ORDER)


def remove_formats(ws, mark: str) -> None:
    """Remove each ``<conditionalFormatting>`` that has a formula containing ``mark``."""
    for cf in ws.findall(q("conditionalFormatting")):
        if any(mark in (f.text or "") for f in cf.iter(q("formula"))):
            ws.remove(cf)
