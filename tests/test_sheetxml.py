"""The byte-level scan of a worksheet part (sheetxml._scan_bytes) finds what the expat event scan finds.

The event scan is the reference: it reads any well-formed part. The byte scan reads a part as
spreadsheet programs write it, taking the plain cells (plainsheet.PLAIN_CELL) out in one pass
first. Both are run here on every sheet of the official template, of the 記入例 and of an
openpyxl re-save (inline strings, 「t="n"」 empty cells), as they are and with their own cells
rewritten in the forms the byte scan must not take for plain ones; a part with a cell inside a
cell (well-formed, not SpreadsheetML) takes the event scan.
"""

from __future__ import annotations

import re

import pytest

from support.helpers import EXAMPLE, TEMPLATE, edit, parts
from planvalidator import plainsheet, sheetxml
from planvalidator.structs import asdict


def _sheets(path) -> dict[str, bytes]:
    return {name: xml for name, xml in parts(path).items()
            if name.startswith("xl/worksheets/") and name.endswith(".xml")}


@pytest.fixture(scope="module")
def official(tmp_path_factory) -> dict[str, bytes]:
    resaved = edit(EXAMPLE, tmp_path_factory.mktemp("resave") / "resaved.xlsx",
                   {"計画様式7": {"F6": "説明 & <改行>\n二行目", "G6": 1.5e20}})
    out = {}
    for label, path in (("template", TEMPLATE), ("example", EXAMPLE), ("openpyxl", resaved)):
        out.update({f"{label}:{name}": xml for name, xml in _sheets(path).items()})
    return out


def _as_found(scan: sheetxml.SheetScan) -> dict:
    """A scan's fields, the cell lists in reading order (the byte scan lists plain cells first)."""
    return {name: (sorted(value) if name in ("filled", "outside_grid") else value)
            for name, value in asdict(scan).items()}


def _events(xml: bytes) -> dict:
    return _as_found(sheetxml.scan_sheet(xml, plain=False))


def _bytes(xml: bytes, split: bool) -> dict:
    bounds = sheetxml._Limits(sheetxml_limit(), 50_000)
    return _as_found(sheetxml._scan_bytes(xml, bounds, xml.count(b'<c r="'), split=split))


def sheetxml_limit() -> int:
    from planvalidator import limits
    return limits.MAX_SHEET_CELLS


def _first(xml: bytes, pattern: bytes) -> re.Match:
    m = re.search(pattern, xml)
    assert m, pattern
    return m


def _variants(xml: bytes) -> dict[str, bytes]:
    """The part, and copies with one of its own cells rewritten in a form that is not plain."""
    out = {"as is": xml}
    value = re.search(rb'<c r="([A-Z]+[0-9]+)"( s="[0-9]+")?( t="n")?><v>([^<]*)</v></c>', xml)
    empty = re.search(rb'<c r="([A-Z]+[0-9]+)" s="([0-9]+)"/>', xml)
    if value:
        addr, style = value.group(1), value.group(2) or b' s="1"'
        for name, cell in {
            "error": b'<c r="%s" t="e"><v>#REF!</v></c>' % addr,
            "long styled value": b'<c r="%s"%s><v>123456789012.5</v></c>' % (addr, style),
            "huge styled value": b'<c r="%s"%s><v>1.5E+20</v></c>' % (addr, style),
            "value then formula": b'<c r="%s"><v>1</v><f>A1+1</f></c>' % addr,
            "attributes in another order": b'<c r="%s" t="n"%s><v>2</v></c>' % (addr, style),
            "an extra attribute": b'<c r="%s"%s cm="1"><v>2</v></c>' % (addr, style),
            "rich text": b'<c r="%s" t="inlineStr"><is><r><t>a</t></r><r><t>b</t></r></is></c>' % addr,
            "an empty value": b'<c r="%s"><v/></c>' % addr,
            "spaces": b'<c r="%s" ><v >3</v ></c >' % addr,
        }.items():
            out[name] = xml[:value.start()] + cell + xml[value.end():]
    if empty:
        out["typed empty"] = xml[:empty.start()] + b'<c r="%s" s="%s" t="n"></c>' % empty.groups() + xml[empty.end():]
        out["empty error"] = xml[:empty.start()] + b'<c r="%s" t="e"/>' % empty.group(1) + xml[empty.end():]
    return out


