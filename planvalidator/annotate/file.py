"""The file backend of the annotation interface: an .xlsx / .xlsm edited part by part.

- **Highlights** are conditional formats (an always-true rule with a fill) on the cells, not
  changes to the cells' own styles: the applicant's formatting stays exactly as it was, and
  clearing removes our rules, recognised by their formula 「"planvalidator:…"<>""」.
- **Notes** are cell comments written by the author ``planvalidator``. A cell that already has
  the applicant's note keeps it; ours is appended after a 【planvalidator】 line and removed
  from there on when cleared. Cells with a threaded comment (modern Excel) are left alone:
  their finding is still highlighted and listed on the results sheet.
- **The results sheet** is a new worksheet part, first and active; removing it restores the
  active sheet recorded in its hidden state cell.

Everything else in the package is written back byte for byte (see :mod:`.package`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from lxml import etree

from planvalidator.package import (
    CT_COMMENTS, CT_VML, CT_WORKSHEET, MAIN, R, REL_COMMENTS, REL_THREADED, REL_VML, REL_WORKSHEET,
    STYLESHEET_ORDER, WORKBOOK_ORDER, WORKSHEET_ORDER, Package, child, insert_ordered, parse, q,
)
from planvalidator.annotate.results import (
    HIGHLIGHT_MARK, MARKER, ROLE_STYLE, SEVERITY_RGB, TITLE, ResultsSheet, highlight_formula,
)
from planvalidator.findings import cell_key as _rc
from planvalidator.workbook import a1, col_letter

AUTHOR = "planvalidator"
COLORS = {severity: "FF" + rgb for severity, rgb in SEVERITY_RGB.items()}   # ARGB, as styles.xml has them
_NUMBER_FORMATS = {"#,##0": 3}                                             # built-in number format ids


def _c14n(el) -> bytes:
    return etree.tostring(el, method="c14n")


class Styles:
    """styles.xml: find-or-add fonts, fills, borders, cell formats and differential formats."""

    def __init__(self, pkg: Package):
        self.pkg = pkg
        self.name = "xl/styles.xml"
        self.root = pkg.xml(self.name)

    def _list(self, name: str):
        el = child(self.root, name, STYLESHEET_ORDER)
        return el

    def _find_or_add(self, list_name: str, element) -> int:
        parent = self._list(list_name)
        key = _c14n(element)
        for i, existing in enumerate(e for e in parent if isinstance(e.tag, str)):
            if _c14n(existing) == key:
                return i
        parent.append(element)
        parent.set("count", str(sum(1 for e in parent if isinstance(e.tag, str))))
        return int(parent.get("count")) - 1

    @staticmethod
    def _el(xml: str):
        return parse(f'<x xmlns="{MAIN}">{xml}</x>'.encode())[0]

    def dxf(self, rgb: str) -> int:
        return self._find_or_add("dxfs", self._el(
            f'<dxf><fill><patternFill patternType="solid"><fgColor rgb="{rgb}"/><bgColor rgb="{rgb}"/>'
            f'</patternFill></fill></dxf>'))

    def base_font(self) -> tuple[str, str]:
        font = self._list("fonts").find(q("font"))
        name = font.find(q("name")) if font is not None else None
        size = font.find(q("sz")) if font is not None else None
        return (name.get("val") if name is not None else "Calibri", size.get("val") if size is not None else "11")

    def font(self, *, bold=False, size=None, color=None, underline=False) -> int:
        name, base_size = self.base_font()
        parts = ("<b/>" if bold else "") + ("<u/>" if underline else "") + f'<sz val="{size or base_size}"/>'
        parts += f'<color rgb="{color}"/>' if color else ""
        parts += f'<name val="{name}"/>'
        return self._find_or_add("fonts", self._el(f"<font>{parts}</font>"))

    def fill(self, rgb: str | None) -> int:
        if rgb is None:
            return 0
        return self._find_or_add("fills", self._el(
            f'<fill><patternFill patternType="solid"><fgColor rgb="{rgb}"/><bgColor indexed="64"/></patternFill></fill>'))

    def border(self) -> int:
        side = '<{0} style="thin"><color rgb="FFBFBFBF"/></{0}>'
        return self._find_or_add("borders", self._el(
            "<border>" + "".join(side.format(s) for s in ("left", "right", "top", "bottom")) + "<diagonal/></border>"))

    def xf(self, *, font: int, fill: int = 0, border: int = 0, num_fmt: int = 0, wrap=False,
           vertical="top") -> int:
        attrs = (f'numFmtId="{num_fmt}" fontId="{font}" fillId="{fill}" borderId="{border}" xfId="0" '
                 f'applyNumberFormat="1" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1"')
        align = f'<alignment vertical="{vertical}"' + (' wrapText="1"' if wrap else "") + "/>"
        return self._find_or_add("cellXfs", self._el(f"<xf {attrs}>{align}</xf>"))


class FileAnnotator:
    """Annotates a workbook file; :meth:`save` writes the result (the input is only read)."""

    def __init__(self, path: str | Path):
        self.pkg = Package(path)
        self.styles = Styles(self.pkg)
        self._highlights: dict[str, dict[str, list[str]]] = {}   # sheet -> severity -> cells
        self._notes: dict[str, dict[str, str]] = {}              # sheet -> cell -> text
        self.skipped_notes: list[tuple[str, str]] = []           # cells with a threaded comment

    # --- the interface ---------------------------------------------------------------
    def clear(self) -> None:
        self._remove_results_sheet()
        for name, _el, part in self.pkg.sheets():
            self._clear_highlights(part)
            SheetComments(self.pkg, part).strip_ours()

    def highlight(self, sheet: str, cell: str, severity: str) -> None:
        self._highlights.setdefault(sheet, {}).setdefault(severity, []).append(cell)

    def note(self, sheet: str, cell: str, text: str) -> None:
        self._notes.setdefault(sheet, {})[cell] = text

    def write_results(self, results: ResultsSheet) -> None:
        self._results = results

    def save(self, target: str | Path) -> None:
        for sheet, by_severity in self._highlights.items():
            part = self.pkg.sheet_part(sheet)
            if part:
                self._write_highlights(part, by_severity)
        for sheet, notes in self._notes.items():
            part = self.pkg.sheet_part(sheet)
            if part:
                comments = SheetComments(self.pkg, part)
                for cell, text in notes.items():
                    if not comments.add(cell, text):
                        self.skipped_notes.append((sheet, cell))
                comments.save()
        if getattr(self, "_results", None) is not None:
            self._add_results_sheet(self._results)
        self.pkg.save(target)

    # --- highlights as conditional formats ------------------------------------------------
    def _clear_highlights(self, part: str) -> None:
        ws = self.pkg.xml(part) if self.pkg.has(part) else None
        if ws is None:
            return
        for cf in ws.findall(q("conditionalFormatting")):
            if any(HIGHLIGHT_MARK in (f.text or "") for f in cf.iter(q("formula"))):
                ws.remove(cf)

    def _write_highlights(self, part: str, by_severity: dict[str, list[str]]) -> None:
        ws = self.pkg.xml(part)
        priorities = [int(r.get("priority", 0)) for r in ws.iter(q("cfRule"))]
        priority = max(priorities, default=0)
        for severity in ("error", "warning", "info"):
            cells = by_severity.get(severity)
            if not cells:
                continue
            priority += 1
            cf = etree.Element(q("conditionalFormatting"))
            cf.set("sqref", " ".join(sorted(set(cells), key=_rc)))
            rule = etree.SubElement(cf, q("cfRule"))
            rule.set("type", "expression")
            rule.set("dxfId", str(self.styles.dxf(COLORS[severity])))
            rule.set("priority", str(priority))
            etree.SubElement(rule, q("formula")).text = highlight_formula(severity)
            insert_ordered(ws, cf, WORKSHEET_ORDER)

    # --- the results sheet ----------------------------------------------------------------
    def _results_entry(self):
        """Our results sheet: named チェック結果 and carrying our title (an applicant's own sheet of
        that name is never touched)."""
        from planvalidator.annotate import RESULTS_SHEET, RESULTS_SHEET_ALT
        for name, el, part in self.pkg.sheets():
            if name in (RESULTS_SHEET, RESULTS_SHEET_ALT) and self._is_ours(part):
                return name, el, part
        return None

    def _is_ours(self, part: str) -> bool:
        for c in self.pkg.xml(part).iter(q("c")):
            text = _cell_text(self.pkg, c)
            if text and (text == TITLE or text.startswith("planvalidator-state:")):
                return True
        return False

    def _remove_results_sheet(self) -> None:
        entry = self._results_entry()
        if entry is None:
            return
        _name, el, part = entry
        state = self._read_state(part)
        wb_part = self.pkg.workbook_part
        wb = self.pkg.xml(wb_part)
        index = list(wb.find(q("sheets"))).index(el)
        el.getparent().remove(el)
        self.pkg.drop_rel(wb_part, el.get(q("id", R)))
        self.pkg.drop_override(part)
        self.pkg.remove(part)
        if self.pkg.has(self.pkg.rels_name(part)):
            self.pkg.remove(self.pkg.rels_name(part))
        names = self._shift_local_names(wb, index, -1)
        if names is not None and len(names) == 0 and state.get("created_names"):
            wb.remove(names)
        view = wb.find(q("bookViews") + "/" + q("workbookView"))
        sheets = self.pkg.sheets()
        if view is not None:
            active = state.get("activeTab")
            if active is None:
                view.attrib.pop("activeTab", None)
            else:
                view.set("activeTab", str(min(int(active), len(sheets) - 1)))
        for name, _el, p in sheets:
            if name in state.get("selected", {}):
                self._set_tab_selected(p, state["selected"][name])

    def _shift_local_names(self, wb, index: int, delta: int) -> None:
        names = wb.find(q("definedNames"))
        if names is None:
            return
        for dn in list(names):
            local = dn.get("localSheetId")
            if local is None:
                continue
            local = int(local)
            if delta < 0 and local == index:
                names.remove(dn)              # a name of the removed sheet (our filter range)
            elif local >= index:
                dn.set("localSheetId", str(local + delta))
        return names

    def _tab_selected(self, part: str) -> str | None:
        view = self.pkg.xml(part).find(q("sheetViews") + "/" + q("sheetView"))
        return None if view is None else view.get("tabSelected")

    def _set_tab_selected(self, part: str, value: str | None) -> None:
        """Set a sheet's tabSelected attribute to exactly ``value`` (None: no attribute)."""
        view = self.pkg.xml(part).find(q("sheetViews") + "/" + q("sheetView"))
        if view is None or view.get("tabSelected") == value:
            return
        if value is None:
            view.attrib.pop("tabSelected", None)
        else:
            view.set("tabSelected", value)

    def _read_state(self, part: str) -> dict:
        ws = self.pkg.xml(part)
        for c in ws.iter(q("c")):
            text = _cell_text(self.pkg, c)
            if text and text.startswith("planvalidator-state:"):
                try:
                    return json.loads(text.split(":", 1)[1])
                except ValueError:
                    return {}
        return {}

    def _add_results_sheet(self, results: ResultsSheet) -> None:
        from planvalidator.annotate import RESULTS_SHEET, RESULTS_SHEET_ALT

        pkg = self.pkg
        wb_part = pkg.workbook_part
        wb = pkg.xml(wb_part)
        sheets_el = wb.find(q("sheets"))
        view = wb.find(q("bookViews") + "/" + q("workbookView"))
        state = {
            "activeTab": int(view.get("activeTab")) if view is not None and view.get("activeTab") else None,
            "selected": {n: self._tab_selected(p) for n, _el, p in pkg.sheets()
                         if self._tab_selected(p) in ("1", "true")},
        }
        for p in (p for _n, _el, p in pkg.sheets()):
            value = self._tab_selected(p)
            if value in ("1", "true"):
                self._set_tab_selected(p, "0" if value == "1" else "false")
        part = pkg.free_name("xl/worksheets/sheet{}.xml")
        pkg.add_override(part, CT_WORKSHEET)
        rid = pkg.add_rel(wb_part, REL_WORKSHEET, part)
        sheet_id = max((int(s.get("sheetId", 0)) for s in sheets_el), default=0) + 1
        taken = {n for n, _el, _p in pkg.sheets()}
        name = RESULTS_SHEET if RESULTS_SHEET not in taken else RESULTS_SHEET_ALT
        results.name = name
        el = etree.Element(q("sheet"))
        el.set("name", name)
        el.set("sheetId", str(sheet_id))
        el.set(q("id", R), rid)
        sheets_el.insert(0, el)
        self._shift_local_names(wb, 0, +1)
        names = wb.find(q("definedNames"))
        state["created_names"] = names is None
        if names is None:
            names = etree.Element(q("definedNames"))
            insert_ordered(wb, names, WORKBOOK_ORDER)
        dn = etree.Element(q("definedName"))
        dn.set("name", "_xlnm._FilterDatabase")
        dn.set("localSheetId", "0")
        dn.set("hidden", "1")
        dn.text = (f"'{name}'!$A${results.table_header}:${col_letter(results.columns)}"
                   f"${results.table_last}")
        names.insert(0, dn)
        if view is not None:
            view.set("activeTab", "0")
            if view.get("firstSheet"):
                view.set("firstSheet", "0")
        pkg.put_xml(part, self._results_xml(results, state))

    def _results_xml(self, results: ResultsSheet, state: dict):
        st = self.styles
        border = st.border()

        def xf(style: dict, role: str) -> int:
            color = style.get("color")
            font = st.font(bold=style.get("bold", False), size=str(style["size"]) if "size" in style else None,
                           color="FF" + color if color else None, underline=style.get("underline", False))
            fill = st.fill("FF" + style["fill"]) if "fill" in style else 0
            return st.xf(font=font, fill=fill, border=0 if role == "title" else border,
                         num_fmt=_NUMBER_FORMATS.get(style.get("number_format"), 0), wrap=style.get("wrap", False),
                         vertical="center" if role in ("title", "header") else "top")
        roles = {role: xf(style, role) for role, style in ROLE_STYLE.items()}
        last_col = col_letter(results.columns)
        state_col = results.columns + 2
        ws = parse(f'<worksheet xmlns="{MAIN}" xmlns:r="{R}"/>'.encode())
        pr = etree.SubElement(ws, q("sheetPr"))
        etree.SubElement(pr, q("tabColor")).set("rgb", "FFC00000")
        etree.SubElement(pr, q("pageSetUpPr")).set("fitToPage", "1")
        etree.SubElement(ws, q("dimension")).set("ref", f"A1:{col_letter(state_col)}{len(results.rows)}")
        views = etree.SubElement(ws, q("sheetViews"))
        sv = etree.SubElement(views, q("sheetView"))
        sv.set("tabSelected", "1")
        sv.set("workbookViewId", "0")
        top = f"A{results.table_header + 1}"
        pane = etree.SubElement(sv, q("pane"))
        pane.attrib.update({"ySplit": str(results.table_header), "topLeftCell": top, "activePane": "bottomLeft",
                            "state": "frozen"})
        sel = etree.SubElement(sv, q("selection"))
        sel.attrib.update({"pane": "bottomLeft", "activeCell": top, "sqref": top})
        etree.SubElement(ws, q("sheetFormatPr")).set("defaultRowHeight", "15")
        cols = etree.SubElement(ws, q("cols"))
        for i, width in enumerate(results.widths, start=1):
            col = etree.SubElement(cols, q("col"))
            col.attrib.update({"min": str(i), "max": str(i), "width": str(width), "customWidth": "1"})
        col = etree.SubElement(cols, q("col"))
        col.attrib.update({"min": str(state_col), "max": str(state_col), "width": "10", "hidden": "1",
                           "customWidth": "1"})
        data = etree.SubElement(ws, q("sheetData"))
        merges, links = [], []
        for r, cells in enumerate(results.rows, start=1):
            row = etree.SubElement(data, q("row"))
            row.set("r", str(r))
            height = 24 if r == 1 else _wrapped_height(cells, results.widths)
            if height:
                row.attrib.update({"ht": str(height), "customHeight": "1"})
            col_no = 1
            for cell in cells:
                if cell.role == "label":
                    for c in range(col_no, col_no + 4):
                        _cell(row, a1(r, c), roles["label"], cell.value if c == col_no else None)
                    merges.append(f"{a1(r, col_no)}:{a1(r, col_no + 3)}")
                    col_no += 4
                    continue
                _cell(row, a1(r, col_no), roles.get(cell.role, roles["text"]), cell.value)
                if cell.link:
                    links.append((a1(r, col_no), cell.link, str(cell.value)))
                col_no += 1
            if r == 1:
                _cell(row, a1(1, state_col), roles["muted"], "planvalidator-state:" + json.dumps(state, ensure_ascii=False))
        if merges:
            mc = etree.SubElement(ws, q("mergeCells"))
            mc.set("count", str(len(merges)))
            for ref in merges:
                etree.SubElement(mc, q("mergeCell")).set("ref", ref)
        af = etree.Element(q("autoFilter"))
        af.set("ref", f"A{results.table_header}:{last_col}{results.table_last}")
        insert_ordered(ws, af, WORKSHEET_ORDER)
        if links:
            hl = etree.SubElement(ws, q("hyperlinks"))
            for ref, (sheet, cell), display in links:
                link = etree.SubElement(hl, q("hyperlink"))
                link.attrib.update({"ref": ref, "location": f"'{sheet}'!{cell}", "display": display})
        margins = etree.SubElement(ws, q("pageMargins"))
        margins.attrib.update({"left": "0.4", "right": "0.4", "top": "0.5", "bottom": "0.5", "header": "0.3",
                               "footer": "0.3"})
        setup = etree.SubElement(ws, q("pageSetup"))
        setup.attrib.update({"paperSize": "9", "orientation": "landscape", "fitToWidth": "1", "fitToHeight": "0"})
        return ws


