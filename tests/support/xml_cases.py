"""Workbooks whose edited parts carry the XML that other tools write, built from the 記入例's parts.

The official template and the 記入例 were last saved by LibreOffice Calc: their parts declare
prefixes they never use (xdr, x14, xr2, mc on every sheet, loext on one element of workbook.xml)
but none has ``mc:Ignorable``. Excel writes the same parts with ``mc:Ignorable="x14ac xr xr2 xr3"``
and declarations only that attribute names; other tools write a prefixed main namespace, comments,
processing instructions, pretty-printed or UTF-16 parts. Each :data:`CASES` entry rewrites one
part that annotating edits (a sheet, workbook.xml, styles.xml, the content types) the way such a
tool would, and says what must still be in that part after annotation (``kept``).

The 記入例's 計画様式7!J9 is given a cached value that disagrees with its formula's inputs, so
every case has one error (PV201) there: annotating highlights it, adds a note, the results sheet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from support.helpers import EXAMPLE, parts, write_parts

SHEET = "xl/worksheets/sheet7.xml"
WORKBOOK = "xl/workbook.xml"
STYLES = "xl/styles.xml"
TYPES = "[Content_Types].xml"

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
X14AC = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
XM = "http://schemas.microsoft.com/office/excel/2006/main"
XR = "http://schemas.microsoft.com/office/spreadsheetml/2014/revision"
XR2 = "http://schemas.microsoft.com/office/spreadsheetml/2015/revision2"
XR3 = "http://schemas.microsoft.com/office/spreadsheetml/2016/revision3"
XR6 = "http://schemas.microsoft.com/office/spreadsheetml/2016/revision6"
XR10 = "http://schemas.microsoft.com/office/spreadsheetml/2016/revision10"
X15 = "http://schemas.microsoft.com/office/spreadsheetml/2010/11/main"
X16R2 = "http://schemas.microsoft.com/office/spreadsheetml/2015/02/main"

_DECLARATION = re.compile(rb'\s+xmlns(?::([\w.-]+))?="([^"]*)"')


def declared(data: bytes) -> list[tuple[str, str]]:
    """Every namespace declaration written in a part, (prefix or "", uri), in document order."""
    return [((p or b"").decode(), u.decode()) for p, u in _DECLARATION.findall(data)]


def ignorable(data: bytes) -> set[str]:
    """The prefixes ``mc:Ignorable`` names anywhere in a part."""
    return {p for value in re.findall(rb'mc:Ignorable="([^"]*)"', data) for p in value.decode().split()}


def root_tag(data: bytes) -> bytes:
    """The start tag of a part's root element."""
    return re.search(rb"<(?![?!])[^>]*>", data).group(0)


def excel_root(data: bytes, ignorable_prefixes: str, uris: dict[str, str], extra: str = "") -> bytes:
    """``data`` with its root's declarations as Excel writes them: mc, ``mc:Ignorable`` and the
    prefixes it names (declarations already there of the same prefixes are replaced)."""
    tag = root_tag(data)
    new = tag
    for prefix in ["mc", *uris]:
        new = re.sub(rb'\s+xmlns:%s="[^"]*"' % prefix.encode(), b"", new)
    decls = f' xmlns:mc="{MC}" mc:Ignorable="{ignorable_prefixes}"' + "".join(
        f' xmlns:{p}="{u}"' for p, u in uris.items()) + extra
    new = new[:-1] + decls.encode() + b">"
    return data.replace(tag, new, 1)


def _insert_before(data: bytes, marker: bytes, xml: str) -> bytes:
    assert marker in data, marker
    return data.replace(marker, xml.encode() + marker, 1)


def _ext(xml: str) -> Callable[[bytes], bytes]:
    """A worksheet extension list (the 記入例's sheet has none) holding ``xml``."""
    return lambda data: _insert_before(data, b"</worksheet>", f"<extLst>{xml}</extLst>")


def _header(text: str) -> Callable[[bytes], bytes]:
    return lambda data: data.replace(b"<oddHeader></oddHeader>", f"<oddHeader>{text}</oddHeader>".encode(), 1)


def _prefixed_main(data: bytes) -> bytes:
    """Every element of the main namespace written as ``x:tag`` (the Open XML SDK's way)."""
    data = data.replace(f'xmlns="{MAIN}"'.encode(), f'xmlns:x="{MAIN}"'.encode(), 1)
    return re.sub(rb"<(/?)(?![?!])([A-Za-z]\w*)(?=[\s/>])", rb"<\1x:\2", data)


