"""A worksheet's legacy comments (notes): ``xl/commentsN.xml`` and the VML drawing that shows them.

Excel shows a legacy comment only with a VML shape anchored at its cell, so adding or removing a
note edits both parts. The VML is edited as text, shape by shape, leaving the shapes that are
not notes (form buttons …) as they are. A cell with a threaded comment (modern Excel) is never
given a legacy one.

Our notes are told from the applicant's by an author name and a marker line, given by the caller.
"""

from __future__ import annotations

import re

from planvalidator import xmltree

from planvalidator.findings import cell_key
from planvalidator.ooxml.cells import XML_SPACE
from planvalidator.package import (
    CT_COMMENTS,
    CT_VML,
    MAIN,
    REL_COMMENTS,
    REL_THREADED,
    REL_VML,
    WORKSHEET_ORDER,
    Package,
    insert_ordered,
    q,
    related_element,
)
from planvalidator.partxml import parse

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

    def __init__(self, pkg: Package, part: str, *, author: str, marker: str):
        self.pkg, self.part = pkg, part
        self.author, self.marker = author, marker   # how our notes are recognised
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
            if a.text == self.author:
                return str(i)
        if not create:
            return None
        xmltree.SubElement(authors, q("author")).text = self.author
        return str(len(authors.findall(q("author"))) - 1)

    def _comments(self) -> dict:
        return {c.get("ref"): c for c in self.root.find(q("commentList")).findall(q("comment"))}

    def strip_ours(self) -> None:
        """Remove our notes: whole comments that are ours, our block at the end of the applicant's.

        Ours are recognised by the marker line (LibreOffice drops comment authors and splits the
        text into runs on re-save), or by our author name."""
        if self.root is None:
            return
        ours = self._author_id(create=False)
        clist = self.root.find(q("commentList"))
        for ref, comment in self._comments().items():
            text = comment.find(q("text"))
            pieces = _pieces(text) if text is not None else []
            full = "".join(t.text or "" for _holder, t in pieces)
            at = full.find(self.marker)
            if (ours is not None and comment.get("authorId") == ours) or (at >= 0 and not full[:at].strip()):
                clist.remove(comment)
                self.removed_refs.add(ref)
                self.changed = True
            elif at >= 0:
                _truncate(text, pieces, len(full[:at].rstrip("\n")))
                self.changed = True
        self.save()

    def add(self, ref: str, text: str) -> bool:
        """Add our note (after the text of a note the cell already has); False when the cell has a
        threaded comment (left untouched). Nothing is written before :meth:`save`."""
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
                run = xmltree.SubElement(text_el, q("r"))
                run.append(plain)
            text_el.append(_run("\n" + text))
        else:
            comment = xmltree.Element(q("comment"))
            comment.set("ref", ref)
            comment.set("authorId", self._author_id(create=True))
            xmltree.SubElement(comment, q("text")).append(_run(text))
            clist = self.root.find(q("commentList"))
            position = cell_key(ref)
            after = [c for c in clist if cell_key(c.get("ref")) < position]
            (xmltree.insert_after(clist, after[-1], comment) if after else clist.insert(0, comment))
            self.added.append(ref)
        self.changed = True
        return True

    def save(self) -> None:
        """Write the comments part and its VML shapes; with no comment left, drop both (shapes that
        are not notes, such as buttons, keep their VML)."""
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
            insert_ordered(ws, related_element(ws, "legacyDrawing", self.vml_rid), WORKSHEET_ORDER)
        removed = {cell_key(r) for r in self.removed_refs}

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
            row, col = cell_key(ref)
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


def _pieces(text_el) -> list:
    """[(the child of ``<text>`` holding it — a run, a phonetic run or itself, <t>)] in document order."""
    return [(holder, t) for holder in text_el for t in holder.iter(q("t"))]


def _truncate(text_el, pieces, keep: int) -> None:
    """Keep the first ``keep`` characters of a comment's text (its <t> elements, in order: :func:`_pieces`)."""
    seen = 0
    for holder, t in pieces:
        length = len(t.text or "")
        if seen + length <= keep:
            seen += length
            continue
        t.text = (t.text or "")[: max(keep - seen, 0)]
        seen = keep
        if not t.text:
            text_el.remove(holder)


def _run(text: str):
    """A rich-text run of black 9 pt text, its spaces and line breaks kept."""
    run = xmltree.Element(q("r"))
    pr = xmltree.SubElement(run, q("rPr"))
    xmltree.SubElement(pr, q("color")).set("rgb", "FF000000")
    xmltree.SubElement(pr, q("sz")).set("val", "9")
    t = xmltree.SubElement(run, q("t"))
    t.text = text
    t.set(XML_SPACE, "preserve")
    return run