def _wrapped_height(cells, widths) -> float | None:
    """Row height for wrapped text (a file has no renderer to autofit it): 15 pt a line."""
    import math
    import unicodedata

    lines = 1
    for cell, width in zip(cells, widths):
        if cell.role == "wrap" and cell.value:
            shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(cell.value))
            lines = max(lines, math.ceil(shown / max(width - 2, 1)))
    return 15 * lines + 2 if lines > 1 else None


def _cell(row, ref: str, style: int, value) -> None:
    c = etree.SubElement(row, q("c"))
    c.set("r", ref)
    c.set("s", str(style))
    if value is None or value == "":
        return
    if isinstance(value, bool):
        value = "はい" if value else "いいえ"
    if isinstance(value, (int, float)):
        etree.SubElement(c, q("v")).text = repr(int(value)) if float(value).is_integer() else repr(value)
        return
    c.set("t", "inlineStr")
    t = etree.SubElement(etree.SubElement(c, q("is")), q("t"))
    text = str(value)
    t.text = text
    if text != text.strip() or "\n" in text:
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def _cell_text(pkg: Package, c) -> str | None:
    kind = c.get("t")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in c.iter(q("t")))
    v = c.find(q("v"))
    if v is None or v.text is None:
        return None
    if kind == "s":
        strings = _shared_strings(pkg)
        i = int(v.text)
        return strings[i] if i < len(strings) else None
    return v.text


