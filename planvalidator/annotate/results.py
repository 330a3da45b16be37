"""What the annotation says, independent of where it is written (a file or a live book).

- :func:`notes_by_cell`: one note per cell listing all its findings, and the strongest severity.
- :func:`build_results`: the チェック結果 sheet as rows of typed cells with style roles; each
  backend maps a role to its own formatting.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from planvalidator.accepted import value_text
from planvalidator.engine import Report
from planvalidator.findings import Finding, Severity
from planvalidator.results_sheet import MARKER, RESULTS_SHEET, TABLE_HEADER, TITLE  # noqa: F401 (xl.py reads them here)
from planvalidator.structs import Struct, field

# How an annotation looks, for every backend (RGB without alpha or "#": each backend adds its own).
SEVERITY_RGB = {"error": "FF9B9B", "warning": "FFC97A", "info": "9BC2E6"}
HIGHLIGHT_MARK = "planvalidator:"          # our conditional formats are recognised by this text


def highlight_formula(severity: str) -> str:
    """The always-true formula of a highlight, naming its severity (without the leading "=")."""
    return f'"{HIGHLIGHT_MARK}{severity}"<>""'


# results-sheet roles: bold, size, font colour, fill, number format, wrap, underline
ROLE_STYLE: dict[str, dict] = {
    "title": {"bold": True, "size": 14},
    "label": {"bold": True, "fill": "F2F2F2"},
    "value": {}, "text": {},
    "money": {"number_format": "#,##0"},
    "header": {"bold": True, "color": "FFFFFF", "fill": "44546A"},
    "wrap": {"wrap": True},
    "link": {"color": "0563C1", "underline": True},
    "muted": {"color": "7F7F7F"},
    "input": {"fill": "FFF2CC"},          # where a reviewer writes (確認済み): the template's own input colour
    **{severity: {"bold": True, "fill": rgb} for severity, rgb in SEVERITY_RGB.items()},
    "money_error": {"bold": True, "fill": SEVERITY_RGB["error"], "number_format": "#,##0"},   # a 減額
}


def note_text(findings: list[Finding]) -> str:
    lines = [MARKER]
    for f in findings:
        lines.append(f"{f.rule} {f.severity.label}: {f.message}")
        if f.advice:
            lines.append(f"直し方: {f.advice}")
        lines.append(f"出典: {f.reference}")
    return "\n".join(lines)


def notes_by_cell(findings: list[Finding]) -> dict[tuple[str, str], tuple[str, str]]:
    """{(sheet, cell): (strongest severity, note text)} for open findings that have a cell
    (an accepted finding is listed on the results sheet only)."""
    grouped: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        if f.sheet and f.cell and f.accepted is None:
            grouped.setdefault((f.sheet, f.cell), []).append(f)
    out = {}
    for key, items in grouped.items():
        items.sort(key=lambda f: (f.severity.rank, f.rule))
        out[key] = (items[0].severity.value, note_text(items))
    return out


FIXABLE = "自動で直せます"            # a finding with a safe fix, on the results sheet (planvalidator fix)
CONFIRM_FIX = "確認のうえ自動で直せます"  # one with an unsafe fix (planvalidator fix --unsafe)


def with_fix(f: Finding) -> str:
    """A finding's message, and on the next line what its fix would write (「→ 自動で直せます: …」)."""
    if f.fix is None or f.accepted is not None:
        return f.message
    how = f"{FIXABLE}（planvalidator fix・チェックのページの「安全な修正を適用したブック」）" if f.fix.safe \
        else f"{CONFIRM_FIX}（planvalidator fix --unsafe）"
    return f"{f.message}\n→ {how}: {f.fix.summary}"


class Cell(Struct):
    value: object = None
    role: str = "text"   # title, label (spans A:D), value, money, header, error, warning, info, text, wrap, link,
                         # muted, input
    link: tuple[str, str] | None = None   # (sheet, cell) an internal hyperlink jumps to


class ResultsSheet(Struct):
    name: str
    rows: list[list[Cell]]
    widths: list[float]                       # column widths (characters)
    table_header: int                         # 1-based row of the findings table header
    table_last: int                           # last row of the findings table (= header when empty)
    columns: int
    state: dict = field(default_factory=dict)  # what clear() needs (written by the backend, hidden)


SEVERITY_ROLE = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "info"}


def _yen(value) -> str:
    return "—" if value is None else f"{value:,.0f} 円"


