"""受付チェック.xlsx: the workbook ISICO staff open after a batch.

Sheets: 申請一覧 (one row per application), 指摘一覧 (every finding), 規則別件数 (open findings by
rule, with a bar chart of the most frequent). Every table has a bold header with a fill, an auto
filter, a frozen header row and widths fitted to its text.

Text from the applications is never a formula: openpyxl writes any str starting with 「=」 as one,
so every text cell is set back to a string (``data_type = "s"``), gets Excel's quote prefix when it
would read as a formula, a number or an error code, loses the characters XML cannot hold and is cut
to Excel's 32,767 characters. Hyperlinks go only to the annotated copies the batch wrote.
"""

from __future__ import annotations

import re
from copy import copy
from pathlib import Path
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from planvalidator.summary import Application, rule_counts
from planvalidator.summary.columns import (APPLICATION_COLUMNS, FINDING_COLUMNS, RULE_HEADERS, Column,
                                           annotated_name, annotated_target, display_width, rule_summaries,
                                           severity_label, text_lines)

SHEET_APPLICATIONS = "申請一覧"
SHEET_FINDINGS = "指摘一覧"
SHEET_RULES = "規則別件数"

MAX_CELL_TEXT = 32_767       # Excel's limit for one cell
MAX_WIDTH = 60               # characters; longer text wraps
MIN_WIDTH = 6
LINE_HEIGHT = 15             # points a wrapped line
MAX_ROW_HEIGHT = 409         # Excel's limit
CHART_TOP = 10               # rules in the chart

YEN = '#,##0"円"'
HYPERLINK = "Hyperlink"      # Excel's built-in cell style of a link
COUNT = "#,##0"

BASE_FONT = {"name": "Calibri", "sz": 11, "family": 2, "scheme": "minor"}   # openpyxl's default font
HEADER_FONT = Font(bold=True, **BASE_FONT)
BOLD_FONT = Font(bold=True, **BASE_FONT)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")        # the application has errors
CANNOT_FILL = PatternFill("solid", fgColor="F8CBAD")       # it could not be checked
WARNING_FILL = PatternFill("solid", fgColor="FFEB9C")      # warnings only (the 判定 cell)
ACCEPTED_FONT = Font(color="808080", **BASE_FONT)     # accepted findings: grey
TOP = Alignment(vertical="top", wrap_text=True)
CENTER = Alignment(vertical="top", horizontal="center")
HEADER_ALIGNMENT = Alignment(vertical="center", wrap_text=True)

# XML 1.0 cannot hold control characters (but tab, LF, CR), lone surrogates, U+FFFE and U+FFFF
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(value) -> str:
    """Text as a cell can hold it."""
    text = _ILLEGAL.sub("", str(value))
    if len(text) > MAX_CELL_TEXT:
        text = text[:MAX_CELL_TEXT - 1] + "…"
    return text


def _would_not_stay_text(text: str) -> bool:
    """Excel would take this typed-in text as a formula, a number or an error value."""
    if text[:1] in ("=", "+", "-", "@") or text in ERROR_CODES:
        return True
    try:
        float(text.replace(",", ""))
        return True
    except ValueError:
        return False


def put(ws, row: int, column: int, value, *, text: bool = False, **style):
    """Write one value; str (and anything when ``text``) always as a string, never a formula.
    ``style``: the cell's font, fill, alignment, number_format."""
    cell = ws.cell(row=row, column=column)
    if value is not None and value != "":
        if text or isinstance(value, str):
            value = clean(value)
            cell.value = value
            cell.data_type = "s"             # openpyxl took 「=…」 as a formula and 「#N/A」 as an error
            if _would_not_stay_text(value):
                style["quotePrefix"] = True
        else:
            cell.value = value
    if style:
        styled(cell, **style)
    return cell


_STYLES: dict = {}