def _shared_strings(pkg: Package) -> list[str]:
    wb = pkg.workbook_part
    rels = pkg.related(wb, "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings")
    if not rels:
        return []
    root = pkg.xml(rels[0][1])
    return ["".join(t.text or "" for t in si.iter(q("t"))) for si in root.findall(q("si"))]


# --- comments and their VML shapes ---------------------------------------------------------

_VML_HEAD = """<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">
 <o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{idmap}"/></o:shapelayout>
 <v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>
</xml>"""

_VML_SHAPE = """ <v:shape id="_x0000_s{sid}" type="#_x0000_t202" style="position:absolute;margin-left:80pt;margin-top:2pt;width:320pt;height:120pt;z-index:{z};visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/><x:Anchor>{c1}, 15, {r1}, 2, {c2}, 15, {r2}, 4</x:Anchor><x:AutoFill>False</x:AutoFill><x:Row>{row}</x:Row><x:Column>{col}</x:Column></x:ClientData></v:shape>
"""

_SHAPE = re.compile(r"<v:shape\b.*?</v:shape>\s*", re.S)
_NOTE_POS = re.compile(r"ObjectType=\"Note\".*?<x:Row>\s*(\d+)\s*</x:Row>\s*<x:Column>\s*(\d+)\s*</x:Column>", re.S)
_SHAPE_ID = re.compile(r"_x0000_s(\d+)")
_IDMAP = re.compile(r"<o:idmap\b[^>]*data=\"([\d,\s]+)\"")