def cut_rows(cut) -> list[list[Cell]]:
    """The money without the rows found ineligible (open errors of the expense rules): 助成対象経費,
    the most that can then be requested and the 減額 to expect, with each 年度 when there are several."""
    label = lambda text: Cell(text, "label")  # noqa: E731
    if cut.excluded:
        sheet = cut.excluded[0].sheet
        which = f"{len(cut.excluded)} 件 {_yen(cut.excluded_amount)}を除外（{sheet} の " \
                f"{'・'.join(str(e.row) for e in cut.excluded)} 行目）"
    else:
        which = "対象外と判断した経費はありません"
    reduced = bool(cut.reduction)
    if cut.reduction is None:
        why = "判定できません"
    elif reduced:
        why = f"申請額 {_yen(cut.requested)}のうち、上限（年度ごとの経費×助成率・限度額）を超える分です"
    else:
        why = "申請額は上限内です"
    rows = [
        [label("対象外と判断した経費を除いた助成対象経費"), Cell(cut.eligible_after_cut, "money"), Cell(which, "value")],
        [label("その場合の申請できる上限"), Cell(cut.limit_after_cut, "money")],
        [label("見込まれる減額"), Cell(cut.reduction, "money_error" if reduced else "money"),
         Cell(why, "error" if reduced else "value")],
    ]
    if cut.multi_year and (cut.excluded or reduced):
        for y in cut.per_year:
            detail = (f"対象経費 {_yen(y.eligible_after_cut)} ／ 上限 {_yen(y.limit_after_cut)} ／ "
                      f"申請額 {_yen(y.requested)}")
            rows.append([label(f"　うち {y.year} の減額"), Cell(y.reduction, "money_error" if y.reduction else "money"),
                         Cell(detail, "value")])
    return rows


def build_results(report: Report, *, today: dt.date | None = None) -> ResultsSheet:
    """Rows 1–8: what was checked and the money summary; then the money without the rows found
    ineligible (the 減額 to expect); then the findings table (header frozen): open findings first,
    then those a reviewer accepted (確認済み)."""

    today = today or dt.date.today()
    s = report.counts
    worst = "error" if s["error"] else "warning" if s["warning"] else "value"
    label = lambda text: Cell(text, "label")  # noqa: E731
    accepted = f"・確認済み {len(report.accepted)} 件" if report.accepted else ""
    rows: list[list[Cell]] = [
        [Cell(TITLE, "title")],
        [label("ファイル"), Cell(Path(report.file).name, "value")],
        [label("様式・チェック日"), Cell(f"{report.template} ／ {today.isoformat()}", "value")],
        [label("結果"), Cell(f"{report.verdict}（エラー {s['error']} 件・警告 {s['warning']} 件・情報 {s['info']} 件"
                            f"{accepted}）", worst)],
    ]
    if report.money is not None:
        m, cut = report.money, report.cut
        over = m.within is False or bool(cut is not None and cut.reduction)
        category = f"区分{m.category} ／ 助成率 {m.rate} ／ 限度額 {m.cap:,} 円" if m.category else "（事業区分が未選択）"
        expenses = report.plan.actual("expenses") if report.plan else ""
        funding = report.plan.actual("funding") if report.plan else ""
        rows += [
            [label("事業区分・助成率・限度額"), Cell(category, "value")],
            [label(f"助成対象経費（{expenses} から計算）"), Cell(m.eligible, "money")],
            [label("申請できる上限（経費×助成率・限度額）"), Cell(m.limit, "money")],
            [label(f"助成金申請額（{funding}）"), Cell(m.requested, "money"),
             Cell(report.money_verdict, "error" if over else "value")],
        ]
        if cut is not None:
            rows += cut_rows(cut)
    rows.append([])
    header = len(rows) + 1
    rows.append([Cell(t, "header") for t in TABLE_HEADER])
    grid = report.plan.grid if report.plan is not None else None
    for f in [*report.open_findings, *report.accepted]:
        linked = bool(f.cell and f.sheet)
        done = f.accepted is not None
        rows.append([
            Cell(f.severity.label, "muted" if done else SEVERITY_ROLE[f.severity]),
            Cell(f.rule, "text"),
            Cell(f.sheet, "text"),
            Cell(f.cell or "", "link" if linked else "text", (f.sheet, f.cell) if linked else None),
            Cell(with_fix(f), "wrap"),
            Cell(f.reference, "wrap"),
            Cell(f.accepted, "input"),
            Cell(value_text(grid, f.sheet, f.cell) if grid is not None else "", "muted"),
            Cell(f.advice or None, "wrap"),
        ])
    for mark in report.kept_marks:            # accepted findings of rules that did not run: as they were
        values = list(mark.row) + [""] * (len(TABLE_HEADER) - len(mark.row))
        rows.append([Cell(v or None, "wrap" if i in (4, 5, 8) else "muted" if i in (0, 7) else
                          "input" if i == 6 else "text") for i, v in enumerate(values[:len(TABLE_HEADER)])])
    if not report.findings and not report.kept_marks:
        rows.append([Cell("—", "muted"), Cell(None), Cell(None), Cell(None), Cell("指摘はありません", "muted")])
    return ResultsSheet(RESULTS_SHEET, rows, [9, 8, 11, 7, 72, 38, 12, 16, 48], header, len(rows), len(TABLE_HEADER))
