"""``xl/styles.xml``: fonts, fills, borders, cell formats and differential formats, found or added.

Every ``find-or-add`` returns the index of an element equal (in canonical XML) to the one asked
for, appending it and updating the list's ``count`` only when there is none yet: annotating a
workbook twice adds no second copy of a style.
"""

from __future__ import annotations

from planvalidator import xmltree

from planvalidator.package import MAIN, STYLESHEET_ORDER, Package, child, q
from planvalidator.partxml import parse

BUILTIN_NUMBER_FORMATS = {"#,##0": 3}        # number format code -> its built-in numFmtId


class Styles:
    """styles.xml: find-or-add fonts, fills, borders, cell formats and differential formats."""

    def __init__(self, pkg: Package):
        self.pkg = pkg
        self.name = "xl/styles.xml"
        self.root = pkg.xml(self.name)
        self._index: dict[str, tuple[dict, list[int]]] = {}   # list → (canonical key → index, [size])

    def _list(self, name: str):
        return child(self.root, name, STYLESHEET_ORDER)

    def _find_or_add(self, list_name: str, element) -> int:
        """The index of the first element of the list equal to ``element``, appending it if there is
        none. Each list is indexed once (a workbook may carry tens of thousands of formats)."""
        parent = self._list(list_name)
        if list_name not in self._index:
            keys: dict = {}
            n = 0
            for existing in parent:
                if xmltree.is_element(existing):
                    keys.setdefault(xmltree.canonical(existing), n)
                    n += 1
            self._index[list_name] = keys, [n]
        keys, size = self._index[list_name]
        key = xmltree.canonical(element)
        if key in keys:
            return keys[key]
        parent.append(element)
        keys[key] = size[0]
        size[0] += 1
        parent.set("count", str(size[0]))
        return size[0] - 1

    @staticmethod
    def _el(xml: str):
        return parse(f'<x xmlns="{MAIN}">{xml}</x>'.encode())[0]

    def dxf(self, rgb: str) -> int:
        """A differential format (for a conditional format) filling the cell with ARGB ``rgb``."""
        return self._find_or_add("dxfs", self._el(
            f'<dxf><fill><patternFill patternType="solid"><fgColor rgb="{rgb}"/><bgColor rgb="{rgb}"/>'
            f'</patternFill></fill></dxf>'))

    def base_font(self) -> tuple[str, str]:
        """(name, size) of the workbook's first font (Calibri 11 when it has none)."""
        font = self._list("fonts").find(q("font"))
        name = font.find(q("name")) if font is not None else None
        size = font.find(q("sz")) if font is not None else None
        return (name.get("val") if name is not None else "Calibri", size.get("val") if size is not None else "11")

    def font(self, *, bold=False, size=None, color=None, underline=False) -> int:
        """A font of the base font's name (and size, unless ``size``); ``color`` is ARGB."""
        name, base_size = self.base_font()
        parts = ("<b/>" if bold else "") + ("<u/>" if underline else "") + f'<sz val="{size or base_size}"/>'
        parts += f'<color rgb="{color}"/>' if color else ""
        parts += f'<name val="{name}"/>'
        return self._find_or_add("fonts", self._el(f"<font>{parts}</font>"))

    def fill(self, rgb: str | None) -> int:
        """A solid fill of ARGB ``rgb``; 0 (the workbook's "none" fill) for None."""
        if rgb is None:
            return 0
        return self._find_or_add("fills", self._el(
            f'<fill><patternFill patternType="solid"><fgColor rgb="{rgb}"/><bgColor indexed="64"/></patternFill></fill>'))

    def border(self) -> int:
        """A thin light-grey border on all four sides."""
        side = '<{0} style="thin"><color rgb="FFBFBFBF"/></{0}>'
        return self._find_or_add("borders", self._el(
            "<border>" + "".join(side.format(s) for s in ("left", "right", "top", "bottom")) + "<diagonal/></border>"))

    def xf(self, *, font: int, fill: int = 0, border: int = 0, num_fmt: int = 0, wrap=False,
           vertical="top") -> int:
        """A cell format (``s`` of a cell) of the given font, fill, border and number format ids."""
        attrs = (f'numFmtId="{num_fmt}" fontId="{font}" fillId="{fill}" borderId="{border}" xfId="0" '
                 f'applyNumberFormat="1" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1"')
        align = f'<alignment vertical="{vertical}"' + (' wrapText="1"' if wrap else "") + "/>"
        return self._find_or_add("cellXfs", self._el(f"<xf {attrs}>{align}</xf>"))


# the built-in number formats that show a date (ECMA-376 18.8.30; 27–36 and 50–58 are the East Asian ones)
BUILTIN_DATE_FORMATS = frozenset((*range(14, 18), 22, *range(27, 37), *range(50, 59)))
DATE_FORMAT = 14            # built-in 「yyyy/m/d」 in a Japanese Excel


def _is_date_code(code: str) -> bool:
    import re
    bare = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", code).lower()     # quoted text, colours and escapes are no date
    return any(ch in bare for ch in "ymd") or "ge" in bare


def shows_date(styles: Styles, style: int) -> bool:
    """Whether cell format ``style`` (a cell's ``s``) shows a number as a date."""
    xfs = [x for x in styles._list("cellXfs") if isinstance(x.tag, str)]
    if not 0 <= style < len(xfs):
        return False
    num_fmt = int(xfs[style].get("numFmtId") or 0)
    if num_fmt in BUILTIN_DATE_FORMATS:
        return True
    for nf in styles._list("numFmts"):
        if isinstance(nf.tag, str) and int(nf.get("numFmtId") or -1) == num_fmt:
            return _is_date_code(nf.get("formatCode") or "")
    return False


def with_number_format(styles: Styles, style: int, num_fmt: int) -> int:
    """Cell format ``style`` with another number format (the font, fill, border and alignment kept)."""
    from copy import deepcopy
    xfs = [x for x in styles._list("cellXfs") if isinstance(x.tag, str)]
    xf = deepcopy(xfs[style]) if 0 <= style < len(xfs) else styles._el('<xf numFmtId="0" fontId="0" fillId="0" '
                                                                       'borderId="0" xfId="0"/>')
    xf.set("numFmtId", str(num_fmt))
    xf.set("applyNumberFormat", "1")
    return styles._find_or_add("cellXfs", xf)