def test_the_byte_scan_finds_what_the_event_scan_finds(official):
    compared = 0
    for name, xml in official.items():
        assert plainsheet.is_plain(xml), name
        for variant, part in _variants(xml).items():
            expected = _events(part)
            assert _bytes(part, split=True) == expected, (name, variant)
            assert _bytes(part, split=False) == expected, (name, variant)
            assert _as_found(sheetxml.scan_sheet(part)) == expected, (name, variant)
            compared += 1
    assert compared > 100


def test_most_cells_of_a_filled_table_are_plain(official):
    """The split takes the plain cells out: what is left for the cell by cell reading is small."""
    xml = official["openpyxl:xl/worksheets/sheet7.xml"]
    assert len(plainsheet.Split(xml).letters) > 0.8 * xml.count(b'<c r="')


@pytest.mark.parametrize("inner_end", [b"</row>", b"<c r=\"ZZ1\"><f>1</f></c></row>"])
def test_a_cell_inside_a_cell_is_read_as_the_event_scan_reads_it(official, inner_end):
    """A row of plain cells moved inside a cell of the template: the split would take them out of
    it and leave a cell the pattern knows; the scan notices and reads the part without the split,
    where the cell around them is not plain, so the event scan reads it."""
    xml = official["template:xl/worksheets/sheet1.xml"]
    outer = _first(xml, rb'<c r="[A-Z]+[0-9]+" s="[0-9]+"/>')
    inner = b'<row r="99"><c r="A99"><v>1</v></c><c r="B99" t="inlineStr"><is><t>x</t></is></c>' + inner_end
    nested = xml[:outer.start()] + outer.group(0)[:-2] + b"><extLst>" + inner + b"</extLst></c>" + xml[outer.end():]
    bounds = sheetxml._Limits(sheetxml_limit(), 50_000)
    with pytest.raises(sheetxml._NotPlain):
        sheetxml._scan_bytes(nested, bounds, nested.count(b'<c r="'))
    assert _as_found(sheetxml.scan_sheet(nested)) == _events(nested)


def test_plain_cells_beyond_the_grid_are_listed(official):
    xml = official["example:xl/worksheets/sheet1.xml"]
    far = b'<row r="2000000"><c r="A2000000"><v>1</v></c><c r="XFE2000000"><v>2</v></c></row>'
    part = xml.replace(b"</sheetData>", far + b"</sheetData>")
    scan = sheetxml.scan_sheet(part)
    assert sorted(scan.outside_grid) == [(2_000_000, 1), (2_000_000, 16_385)]
    assert _as_found(scan) == _events(part)