def _pretty(data: bytes) -> bytes:
    """Indented, with Windows line ends between the elements."""
    head, _, body = data.partition(b"?>")
    return head + b"?>" + body.replace(b"><", b">\r\n  <")


def _utf16(data: bytes) -> bytes:
    text = data.decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"', 1)
    return b"\xff\xfe" + text.encode("utf-16-le")


def _no_r_prefix(data: bytes) -> bytes:
    """The relationships namespace declared as ``rel`` (and no ``r``)."""
    return data.replace(b"xmlns:r=", b"xmlns:rel=", 1).replace(b" r:id=", b" rel:id=")


def _rows_dy_descent(data: bytes) -> bytes:
    data = excel_root(data, "x14ac", {"x14ac": X14AC})
    return data.replace(b"<row ", b'<row x14ac:dyDescent="0.25" ')


@dataclass
class Case:
    name: str
    part: str
    rewrite: Callable[[bytes], bytes]
    kept: list[bytes] = field(default_factory=list)      # in the annotated part, as written


HEADER = '&amp;C&amp;"ＭＳ ゴシック,標準"事業計画書 &lt;様式7&gt; &amp;P/&amp;N'
NON_BMP = "𠮷野家の🍚と&#x20BB7;"
PROMPT = ('<dataValidation type="whole" allowBlank="1" showInputMessage="1" promptTitle="&quot;注意&quot;" '
          'prompt="1行目&#10;2行目&#9;タブ &amp; &lt;記号&gt;" sqref="N2"><formula1>0</formula1></dataValidation>')

