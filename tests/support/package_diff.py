"""Compare an original workbook package with its annotated copy, part by part.

Every part of the original must be in the copy. A part may differ only by what an annotation
adds — our conditional formats, our notes and their VML, the results sheet and its entries,
styles appended at the end of their lists, which tab is selected — and after taking exactly
those out, it must be equal to the original (:func:`planvalidator.xmltree.canonical`: tags,
attributes, texts and each element's own namespace declarations). Everything else is reported, by
part, in words: the list is empty when nothing was lost.
"""

from __future__ import annotations

import re

from planvalidator import xmltree
from planvalidator.partxml import parse
from support.helpers import parts

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
RESULTS = "チェック結果"
OUR_TYPES = ("/comments", "/vmlDrawing", "/worksheet")


def q(tag, ns=MAIN):
    return f"{{{ns}}}{tag}"


def c14n(root):
    """The canonical key of a tree (its namespace declarations included: a lost one is a difference)."""
    return xmltree.canonical(root)


def differences(original_path, annotated_path) -> list[str]:
    old, new = parts(original_path), parts(annotated_path)
    added = set(new) - set(old)
    out = [f"{name}: missing from the annotated copy" for name in sorted(set(old) - set(new))]
    allowed_new = re.compile(r"xl/(worksheets/sheet\d+\.xml|worksheets/_rels/sheet\d+\.xml\.rels|comments\d+\.xml"
                             r"|drawings/vmlDrawing\d+\.vml)$")
    out += [f"{name}: unexpected new part" for name in sorted(added) if not allowed_new.match(name)]
    for name in sorted(set(old) & set(new)):
        if old[name] == new[name]:
            continue
        check = _CHECKS.get(_kind(name))
        if check is None:
            out.append(f"{name}: changed")
            continue
        problem = check(old[name], new[name], added)
        if problem:
            out.append(f"{name}: {problem}")
    return out


def _kind(name: str) -> str:
    if name == "[Content_Types].xml":
        return "content_types"
    if name == "xl/workbook.xml":
        return "workbook"
    if name == "xl/styles.xml":
        return "styles"
    if name.endswith(".rels"):
        return "rels"
    if re.match(r"xl/worksheets/sheet\d+\.xml$", name):
        return "sheet"
    if re.match(r"xl/comments.*\.xml$", name):
        return "comments"
    if name.endswith(".vml"):
        return "vml"
    return "other"


def _rels(a, b, added):
    new = parse(b)
    for rel in list(new):
        target = rel.get("Target", "")
        if rel.get("Type", "").endswith(OUR_TYPES) and any(target.split("/")[-1] == p.split("/")[-1] for p in added):
            new.remove(rel)
    return None if c14n(parse(a)) == c14n(new) else "relationships changed beyond the annotation"


def _content_types(a, b, added):
    new = parse(b)
    for el in list(new):
        if el.get("PartName", "").lstrip("/") in added or el.get("Extension") == "vml":
            new.remove(el)
    old = parse(a)
    for el in list(old):
        if el.get("Extension") == "vml":
            old.remove(el)
    return None if c14n(old) == c14n(new) else "content types changed beyond the annotation"


def _workbook(a, b, added):
    old, new = parse(a), parse(b)
    sheets = new.find(q("sheets"))
    ours = [s for s in sheets if s.get("name") == RESULTS]
    if len(ours) != 1 or list(sheets).index(ours[0]) != 0:
        return "the results sheet is not the first sheet"
    sheets.remove(ours[0])
    for tree in (old, new):
        view = tree.find(f"{q('bookViews')}/{q('workbookView')}")
        if view is not None:
            view.attrib.pop("activeTab", None)
            view.attrib.pop("firstSheet", None)
    names = new.find(q("definedNames"))
    if names is not None:
        for dn in list(names):
            if dn.get("localSheetId") == "0":
                names.remove(dn)
            elif dn.get("localSheetId") is not None:
                dn.set("localSheetId", str(int(dn.get("localSheetId")) - 1))
        if len(names) == 0 and old.find(q("definedNames")) is None:
            new.remove(names)
    return None if c14n(old) == c14n(new) else "workbook.xml changed beyond the results sheet"


def _styles(a, b, added):
    old, new = parse(a), parse(b)
    for old_list in old:
        new_list = new.find(old_list.tag)
        if new_list is None:
            return f"{xmltree.localname(old_list)} is gone"
        old_items, new_items = list(old_list), list(new_list)
        if [c14n(x) for x in old_items] != [c14n(x) for x in new_items[:len(old_items)]]:
            return f"existing entries of {xmltree.localname(old_list)} changed"
        for extra in new_items[len(old_items):]:
            new_list.remove(extra)
        old_list.attrib.pop("count", None)
        new_list.attrib.pop("count", None)
    for extra in [el for el in new if old.find(el.tag) is None]:
        new.remove(extra)                      # a list the annotation created (dxfs)
    return None if c14n(old) == c14n(new) else "styles changed beyond appended entries"


def _sheet(a, b, added):
    old, new = parse(a), parse(b)
    for cf in new.findall(q("conditionalFormatting")):
        if any("planvalidator:" in (f.text or "") for f in cf.iter(q("formula"))):
            new.remove(cf)
    old_legacy = {el.get(R_ID) for el in old.findall(q("legacyDrawing"))}
    for el in new.findall(q("legacyDrawing")):
        if el.get(R_ID) not in old_legacy:
            new.remove(el)
    for tree in (old, new):
        for view in tree.iter(q("sheetView")):
            view.attrib.pop("tabSelected", None)
    return None if c14n(old) == c14n(new) else "cells, formats or other content changed"


def _comments(a, b, added):
    """The applicant's notes keep their text (ours may follow after the 【planvalidator】 line)."""
    old, new = parse(a), parse(b)
    texts = {c.get("ref"): "".join(t.text or "" for t in c.iter(q("t"))) for c in new.iter(q("comment"))}
    for c in old.iter(q("comment")):
        before = "".join(t.text or "" for t in c.iter(q("t")))
        after = texts.get(c.get("ref"))
        if after is None or after.split("\n【planvalidator】")[0] != before:
            return f"the applicant's note at {c.get('ref')} changed"
    return None


def _vml(a, b, added):
    shapes = re.compile(r"<v:shape\b.*?</v:shape>", re.S)
    old = shapes.findall(a.decode("utf-8", "replace"))
    new = shapes.findall(b.decode("utf-8", "replace"))
    missing = [s for s in old if s not in new]
    return f"{len(missing)} of the original shapes changed or went missing" if missing else None


_CHECKS = {"rels": _rels, "content_types": _content_types, "workbook": _workbook, "styles": _styles,
           "sheet": _sheet, "comments": _comments, "vml": _vml}
