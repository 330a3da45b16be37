"""受付チェック.xlsx: the workbook ISICO staff open after a batch, to work on and to print.

Sheets: 受付の概要 (the cover: when, which intake, program and versions, counts per verdict, what
could not be checked and why), 申請一覧 (one row per application, an Excel table sorted as staff
work it — チェック不可, 要修正, 要確認, 問題なし — with staff's own columns carried from the summary
written before, :mod:`planvalidator.summary.staff`), 指摘一覧 (every finding, linked to its cell in
the annotated copy), 規則別件数 (open findings by rule, with a bar chart), 提出ファイル (every
file, linked). Every table has a bold header with a fill, filters, a frozen header row and widths
fitted to its text; 申請一覧 prints A4 landscape, one page wide, its header on every page.

Text from the applications is never a formula: openpyxl writes any str starting with 「=」 as one,
so every text cell is set back to a string (``data_type = "s"``), gets Excel's quote prefix when it
would read as a formula, a number or an error code, loses the characters XML cannot hold and is cut
to Excel's 32,767 characters. Hyperlinks go only to the intake's own files and the annotated copies
the batch wrote, relative to the summary (it can move with them).
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
from openpyxl.worksheet.hyperlink import Hyperlink

from planvalidator.summary import CANNOT_CHECK, Application, Run, rule_counts
from planvalidator.summary.columns import (APPLICATION_COLUMNS, FINDING_COLUMNS, RULE_HEADERS, VERDICTS, Column,
                                           annotated_name, annotated_target, application_files, course_of,
                                           display_width, relative_target, rule_summaries, severity_label,
                                           text_lines, verdict, work_order, workbook_path)
from planvalidator.summary.staff import GONE, STATUS, Carried, carry, statuses

SHEET_COVER = "受付の概要"
SHEET_APPLICATIONS = "申請一覧"
SHEET_FILES = "提出ファイル"
SHEET_FINDINGS = "指摘一覧"
SHEET_RULES = "規則別件数"

MAX_CELL_TEXT = 32_767       # Excel's limit for one cell
MAX_WIDTH = 60               # characters; longer text wraps
MIN_WIDTH = 6
LINE_HEIGHT = 15             # points a wrapped line
MAX_ROW_HEIGHT = 409         # Excel's limit
CHART_TOP = 10               # rules in the chart

YEN = '#,##0"円"'
DATE = "yyyy/mm/dd"
STAFF_SPARE_ROWS = 200       # rows below the table the 受付状態 drop-down reaches (applications added by hand)
CANNOT_LABEL = dict(VERDICTS)[CANNOT_CHECK]     # 「チェック不可」
FILE_HEADERS = ["申請", "ファイル", "種類"]
COUNT = "#,##0"

BASE_FONT = {"name": "Calibri", "sz": 11, "family": 2, "scheme": "minor"}   # openpyxl's default font
HEADER_FONT = Font(bold=True, **BASE_FONT)
BOLD_FONT = Font(bold=True, **BASE_FONT)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")        # the application has errors
CANNOT_FILL = PatternFill("solid", fgColor="F8CBAD")       # it could not be checked
WARNING_FILL = PatternFill("solid", fgColor="FFEB9C")      # warnings only (the 判定 cell)
ACCEPTED_FONT = Font(color="808080", **BASE_FONT)     # accepted findings: grey
LINK_FONT = Font(color="0563C1", underline="single", **BASE_FONT)   # Excel's Hyperlink style's font
GONE_FONT = Font(color="808080", **BASE_FONT)         # a row whose application left the intake: grey
TITLE_FONT = Font(bold=True, **{**BASE_FONT, "sz": 14})
TOP = Alignment(vertical="top", wrap_text=True)
LEFT = Alignment(vertical="top", horizontal="left")
CENTER = Alignment(vertical="top", horizontal="center")
KEY_ALIGNMENT = Alignment(vertical="top", wrap_text=False)
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
            # held as a string as it is: clean() left nothing openpyxl's check_string would cut or refuse, and
            # openpyxl would have taken 「=…」 as a formula and 「#N/A」 as an error
            cell._value = value
            cell.data_type = "s"
            if _would_not_stay_text(value):
                style["quotePrefix"] = True
        else:
            cell.value = value
    if style:
        styled(cell, **style)
    return cell


_STYLES: dict = {}
_LINKED: dict = {}


def styled(cell, **style) -> None:
    """Give a cell a combination of styles. openpyxl hashes every style object on every assignment
    (most of the time of writing 500 rows); a combination seen before is copied as its style array,
    the way openpyxl's own WorksheetCopy copies a cell's style."""
    key = (id(cell.parent.parent), *style, *map(id, style.values()))
    array = _STYLES.get(key)
    if array is None:
        for name, value in style.items():
            setattr(cell, name, value)
        _STYLES[key] = copy(cell._style)
    else:
        cell._style = array.__copy__()          # copy() without the copy module's dispatch


def _header(ws, headers: list[str]) -> None:
    for i, header in enumerate(headers, 1):
        put(ws, 1, i, header, font=HEADER_FONT, fill=HEADER_FILL, alignment=HEADER_ALIGNMENT)


def _finish(ws, columns: list[Column], rows: int, freeze: str, *, fit_to_page: bool = False,
            table: str | None = None) -> None:
    """Widths fitted to the text, wrapped rows' heights, the filter (or an Excel table), the frozen
    panes, the page setup: A4 landscape, the header on every page, one page wide when ``fit_to_page``."""
    last = get_column_letter(len(columns))
    cells = [(r, c, cell) for (r, c), cell in ws._cells.items()
             if r <= rows + 1 and c <= len(columns) and cell._value is not None]
    fits = [MIN_WIDTH] * len(columns)
    yen = {}                                 # style array → whether it formats yen (「円」)
    for _r, c, cell in cells:
        value = cell._value
        text = format(value, ",") if isinstance(value, (int, float)) else str(value)
        key = tuple(cell._style)
        if key not in yen:
            yen[key] = cell.number_format == YEN
        extra = 2 if yen[key] else 0
        fits[c - 1] = max(fits[c - 1], max(display_width(line) for line in text.split("\n")) + extra + 2)
    widths = []
    for i, (col, fit) in enumerate(zip(columns, fits), 1):
        cap = min(col.width or MAX_WIDTH, MAX_WIDTH)
        width = col.width if col.kind in ("staff", "date", "since") else min(fit, max(cap, MIN_WIDTH))   # room to write
        widths.append(width if col.kind != "key" else 0)
        ws.column_dimensions[get_column_letter(i)].width = width
    lines_of: dict[int, int] = {}
    for r, c, cell in cells:
        if widths[c - 1] and isinstance(cell._value, str):
            lines_of[r] = max(lines_of.get(r, 1), text_lines(cell._value, widths[c - 1]))
    for r in sorted(lines_of):
        if lines_of[r] > 1:
            ws.row_dimensions[r].height = min(LINE_HEIGHT * lines_of[r] + 3, MAX_ROW_HEIGHT)
    if table:                                # a table has its own filter buttons (both at once: Excel repairs the file)
        from openpyxl.worksheet.table import Table, TableStyleInfo

        sheet_table = Table(displayName=table, ref=f"A1:{last}{max(rows, 1) + 1}")
        sheet_table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=False)
        ws.add_table(sheet_table)
    else:
        ws.auto_filter.ref = f"A1:{last}{rows + 1}"
    ws.freeze_panes = freeze
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.print_options.gridLines = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    if fit_to_page:
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True


# what a hyperlink target escapes: 「#」「%」, space, control characters (DEL too) and what XML cannot hold
_ESCAPED = re.compile("[#% \x00-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def _link(path: str) -> str:
    """A file path as a hyperlink target: 「#」「%」, spaces and control characters escaped (a folder
    name may hold any of them; XML holds none of the last), the rest as written."""
    return _ESCAPED.sub(lambda m: quote(m.group()), path)


def _linked(cell, target: str | None, location: str | None = None) -> None:
    """Make ``cell`` a link to the file ``target`` (relative), at ``location`` (「'計画様式1'!E40」) in it."""
    if target:
        cell.hyperlink = Hyperlink(ref=cell.coordinate, target=_link(target), location=location)
        key = (id(cell.parent.parent), tuple(cell._style))       # the cell's style, as a link (cached: see styled)
        array = _LINKED.get(key)
        if array is None:
            cell.font = LINK_FONT
            _LINKED[key] = copy(cell._style)
        else:
            cell._style = array.__copy__()


def _applications(ws, rows: list[Carried], base: Path) -> None:
    columns = [c for c in APPLICATION_COLUMNS if c.xlsx]
    _header(ws, [c.header for c in columns])
    verdict_column = next(i for i, c in enumerate(columns, 1) if c.header == "判定")
    for no, carried in enumerate(rows, 1):
        r = no + 1
        app = carried.app
        if app is None:                       # left the intake: the row as it was, its No this run's
            _gone(ws, r, no, columns, carried)
            continue
        fill = CANNOT_FILL if app.error is not None else ERROR_FILL if app.errors else None
        for i, col in enumerate(columns, 1):
            style = {"alignment": CENTER if i == 1 else TOP}
            if fill is not None:
                style["fill"] = fill
            if i == verdict_column:
                if fill is None and app.warnings:
                    style["fill"] = WARNING_FILL
                if app.error is not None or app.errors:
                    style["font"] = BOLD_FONT
            _value(ws, r, i, col, no, carried, base, style)
    _finish(ws, columns, len(rows), "C2", fit_to_page=True, table="Applications")
    _staff_columns(ws, columns, len(rows))


def _value(ws, r: int, i: int, col: Column, no: int, carried: Carried, base: Path, style: dict) -> None:
    app = carried.app
    if col.kind in ("staff", "date"):
        value = carried.staff.get(col.header)
        if col.kind == "date":
            style["number_format"] = DATE
        put(ws, r, i, value, text=col.kind == "staff", **style)
    elif col.kind == "since":
        put(ws, r, i, carried.since, text=True, **({**style, "font": BOLD_FONT} if carried.since else style))
    elif col.kind == "link":
        cell = put(ws, r, i, annotated_name(app), text=True, **style)
        _linked(cell, annotated_target(app, base))
    elif col.kind == "source":
        cell = put(ws, r, i, app.id, text=True, **style)
        _linked(cell, relative_target(app.source, base))
    elif col.kind == "workbook":
        cell = put(ws, r, i, app.workbook, text=True, **style)
        _linked(cell, relative_target(workbook_path(app), base))
    else:
        if col.kind == "money":
            style["number_format"] = YEN
        elif col.kind == "count":
            style["number_format"] = COUNT
        if col.kind == "key":
            style["alignment"] = KEY_ALIGNMENT
        put(ws, r, i, col.get(no, app), text=col.kind in ("text", "wrap", "key"), **style)


def _gone(ws, r: int, no: int, columns: list[Column], carried: Carried) -> None:
    """A row whose application left the intake: what the summary before showed of it, and staff's notes."""
    old = carried.old.values
    for i, col in enumerate(columns, 1):
        style = {"alignment": CENTER if i == 1 else TOP, "font": GONE_FONT}
        if col.header == "No":
            value = no
        elif col.kind == "since":
            value = carried.since
        else:
            value = old.get(col.header)
        if col.kind == "date":
            style["number_format"] = DATE
        elif col.kind == "money" and isinstance(value, (int, float)):
            style["number_format"] = YEN
        put(ws, r, i, value, text=isinstance(value, str), **style)


