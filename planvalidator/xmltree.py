"""The XML trees a workbook's parts are edited as: lxml where it is installed, the standard library elsewhere.

The check page runs planvalidator in the browser (Pyodide), where lxml has no wheel; writing
into a workbook works there with :mod:`xml.etree.ElementTree`. Both backends give the same
elements to :mod:`planvalidator.ooxml` (``tag``, ``text``, ``tail``, ``get``/``set``, ``find``,
``findall``, ``iter``, ``append``, ``insert``, ``remove``, ``len``, iteration) and this module adds
what only lxml's elements have, as functions for both: :func:`Element` and :func:`SubElement`
with their namespace declarations, :func:`localname`, :func:`is_element`, :func:`insert_after`,
:func:`declarations` and :func:`canonical` (the key two equal elements share).

The standard library's own serializer renames every prefix (``ns0:``) and keeps only the
declarations a tag uses, but SpreadsheetML parts declare prefixes that only ``mc:Ignorable``
names (x14ac, xr, xr2, xr3): without them Excel refuses the file. So the declarations are
recorded while parsing (``start-ns`` events), element by element, and :func:`tostring` writes
each back where it was, and writes the bytes lxml writes (its XML declaration with
``standalone='yes'``, ``<tag/>`` for an empty element, the same escapes), so an edited part is
the same whichever backend edited it. Only a part that declares one namespace under two
prefixes may come out with the other prefix (the standard library keeps the namespace of a tag,
not the prefix it was written with).

The backend: lxml when it can be imported, unless ``PLANVALIDATOR_XML=stdlib`` (or
:func:`select`) asks for the standard library. Bounds and safety (no DTD, no entity, the sizes
of :mod:`planvalidator.limits`) are :mod:`planvalidator.partxml`'s; this module only builds and
writes trees, refusing a tree deeper than libxml2's own limit (:data:`MAX_DEPTH`).
"""

from __future__ import annotations

import os
import re
import weakref
import xml.etree.ElementTree as ET

from planvalidator.patterns import lazy

MAX_DEPTH = 256                 # levels of nesting (libxml2's default limit, which lxml applies)
XML_NS = "http://www.w3.org/XML/1998/namespace"
DECLARATION = "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"     # as lxml writes it
_FEED = 1024 * 1024

_chosen: dict[str, object] = {}
_DECLARED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()   # element → ((prefix, uri), …)
_MAYBE_DECLARED: set[int] = set()   # id() of every element in _DECLARED (a stale id only costs a lookup)


class ParseFailure(ValueError):
    """A part the backend does not build into a tree: ``kind`` is "depth", "large" or "broken"."""

    def __init__(self, kind: str, line: int = 0):
        self.kind, self.line = kind, line
        super().__init__(f"{kind} (line {line})")


def select(name: str | None) -> None:
    """Use "lxml" or "stdlib" from now on (None: as the environment says); for tests and benchmarks."""
    _chosen.clear()
    if name is not None:
        _chosen["etree"] = _import_lxml() if name == "lxml" else None


def _import_lxml():
    from lxml import etree
    return etree


def _lxml():
    """lxml's etree, or None for the standard library (decided at first use: reading needs neither)."""
    if "etree" not in _chosen:
        etree = None
        if os.environ.get("PLANVALIDATOR_XML", "").lower() != "stdlib":
            try:
                etree = _import_lxml()
            except ImportError:
                etree = None
        _chosen["etree"] = etree
    return _chosen["etree"]


def backend() -> str:
    return "stdlib" if _lxml() is None else "lxml"


# --- parsing --------------------------------------------------------------------------------
def fromstring(data: bytes):
    """The tree of a part (already vetted by :mod:`planvalidator.partxml`), or :class:`ParseFailure`."""
    etree = _lxml()
    if etree is not None:
        return _lxml_parse(etree, data)
    return _stdlib_parse(data)


def _lxml_parse(etree, data: bytes):
    parser = _chosen.get("parser")
    if parser is None:
        parser = _chosen["parser"] = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                                                     remove_blank_text=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        text = str(exc).lower()
        if "depth" in text:
            raise ParseFailure("depth", exc.lineno or 0) from None
        if "limit" in text or "too long" in text or "huge" in text:
            raise ParseFailure("large", exc.lineno or 0) from None
        raise ParseFailure("broken", exc.lineno or 0) from None


