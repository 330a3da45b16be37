"""The columns of 申請一覧 (the summary workbook's first sheet and the CSV) and of 指摘一覧, in one
place, and the small text helpers the writers share.

A column's getter returns plain values: str (text from the application or ours), int / float
(counts, yen) or None (empty). Each writer makes text safe its own way (openpyxl: never a formula;
CSV: a leading 「'」 before = + - @).
"""

from __future__ import annotations

import math
import os
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Callable

from planvalidator.summary import CANNOT_CHECK, Application
from planvalidator.structs import Frozen

TOP_SEPARATOR = "\n"          # 主な指摘: one finding a line
DOCUMENT_SEPARATOR = "、"     # 不足書類


class Column(Frozen):
    header: str
    get: Callable[[int, Application], object]    # (No, application) → value
    kind: str = "text"        # text | wrap (multi-line text) | money | count | link | source | workbook
                              # | staff | date | since | key (see planvalidator.summary.xlsx)
    width: int | None = None  # fixed width (characters); None: fit the text
    xlsx: bool = True         # in the workbook's 申請一覧
    csv: bool = True          # in the CSV


# the verdicts in the order staff work them, each with its short label (申請一覧, the cover)
VERDICTS = [
    (CANNOT_CHECK, "チェック不可"),
    ("チェック未完了", "チェック未完了"),
    ("要修正", "要修正"),
    ("確認してください", "要確認"),
    ("問題は見つかりませんでした", "問題なし"),
]
_RANK = {full: i for i, (full, _short) in enumerate(VERDICTS)}
_SHORT = dict(VERDICTS)


def verdict_full(app: Application) -> str:
    if app.error is not None:
        return CANNOT_CHECK
    return app.verdict or ""


def verdict(app: Application) -> str:
    """The verdict's short label: チェック不可 / チェック未完了 / 要修正 / 要確認 / 問題なし."""
    full = verdict_full(app)
    return _SHORT.get(full, full)


def work_order(applications: list[Application]) -> list[Application]:
    """The applications as staff work them: チェック不可 → 要修正 → 要確認 → 問題なし, then by 申請者 and name."""
    return sorted(applications, key=lambda a: (_RANK.get(verdict_full(a), len(VERDICTS)), a.applicant or "\uffff", a.id))


def course_of(app: Application):
    """The program course (planvalidator.profiles.Course) the application's 事業区分 names, or None."""
    if not app.template or not app.category:
        return None
    from planvalidator.profiles import ProfileError, default_course

    try:
        return default_course(app.template, app.category)
    except (ProfileError, OSError):
        return None


def category_short(app: Application) -> str | None:
    """「区分7」 for the 事業区分 「7 中小企業等による…」 (the cover lists the full names); as written when no
    course of the program matches it."""
    course = course_of(app)
    return f"区分{course.key}" if course is not None else app.category


def where(f: dict) -> str:
    """「計画様式1!E40」, the sheet alone, or the attachment the finding is about."""
    if f.get("sheet") and f.get("cell"):
        return f"{f['sheet']}!{f['cell']}"
    return f.get("sheet") or f.get("attachment") or ""


def finding_line(f: dict) -> str:
    """「PV403 計画様式1!E40 message」."""
    return " ".join(part for part in (f.get("rule") or "", where(f), f.get("message") or "") if part)


def top_text(app: Application) -> str:
    """The three most serious open findings, one a line; why, when the application could not be checked."""
    if app.error is not None:
        return app.error
    return TOP_SEPARATOR.join(finding_line(f) for f in app.top_findings)


def open_findings(app: Application) -> int:
    return sum(1 for f in app.findings if not f.get("accepted"))


def severity_label(severity: str | None) -> str:
    """「エラー」 for "error" (planvalidator.findings.Severity.label); anything else as it is."""
    from planvalidator.findings import Severity

    try:
        return Severity(severity).label
    except ValueError:
        return severity or ""


