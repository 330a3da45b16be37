"""A worksheet part in the form spreadsheet programs write it (:func:`is_plain`), and what can be told from its
bytes without parsing them: how many of each tag the limits count it holds (:func:`census`), its plain cells
taken out in one pass (:class:`Split`), and whether it is well-formed, proved by expat over what is left
(:func:`prove_well_formed`). :mod:`planvalidator.sheetxml` reads the cells from there.
"""

from __future__ import annotations

import re

from planvalidator.partxml import PackageError, expat_pass

# one pass over the part for the tags the limits count (a literal 「<」 first: the search skips text fast;
# bytes.count of a pattern ending in a space crawls through a run of spaces)
_CENSUS = re.compile(rb"<(?:[\w.-]+:)?(c|v|f|mergeCell)[\s/>]")


def census(xml: bytes) -> dict[bytes, int]:
    """How many ``c``, ``v``, ``f`` and ``mergeCell`` tags the part holds (with or without a prefix)."""
    from collections import Counter
    return Counter(_CENSUS.findall(xml))


_MAIN_DEFAULT = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_DEFAULT_NS = re.compile(rb"xmlns\s*=")      # a default namespace declared (「xmlns:r=」 is a prefix's)
_NOT_UTF8 = re.compile(rb'<\?xml[^>]*?encoding\s*=\s*["\'](?!utf-?8["\'])', re.I)


def is_plain(xml: bytes, cells: int | None = None) -> bool:
    """Whether a worksheet part is in the form spreadsheet programs write (Excel, LibreOffice,
    openpyxl, Google Sheets), so that its cells can be picked out of the bytes: UTF-8; no comment,
    CDATA section or processing instruction; the SpreadsheetML namespace declared once, as the
    default (so every unprefixed ``c`` is a cell and nothing else is); every cell's start tag —
    ``cells`` of them, with or without a prefix (:func:`census`) — beginning with its address ``r="…"``."""
    if not plain_form(xml):
        return False
    if cells is None:
        cells = census(xml)[b"c"]
    return cells == xml.count(b'<c r="')


def plain_form(xml: bytes) -> bool:
    """:func:`is_plain` but for its cells' addresses."""
    if xml[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in xml[:4] or _NOT_UTF8.match(xml):
        return False
    if b"!" in xml and (b"<!--" in xml or b"<![CDATA[" in xml):     # (one byte is searched fastest)
        return False
    if b"?" in xml and xml.count(b"<?") > (1 if xml.lstrip(b"\xef\xbb\xbf").startswith(b"<?xml") else 0):
        return False
    return xml.count(_MAIN_DEFAULT) == 1 and len(_DEFAULT_NS.findall(xml)) == 1


# A cell in the form most of a sheet's cells take (Excel, LibreOffice, openpyxl): addressed, maybe
# styled, of any type but an error; empty (「<c r="B7" s="12"/>」, openpyxl's 「<c r="B7" s="12" t="n"></c>」)
# or holding a value too short to be sheetxml.HUGE or an inline string of one run (the 3rd group, read ahead, is
# then 「v」 or 「i」; None for an empty cell; the 4th and 5th are the value's and the string's text); followed by
# the next cell or the row's end. sheetxml keeps its position at most.
PLAIN_CELL = re.compile(
    rb'<c r="([A-Z]{1,3})([0-9]{1,7})"(?: s="[0-9]+")?(?: t="(?:n|s|str|inlineStr|b|d)")?'
    rb'(?:/>|></c>|>(?=<([vi]))(?:<v>([^<]{0,11})</v>|<is><t(?: xml:space="preserve")?>([^<]*)</t></is>)</c>)'
    rb'(?=<c r="|</row>)')


class Split:
    """A part with its plain cells (:data:`PLAIN_CELL`) taken out, in one pass: what is left
    (``rest``), each plain cell's column letters, row digits and whether it holds a value or
    an inline string (``held``: 「v」, 「i」 or None), and the text of their values and strings (``texts``,
    one after another with a space between)."""

    def __init__(self, xml: bytes):
        pieces = PLAIN_CELL.split(xml)
        self.rest = b"".join(pieces[::6]) if len(pieces) > 1 else xml
        self.letters, self.rows, self.held = pieces[1::6], pieces[2::6], pieces[3::6]
        self.texts = b" ".join(filter(None, pieces[4::6] + pieces[5::6]))

    def census(self) -> dict[bytes, int]:
        """:func:`census` of the whole part: a plain cell is one ``c`` tag and, holding a value, one
        ``v`` (no tag the census counts spans a plain cell's edge: each begins with 「<」, and so do a
        plain cell and what follows it)."""
        tags = census(self.rest)
        tags[b"c"] += len(self.letters)
        tags[b"v"] += self.held.count(b"v")
        return tags


def prove_well_formed(xml: bytes, part: str, split: Split | None) -> None:
    """expat over a plain part (:func:`is_plain`) with no handlers: well-formed, no DTD, else PackageError.

    Where the part was split (:class:`Split`), expat reads only what is left once the plain cells are taken
    out — most of a sheet's bytes are its styled empty cells. A plain cell is one whole element written as
    :data:`PLAIN_CELL` allows (ASCII tags and attributes, no line end in them), so taking it out changes
    whether the part is well-formed only through its text: a value or an inline string could hold what XML
    forbids in text. Where their texts hold none of that (:func:`text_is_plain`), the rest is well-formed
    exactly when the part is (a cell in a place no element may stand — in an attribute value, before or after
    the root — leaves behind the 「<」 of what follows it, which is not allowed there either). A part whose rest
    is not well-formed is read again whole, so that the message names the line of the part itself."""
    if split is not None and split.letters and text_is_plain(split.texts):
        try:
            expat_pass(split.rest, part)
            return
        except PackageError:
            pass
    expat_pass(xml, part)


def text_is_plain(texts: bytes) -> bool:
    """Whether ``texts`` (:attr:`Split.texts`) hold nothing XML forbids in text — a control character, 「]]>」, a
    「&」 that is not a reference to an entity XML defines or to a character it allows, bytes that are not UTF-8,
    U+FFFE or U+FFFF —, as expat judges them: in an element of their own. (The texts are joined by a space,
    which no reference or UTF-8 sequence goes on across: each text is judged as it is.)"""
    try:
        expat_pass(b"<t>" + texts + b"</t>", "text")
    except PackageError:
        return False
    return True
