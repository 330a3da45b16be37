"""The workbook's worksheets: one added or removed, local defined names, the active and selected tabs.

A worksheet lives in four places: its ``<sheet>`` in ``workbook.xml`` (name, sheetId, tab order),
a relationship from the workbook, a content-type override and the part itself. Adding or
removing one keeps all four and the ``localSheetId`` of the workbook's defined names (an index
into the tab order) in step. Which tab is active lives in the workbook's first
``<workbookView>``; whether a tab is selected lives in the worksheet's own ``<sheetView>``.
"""

from __future__ import annotations

import re

from planvalidator import xmltree

from planvalidator.package import (
    CT_WORKSHEET, R, REL_WORKSHEET, WORKBOOK_ORDER, Package, insert_ordered, q, related_element,
)


def _workbook(pkg: Package):
    return pkg.xml(pkg.workbook_part)


def _book_view(pkg: Package):
    return _workbook(pkg).find(q("bookViews") + "/" + q("workbookView"))


def _sheet_view(pkg: Package, part: str):
    return pkg.xml(part).find(q("sheetViews") + "/" + q("sheetView"))


def insert_sheet(pkg: Package, name: str, index: int = 0) -> str:
    """Add a worksheet called ``name`` at tab ``index``; returns its new part name, whose
    content the caller writes (``pkg.put_xml``). Local names of the sheets after it move along."""
    wb_part = pkg.workbook_part
    wb = pkg.xml(wb_part)
    sheets_el = wb.find(q("sheets"))
    part = pkg.free_name("xl/worksheets/sheet{}.xml")
    pkg.add_override(part, CT_WORKSHEET)
    rid = pkg.add_rel(wb_part, REL_WORKSHEET, part)
    sheet_id = max((int(s.get("sheetId", 0)) for s in sheets_el), default=0) + 1
    el = related_element(wb, "sheet", rid, name=name, sheetId=str(sheet_id))
    sheets_el.insert(index, el)
    _shift_local_names(wb, index, +1)
    return part


def remove_sheet(pkg: Package, el, part: str) -> None:
    """Remove the worksheet of ``<sheet>`` element ``el`` and part ``part``: the element, its
    relationship, content type, part and the part's own relationships, and the defined names
    local to it (those of the sheets after it move back)."""
    wb_part = pkg.workbook_part
    wb = pkg.xml(wb_part)
    sheets_el = wb.find(q("sheets"))
    index = list(sheets_el).index(el)
    sheets_el.remove(el)
    pkg.drop_rel(wb_part, el.get(q("id", R)))
    pkg.drop_override(part)
    pkg.remove(part)
    if pkg.has(pkg.rels_name(part)):
        pkg.remove(pkg.rels_name(part))
    _shift_local_names(wb, index, -1)


def _shift_local_names(wb, index: int, delta: int) -> None:
    """A sheet was inserted (``delta`` +1) or removed (-1) at tab ``index``: renumber the
    ``localSheetId`` of the names after it; on removal, drop the removed sheet's own names."""
    names = wb.find(q("definedNames"))
    if names is None:
        return
    for dn in list(names):
        local = dn.get("localSheetId")
        if local is None:
            continue
        local = int(local)
        if delta < 0 and local == index:
            names.remove(dn)
        elif local >= index:
            dn.set("localSheetId", str(local + delta))


def add_local_name(pkg: Package, name: str, index: int, text: str) -> bool:
    """Add a hidden defined name local to tab ``index``, first in ``<definedNames>``; True when
    the workbook had no ``<definedNames>`` and it was created for this one."""
    wb = _workbook(pkg)
    names = wb.find(q("definedNames"))
    created = names is None
    if created:
        names = xmltree.Element(q("definedNames"))
        insert_ordered(wb, names, WORKBOOK_ORDER)
    dn = xmltree.Element(q("definedName"))
    dn.set("name", name)
    dn.set("localSheetId", str(index))
    dn.set("hidden", "1")
    dn.text = text
    names.insert(0, dn)
    return created


def drop_empty_defined_names(pkg: Package) -> None:
    """Remove ``<definedNames>`` if it has no child left."""
    wb = _workbook(pkg)
    names = wb.find(q("definedNames"))
    if names is not None and len(names) == 0:
        wb.remove(names)


def active_tab(pkg: Package) -> int | None:
    """The workbook view's ``activeTab`` (None when it has none, so the first tab is active)."""
    view = _book_view(pkg)
    return int(view.get("activeTab")) if view is not None and view.get("activeTab") else None


def set_active_tab(pkg: Package, index: int | None, *, scroll: bool = False) -> None:
    """Make tab ``index`` active (past the last tab: the last; None: drop the attribute, so the
    first is); ``scroll``: a tab bar that is scrolled starts at that tab. Nothing when the
    workbook has no view."""
    view = _book_view(pkg)
    if view is None:
        return
    if index is None:
        view.attrib.pop("activeTab", None)
        return
    index = min(int(index), len(pkg.sheets()) - 1)
    view.set("activeTab", str(index))
    if scroll and view.get("firstSheet"):
        view.set("firstSheet", str(index))


_VIEW = re.compile(rb"<(?:[\w.-]+:)?sheetView[\s/>][^>]*")
_TAB_SELECTED = re.compile(rb"""\stabSelected\s*=\s*["']([^"']*)["']""")


def tab_selected(pkg: Package, part: str) -> str | None:
    """The ``tabSelected`` attribute of a worksheet's first view, as written ("1", "true", …).

    A sheet not parsed yet whose first view plainly says it is not selected is answered from its
    bytes (deselecting the tabs would otherwise build a tree of every sheet, the largest included,
    only to leave it as it was); anything else is read from the tree."""
    if not pkg.parsed(part) and pkg.has(part):
        data = pkg.data[part]
        view = _VIEW.search(data) if b"<!--" not in data else None
        if view is not None:
            value = _TAB_SELECTED.search(view.group(0))
            if value is None or (value.group(1) not in (b"1", b"true") and b"&" not in value.group(1)):
                return None if value is None else value.group(1).decode()
    view = _sheet_view(pkg, part)
    return None if view is None else view.get("tabSelected")


def set_tab_selected(pkg: Package, part: str, value: str | None) -> None:
    """Set a sheet's tabSelected attribute to exactly ``value`` (None: no attribute)."""
    view = _sheet_view(pkg, part)
    if view is None or view.get("tabSelected") == value:
        return
    if value is None:
        view.attrib.pop("tabSelected", None)
    else:
        view.set("tabSelected", value)


def deselect_tabs(pkg: Package) -> dict[str, str]:
    """Unselect every selected tab ("1" → "0", "true" → "false"); returns {sheet name: value it had}."""
    selected = {}
    for name, _el, part in pkg.sheets():
        value = tab_selected(pkg, part)
        if value in ("1", "true"):
            selected[name] = value
            set_tab_selected(pkg, part, "0" if value == "1" else "false")
    return selected