def styled(cell, **style) -> None:
    """Give a cell a combination of styles. openpyxl hashes every style object on every assignment
    (most of the time of writing 500 rows); a combination seen before is copied as its style array,
    the way openpyxl's own WorksheetCopy copies a cell's style."""
    key = (id(cell.parent.parent),) + tuple((k, id(v)) for k, v in style.items())
    array = _STYLES.get(key)
    if array is None:
        for name, value in style.items():
            setattr(cell, name, value)
        _STYLES[key] = copy(cell._style)
    else:
        cell._style = copy(array)


def _header(ws, headers: list[str]) -> None:
    for i, header in enumerate(headers, 1):
        put(ws, 1, i, header, font=HEADER_FONT, fill=HEADER_FILL, alignment=HEADER_ALIGNMENT)


def _finish(ws, columns: list[Column], rows: int, freeze: str, *, fit_to_page: bool = False) -> None:
    """Widths fitted to the text, wrapped rows' heights, the filter, the frozen panes, the page setup."""
    last = get_column_letter(len(columns))
    widths = []
    for i, col in enumerate(columns, 1):
        cap = min(col.width or MAX_WIDTH, MAX_WIDTH)
        fit = MIN_WIDTH
        for (cell,) in ws.iter_rows(min_row=1, max_row=rows + 1, min_col=i, max_col=i):
            if cell.value is None:
                continue
            text = format(cell.value, ",") if isinstance(cell.value, (int, float)) else str(cell.value)
            extra = 2 if cell.number_format == YEN else 0                   # 「円」
            fit = max(fit, max(display_width(line) for line in text.split("\n")) + extra + 2)
        width = min(fit, max(cap, MIN_WIDTH))
        widths.append(width)
        ws.column_dimensions[get_column_letter(i)].width = width
    for r, row in enumerate(ws.iter_rows(min_row=1, max_row=rows + 1), 1):
        lines = max((text_lines(c.value, w) for c, w in zip(row, widths) if isinstance(c.value, str)), default=1)
        if lines > 1:
            ws.row_dimensions[r].height = min(LINE_HEIGHT * lines + 3, MAX_ROW_HEIGHT)
    ws.auto_filter.ref = f"A1:{last}{rows + 1}"
    ws.freeze_panes = freeze
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    if fit_to_page:
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True


def _link(path: str) -> str:
    """A file path as a hyperlink target: 「#」「%」, spaces and control characters escaped (a folder
    name may hold any of them; XML holds none of the last), the rest as written."""
    return "".join(quote(ch) if ch in "#% " or ch < " " or ch == "\x7f" or _ILLEGAL.match(ch) else ch for ch in path)


def _applications(ws, applications: list[Application], base: Path) -> None:
    columns = [c for c in APPLICATION_COLUMNS if c.xlsx]
    _header(ws, [c.header for c in columns])
    verdict_column = next(i for i, c in enumerate(columns, 1) if c.header == "判定")
    for no, app in enumerate(applications, 1):
        r = no + 1
        fill = CANNOT_FILL if app.error is not None else ERROR_FILL if app.errors else None
        for i, col in enumerate(columns, 1):
            value = col.get(no, app)
            style = {"alignment": CENTER if i == 1 else TOP}
            if fill is not None:
                style["fill"] = fill
            if i == verdict_column:
                if fill is None and app.warnings:
                    style["fill"] = WARNING_FILL
                if app.error is not None or app.errors:
                    style["font"] = BOLD_FONT
            if col.kind == "link":
                target = annotated_target(app, base)
                if target:
                    cell = put(ws, r, i, annotated_name(app), text=True, style=HYPERLINK, **style)
                    cell.hyperlink = _link(target)
                else:
                    put(ws, r, i, None, **style)
            else:
                if col.kind == "money":
                    style["number_format"] = YEN
                elif col.kind == "count":
                    style["number_format"] = COUNT
                put(ws, r, i, value, text=col.kind in ("text", "wrap"), **style)
    _finish(ws, columns, len(applications), "C2")
    ws.print_title_cols = "A:B"             # every printed page names the application


