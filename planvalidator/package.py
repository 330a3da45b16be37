"""An OOXML package (.xlsx / .xlsm) edited part by part: what is not touched is written back byte for byte.

openpyxl rewrites a whole workbook on save and drops what it does not model (shapes, images,
form controls, threaded comments, extension lists …). Annotating needs only a few parts —
the annotated sheets, their comments and VML, styles.xml, workbook.xml, the content types and
the new results sheet — so this module loads the zip, parses just those parts with lxml
(entities and network access off: a workbook is untrusted input) and writes every other part
back unchanged, in the original order and compression.

Reading a workbook (which sheet is which part) needs no lxml: ``Package(path, editable=False)``
parses with the standard library (expat refuses a DTD by its own events, whatever the part's
encoding: without a DTD there is no entity to expand or fetch). lxml is imported when a part is edited.

Parts are read when asked for, never more than their size in the zip's directory says (Python's
zipfile stops there and checks the CRC), and never more than the limits of
:mod:`planvalidator.limits`: a zip bomb is refused by its declared sizes before anything is
decompressed, a directory of too many entries by the zip's end record before the directory is
read, and an XML part whose tags are too many or too long as soon as it is decompressed.
"""

from __future__ import annotations

import posixpath
import zipfile
from functools import lru_cache
from pathlib import Path

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


class PackageError(ValueError):
    """A part that is not read: too large, declaring a DTD, missing, or not XML.

    ``reason`` is Japanese and names the part; the reader adds the file and the sheet."""

    def __init__(self, part: str, reason: str):
        self.part = part
        self.reason = reason
        super().__init__(f"{part}: {reason}")


def size_text(n: int) -> str:
    """A byte count as people write it: 「2.1 GB」「64 MB」「900 KB」."""
    for unit, size in (("GB", 1024 ** 3), ("MB", 1024 ** 2), ("KB", 1024)):
        if n >= size:
            return f"{n / size:.1f}".rstrip("0").rstrip(".") + f" {unit}"
    return f"{n} バイト"


def is_xml_part(name: str) -> bool:
    return name.lower().endswith((".xml", ".rels", ".vml"))


def q(tag: str, ns: str = MAIN) -> str:
    return f"{{{ns}}}{tag}"


class _Lxml:
    """lxml's etree, imported on first use (only editing needs it)."""
    def __getattr__(self, name):
        from lxml import etree
        return getattr(etree, name)


etree = _Lxml()


@lru_cache(maxsize=1)
def _parser():
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=False)


def parse(data: bytes):
    """A part as an editable lxml tree (entities and network access off)."""
    return etree.fromstring(data, _parser())


def parse_part(data: bytes, part: str, *, sheet: bool = False):
    """:func:`parse` of a part of the workbook: what lxml refuses becomes a :class:`PackageError`
    with the reason in Japanese (libxml2's own limits: 256 levels of nesting, 10 MB in one text).
    A part other than a ``sheet`` is built into a tree only within
    :data:`~planvalidator.limits.MAX_TREE_MARKUP` tags (a sheet is bounded by its cells and by
    :data:`~planvalidator.limits.MAX_MARKUP`)."""
    if not sheet:
        _refuse_large_tree(data, part)
    try:
        return parse(data)
    except etree.XMLSyntaxError as exc:
        text = str(exc)
        if "depth" in text.lower():
            reason = "XML の入れ子が深すぎて書き換えられません（256 段まで）"
        elif "limit" in text.lower() or "too long" in text.lower() or "huge" in text.lower():
            reason = "XML の要素が大きすぎて書き換えられません"
        else:
            reason = broken_xml(exc.lineno or 0)
        raise PackageError(part, reason) from None


DTD_REFUSED = "XML の実体展開（DTD）を含むため読みません"


def broken_xml(line: int) -> str:
    return f"XML として壊れています（{line} 行目）"


def read_xml(data: bytes, part: str = "part"):
    """A part for reading only, as an ElementTree element (the standard library's C parser).

    A DTD is refused from the bytes first (:func:`refuse_dtd`, in UTF-8 or UTF-16): with no DTD
    there is no entity to expand or fetch, so nothing is left for the parser to be tricked into
    (the standard library's expat expands no external entity and caps internal ones anyway). A
    part with more tags than :data:`~planvalidator.limits.MAX_TREE_MARKUP` is not built into a
    tree. Either refusal, and broken XML, becomes a :class:`PackageError`."""
    from xml.etree.ElementTree import ParseError, XMLParser, fromstring


    refuse_dtd(data, part)
    _refuse_large_tree(data, part)
    expat_pass(data, part)
    try:
        return fromstring(data, XMLParser())
    except ParseError as exc:
        raise PackageError(part, broken_xml(exc.position[0])) from None


def _refuse_large_tree(data: bytes, part: str) -> None:
    from planvalidator import limits

    tags = data.count(b"<")
    if tags > limits.MAX_TREE_MARKUP:
        raise PackageError(part, f"タグが {tags:,} 個あり、シート以外の部品の上限 {limits.MAX_TREE_MARKUP:,} 個を超えます"
                                 "（ファイルが細工されている可能性があります）")