CASES = [
    Case("as-libreoffice-saved", WORKBOOK, lambda d: d, [b'<ext xmlns:loext="http://schemas.libreoffice.org/"']),
    Case("sheet-excel-ignorable", SHEET,
         lambda d: excel_root(d, "x14ac xr xr2 xr3", {"x14ac": X14AC, "xr": XR, "xr2": XR2, "xr3": XR3},
                              ' xr:uid="{00000000-0001-0000-0600-000000000000}"'),
         [b'mc:Ignorable="x14ac xr xr2 xr3"', b'xr:uid="{00000000-0001-0000-0600-000000000000}"']),
    Case("workbook-excel-revision", WORKBOOK,
         lambda d: _insert_before(
             excel_root(d, "x15 xr xr6 xr10 xr2", {"x15": X15, "xr": XR, "xr6": XR6, "xr10": XR10, "xr2": XR2}),
             b"<workbookProtection",
             f'<xr:revisionPtr revIDLastSave="0" documentId="8_{{6F1C7A52-0000-0000-0000-000000000000}}" '
             f'xr6:coreVersion="47" xr10:uidLastSave="{{00000000-0000-0000-0000-000000000000}}" '
             f'xmlns:xr6="{XR6}" xmlns:xr10="{XR10}"/>'),
         [f'<xr:revisionPtr xmlns:xr6="{XR6}" xmlns:xr10="{XR10}" revIDLastSave="0"'.encode()]),
    Case("styles-excel-ignorable", STYLES,
         lambda d: excel_root(d, "x14ac x16r2 xr", {"x14ac": X14AC, "x16r2": X16R2, "xr": XR}).replace(
             b'<fonts count="', b'<fonts x14ac:knownFonts="1" count="', 1),
         [b'mc:Ignorable="x14ac x16r2 xr"', b'x14ac:knownFonts="1"']),
    Case("sheet-x14-extension", SHEET,
         _ext(f'<ext uri="{{78C0D931-6437-407d-A8EE-F0AAD7539E65}}" xmlns:x14="{X14}"><x14:conditionalFormattings>'
              f'<x14:conditionalFormatting xmlns:xm="{XM}"><x14:cfRule type="dataBar" id="{{1}}"><x14:dataBar '
              f'minLength="0" maxLength="100"/></x14:cfRule><xm:sqref>I6:I45</xm:sqref></x14:conditionalFormatting>'
              f'</x14:conditionalFormattings></ext>'),
         [f'<x14:conditionalFormatting xmlns:xm="{XM}">'.encode(), b"<xm:sqref>I6:I45</xm:sqref>"]),
    Case("default-namespace-redeclared", SHEET,
         _ext('<ext uri="{planvalidator-test}"><data xmlns="urn:example:other"><item n="1">x</item></data></ext>'),
         [b'<data xmlns="urn:example:other"><item n="1">x</item></data>']),
    Case("main-namespace-prefixed", SHEET, _prefixed_main, [f'<x:worksheet xmlns:x="{MAIN}"'.encode(),
                                                             b"<x:conditionalFormatting"]),
    Case("comments-in-the-tree", SHEET,
         lambda d: d.replace(b"<sheetData>", "<!-- 作成ツール: 経費の表 --><sheetData>".encode(), 1),
         ["<!-- 作成ツール: 経費の表 --><sheetData>".encode()]),
    Case("processing-instruction", SHEET,
         lambda d: d.replace(b"<sheetData>", '<?planvalidator-test 処理命令 a="1"?><sheetData>'.encode(), 1),
         ['<?planvalidator-test 処理命令 a="1"?><sheetData>'.encode()]),
    Case("text-with-entities", SHEET, _header(HEADER), [f"<oddHeader>{HEADER}</oddHeader>".encode()]),
    Case("characters-outside-the-bmp", SHEET, _header(NON_BMP),
         ["<oddHeader>𠮷野家の🍚と𠮷</oddHeader>".encode()]),
    Case("space-preserved", SHEET,
         lambda d: d.replace(b"<oddFooter></oddFooter>",
                             '<oddFooter xml:space="preserve">  左右に空白  \n2行目 </oddFooter>'.encode(), 1),
         ['<oddFooter xml:space="preserve">  左右に空白  \n2行目 </oddFooter>'.encode()]),
    Case("attribute-escapes", SHEET,
         lambda d: d.replace(b'<dataValidations count="4">', f'<dataValidations count="5">{PROMPT}'.encode(), 1),
         [PROMPT.encode()]),
    Case("pretty-printed-crlf", SHEET, _pretty, [b"<sheetData>\n  <row "]),
    Case("quoting-and-spaces-in-tags", SHEET,
         lambda d: d.replace(b'<sheetFormatPr defaultColWidth="8.5390625"',
                             b"<sheetFormatPr  defaultColWidth = '8.5390625'", 1),
         [b'<sheetFormatPr defaultColWidth="8.5390625"']),
    Case("utf16-content-types", TYPES, _utf16, [b'<Override PartName="/xl/comments1.xml"']),
    Case("row-attributes-in-x14ac", SHEET, _rows_dy_descent, [b'<row x14ac:dyDescent="0.25" r="9"']),
    Case("relationships-prefix-rel", SHEET, _no_r_prefix, [b'<legacyDrawing rel:id="rId']),
    Case("prefix-rebound", SHEET,
         _ext('<ext uri="{planvalidator-test}" xmlns:p="urn:a"><p:one p:x="1"><p:two xmlns:p="urn:b" p:attr="v"/>'
              '</p:one></ext>'),
         [b'<p:one p:x="1"><p:two xmlns:p="urn:b" p:attr="v"/></p:one>']),
    Case("content-types-comment", TYPES,
         lambda d: d.replace(b'content-types">', b'content-types" xmlns:xsd="http://www.w3.org/2001/XMLSchema">'
                             + "<!-- 部品の型 -->".encode(), 1),
         [b'xmlns:xsd="http://www.w3.org/2001/XMLSchema">', "<!-- 部品の型 -->".encode()]),
    Case("workbook-excel-ignorable", WORKBOOK,
         lambda d: excel_root(d, "x15 xr xr6 xr10 xr2", {"x15": X15, "xr": XR, "xr6": XR6, "xr10": XR10, "xr2": XR2}),
         [b'mc:Ignorable="x15 xr xr6 xr10 xr2"']),
]


def wrong_example(contents: dict[str, bytes]) -> dict[str, bytes]:
    """The 記入例's parts with 計画様式7!J9's cached amount 250,000 (its 単価 × 数量 is 240,000)."""
    sheet = contents[SHEET]
    j9 = sheet.index(b'<c r="J9"')
    at = sheet.index(b"<v>240000</v>", j9)
    contents[SHEET] = sheet[:at] + b"<v>250000</v>" + sheet[at + len(b"<v>240000</v>"):]
    return contents


def build(case: Case, target) -> object:
    """The 記入例 (with the J9 error) with ``case``'s part rewritten, written to ``target``."""
    contents = wrong_example(parts(EXAMPLE))
    contents[case.part] = case.rewrite(contents[case.part])
    return write_parts(target, contents)
