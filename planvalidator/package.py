"""An OOXML package (.xlsx / .xlsm) edited part by part: what is not touched is written back byte for byte.

openpyxl rewrites a whole workbook on save and drops what it does not model (shapes, images,
form controls, threaded comments, extension lists …). Annotating needs only a few parts —
the annotated sheets, their comments and VML, styles.xml, workbook.xml, the content types and
the new results sheet — so this module loads the zip, parses just those parts (lxml, or the
standard library where lxml is missing: :mod:`planvalidator.xmltree`; no DTD, no entity, no
network: a workbook is untrusted input) and writes every other part back unchanged, in the
original order and compression.

Reading a workbook (which sheet is which part) needs no lxml: ``Package(path, editable=False)``
parses with the standard library. How a part's XML is parsed within bounds is
:mod:`planvalidator.partxml`.

Parts are read when asked for, never more than their size in the zip's directory says (Python's
zipfile stops there and checks the CRC), and never more than the limits of
:mod:`planvalidator.limits`: a zip bomb is refused by its declared sizes before anything is
decompressed, a directory of too many entries by the zip's end record before the directory is
read, and an XML part whose tags are too many or too long as soon as it is decompressed.
"""

from __future__ import annotations

import posixpath
import zipfile
from pathlib import Path

# (planvalidator.xmltree, the edited parts' trees, is imported by the functions that edit: reading a
# workbook to check it never builds one, and its import was ~1% of a cold check)
from planvalidator.partxml import (
    PackageError,
    check_markup,
    is_xml_part,
    parse_part,
    read_xml,
    serialize,
    size_text,
)

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"

REL_WORKSHEET = R + "/worksheet"
REL_COMMENTS = R + "/comments"
REL_VML = R + "/vmlDrawing"
REL_THREADED = "http://schemas.microsoft.com/office/2017/10/relationships/threadedComment"

CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"

_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def q(tag: str, ns: str = MAIN) -> str:
    return f"{{{ns}}}{tag}"


def open_zip(source, name: str = "zip") -> zipfile.ZipFile:
    """A zip, its entry count read from its end record and bounded before Python's zipfile reads
    the directory (which builds an object for every entry it declares: a 90 MB directory of
    900,000 entries takes half a minute). ``source``: a path or a binary stream."""
    from planvalidator import limits

    named = isinstance(source, (str, Path))
    fh = open(source, "rb") if named else source
    try:
        try:
            end = zipfile._EndRecData(fh)        # the standard library's own reader of the end record
        except (AttributeError, OSError):
            end = None
        if end is not None:
            entries = end[zipfile._ECD_ENTRIES_TOTAL]
            if entries > limits.MAX_PARTS:
                raise PackageError("zip", f"部品が {entries:,} 個あり、上限の {limits.MAX_PARTS:,} 個を超えます")
    finally:
        if named:
            fh.close()
    if not named:
        fh.seek(0)
    return zipfile.ZipFile(source)      # a path: zipfile opens (and closes) the file itself


_CHUNK = 1024 * 1024


def read_capped(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> bytes:
    """A part's bytes, decompressed a chunk at a time and never past its declared size.

    ``ZipFile.read`` asks the decompressor for everything at once, so a part whose directory
    entry lies about its size would be expanded in full before the CRC check catches it."""
    chunks, total = [], 0
    with zf.open(info) as fh:
        while True:
            chunk = fh.read(_CHUNK)
            if not chunk:
                break
            total += len(chunk)
            if total > info.file_size:
                raise PackageError(name, "展開すると zip の目録にある大きさを超えます（ファイルが壊れているか、細工されています）")
            chunks.append(chunk)
    return b"".join(chunks)


class Parts(dict):
    """The parts of a zip by name, each decompressed on first use, within the limits."""

    def __init__(self, zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]):
        super().__init__()
        self._zf = zf
        self._infos = {i.filename: i for i in infos}
        self.markup = 0                     # tags in the XML parts decompressed so far

    def __missing__(self, name: str) -> bytes:
        from planvalidator import limits

        info = self._infos.get(name)
        if info is None:
            raise PackageError(name, "ブックの中にありません（ファイルが壊れています）")
        limit = limits.MAX_PART_BYTES if is_xml_part(name) else limits.MAX_FILE_BYTES
        if info.file_size > limit:
            raise PackageError(name, f"展開すると {size_text(info.file_size)} になり、上限の {size_text(limit)} を超えます")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise PackageError(name, "Excel が使わない圧縮形式です（ファイルが壊れているか、細工されています）")
        try:
            data = read_capped(self._zf, info, name)
        except PackageError:
            raise
        except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
            raise PackageError(name, f"展開できません（{type(exc).__name__}: ファイルが壊れています）") from None
        except Exception as exc:  # zlib.error and the like from a corrupt stream
            raise PackageError(name, f"展開できません（{type(exc).__name__}）") from None
        if is_xml_part(name):
            self.markup += check_markup(data, name)
            if self.markup > limits.MAX_MARKUP:
                raise PackageError(name, f"ここまでで XML のタグがブック全体の上限 {limits.MAX_MARKUP:,} 個を超えます"
                                         "（ファイルが細工されている可能性があります）")
        self[name] = data
        return data

    def __contains__(self, name) -> bool:
        return name in self._infos or dict.__contains__(self, name)

    def __iter__(self):
        return iter(self._infos)

    def keys(self):
        return self._infos.keys()