def _staff_columns(ws, columns: list[Column], rows: int) -> None:
    """受付状態 a drop-down of schemas/staff.yaml's values (rows added below the table too); 照合用 hidden."""
    from openpyxl.worksheet.datavalidation import DataValidation

    for i, col in enumerate(columns, 1):
        letter = get_column_letter(i)
        if col.header == STATUS:
            check = DataValidation(type="list", formula1='"' + ",".join(statuses()) + '"', allow_blank=True,
                                   showErrorMessage=False)
            check.promptTitle, check.prompt = STATUS, "一覧から選ぶか、書き込んでください"
            check.add(f"{letter}2:{letter}{max(rows + 1, 2) + STAFF_SPARE_ROWS}")
            ws.add_data_validation(check)
        elif col.kind == "key":
            ws.column_dimensions[letter].hidden = True


def _findings(ws, rows: list[Carried], base: Path) -> None:
    """Every finding of every application in the order of 申請一覧, its cell a link to that cell of the
    annotated copy when there is one; an application that could not be checked is one row saying why."""
    _header(ws, [c.header for c in FINDING_COLUMNS])
    severity_column = next(i for i, c in enumerate(FINDING_COLUMNS, 1) if c.header == "重要度")
    cell_column = next(i for i, c in enumerate(FINDING_COLUMNS, 1) if c.header == "セル")
    r = 1
    for carried in rows:
        app = carried.app
        if app is None:
            continue
        if app.error is not None:
            r += 1
            unreadable = {"rule": None, "name": None, "severity": None, "message": app.error}
            for i, col in enumerate(FINDING_COLUMNS, 1):
                value = CANNOT_LABEL if i == severity_column else col.get(app, unreadable)
                put(ws, r, i, value, text=True, alignment=TOP, **({"fill": CANNOT_FILL} if i == severity_column else {}))
        target = annotated_target(app, base)
        for f in app.findings:
            r += 1
            fill = None if f.get("accepted") else {"error": ERROR_FILL, "warning": WARNING_FILL}.get(f.get("severity"))
            for i, col in enumerate(FINDING_COLUMNS, 1):
                style = {"alignment": TOP}
                if f.get("accepted"):
                    style["font"] = ACCEPTED_FONT
                if i == severity_column and fill is not None:
                    style["fill"] = fill
                cell = put(ws, r, i, col.get(app, f), text=True, **style)
                if i == cell_column and f.get("sheet") and f.get("cell"):
                    _linked(cell, target, f"'{f['sheet']}'!{f['cell']}")
    _finish(ws, FINDING_COLUMNS, r - 1, "A2", fit_to_page=True)


