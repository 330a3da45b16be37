"""The button workbook: the official template as .xlsm with a 「申請書をチェック」 button.

    planvalidator excel-template templates/r7/jigyo-keikakusho-r7-button.xlsm

Built from the official blank workbook of a template version (``reference`` in its layout.yaml)
part by part, like an annotation: the workbook becomes macro-enabled, gets the VBA project of
:mod:`planvalidator.vba` (macro ``CheckApplication`` → ``RunPython "import planvalidator.xl;
planvalidator.xl.main()"`` through the xlwings add-in), and the first sheet gets a form button
bound to that macro. Everything else of the template is kept byte for byte. With ``--standalone``
the project carries xlwings' own VBA module instead of referencing the add-in.
"""

from __future__ import annotations

from pathlib import Path

from planvalidator import xmltree

from planvalidator.package import (
    CT_VML, REL_VML, WORKBOOK_ORDER, WORKSHEET_ORDER, Package, insert_ordered, q, related_element,
)
from planvalidator.vba import MACRO, build_project

CT_MACRO_BOOK = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
CT_VBA = "application/vnd.ms-office.vbaProject"
REL_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
LABEL = "申請書をチェック"

_BUTTON_VML = """<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">
 <o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{idmap}"/></o:shapelayout>
 <v:shapetype id="_x0000_t201" coordsize="21600,21600" o:spt="201" path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/><v:path shadowok="f" o:extrusionok="f" strokeok="f" fillok="f" o:connecttype="rect"/><o:lock v:ext="edit" shapetype="t"/></v:shapetype>
 <v:shape id="_x0000_s{sid}" type="#_x0000_t201" style="position:absolute;margin-left:0;margin-top:0;width:160pt;height:32pt;z-index:1" o:button="t" fillcolor="buttonFace [67]" strokecolor="windowText [64]" o:insetmode="auto"><v:fill color2="buttonFace [67]" o:detectmouseclick="t"/><o:lock v:ext="edit" rotation="t"/><v:textbox style="mso-direction-alt:auto" o:singleclick="f"><div style="text-align:center"><font face="Meiryo UI" size="240" color="#000000">{label}</font></div></v:textbox><x:ClientData ObjectType="Button"><x:Anchor>{col}, 0, 1, 0, {col2}, 0, 3, 0</x:Anchor><x:PrintObject>False</x:PrintObject><x:AutoFill>False</x:AutoFill><x:FmlaMacro>[0]!{macro}</x:FmlaMacro><x:TextHAlign>Center</x:TextHAlign><x:TextVAlign>Center</x:TextVAlign></x:ClientData></v:shape>
</xml>"""


def build_button_workbook(template: str | Path, target: str | Path, *, standalone: bool = False) -> Path:
    """The template as .xlsm with the button (``standalone``: xlwings' VBA module inside, no add-in)."""
    pkg = Package(template)
    wb_part = pkg.workbook_part
    ct = pkg.xml("[Content_Types].xml")
    for el in ct:
        if el.get("PartName") == "/" + wb_part:
            el.set("ContentType", CT_MACRO_BOOK)
    pkg.ensure_default("bin", CT_VBA)
    pkg.ensure_default("vml", CT_VML)
    vba_part = "xl/vbaProject.bin"
    pkg.put_bytes(vba_part, build_project(standalone=standalone))
    pkg.add_rel(wb_part, REL_VBA, vba_part)

    wb = pkg.xml(wb_part)
    pr = wb.find(q("workbookPr"))
    if pr is None:
        pr = xmltree.Element(q("workbookPr"))
        insert_ordered(wb, pr, WORKBOOK_ORDER)
    pr.set("codeName", "ThisWorkbook")
    sheets = pkg.sheets()
    for n, (_name, _el, part) in enumerate(sheets, start=1):
        ws = pkg.xml(part)
        sheet_pr = ws.find(q("sheetPr"))
        if sheet_pr is None:
            sheet_pr = xmltree.Element(q("sheetPr"))
            insert_ordered(ws, sheet_pr, WORKSHEET_ORDER)
        sheet_pr.set("codeName", f"Sheet{n}")

    # the button, right of the first sheet's form
    first = sheets[0][2]
    ws = pkg.xml(first)
    right = max((int(c.get("max", 0)) for c in ws.iter(q("col"))), default=8)
    vml = pkg.free_name("xl/drawings/vmlDrawing{}.vml")
    pkg.put_text(vml, _BUTTON_VML.format(idmap=1, sid=1025, col=min(right, 12) + 1, col2=min(right, 12) + 4,
                                         macro=MACRO, label=LABEL))
    rid = pkg.add_rel(first, REL_VML, vml)
    insert_ordered(ws, related_element(ws, "legacyDrawing", rid), WORKSHEET_ORDER)
    target = Path(target)
    pkg.save(target)
    return target