class Package:
    def __init__(self, path, *, editable: bool = True):
        """``path``: a file, or a workbook held in memory (planvalidator.workbook.InMemory)."""
        from planvalidator import limits

        self.path = path if hasattr(path, "data") else Path(path)
        self.editable = editable
        self._zip = open_zip(self.path.open() if hasattr(path, "data") else self.path)
        infos = self._zip.infolist()
        if len(infos) > limits.MAX_PARTS:
            raise PackageError("zip", f"部品が {len(infos):,} 個あり、上限の {limits.MAX_PARTS:,} 個を超えます")
        seen: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            seen[info.filename] = info        # a name given twice: the last one, as zipfile reads it
        self.infos = list(seen.values())
        xml_total = sum(i.file_size for i in self.infos if is_xml_part(i.filename))
        if xml_total > limits.MAX_XML_BYTES:
            raise PackageError("zip", f"XML の部品を展開すると合わせて {size_text(xml_total)} になり、"
                                      f"上限の {size_text(limits.MAX_XML_BYTES)} を超えます")
        self.data: dict[str, bytes] = Parts(self._zip, self.infos)
        self._xml: dict[str, object] = {}
        self._as_read: dict[str, bytes] = {}  # an edited part as serialized when it was parsed
        self._related: dict[str, dict[str, list[tuple[str, str]]]] = {}   # part → type → [(rId, target)]
        self._worksheets: set[str] | None = None
        self.text: dict[str, str] = {}       # parts edited as text (VML is often not well-formed XML)
        self.binary: dict[str, bytes] = {}   # parts written as bytes (a VBA project)
        self.removed: set[str] = set()

    # --- parts --------------------------------------------------------------------
    def has(self, name: str) -> bool:
        return name not in self.removed and (name in self.data or name in self._xml or name in self.text
                                             or name in self.binary)

    def xml(self, name: str):
        if name not in self._xml:
            if self.editable:
                root = self._xml[name] = parse_part(self.data[name], name, sheet=name in self._sheet_parts())
                self._as_read[name] = serialize(root)     # to tell at save whether it was changed
            else:
                self._xml[name] = read_xml(self.data[name], name)
        return self._xml[name]

    def parsed(self, name: str) -> bool:
        """Whether the part has been parsed (and may have been changed) already."""
        return name in self._xml

    def _sheet_parts(self) -> set[str]:
        """The worksheet parts the workbook names (read from its relationships)."""
        if self._worksheets is None:
            self._worksheets = set()            # while they are being read: workbook.xml is no sheet
            self._worksheets = {part for _rid, part in self.related(self.workbook_part, REL_WORKSHEET)}
        return self._worksheets

    def put_xml(self, name: str, root) -> None:
        self._xml[name] = root
        self.removed.discard(name)
        if name.endswith(".rels"):
            self._related.clear()

    def put_text(self, name: str, text: str) -> None:
        self.text[name] = text
        self.removed.discard(name)

    def put_bytes(self, name: str, data: bytes) -> None:
        self.binary[name] = data
        self.removed.discard(name)

    def read_text(self, name: str) -> str:
        if name in self.text:
            return self.text[name]
        return self.data[name].decode("utf-8", errors="replace")

    def remove(self, name: str) -> None:
        if name.endswith(".rels"):
            self._related.clear()
        self.removed.add(name)
        self._xml.pop(name, None)
        self.text.pop(name, None)

    def free_name(self, pattern: str) -> str:
        """The lowest free part name for a pattern like 'xl/comments{}.xml'."""
        n = 1
        while self.has(pattern.format(n)):
            n += 1
        return pattern.format(n)

    def _content(self, name: str) -> bytes:
        if name in self.binary:
            return self.binary[name]
        if name in self._xml and self.editable:
            new = serialize(self._xml[name])
            if name in self.data and new == self._as_read.get(name):
                return self.data[name]       # parsed but not changed: keep the original bytes
            return new
        if name in self.text:
            new = self.text[name].encode("utf-8")
            if name in self.data and self.data[name].decode("utf-8", errors="replace") == self.text[name]:
                return self.data[name]
            return new
        return self.data[name]

    def save(self, target) -> None:
        """Write the package to ``target``: a path (atomically, keeping an existing file's mode, owner
        and extended attributes, a new copy taking the source's mode: :mod:`planvalidator.atomic`),
        or a binary stream (the check page's answer, in memory)."""
        if hasattr(target, "write"):
            self._write(target)
        else:
            from planvalidator.atomic import write_file

            write_file(target, self._write, mode_from=None if hasattr(self.path, "data") else self.path)

    def _write(self, stream) -> None:
        written = set()
        with zipfile.ZipFile(stream, "w") as zf:
            for info in self.infos:
                name = info.filename
                if name in self.removed:
                    continue
                out = zipfile.ZipInfo(name, date_time=info.date_time)
                out.compress_type = info.compress_type
                out.external_attr = info.external_attr
                zf.writestr(out, self._content(name))
                written.add(name)
            for name in sorted((set(self._xml) | set(self.text) | set(self.binary)) - written - self.removed):
                out = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
                out.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(out, self._content(name))
        self._zip.close()       # every part is read by now; the source may be the target (--in-place)

    # --- relationships ----------------------------------------------------------------
    @staticmethod
    def rels_name(part: str) -> str:
        folder, base = posixpath.split(part)
        return posixpath.join(folder, "_rels", base + ".rels")

    def rels(self, part: str, create: bool = False):
        name = self.rels_name(part)
        if not self.has(name):
            if not create:
                return None
            from planvalidator import xmltree
            self.put_xml(name, xmltree.Element(q("Relationships", PKG_REL), nsmap={None: PKG_REL}))
        return self.xml(name)

    def related(self, part: str, rel_type: str) -> list[tuple[str, str]]:
        """[(rId, target part name)] of one type from a part (each part's relationships are read once,
        then again only after :meth:`add_rel` or :meth:`drop_rel` change them)."""
        if part not in self._related:
            by_type: dict[str, list[tuple[str, str]]] = {}
            root = self.rels(part)
            for rel in (root.findall(q("Relationship", PKG_REL)) if root is not None else ()):
                if rel.get("TargetMode") != "External" and rel.get("Target") is not None:
                    by_type.setdefault(rel.get("Type"), []).append((rel.get("Id"), self.resolve(part, rel.get("Target"))))
            self._related[part] = by_type
        return list(self._related[part].get(rel_type, ()))

    @staticmethod
    def resolve(part: str, target: str) -> str:
        if target.startswith("/"):
            return target.lstrip("/")
        return posixpath.normpath(posixpath.join(posixpath.dirname(part), target))

    def add_rel(self, part: str, rel_type: str, target_part: str) -> str:
        from planvalidator import xmltree
        root = self.rels(part, create=True)
        ids = {rel.get("Id") for rel in root}
        n = 1
        while f"rId{n}" in ids:
            n += 1
        rel = xmltree.SubElement(root, q("Relationship", PKG_REL))
        rel.set("Id", f"rId{n}")
        rel.set("Type", rel_type)
        rel.set("Target", posixpath.relpath(target_part, posixpath.dirname(part)))
        self._related.pop(part, None)
        return f"rId{n}"

    def drop_rel(self, part: str, rid: str) -> None:
        root = self.rels(part)
        if root is None:
            return
        for rel in list(root):
            if rel.get("Id") == rid:
                root.remove(rel)
        self._related.pop(part, None)
        if len(root) == 0:
            self.remove(self.rels_name(part))

    # --- content types -----------------------------------------------------------------
    def add_override(self, part: str, content_type: str) -> None:
        from planvalidator import xmltree
        root = self.xml("[Content_Types].xml")
        name = "/" + part
        for el in root.findall(q("Override", CT)):
            if el.get("PartName") == name:
                el.set("ContentType", content_type)
                return
        el = xmltree.SubElement(root, q("Override", CT))
        el.set("PartName", name)
        el.set("ContentType", content_type)

    def drop_override(self, part: str) -> None:
        root = self.xml("[Content_Types].xml")
        for el in root.findall(q("Override", CT)):
            if el.get("PartName") == "/" + part:
                root.remove(el)

    def ensure_default(self, extension: str, content_type: str) -> None:
        from planvalidator import xmltree
        root = self.xml("[Content_Types].xml")
        for el in root.findall(q("Default", CT)):
            if el.get("Extension", "").lower() == extension:
                return
        el = xmltree.Element(q("Default", CT))
        el.set("Extension", extension)
        el.set("ContentType", content_type)
        defaults = root.findall(q("Default", CT))
        (xmltree.insert_after(root, defaults[-1], el) if defaults else root.insert(0, el))

    # --- the workbook ----------------------------------------------------------------------
    @property
    def workbook_part(self) -> str:
        for rel in self.xml("_rels/.rels").findall(q("Relationship", PKG_REL)):
            if rel.get("Type", "").endswith("/officeDocument"):
                return self.resolve("", rel.get("Target"))
        return "xl/workbook.xml"

    def sheets(self) -> list[tuple[str, object, str]]:
        """[(sheet name, <sheet> element, worksheet part)] in tab order (worksheets only)."""
        from planvalidator import limits

        wb = self.workbook_part
        targets = {rid: part for rid, part in self.related(wb, REL_WORKSHEET)}
        out = []
        entries = self.xml(wb).find(q("sheets"))
        if entries is not None and len(entries) > limits.MAX_SHEETS:
            raise PackageError(wb, f"シートが {len(entries):,} 枚あり、上限の {limits.MAX_SHEETS:,} 枚を超えます")
        for el in entries if entries is not None else ():
            part = targets.get(el.get(q("id", R)))
            if part:
                out.append((el.get("name"), el, part))
        return out

    def sheet_part(self, name: str) -> str | None:
        return next((part for n, _el, part in self.sheets() if n == name), None)


