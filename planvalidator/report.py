"""Reports of findings: a readable terminal table and a machine-readable JSON form."""

from __future__ import annotations

import json
from typing import IO

from planvalidator.engine import Report
from planvalidator.findings import Severity

_SHORT_VERDICT = {"確認してください": "確認", "問題は見つかりませんでした": "問題なし"}   # for the overview's column
_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def summary_line(report: Report) -> str:
    s = report.summary
    return (f"{report.file}: エラー {s['error']} 件、警告 {s['warning']} 件、情報 {s['info']} 件"
            f"（様式 {report.template}）— {report.verdict}")


def write_text(reports: list[Report], out: IO[str], *, color: bool | None = None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(file=out, force_terminal=color, no_color=color is False, width=160,
                      highlight=False, soft_wrap=False)
    for report in reports:
        if report.findings:
            table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
            table.add_column("場所", no_wrap=True)
            table.add_column("重要度", no_wrap=True)
            table.add_column("コード", no_wrap=True)
            table.add_column("内容")
            for f in report.findings:
                table.add_row(f.where or "—", f"[{_STYLE[f.severity]}]{f.severity.label}[/]", f.rule,
                              f.message)
            console.print(table)
        console.print(summary_line(report))
    if len(reports) > 1:
        _write_overview(console, reports)


def _write_overview(console, reports: list[Report]) -> None:
    """One line per file (for staff pre-screening many applications) and the totals."""
    from collections import Counter

    from rich.table import Table

    table = Table(title="まとめ", show_header=True, header_style="bold", box=None, pad_edge=False)
    for name in ("ファイル", "エラー", "警告", "情報", "判定", "主な指摘"):
        table.add_column(name, no_wrap=name != "主な指摘")
    for report in reports:
        s = report.summary
        verdict = _SHORT_VERDICT.get(report.verdict, report.verdict)
        common = Counter(f.rule for f in report.findings if f.severity is not Severity.INFO).most_common(3)
        table.add_row(report.file, str(s["error"]), str(s["warning"]), str(s["info"]), verdict,
                      "、".join(f"{rule}×{n}" for rule, n in common) or "—")
    console.print()
    console.print(table)
    failing = sum(r.has_errors for r in reports)
    console.print(f"{len(reports)} 件中 {failing} 件が要修正、{len(reports) - failing} 件はエラーなし")


def failure_dict(file: str, reason: str) -> dict:
    """The JSON object of a file that could not be checked."""
    return {"file": file, "template": None, "error": reason,
            "summary": {s.value: 0 for s in Severity}, "findings": []}


def dump_json(items: list[dict]) -> str:
    """One file: its object. Several: ``{"files": [...]}`` (keys are a stable interface)."""
    return json.dumps(items[0] if len(items) == 1 else {"files": items}, ensure_ascii=False, indent=2)


def to_json(reports: list[Report], failures: dict[str, str] | None = None) -> str:
    return dump_json([r.to_dict() for r in reports]
                     + [failure_dict(file, reason) for file, reason in (failures or {}).items()])