def _files(ws, rows: list[Carried], base: Path) -> None:
    """提出ファイル: every file of every application, each a link (a zip's members: to the zip)."""
    _header(ws, FILE_HEADERS)
    r = 1
    for carried in rows:
        app = carried.app
        if app is None:
            continue
        for name, kind, path in application_files(app):
            r += 1
            put(ws, r, 1, app.id, text=True, alignment=TOP)
            cell = put(ws, r, 2, name, text=True, alignment=TOP)
            _linked(cell, relative_target(path, base))
            put(ws, r, 3, kind, text=True, alignment=TOP)
    _finish(ws, [Column(h, None) for h in FILE_HEADERS], r - 1, "A2", fit_to_page=True)


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


def _cover(ws, rows: list[Carried], run: Run, base: Path) -> None:
    """受付の概要: when, over which intake, under which program and versions; how many of each verdict;
    every application that could not be checked and why; the 事業区分 the short labels stand for."""
    import datetime as dt
    from collections import Counter

    from planvalidator import __version__

    apps = [c.app for c in rows if c.app is not None]
    started = run.started or dt.datetime.now().astimezone()
    templates = Counter(a.template for a in apps if a.template)
    put(ws, 1, 1, "受付の概要", font=TITLE_FONT)
    facts = [
        ("実行日時", started.strftime("%Y-%m-%d %H:%M") + (f"（{started.tzname()}）" if started.tzname() else "")),
        ("受付フォルダ", run.intake or ""),
        ("制度・コース", run.program or ""),
        ("様式の版", "、".join(f"{t}（{n} 件）" for t, n in sorted(templates.items())) or "—"),
        ("planvalidator の版", __version__),
        ("申請の数", f"{len(apps)} 件"),
    ]
    r = 2
    for label, value in facts:
        r += 1
        put(ws, r, 1, label, font=BOLD_FONT, alignment=TOP)
        cell = put(ws, r, 2, value, text=True, alignment=TOP)
        if label == "受付フォルダ" and run.intake:
            _linked(cell, relative_target(run.intake, base))
    r += 2
    put(ws, r, 1, "判定", font=HEADER_FONT, fill=HEADER_FILL)
    put(ws, r, 2, "件数", font=HEADER_FONT, fill=HEADER_FILL)
    put(ws, r, 3, "判定（正式の書き方）", font=HEADER_FONT, fill=HEADER_FILL)
    verdicts = Counter(verdict(a) for a in apps)
    for full, short in VERDICTS:
        r += 1
        put(ws, r, 1, short, text=True)
        put(ws, r, 2, verdicts.get(short, 0), number_format='#,##0" 件"', alignment=LEFT)
        put(ws, r, 3, full, text=True)
    gone = sum(1 for c in rows if c.since == GONE)
    if gone:
        r += 1
        put(ws, r, 1, GONE, text=True)
        put(ws, r, 2, gone, number_format='#,##0" 件"', alignment=LEFT)
        put(ws, r, 3, "前回の一覧にあり、今回の受付フォルダにない申請（担当者の欄を残しています）", text=True)
    r += 2
    cannot = [a for a in apps if a.error is not None]
    put(ws, r, 1, "チェックできなかった申請", font=HEADER_FONT, fill=HEADER_FILL)
    put(ws, r, 2, "理由", font=HEADER_FONT, fill=HEADER_FILL)
    for app in cannot:
        r += 1
        put(ws, r, 1, app.id, text=True, alignment=TOP)
        put(ws, r, 2, app.error, text=True, alignment=TOP)
    if not cannot:
        r += 1
        put(ws, r, 1, "なし", text=True)
    if run.skipped:
        r += 2
        put(ws, r, 1, "読まなかったファイル", font=BOLD_FONT, alignment=TOP)
        put(ws, r, 2, "、".join(run.skipped) + "（申請のフォルダ・zip・事業計画書ではありません）", text=True, alignment=TOP)
    courses = {}
    for app in apps:
        course = course_of(app)
        if course is not None:
            courses.setdefault(f"区分{course.key}", course.name)
    if courses:
        r += 2
        put(ws, r, 1, "事業区分", font=HEADER_FONT, fill=HEADER_FILL)
        put(ws, r, 2, "名称", font=HEADER_FONT, fill=HEADER_FILL)
        for short, name in sorted(courses.items()):
            r += 1
            put(ws, r, 1, short, text=True, alignment=TOP)
            put(ws, r, 2, name, text=True, alignment=TOP)
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 70
    ws.column_dimensions["C"].width = 40
    for row in ws.iter_rows(min_col=2, max_col=2):
        for cell in row:
            if isinstance(cell.value, str) and display_width(cell.value) > 68:
                cell.alignment = TOP
                ws.row_dimensions[cell.row].height = min(LINE_HEIGHT * text_lines(cell.value, 70) + 3, MAX_ROW_HEIGHT)
    ws.page_setup.orientation = "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def build(applications: list[Application], base: Path, run: Run | None = None) -> Workbook:
    """The summary workbook; ``base``: the folder it will be saved in (hyperlinks are relative to it);
    ``run``: what the cover says of the run, and the summary written before (staff's notes)."""
    _STYLES.clear()
    _LINKED.clear()
    run = run or Run()
    rows = carry(work_order(applications), run.previous)
    wb = Workbook()
    wb.properties.creator = "planvalidator"
    wb.properties.title = "受付チェック"
    _cover(wb.active, rows, run, base)
    wb.active.title = SHEET_COVER
    ws = wb.create_sheet(SHEET_APPLICATIONS)
    _applications(ws, rows, base)
    _findings(wb.create_sheet(SHEET_FINDINGS), rows, base)
    _rules(wb.create_sheet(SHEET_RULES), applications)
    _files(wb.create_sheet(SHEET_FILES), rows, base)
    wb.active = 1                            # opens on 申請一覧
    return wb


def to_bytes(wb: Workbook) -> bytes:
    """The workbook saved in memory (:func:`planvalidator.xlsx_memory.save_workbook`: no temporary files — the
    server's intake mode writes nothing to disk)."""
    import io

    from planvalidator.xlsx_memory import save_workbook

    buffer = io.BytesIO()
    save_workbook(wb, buffer)
    return buffer.getvalue()


def write(applications: list[Application], out: Path | None, run: Run | None = None) -> None:
    if out is None:
        raise ValueError("xlsx の要約はファイルにしか書けません（-o 受付チェック.xlsx）")
    out = Path(out)
    base = out.resolve().parent
    wb = build(applications, base, run)
    out.parent.mkdir(parents=True, exist_ok=True)
    from planvalidator.atomic import write_file

    write_file(out, wb.save)            # never a half-written summary; one written again keeps its permissions