# The order of a worksheet's children (CT_Worksheet): new elements go in their place.
WORKSHEET_ORDER = [
    "sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr",
    "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState", "dataConsolidate",
    "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting", "dataValidations",
    "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter", "rowBreaks", "colBreaks",
    "customProperties", "cellWatches", "ignoredErrors", "smartTags", "drawing", "legacyDrawing",
    "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems", "tableParts",
    "extLst",
]

# The order of a workbook's children (CT_Workbook).
WORKBOOK_ORDER = [
    "fileVersion", "fileSharing", "workbookPr", "appProtection", "workbookProtection", "bookViews", "sheets",
    "functionGroups", "externalReferences", "definedNames", "calcPr", "oleSize", "customWorkbookViews",
    "pivotCaches", "smartTagPr", "smartTagTypes", "webPublishing", "fileRecoveryPr", "webPublishObjects",
    "extLst",
]

STYLESHEET_ORDER = ["numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs",
                    "tableStyles", "colors", "extLst"]


def insert_ordered(parent, element, order: list[str]) -> None:
    """Insert ``element`` among ``parent``'s children where the schema order puts it."""
    from planvalidator import xmltree
    name = xmltree.localname(element)
    rank = order.index(name)
    for i, child in enumerate(parent):
        if not xmltree.is_element(child):
            continue
        child_name = xmltree.localname(child)
        if child_name in order and order.index(child_name) > rank:
            parent.insert(i, element)
            return
    parent.append(element)


def related_element(root, tag: str, rid: str, **attrs: str):
    """A new element ``tag`` of the main namespace with ``attrs`` and then ``r:id`` = ``rid``; a
    part whose root does not declare the relationships namespace gets it declared on the element,
    as ``r`` (not a generated ns0)."""
    from planvalidator import xmltree
    declared = R in xmltree.declarations(root).values()
    el = xmltree.Element(q(tag)) if declared else xmltree.Element(q(tag), nsmap={"r": R})
    for key, value in attrs.items():
        el.set(key, value)
    el.set(q("id", R), rid)
    return el


def child(parent, name: str, order: list[str] | None = None, create: bool = True):
    from planvalidator import xmltree
    el = parent.find(q(name))
    if el is None and create:
        el = xmltree.Element(q(name))
        if order:
            insert_ordered(parent, el, order)
        else:
            parent.append(el)
    return el