class _DtdRefused(Exception):
    pass


def _refuse(*_args):
    raise _DtdRefused


def expat_pass(data: bytes, part: str, target=None) -> None:
    """expat over a whole part, with ``target``'s start/end/data handlers or none at all (then it
    only proves the part well-formed, at the parser's own speed). A DTD, in whatever encoding the
    part declares, is refused by expat's own doctype and entity events; either refusal and broken
    XML become a :class:`PackageError`."""
    from xml.parsers import expat

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    if target is not None:
        parser.buffer_text = True
        parser.StartElementHandler = target.start
        parser.EndElementHandler = target.end
        parser.CharacterDataHandler = target.data
    try:
        parser.Parse(data, True)
    except _DtdRefused:
        raise PackageError(part, DTD_REFUSED) from None
    except expat.ExpatError as exc:
        raise PackageError(part, broken_xml(exc.lineno)) from None


def check_markup(data: bytes, part: str) -> int:
    """Refuse an XML part whose markup asks for more work than its size suggests: a tag longer than
    :data:`~planvalidator.limits.MAX_TAG_BYTES` (a million attributes, a 60 MB attribute value, a
    hundred thousand namespaces) or a text longer than :data:`~planvalidator.limits.MAX_TEXT_RUN_BYTES`
    between two tags (63 MB of whitespace). Both searches start only at 「<」 or 「>」, so they stay
    linear however the part is made. Returns the part's tag count."""
    from planvalidator import limits

    if _long_tag().search(data):
        raise PackageError(part, f"{size_text(limits.MAX_TAG_BYTES)} を超える長さのタグがあります"
                                 "（属性が多すぎるか長すぎます。ファイルが細工されている可能性があります）")
    if _long_text().search(data) or (data.find(b"<") > limits.MAX_TEXT_RUN_BYTES):
        raise PackageError(part, f"タグの間に {size_text(limits.MAX_TEXT_RUN_BYTES)} を超える切れ目のない文字列があります"
                                 "（ファイルが細工されている可能性があります）")
    return data.count(b"<")


@lru_cache(maxsize=1)
def _long_tag():
    import re

    from planvalidator import limits
    return re.compile(rb"<[^<>]{%d}" % limits.MAX_TAG_BYTES)


@lru_cache(maxsize=1)
def _long_text():
    import re

    from planvalidator import limits
    return re.compile(rb">[^<]{%d}" % limits.MAX_TEXT_RUN_BYTES)


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


def refuse_dtd(data: bytes, part: str) -> None:
    """Refuse a part that declares a DTD (entities: billion laughs, reading local files), in
    UTF-8 or UTF-16, without parsing it."""
    head = data[:4]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
        encoding = "utf-16-be" if head.startswith(b"\xfe\xff") or head[:1] == b"\x00" else "utf-16-le"
        text = data.decode(encoding, errors="ignore").encode("utf-8")
    else:
        text = data
    if b"<!DOCTYPE" in text or b"<!ENTITY" in text:
        raise PackageError(part, DTD_REFUSED)


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


def serialize(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


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
            self.put_xml(name, etree.Element(q("Relationships", PKG_REL), nsmap={None: PKG_REL}))
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
        root = self.rels(part, create=True)
        ids = {rel.get("Id") for rel in root}
        n = 1
        while f"rId{n}" in ids:
            n += 1
        rel = etree.SubElement(root, q("Relationship", PKG_REL))
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
        root = self.xml("[Content_Types].xml")
        name = "/" + part
        for el in root.findall(q("Override", CT)):
            if el.get("PartName") == name:
                el.set("ContentType", content_type)
                return
        el = etree.SubElement(root, q("Override", CT))
        el.set("PartName", name)
        el.set("ContentType", content_type)

    def drop_override(self, part: str) -> None:
        root = self.xml("[Content_Types].xml")
        for el in root.findall(q("Override", CT)):
            if el.get("PartName") == "/" + part:
                root.remove(el)

    def ensure_default(self, extension: str, content_type: str) -> None:
        root = self.xml("[Content_Types].xml")
        for el in root.findall(q("Default", CT)):
            if el.get("Extension", "").lower() == extension:
                return
        el = etree.Element(q("Default", CT))
        el.set("Extension", extension)
        el.set("ContentType", content_type)
        defaults = root.findall(q("Default", CT))
        (defaults[-1].addnext(el) if defaults else root.insert(0, el))

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
    name = etree.QName(element).localname
    rank = order.index(name)
    for i, child in enumerate(parent):
        if not isinstance(child.tag, str):
            continue
        child_name = etree.QName(child).localname
        if child_name in order and order.index(child_name) > rank:
            parent.insert(i, element)
            return
    parent.append(element)


def child(parent, name: str, order: list[str] | None = None, create: bool = True):
    el = parent.find(q(name))
    if el is None and create:
        el = etree.Element(q(name))
        if order:
            insert_ordered(parent, el, order)
        else:
            parent.append(el)
    return el