def yen(value):
    """Yen as a number (whole amounts as int); None stays None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return int(value) if value.is_integer() else value
    return value


def relative_target(path: str | Path | None, base: Path | None) -> str | None:
    """``path`` relative to ``base`` (the summary's folder; None: the current folder) when both are on one
    drive, else absolute; with 「/」. A summary moved together with the intake keeps its links.
    (Absolute paths by os.path.abspath, no file system look-up: a summary links thousands of files.)"""
    if not path:
        return None
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute, _absolute(str(base or ".")))
    except ValueError:            # another drive (Windows)
        return Path(absolute).as_posix()
    return relative if os.sep == "/" else Path(relative).as_posix()   # relpath's is normalised already


@lru_cache(maxsize=64)
def _absolute(folder: str) -> str:
    return os.path.abspath(folder)


def annotated_target(app: Application, base: Path | None) -> str | None:
    """Where the annotated copy is (:func:`relative_target`)."""
    return relative_target(app.annotated, base)


def annotated_name(app: Application) -> str | None:
    return Path(app.annotated).name if app.annotated else None


def application_files(app: Application) -> list[tuple[str, str, str | None]]:
    """The application's files as (名前, 種類, the path to link to): a folder's each file; a zip's members
    only by name (the link goes to the zip); a lone workbook itself."""
    source = Path(app.source)
    names = ([(app.workbook, "事業計画書")] if app.workbook else []) + [(n, "添付") for n in app.attachments]
    if not _folder(source):                   # a zip or a lone workbook: the one file there is
        return [(n, kind, str(source)) for n, kind in names] or [(source.name, "申請のファイル", str(source))]
    return [(n, kind, str(source / n)) for n, kind in names]


def workbook_path(app: Application) -> str | None:
    """The path the 事業計画書 link goes to (the zip for a zip's), None when none was found."""
    if not app.workbook:
        return None
    source = Path(app.source)
    return str(source / app.workbook) if _folder(source) else str(source)


def _folder(source: Path) -> bool:
    """The application is a folder (not a zip or a lone workbook: planvalidator.intake.discover's kinds)."""
    return source.is_dir() or (not source.exists() and source.suffix.lower() not in (".zip", ".xlsx", ".xlsm", ".xls"))


APPLICATION_COLUMNS: list[Column] = [
    Column("No", lambda no, a: no, "count", width=5),
    Column("申請", lambda no, a: a.id, "source", width=20),                       # links to its folder / zip / workbook
    Column("判定", lambda no, a: verdict(a), width=12, csv=False),      # the short label
    Column("判定", lambda no, a: verdict_full(a), xlsx=False),          # the CSV as before: the verdict in full
    Column("前回から", lambda no, a: None, "since", width=10, csv=False),  # 新規 / 変更あり / 受付にない
    Column("受付状態", lambda no, a: None, "staff", width=12, csv=False),  # a drop-down (schemas/staff.yaml)
    Column("担当者", lambda no, a: None, "staff", width=10, csv=False),
    Column("連絡日", lambda no, a: None, "date", width=11, csv=False),
    Column("申請者", lambda no, a: a.applicant, "wrap", width=24),
    Column("所在地の市町", lambda no, a: a.city, width=10),
    Column("事業区分", lambda no, a: category_short(a), width=10, csv=False),   # 「区分7」: the cover names it
    Column("事業区分", lambda no, a: a.category, "wrap", xlsx=False),
    Column("助成事業名", lambda no, a: a.project_name, "wrap", width=28),
    Column("助成対象経費", lambda no, a: yen(a.eligible), "money"),
    Column("助成金申請額", lambda no, a: yen(a.requested), "money"),
    Column("申請可能額", lambda no, a: yen(a.limit), "money"),      # 対象経費 × 助成率, up to the 限度額
    Column("限度額", lambda no, a: yen(a.cap), "money"),            # the category's cap
    Column("エラー", lambda no, a: a.errors, "count"),
    Column("警告", lambda no, a: a.warnings, "count"),
    Column("情報", lambda no, a: a.infos, "count"),
    Column("確認済み", lambda no, a: a.accepted, "count"),
    Column("指摘件数", lambda no, a: open_findings(a), "count", xlsx=False),
    Column("不足書類", lambda no, a: DOCUMENT_SEPARATOR.join(a.missing_documents), "wrap", width=20),
    Column("主な指摘", lambda no, a: top_text(a), "wrap", width=50),   # or why it could not be checked
    Column("事業計画書", lambda no, a: a.workbook, "workbook", width=16, csv=False),
    Column("注記済みのブック", lambda no, a: a.annotated, "link", width=24),
    Column("再利用", lambda no, a: "再利用" if a.reused else "", width=8),
    Column("メモ", lambda no, a: None, "staff", width=30, csv=False),
    Column("照合用", lambda no, a: a.fingerprint, "key", width=8, csv=False),   # hidden: the files' digest
]

# 指摘一覧: (header, getter(application, finding), kind)
FINDING_COLUMNS: list[Column] = [
    Column("申請", lambda a, f: a.id),
    Column("申請者", lambda a, f: a.applicant),
    Column("規則", lambda a, f: f.get("rule"), width=8),
    Column("規則名", lambda a, f: f.get("name")),
    Column("重要度", lambda a, f: severity_label(f.get("severity")), width=12),
    Column("シート", lambda a, f: f.get("sheet")),
    Column("セル", lambda a, f: f.get("cell"), width=8),
    Column("添付ファイル", lambda a, f: f.get("attachment"), "wrap"),
    Column("指摘", lambda a, f: f.get("message"), "wrap", width=60),
    Column("根拠", lambda a, f: f.get("reference"), "wrap", width=40),
    Column("確認済み", lambda a, f: (f.get("accepted_note") or "確認済み") if f.get("accepted") else "", "wrap"),
]

RULE_HEADERS = ["規則", "規則名", "内容", "重要度", "件数", "申請数"]


def rule_summaries(applications: list[Application]) -> dict[str, str]:
    """Each rule's one-line Japanese summary, filled with the program's facts (the template most of
    the applications use); a brief that still holds a placeholder is left empty."""
    from collections import Counter

    from planvalidator.layout import known_layouts
    from planvalidator.program import load_program
    from planvalidator.rules import all_rules

    templates = Counter(a.template for a in applications if a.template)
    wanted = templates.most_common(1)[0][0] if templates else None
    layouts = known_layouts()
    layout = next((l for l in layouts if l.template == wanted), layouts[0] if layouts else None)
    program = load_program(layout.folder) if layout is not None else None
    out = {}
    for rule in all_rules():
        brief = rule.rendered(program, layout).brief if program is not None else rule.brief
        out[rule.code] = "" if "{" in brief else brief
    return out


@lru_cache(maxsize=4096)
def display_width(text: str) -> int:
    """Width of one line in Excel's character units: East Asian wide characters count two.
    (Cached: a summary repeats its names and messages; and each character's width.)"""
    if text.isascii():
        return len(text)              # no ASCII character is wide
    return sum(map(_char_width, text))


class _CharWidths(dict):
    def __missing__(self, ch: str) -> int:
        width = self[ch] = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        return width


_char_width = _CharWidths().__getitem__


def text_lines(text: str, width: int) -> int:
    """Lines ``text`` takes wrapped in a column ``width`` characters wide."""
    usable = max(width - 1, 1)
    return sum(max(1, math.ceil(display_width(line) / usable)) for line in str(text).split("\n"))