@pytest.mark.parametrize("at", ["start", "middle", "end"])
def test_markup_limits_still_refuse_a_run_one_byte_over(official, at):
    """check_markup searches for a long tag or text only where a block of the part holds no 「<」:
    a run one byte over a limit is still refused wherever it sits, one at the limit is not."""
    from planvalidator import limits
    from planvalidator.partxml import PackageError, check_markup

    xml = official["template:xl/worksheets/sheet1.xml"]
    where = {"start": xml.index(b"<sheetData>") + len(b"<sheetData>"), "middle": xml.index(b"><", len(xml) // 2) + 1,
             "end": xml.index(b"</worksheet>")}[at]
    tag, text = limits.MAX_TAG_BYTES, limits.MAX_TEXT_RUN_BYTES     # tag: the bytes after its 「<」
    for run in (b'<x a="' + b"a" * (tag - 7) + b'"/>', b" " * text):
        with pytest.raises(PackageError):
            check_markup(xml[:where] + run + xml[where:], "sheet")
    for run in (b'<x a="' + b"a" * (tag - 8) + b'"/>', b" " * (text - 1)):
        check_markup(xml[:where] + run + xml[where:], "sheet")


def test_the_split_counts_the_tags_the_census_counts(official):
    """scan_sheet counts a plain part's tags from its split (plainsheet.Split.census): the same counts
    as the census of the whole part, on every sheet and its variants (an inline string, an empty
    value, a formula: tags the split takes out and tags it leaves)."""
    for name, xml in official.items():
        for variant, part in _variants(xml).items():
            assert plainsheet.Split(part).census() == plainsheet.census(part), (name, variant)


# --- well-formed: the part, or what is left once its plain cells are out ----------------------------------

def _inline(text: bytes) -> bytes:
    return b'<c r="B7" s="1" t="inlineStr"><is><t>' + text + b"</t></is></c>"


def _with_cells(xml: bytes, *cells: bytes) -> tuple[bytes, list[bytes]]:
    """The part with its first plain cells (:data:`plainsheet.PLAIN_CELL`) written as ``cells``, and the cells as
    placed (each at the address of the one it stands for)."""
    placed = []
    for cell in cells:
        m = plainsheet.PLAIN_CELL.search(xml, xml.find(placed[-1]) + len(placed[-1]) if placed else 0)
        cell = cell.replace(b'r="B7"', b'r="' + m.group(1) + m.group(2) + b'"')
        xml = xml[:m.start()] + cell + xml[m.end():]
        placed.append(cell)
    return xml, placed


# Parts that are not well-formed only through the text of a plain cell (taken out before expat reads the rest),
# or only elsewhere, or well-formed with text near the edge of what XML allows: each is judged as expat judges
# the whole part, with the same message
MALFORMED_TEXT = {
    "an undefined entity": (_inline(b"R&amp;D &copy;"),),
    "a bare ampersand": (_inline(b"A & B"),),
    "an ampersand cut by the end of the text": (_inline(b"AT&"), _inline(b"amp;T")),
    "a reference to the NUL character": (_inline(b"&#0;"),),
    "a reference to U+FFFE": (_inline(b"&#xFFFE;"),),
    "a reference to a surrogate": (_inline(b"&#55296;"),),
    "a reference past U+10FFFF": (_inline(b"&#x110000;"),),
    "a control character in a string": (_inline("制御文字".encode()),),
    "a control character in a value": (b'<c r="B7" s="1"><v>1\x0b2</v></c>',),
    "「]]>」 in a value": (b'<c r="B7" s="1" t="str"><v>]]&gt;]]></v></c>',),
    "「]]>」 in a string": (_inline(b"a]]>b"),),
    "bytes that are not UTF-8": (_inline(b"\xff\xfe"),),
    "a UTF-8 sequence cut short": (_inline("試作".encode()[:-1]),),
    "U+FFFF written as itself": (_inline("\uffff".encode()),),
    "a character cut by the end of a cell": (_inline("金型".encode()[:4]), _inline("金型".encode()[4:])),
}
WELL_FORMED_TEXT = {
    "the five entities": (_inline(b"&lt;&gt;&amp;&quot;&apos;"),),
    "character references": (_inline(b"&#12354;&#x3042;&#x1F600;&#9;"),),
    "Japanese text": (_inline("試作品の金型（一式）".encode()),),
    "line ends in a string": (_inline(b"line 1\nline 2\r\nline 3"),),
    "a value with a closing bracket": (b'<c r="B7" s="1" t="str"><v>[1]]</v></c>',),
}


def _judged(part: bytes):
    """What scan_sheet makes of a part: its scan, or the message it refuses it with."""
    from planvalidator.partxml import PackageError
    try:
        return _as_found(sheetxml.scan_sheet(part, "sheet1.xml"))
    except PackageError as exc:
        return exc.reason


def _whole(part: bytes):
    """expat over the whole part: None when well-formed, else the message."""
    from planvalidator.partxml import PackageError, expat_pass
    try:
        expat_pass(part, "sheet1.xml")
    except PackageError as exc:
        return exc.reason
    return None


@pytest.mark.parametrize("case", sorted({**MALFORMED_TEXT, **WELL_FORMED_TEXT}))
def test_a_plain_cells_text_makes_the_part_well_formed_or_not_as_expat_reads_it_whole(official, case):
    cells = {**MALFORMED_TEXT, **WELL_FORMED_TEXT}[case]
    part, placed = _with_cells(official["template:xl/worksheets/sheet1.xml"], *cells)
    split = plainsheet.Split(part)
    assert split.letters and all(cell in part and cell not in split.rest for cell in placed)    # (taken out)
    whole = _whole(part)
    if case in MALFORMED_TEXT:
        assert whole is not None, "the case must not be well-formed"
        assert not plainsheet.text_is_plain(split.texts)     # what keeps the rest from being read alone
        assert _judged(part) == whole
    else:
        assert whole is None and plainsheet.text_is_plain(split.texts)
        assert _judged(part) == _events(part)


def _broken(xml: bytes) -> dict[str, bytes]:
    """The part made not well-formed outside any plain cell, in ways a damaged or crafted file is."""
    row_end = _first(xml, rb"</row>")
    a_row = _first(xml, rb"<row [^>]*>")
    plain = plainsheet.PLAIN_CELL.search(xml)
    return {
        "a mismatched end tag": xml[:row_end.start()] + b"</rows>" + xml[row_end.end():],
        "an end tag missing": xml[:row_end.start()] + xml[row_end.end():],
        "a cell after the root": xml + plain.group(0) + b"</row>",
        "a cell in an attribute value": xml[:a_row.end() - 1] + b" x='" + plain.group(0) + b"</row>'"
                                        + xml[a_row.end() - 1:],
        "a DTD": re.sub(rb"\A(<\?xml[^>]*\?>)?", lambda m: (m.group(1) or b"") + b'<!DOCTYPE worksheet [<!ENTITY e "x">]>',
                        xml, count=1),
        "text cut off": xml[:len(xml) // 2],
        "a line end in a string before the damage": _with_cells(xml, _inline(b"one\ntwo\nthree"))[0].replace(
            b"</sheetData>", b"</sheetdata>"),
    }


def test_a_part_damaged_outside_its_plain_cells_is_refused_with_the_line_of_the_part_itself(official):
    refused = 0
    for name in ("template:xl/worksheets/sheet1.xml", "example:xl/worksheets/sheet7.xml",
                 "openpyxl:xl/worksheets/sheet7.xml"):
        for case, part in _broken(official[name]).items():
            whole = _whole(part)
            assert whole is not None, (name, case)
            assert _judged(part) == whole, (name, case)
            refused += 1
    assert refused == 21


def test_expat_reads_only_what_is_left_of_a_plain_part_and_the_texts_taken_out(official, monkeypatch):
    """The point of the split for the proof: the bytes expat reads are the plain cells' texts and the rest, not
    the whole part (which it reads again only when the rest is refused, for the message)."""
    from planvalidator import partxml
    read: list[int] = []
    real = partxml.expat_pass
    monkeypatch.setattr(plainsheet, "expat_pass", lambda data, part, target=None: read.append(len(data)) or real(
        data, part, target))
    xml = official["example:xl/worksheets/sheet7.xml"]
    sheetxml.scan_sheet(xml)
    split = plainsheet.Split(xml)
    assert read == [len(b"<t></t>") + len(split.texts), len(split.rest)] and sum(read) < 0.6 * len(xml)
