"""The XML of one part of an OOXML package, parsed within bounds: no DTD, no entity, no network,
and never more markup than :mod:`planvalidator.limits` allows.

A part for reading is parsed by the standard library (:func:`read_xml`; expat refuses a DTD by its
own events, whatever the part's encoding: without a DTD there is no entity to expand or fetch), a
part to edit by :mod:`planvalidator.xmltree` (:func:`parse_part`: lxml, entities and network access
off, imported when a part is first edited; or, without lxml, the standard library after the same
refusals as for reading). :func:`check_markup` refuses a part whose tags or texts are too long as soon as it is
decompressed; :class:`PackageError` names the part and says in Japanese why it is not read.
"""

from __future__ import annotations

from functools import lru_cache


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


def parse(data: bytes, part: str = "part"):
    """A part as an editable tree (:mod:`planvalidator.xmltree`: lxml with entities and network
    access off, or the standard library after the checks of :func:`read_xml`: no DTD, well-formed
    by expat first); :class:`~planvalidator.xmltree.ParseFailure` when it is not built."""
    from planvalidator import xmltree

    if xmltree.backend() == "stdlib":
        refuse_dtd(data, part)
        expat_pass(data, part)
    return xmltree.fromstring(data)


_FAILURE_REASONS = {"depth": "XML の入れ子が深すぎて書き換えられません（256 段まで）",
                    "large": "XML の要素が大きすぎて書き換えられません"}


def parse_part(data: bytes, part: str, *, sheet: bool = False):
    """:func:`parse` of a part of the workbook: what is refused becomes a :class:`PackageError`
    with the reason in Japanese (libxml2's own limits, which the standard library backend applies
    too: 256 levels of nesting; lxml's 10 MB in one text). A part other than a ``sheet`` is built
    into a tree only within :data:`~planvalidator.limits.MAX_TREE_MARKUP` tags (a sheet is bounded
    by its cells and by :data:`~planvalidator.limits.MAX_MARKUP`)."""
    from planvalidator.xmltree import ParseFailure

    if not sheet:
        _refuse_large_tree(data, part)
    try:
        return parse(data, part)
    except ParseFailure as exc:
        raise PackageError(part, _FAILURE_REASONS.get(exc.kind) or broken_xml(exc.line)) from None


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

    if _gap(data, limits.MAX_TAG_BYTES) and _long_tag().search(data):
        raise PackageError(part, f"{size_text(limits.MAX_TAG_BYTES)} を超える長さのタグがあります"
                                 "（属性が多すぎるか長すぎます。ファイルが細工されている可能性があります）")
    if (_gap(data, limits.MAX_TEXT_RUN_BYTES) and _long_text().search(data)) or (data.find(b"<") > limits.MAX_TEXT_RUN_BYTES):
        raise PackageError(part, f"タグの間に {size_text(limits.MAX_TEXT_RUN_BYTES)} を超える切れ目のない文字列があります"
                                 "（ファイルが細工されている可能性があります）")
    return data.count(b"<")


def _gap(data: bytes, run: int) -> bool:
    """Whether ``data`` may hold ``run`` bytes in a row without a 「<」: a run that long covers a whole
    block of ``run // 2`` bytes from a multiple of it, so a part whose every such block holds a 「<」
    cannot (one byte search per block, where the regular expressions above try every tag)."""
    block = max(run // 2, 1)
    return any(data.find(b"<", start, start + block) < 0 for start in range(0, len(data) - block + 1, block))


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


def serialize(root) -> bytes:
    from planvalidator import xmltree

    return xmltree.tostring(root)
