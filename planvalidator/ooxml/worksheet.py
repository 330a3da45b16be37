"""A new worksheet part written from scratch: properties, view, columns, rows, merges, filter, links, page.

:class:`NewWorksheet` puts each element where the schema order (CT_Worksheet) wants it,
whatever order its methods are called in; cells are written with :func:`.cells.write_cell`.
Adding the part to the workbook is :func:`.sheets.insert_sheet`'s job.
"""

from __future__ import annotations

import math
import unicodedata

from planvalidator import xmltree

from planvalidator.package import MAIN, WORKSHEET_ORDER, R, child, insert_ordered, q
from planvalidator.partxml import parse

LINE_HEIGHT = 15          # points a line of text takes at the default font size


class NewWorksheet:
    """An empty ``<worksheet>`` and the elements added to it; :attr:`root` is the part's tree."""

    def __init__(self):
        self.root = parse(f'<worksheet xmlns="{MAIN}" xmlns:r="{R}"/>'.encode())

    def _new(self, name: str, **attrs):
        """A new child element, in its schema place, with ``attrs`` (in that order)."""
        el = xmltree.Element(q(name))
        el.attrib.update({k: str(v) for k, v in attrs.items()})
        insert_ordered(self.root, el, WORKSHEET_ORDER)
        return el

    def _sub(self, name: str, parent_name: str, **attrs):
        """A new element appended to the root's ``parent_name`` (created first if need be)."""
        el = xmltree.SubElement(child(self.root, parent_name, WORKSHEET_ORDER), q(name))
        el.attrib.update({k: str(v) for k, v in attrs.items()})
        return el

    def properties(self, *, tab_color: str, fit_to_page: bool = False) -> None:
        """The tab's ARGB colour; ``fit_to_page``: printing scales to the page setup's fit."""
        pr = self._new("sheetPr")
        xmltree.SubElement(pr, q("tabColor")).set("rgb", tab_color)
        if fit_to_page:
            xmltree.SubElement(pr, q("pageSetUpPr")).set("fitToPage", "1")

    def dimension(self, ref: str) -> None:
        """The range the sheet uses ("A1:H20")."""
        self._new("dimension", ref=ref)

    def freeze_rows(self, rows: int, *, selected: bool = False) -> None:
        """The view: the first ``rows`` rows frozen, the cursor on the first cell below them;
        ``selected``: the tab is selected."""
        view = self._sub("sheetView", "sheetViews")
        if selected:
            view.set("tabSelected", "1")
        view.set("workbookViewId", "0")
        top = f"A{rows + 1}"
        xmltree.SubElement(view, q("pane")).attrib.update(
            {"ySplit": str(rows), "topLeftCell": top, "activePane": "bottomLeft", "state": "frozen"})
        xmltree.SubElement(view, q("selection")).attrib.update(
            {"pane": "bottomLeft", "activeCell": top, "sqref": top})

    def default_row_height(self, points: float) -> None:
        self._new("sheetFormatPr", defaultRowHeight=points)

    def column(self, index: int, width: float, *, hidden: bool = False) -> None:
        """Column ``index`` (1-based) ``width`` characters wide, or hidden."""
        attrs = {"min": index, "max": index, "width": width} | ({"hidden": 1} if hidden else {})
        self._sub("col", "cols", **attrs, customWidth=1)

    def row(self, number: int, height: float | None = None):
        """A new ``<row>`` (appended: rows go in order) to write cells into; ``height`` in points."""
        row = self._sub("row", "sheetData", r=number)
        if height:
            row.attrib.update({"ht": str(height), "customHeight": "1"})
        return row

    def merge(self, refs: list[str]) -> None:
        """Merge each range of ``refs`` ("A2:D2"); nothing for none."""
        if not refs:
            return
        merges = self._new("mergeCells", count=len(refs))
        for ref in refs:
            xmltree.SubElement(merges, q("mergeCell")).set("ref", ref)

    def auto_filter(self, ref: str) -> None:
        """A filter (drop-down buttons in the header row) on the table ``ref``."""
        self._new("autoFilter", ref=ref)

    def hyperlinks(self, links: list[tuple[str, str, str]]) -> None:
        """(cell, location such as 'Sheet 1'!B3, display text) links inside the workbook; nothing for none."""
        if not links:
            return
        parent = self._new("hyperlinks")
        for ref, location, display in links:
            xmltree.SubElement(parent, q("hyperlink")).attrib.update(
                {"ref": ref, "location": location, "display": display})

    def page_margins(self, *, left: float, right: float, top: float, bottom: float, header: float,
                     footer: float) -> None:
        """Print margins in inches."""
        self._new("pageMargins", left=left, right=right, top=top, bottom=bottom, header=header, footer=footer)

    def page_setup(self, **attrs) -> None:
        """``<pageSetup>`` with the given attributes (paperSize=9, orientation="landscape" …)."""
        self._new("pageSetup", **attrs)


def wrapped_row_height(texts, widths) -> float | None:
    """Row height for wrapped text (a file has no renderer to autofit it): 15 pt a line.

    ``texts``: each column's wrapped text (None or "" for a column that does not wrap), beside
    the columns' ``widths`` in characters (East Asian wide characters count two); None when
    every text fits on one line."""
    lines = 1
    for text, width in zip(texts, widths):
        if text:
            shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))
            lines = max(lines, math.ceil(shown / max(width - 2, 1)))
    return LINE_HEIGHT * lines + 2 if lines > 1 else None