def _stdlib_parse(data: bytes):
    """The standard library's tree, each element's namespace declarations recorded. A part whose
    declarations are all on its root (most are) is parsed asking only for ``start-ns`` events;
    otherwise every element's start is asked for too, to know which one declared what."""
    head = _ROOT_TAG.match(data[:65536])
    on_root = [((p or b"").decode(), u.decode()) for p, u in _DECLARES.findall(head.group(1))] if head else None
    root = None
    if on_root is not None and data.count(b"xmlns") == len(on_root):
        root, declared = _build(data, ("start-ns",))
        if [tuple(d) for d in declared] == on_root:
            if declared:
                _declare(root, tuple(declared))
        else:
            root = None
    if root is None:
        root, _ = _build(data, ("start-ns", "start"))
    _refuse_deep(root)
    return root


_ROOT_TAG = lazy(rb"(?:\s|<\?.*?\?>|<!--.*?-->)*<(?![?!])([^>]*)>", re.S)
_DECLARES = lazy(rb'\sxmlns(?::([\w.-]+))?\s*=\s*"([^"]*)"')


def _build(data: bytes, events: tuple[str, ...]):
    """(root, [(prefix, uri)] of the declarations not given to an element)."""
    builder = ET.TreeBuilder(insert_comments=True, insert_pis=True)
    parser = ET.XMLPullParser(events, _parser=ET.XMLParser(target=builder))
    pending: list = []
    try:
        for at in range(0, max(len(data), 1), _FEED):
            parser.feed(data[at:at + _FEED])
            for event, obj in parser.read_events():
                if event == "start-ns":
                    pending.append(obj)
                elif pending:
                    _declare(obj, tuple(pending))
                    pending = []
        parser.close()
    except ET.ParseError as exc:
        raise ParseFailure("broken", exc.position[0]) from None
    root = builder.close()
    if root is None:
        raise ParseFailure("broken", 1)
    return root, pending


def _refuse_deep(root) -> None:
    """More than :data:`MAX_DEPTH` levels (counted a level at a time, at the speed of a list)."""
    level, depth = [root], 0
    while level:
        depth += 1
        if depth > MAX_DEPTH:
            raise ParseFailure("depth")
        level = [child for el in level for child in el]


# --- building -------------------------------------------------------------------------------
def Element(tag: str, nsmap: dict | None = None):                  # noqa: N802 — as etree names it
    """A new element; ``nsmap`` {prefix or None: uri} declares namespaces on it."""
    etree = _lxml()
    if etree is not None:
        return etree.Element(tag, nsmap=nsmap) if nsmap else etree.Element(tag)
    el = ET.Element(tag)
    if nsmap:
        _declare(el, tuple(("" if p is None else p, uri) for p, uri in nsmap.items()))
    return el


def _declare(el, declared: tuple) -> None:
    _DECLARED[el] = declared
    _MAYBE_DECLARED.add(id(el))


def SubElement(parent, tag: str):                                  # noqa: N802 — as etree names it
    etree = _lxml()
    return (etree if etree is not None else ET).SubElement(parent, tag)


def localname(el) -> str:
    return el.tag.rpartition("}")[2]


def is_element(el) -> bool:
    """An element (not a comment or a processing instruction)."""
    return isinstance(el.tag, str)


def insert_after(parent, ref, el) -> None:
    """Put ``el`` right after ``parent``'s child ``ref``."""
    parent.insert(list(parent).index(ref) + 1, el)


def declarations(el) -> dict[str, str]:
    """The namespaces declared on ``el`` itself, {prefix ("" for the default): uri}, in their order."""
    etree = _lxml()
    if etree is not None and isinstance(el, etree._Element):
        parent = el.getparent()
        inherited = parent.nsmap if parent is not None else {}
        return {("" if p is None else p): uri for p, uri in el.nsmap.items() if inherited.get(p) != uri}
    return dict(_DECLARED.get(el, ()))


def canonical(el):
    """What two equal elements share: tag, attributes (in any order), own namespace declarations,
    texts and children (comments and processing instructions left out, as in canonical XML)."""
    children = tuple((canonical(c) if is_element(c) else None, c.tail or "") for c in el)
    return (el.tag, tuple(sorted(el.attrib.items())), tuple(sorted(declarations(el).items())), el.text or "",
            children)


