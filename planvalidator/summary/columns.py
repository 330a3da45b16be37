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
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

from planvalidator.summary import CANNOT_CHECK, Application
TOP_SEPARATOR = "\n"          # 主な指摘: one finding a line
DOCUMENT_SEPARATOR = "、"     # 不足書類


@dataclass(frozen=True)
class Column:
    header: str
    get: Callable[[int, Application], object]    # (No, application) → value
    kind: str = "text"        # text | wrap (multi-line text) | money | count | link
    width: int | None = None  # fixed width (characters); None: fit the text
    xlsx: bool = True         # in the workbook's 申請一覧
    csv: bool = True          # in the CSV


def verdict(app: Application) -> str:
    if app.error is not None:
        return CANNOT_CHECK
    return app.verdict or ""


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


def annotated_target(app: Application, base: Path | None) -> str | None:
    """Where the annotated copy is: relative to ``base`` (the summary's folder; None: the current
    folder) when both are on one drive, else its absolute path; with 「/」."""
    if not app.annotated:
        return None
    path = Path(app.annotated).resolve()
    try:
        return Path(os.path.relpath(path, Path(base or ".").resolve())).as_posix()
    except ValueError:            # another drive (Windows)
        return path.as_posix()


def annotated_name(app: Application) -> str | None:
    return Path(app.annotated).name if app.annotated else None


APPLICATION_COLUMNS: list[Column] = [
    Column("No", lambda no, a: no, "count", width=5),
    Column("申請", lambda no, a: a.id),
    Column("判定", lambda no, a: verdict(a)),
    Column("申請者", lambda no, a: a.applicant),
    Column("所在地の市町", lambda no, a: a.city),
    Column("事業区分", lambda no, a: a.category, "wrap"),
    Column("助成事業名", lambda no, a: a.project_name, "wrap"),
    Column("助成対象経費", lambda no, a: yen(a.eligible), "money"),
    Column("助成金申請額", lambda no, a: yen(a.requested), "money"),
    Column("申請可能額", lambda no, a: yen(a.limit), "money"),      # 対象経費 × 助成率, up to the 限度額
    Column("限度額", lambda no, a: yen(a.cap), "money"),            # the category's cap
    Column("エラー", lambda no, a: a.errors, "count"),
    Column("警告", lambda no, a: a.warnings, "count"),
    Column("情報", lambda no, a: a.infos, "count"),
    Column("確認済み", lambda no, a: a.accepted, "count"),
    Column("指摘件数", lambda no, a: open_findings(a), "count", xlsx=False),
    Column("不足書類", lambda no, a: DOCUMENT_SEPARATOR.join(a.missing_documents), "wrap"),
    Column("主な指摘", lambda no, a: top_text(a), "wrap", width=60),   # or why it could not be checked
    Column("注記済みのブック", lambda no, a: a.annotated, "link"),
    Column("再利用", lambda no, a: "再利用" if a.reused else "", width=8),
]

# 指摘一覧: (header, getter(application, finding), kind)
FINDING_COLUMNS: list[Column] = [
    Column("申請", lambda a, f: a.id),
    Column("申請者", lambda a, f: a.applicant),
    Column("規則", lambda a, f: f.get("rule"), width=8),
    Column("規則名", lambda a, f: f.get("name")),
    Column("重要度", lambda a, f: severity_label(f.get("severity")), width=8),
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
    the applications use); {} when the catalogue cannot be read (the sheet then goes without it)."""
    try:
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
    except Exception:  # the summary must not fail for want of a description
        return {}


@lru_cache(maxsize=4096)
def display_width(text: str) -> int:
    """Width of one line in Excel's character units: East Asian wide characters count two.
    (Cached: a summary repeats its names and messages.)"""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def text_lines(text: str, width: int) -> int:
    """Lines ``text`` takes wrapped in a column ``width`` characters wide."""
    usable = max(width - 1, 1)
    return sum(max(1, math.ceil(display_width(line) / usable)) for line in str(text).split("\n"))