def _findings(ws, applications: list[Application]) -> None:
    _header(ws, [c.header for c in FINDING_COLUMNS])
    severity_column = next(i for i, c in enumerate(FINDING_COLUMNS, 1) if c.header == "重要度")
    r = 1
    for app in applications:
        for f in app.findings:
            r += 1
            fill = None if f.get("accepted") else {"error": ERROR_FILL, "warning": WARNING_FILL}.get(f.get("severity"))
            for i, col in enumerate(FINDING_COLUMNS, 1):
                style = {"alignment": TOP}
                if f.get("accepted"):
                    style["font"] = ACCEPTED_FONT
                if i == severity_column and fill is not None:
                    style["fill"] = fill
                put(ws, r, i, col.get(app, f), text=True, **style)
    _finish(ws, FINDING_COLUMNS, r - 1, "A2")


def _rules(ws, applications: list[Application]) -> None:
    counts = rule_counts(applications)
    summaries = rule_summaries(applications) if counts else {}
    _header(ws, RULE_HEADERS)
    for r, c in enumerate(counts, 2):
        values = [c["rule"], c["name"], summaries.get(c["rule"], ""), severity_label(c["severity"])]
        for i, value in enumerate(values, 1):
            put(ws, r, i, value, text=True, alignment=TOP)
        for i, value in enumerate((c["findings"], c["applications"]), len(values) + 1):
            put(ws, r, i, value, number_format=COUNT, alignment=TOP)
    _finish(ws, [Column(h, None) for h in RULE_HEADERS], len(counts), "A2", fit_to_page=True)
    if counts:
        top = min(len(counts), CHART_TOP)
        chart = BarChart()
        chart.type = "bar"                                   # horizontal: the rule codes read down the side
        chart.title = f"指摘の多い規則（上位{top}）"
        chart.legend = None
        found = RULE_HEADERS.index("件数") + 1
        chart.add_data(Reference(ws, min_col=found, min_row=1, max_row=top + 1), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=top + 1))
        chart.x_axis.scaling.orientation = "maxMin"          # the most frequent on top
        chart.x_axis.delete = False                          # openpyxl 3.1 hides the axes otherwise
        chart.y_axis.delete = False
        chart.y_axis.title = "件数"
        chart.y_axis.majorGridlines = None
        chart.dataLabels = DataLabelList()
        chart.dataLabels.showVal = True
        chart.dataLabels.showSerName = chart.dataLabels.showCatName = False
        chart.dataLabels.showLegendKey = chart.dataLabels.showPercent = False
        chart.width = 16
        chart.height = max(6, 1.5 + 0.8 * top)
        ws.add_chart(chart, f"{get_column_letter(len(RULE_HEADERS) + 2)}2")


def build(applications: list[Application], base: Path) -> Workbook:
    """The summary workbook; ``base``: the folder it will be saved in (hyperlinks are relative to it)."""
    _STYLES.clear()
    wb = Workbook()
    wb.properties.creator = "planvalidator"
    wb.properties.title = "受付チェック"
    ws = wb.active
    ws.title = SHEET_APPLICATIONS
    _applications(ws, applications, base)
    _findings(wb.create_sheet(SHEET_FINDINGS), applications)
    _rules(wb.create_sheet(SHEET_RULES), applications)
    return wb


def write(applications: list[Application], out: Path | None) -> None:
    if out is None:
        raise ValueError("xlsx の要約はファイルにしか書けません（-o 受付チェック.xlsx）")
    out = Path(out)
    base = out.resolve().parent
    wb = build(applications, base)
    out.parent.mkdir(parents=True, exist_ok=True)
    from planvalidator.atomic import write_file

    write_file(out, wb.save)            # never a half-written summary; one written again keeps its permissions
