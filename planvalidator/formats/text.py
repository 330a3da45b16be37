"""Text for people: each file's findings as a table (rich), a summary line (and, when rows were found
ineligible, what taking them out costs the applicant), and for several files
a まとめ with one line each. Files that could not be checked are named on stderr by the CLI."""

from __future__ import annotations

from collections import Counter
from typing import IO

from planvalidator.engine import Report
from planvalidator.findings import Severity

_SHORT_VERDICT = {"確認してください": "確認", "問題は見つかりませんでした": "問題なし"}   # for the overview's column
_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def summary_line(report: Report) -> str:
    s = report.counts
    accepted = f"、確認済み {len(report.accepted)} 件" if report.accepted else ""
    return (f"{report.file}: エラー {s['error']} 件、警告 {s['warning']} 件、情報 {s['info']} 件{accepted}"
            f"（様式 {report.template}）— {report.verdict}")


def cut_line(report: Report) -> str | None:
    """The money's verdict (reduction.verdict) when it has news: rows found ineligible, or a 減額 to expect."""
    cut = report.cut
    if cut is None or not (cut.excluded or cut.reduction):
        return None
    return report.money_verdict


def advice_line(finding) -> str:
    """The line under a finding: what to change (the rule's advice, as the results sheet and JSON say it)."""
    return f"直し方: {finding.advice}" if finding.advice else ""


WIDE = 100_000        # written to a file or a pipe: every line whole, whatever its length (grep finds it)


def _terminal(out: IO[str]) -> bool:
    try:
        return out.isatty()
    except (AttributeError, ValueError):
        return False


def write(outcomes, out: IO[str], *, color: bool | None = None, width: int | None = None) -> None:
    """On a terminal, long messages wrap at its width (never cut); written to a file, each line is whole.
    ``width``: the terminal's width (None: as the terminal says)."""
    plain = _plain_lines(outcomes, width or WIDE)
    if plain is not None:        # nothing to draw: rich (slow to import) would print these lines as they are
        out.write("".join(f"{line}\n" for line in plain))
        return
    from rich.console import Console
    from rich.markup import escape

    if width is None and not _terminal(out):
        width = WIDE
    console = Console(file=out, force_terminal=color, no_color=color is False, width=width,
                      highlight=False, soft_wrap=False)
    reports = [o.report for o in outcomes if o.report is not None]
    for outcome in outcomes:
        if outcome.report is None:
            continue
        # (what the applicant or a reviewer wrote is text, never rich markup: 「[/] 済」 prints as it is)
        if outcome.annotated:
            console.print(escape(f"{summary_line(outcome.report)}\n  → {outcome.output}"))
            for sheet, cell in outcome.notes_skipped:
                console.print(escape(f"  {sheet}!{cell}: スレッド形式のコメントがあるため、メモは付けず色とチェック結果シートに示しました"))
            if line := cut_line(outcome.report):
                console.print(escape(f"  {line}"))
            continue
        _write_findings(console, outcome.report)
        console.print(escape(summary_line(outcome.report)))
        if line := cut_line(outcome.report):
            console.print(escape(f"  {line}"))
    if len(reports) > 1 and not any(o.annotated for o in outcomes):
        _write_overview(console, reports)


def _plain_lines(outcomes, columns: int) -> list[str] | None:
    """The lines :func:`write` prints when it draws no table and rich would change none of them
    (printable, narrower than ``columns``: a character is at most 2 of them); else None."""
    reports = [o.report for o in outcomes if o.report is not None]
    if len(reports) > 1 and not any(o.annotated for o in outcomes):
        return None
    lines = []
    for outcome in outcomes:
        if outcome.report is None:
            continue
        if outcome.annotated:
            lines += [summary_line(outcome.report), f"  → {outcome.output}"]
            lines += [f"  {sheet}!{cell}: スレッド形式のコメントがあるため、メモは付けず色とチェック結果シートに示しました"
                      for sheet, cell in outcome.notes_skipped]
        elif outcome.report.findings:
            return None
        else:
            lines.append(summary_line(outcome.report))
        if line := cut_line(outcome.report):
            lines.append(f"  {line}")
    if all(line.isprintable() and sum(1 if ord(c) < 0x1100 else 2 for c in line) < columns for line in lines):
        return lines
    return None


def _write_findings(console, report: Report) -> None:
    from rich.markup import escape
    from rich.table import Table

    if not report.findings:
        return
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    for name in ("場所", "重要度", "コード"):
        table.add_column(name, no_wrap=True)
    table.add_column("内容", overflow="fold")         # wrapped at the width, never cut with 「…」
    for f in report.open_findings:
        how = advice_line(f)
        table.add_row(escape(f.where or "—"), f"[{_STYLE[f.severity]}]{f.severity.label}[/]", f.rule,
                      escape(f.message) + (f"\n[dim]{escape(how)}[/]" if how else ""))
    for f in report.accepted:
        table.add_row(escape(f.where or "—"), "[dim]確認済み[/]", f.rule, f"[dim]{escape(f'{f.message}（{f.accepted}）')}[/]")
    console.print(table)


def _write_overview(console, reports: list[Report]) -> None:
    """One line per file (for staff pre-screening many applications) and the totals."""
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="まとめ", show_header=True, header_style="bold", box=None, pad_edge=False)
    for name in ("ファイル", "エラー", "警告", "情報", "判定", "主な指摘"):
        table.add_column(name, no_wrap=name not in ("ファイル", "主な指摘"), overflow="fold")
    for report in reports:
        s = report.counts
        verdict = _SHORT_VERDICT.get(report.verdict, report.verdict)
        common = Counter(f.rule for f in report.open_findings if f.severity is not Severity.INFO).most_common(3)
        table.add_row(escape(report.file), str(s["error"]), str(s["warning"]), str(s["info"]), verdict,
                      "、".join(f"{rule}×{n}" for rule, n in common) or "—")
    console.print()
    console.print(table)
    failing = sum(r.has_errors for r in reports)
    console.print(f"{len(reports)} 件中 {failing} 件が要修正、{len(reports) - failing} 件はエラーなし")