class SheetComments:
    """The legacy comments of one worksheet, with the VML that shows them."""

    def __init__(self, pkg: Package, part: str):
        self.pkg, self.part = pkg, part
        found = pkg.related(part, REL_COMMENTS)
        self.rid, self.name = found[0] if found else (None, None)
        vml = pkg.related(part, REL_VML)
        self.vml_rid, self.vml = vml[0] if vml else (None, None)
        self.root = pkg.xml(self.name) if self.name and pkg.has(self.name) else None
        self.threaded = set()
        for _rid, tpart in pkg.related(part, REL_THREADED):
            if pkg.has(tpart):
                self.threaded |= {el.get("ref") for el in pkg.xml(tpart).iter() if el.get("ref")}
        self.changed = False
        self.removed_refs: set[str] = set()
        self.added: list[str] = []

    # comments XML
    def _authors(self):
        return self.root.find(q("authors"))

    def _author_id(self, create: bool) -> str | None:
        authors = self._authors()
        for i, a in enumerate(authors.findall(q("author"))):
            if a.text == AUTHOR:
                return str(i)
        if not create:
            return None
        etree.SubElement(authors, q("author")).text = AUTHOR
        return str(len(authors.findall(q("author"))) - 1)

    def _comments(self) -> dict:
        return {c.get("ref"): c for c in self.root.find(q("commentList")).findall(q("comment"))}

    def strip_ours(self) -> None:
        """Remove our notes: whole comments that are ours, our block at the end of the applicant's.

        Ours are recognised by the 【planvalidator】 line (LibreOffice drops comment authors and
        splits the text into runs on re-save), or by our author name."""
        if self.root is None:
            return
        ours = self._author_id(create=False)
        for ref, comment in self._comments().items():
            text = comment.find(q("text"))
            pieces = [t for t in text.iter(q("t"))] if text is not None else []
            full = "".join(t.text or "" for t in pieces)
            at = full.find(MARKER)
            if (ours is not None and comment.get("authorId") == ours) or (at >= 0 and not full[:at].strip()):
                comment.getparent().remove(comment)
                self.removed_refs.add(ref)
                self.changed = True
            elif at >= 0:
                _truncate(text, pieces, len(full[:at].rstrip("\n")))
                self.changed = True
        self.save()

    def add(self, ref: str, text: str) -> bool:
        """Add our note; False when the cell has a threaded comment (left untouched)."""
        if ref in self.threaded:
            return False
        if self.root is None:
            self.root = parse(f'<comments xmlns="{MAIN}"><authors/><commentList/></comments>'.encode())
            self.name = self.pkg.free_name("xl/comments{}.xml")
        comments = self._comments()
        existing = comments.get(ref)
        if existing is not None:
            text_el = existing.find(q("text"))
            plain = text_el.find(q("t"))
            if plain is not None:            # <text><t>…</t></text>: make it a run so ours can follow
                text_el.remove(plain)
                run = etree.SubElement(text_el, q("r"))
                run.append(plain)
            text_el.append(_run("\n" + text))
        else:
            comment = etree.Element(q("comment"))
            comment.set("ref", ref)
            comment.set("authorId", self._author_id(create=True))
            etree.SubElement(comment, q("text")).append(_run(text))
            clist = self.root.find(q("commentList"))
            position = _rc(ref)
            after = [c for c in clist if _rc(c.get("ref")) < position]
            (after[-1].addnext(comment) if after else clist.insert(0, comment))
            self.added.append(ref)
        self.changed = True
        return True

    def save(self) -> None:
        if not self.changed:
            return
        pkg = self.pkg
        empty = len(self.root.find(q("commentList"))) == 0
        if empty:
            self._drop_all()
            return
        pkg.put_xml(self.name, self.root)
        pkg.add_override(self.name, CT_COMMENTS)
        if self.rid is None:
            self.rid = pkg.add_rel(self.part, REL_COMMENTS, self.name)
        self._write_vml()
        self.changed = False
        self.removed_refs.clear()
        self.added.clear()

    def _drop_all(self) -> None:
        pkg = self.pkg
        pkg.remove(self.name)
        pkg.drop_override(self.name)
        if self.rid:
            pkg.drop_rel(self.part, self.rid)
        if self.vml:
            text = _SHAPE.sub(lambda m: "" if _NOTE_POS.search(m.group(0)) else m.group(0), pkg.read_text(self.vml))
            if _SHAPE.search(text):          # other shapes (buttons …) stay
                pkg.put_text(self.vml, text)
            else:
                pkg.remove(self.vml)
                pkg.drop_rel(self.part, self.vml_rid)
                ws = pkg.xml(self.part)
                for el in ws.findall(q("legacyDrawing")):
                    ws.remove(el)
        self.root, self.name, self.rid, self.changed = None, None, None, False

    def _write_vml(self) -> None:
        pkg = self.pkg
        if self.vml and pkg.has(self.vml):
            text = pkg.read_text(self.vml)
        else:
            self.vml = pkg.free_name("xl/drawings/vmlDrawing{}.vml")
            text = _VML_HEAD.format(idmap=self._free_idmap())
            pkg.ensure_default("vml", CT_VML)
            self.vml_rid = pkg.add_rel(self.part, REL_VML, self.vml)
            ws = pkg.xml(self.part)
            legacy = etree.Element(q("legacyDrawing"))
            legacy.set(q("id", R), self.vml_rid)
            insert_ordered(ws, legacy, WORKSHEET_ORDER)
        removed = {_rc(r) for r in self.removed_refs}

        def keep(m):
            pos = _NOTE_POS.search(m.group(0))
            return "" if pos and (int(pos.group(1)) + 1, int(pos.group(2)) + 1) in removed else m.group(0)
        text = _SHAPE.sub(keep, text)
        idmap = _IDMAP.search(text)
        base = int(idmap.group(1).split(",")[0]) * 1024 if idmap else 1024
        used = [int(n) for n in _SHAPE_ID.findall(text)]
        sid = max(used + [base], default=base)
        shapes = []
        for ref in self.added:
            row, col = _rc(ref)
            sid += 1
            shapes.append(_VML_SHAPE.format(sid=sid, z=sid - base, row=row - 1, col=col - 1, c1=col, c2=col + 5,
                                            r1=max(row - 2, 0), r2=row + 7))
        close = text.rfind("</xml>")
        text = text[:close] + "".join(shapes) + text[close:]
        pkg.put_text(self.vml, text)

    def _free_idmap(self) -> int:
        used = set()
        for name in list(self.pkg.data) + list(self.pkg.text):
            if name.endswith(".vml") and self.pkg.has(name):
                for m in _IDMAP.finditer(self.pkg.read_text(name)):
                    used |= {int(x) for x in m.group(1).replace(" ", "").split(",") if x}
        n = 1
        while n in used:
            n += 1
        return n


def _truncate(text_el, pieces, keep: int) -> None:
    """Keep the first ``keep`` characters of a comment's text (its <t> elements, in order)."""
    seen = 0
    for t in pieces:
        length = len(t.text or "")
        if seen + length <= keep:
            seen += length
            continue
        t.text = (t.text or "")[: max(keep - seen, 0)]
        seen = keep
        holder = t.getparent() if t.getparent() is not text_el else t
        if not t.text and holder is not text_el:
            text_el.remove(holder)


def _run(text: str):
    run = etree.Element(q("r"))
    pr = etree.SubElement(run, q("rPr"))
    etree.SubElement(pr, q("color")).set("rgb", "FF000000")
    etree.SubElement(pr, q("sz")).set("val", "9")
    t = etree.SubElement(run, q("t"))
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return run