# --- writing --------------------------------------------------------------------------------
def tostring(root) -> bytes:
    """The part's bytes: the XML declaration lxml writes, then the tree."""
    etree = _lxml()
    if etree is not None and isinstance(root, etree._Element):
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    out: list[str] = [DECLARATION]
    _write(out.append, root, _Scope("", {"xml": XML_NS}))
    return "".join(out).encode("utf-8")


class _Scope:
    """The namespaces in scope at an element and the names its tags and attributes are written as."""

    __slots__ = ("default", "prefixes", "uris", "names")

    def __init__(self, default: str, prefixes: dict[str, str]):
        self.default = default
        self.prefixes = prefixes            # prefix → uri
        self.uris = {uri: p for p, uri in prefixes.items()}     # uri → its (innermost) prefix
        self.names: dict[str, str] = {}

    def inner(self, declared) -> _Scope:
        default, prefixes = self.default, dict(self.prefixes)
        for prefix, uri in declared:
            if prefix:
                prefixes.pop(prefix, None)
                prefixes[prefix] = uri      # last: the innermost prefix of its uri
            else:
                default = uri
        return _Scope(default, prefixes)

    def free_prefix(self) -> str:
        n = 0
        while f"ns{n}" in self.prefixes:
            n += 1
        return f"ns{n}"


_TEXT_SPECIAL = re.compile(r"[&<>\r]")
_ATTR_SPECIAL = re.compile(r"[&<>\"\n\r\t]")


def _text(s: str) -> str:
    if _TEXT_SPECIAL.search(s) is None:
        return s
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _attr(s: str) -> str:
    if _ATTR_SPECIAL.search(s) is None:
        return s
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
            .replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;"))


def _name(scope: _Scope, name: str, attribute: bool, declared: list) -> tuple[str, _Scope]:
    """``name`` ({uri}local) as written in ``scope``; a namespace not in scope is declared as lxml
    does (ns0, ns1 …) on the element, appended to ``declared``."""
    if name[0] != "{":
        if attribute or not scope.default:
            return name, scope
        declared.append(("", ""))
        return name, scope.inner([("", "")])
    uri, _, local = name[1:].partition("}")
    if uri == scope.default and not attribute:
        return local, scope
    prefix = scope.uris.get(uri)
    if prefix is None:
        prefix = scope.free_prefix()
        declared.append((prefix, uri))
        scope = scope.inner([(prefix, uri)])
    return f"{prefix}:{local}", scope


def _write(w, el, scope: _Scope, text_special=_TEXT_SPECIAL.search, attr_special=_ATTR_SPECIAL.search,
           maybe_declared=_MAYBE_DECLARED) -> None:
    tag = el.tag
    if not isinstance(tag, str):
        if tag is ET.Comment:
            w(f"<!--{el.text or ''}-->")
        elif tag is ET.ProcessingInstruction:
            w(f"<?{el.text or ''}?>")
        if el.tail:
            w(_text(el.tail))
        return
    own = _DECLARED.get(el) if id(el) in maybe_declared else None
    if own:
        scope = scope.inner(own)
    declared = list(own) if own else []
    name = scope.names.get(tag)
    if name is None:
        added = len(declared)
        name, scope = _name(scope, tag, False, declared)
        if len(declared) == added:
            scope.names[tag] = name
    start = "<" + name
    items = el.items()
    if items:
        attrs = []
        for key, value in items:
            if key[0] == "{":
                key, scope = _name(scope, key, True, declared)
            attrs.append(f' {key}="{_attr(value) if attr_special(value) else value}"')
    if declared:
        start += "".join(f' xmlns:{prefix}="{_attr(uri)}"' if prefix else f' xmlns="{_attr(uri)}"'
                         for prefix, uri in declared)
    if items:
        start += "".join(attrs)
    text = el.text
    if not len(el):
        if text is None:
            w(start + "/>")
        else:
            w(f"{start}>{_text(text) if text_special(text) else text}</{name}>")
    else:
        w(f"{start}>{_text(text) if text and text_special(text) else text or ''}")
        for child in el:
            _write(w, child, scope)
        w(f"</{name}>")
    tail = el.tail
    if tail:
        w(_text(tail) if text_special(tail) else tail)
