"""What the commands share: the exit codes, the rule-selection options, the per-file loop and the one line
of a command that cannot go on."""

from __future__ import annotations

import gc
import sys

import click

from planvalidator.cli.click_ja import install

install()       # click's own words in Japanese, before any command module makes its options (every one imports this)

EXIT_CLEAN, EXIT_FINDINGS, EXIT_CANNOT_CHECK = 0, 1, 2


def _formats() -> list[str]:
    from planvalidator.formats import FORMATS
    return list(FORMATS)


def selection_options(command):
    """--select / --ignore / --severity / --config: which rules run (check, annotate, batch)."""
    for option in reversed([
        click.option("--select", metavar="規則", help="使う規則（コード・接頭辞 PV1・系統名・規則名、カンマ区切り。既定: ALL）。"),
        click.option("--ignore", metavar="規則", help="使わない規則（--select と同じ書き方）。"),
        click.option("--severity", "severities", metavar="規則=重要度", multiple=True,
                     help="規則の重要度を変える（例: PV110=info。何度でも指定可）。"),
        click.option("--config", "config", type=click.Path(dir_okay=False, path_type=str),
                     help="設定ファイル（既定: このフォルダの planvalidator.toml か pyproject.toml の [tool.planvalidator]）。"),
        click.option("--program", "program", metavar="制度[:コース]", default=None,
                     help="この制度の数値（助成率・上限・下限…）でチェックする（planvalidator programs で一覧。既定: 事業区分から）。"),
    ]):
        command = option(command)
    return command


def rule_options(command):
    """The selection options and --format / --color, shared by check and annotate."""
    for option in reversed([
        click.option("--format", "fmt", type=click.Choice(_formats()), default="text", show_default=True,
                     help="出力の形式（json・jsonl は他のツールが読む形でキーは固定。sarif はコードスキャン、junit は CI の"
                          "テスト結果、github は GitHub Actions の注記）。"),
        click.option("--color/--no-color", default=None, help="色付き表示（既定: 端末なら自動）。"),
    ]):
        command = option(command)
    return selection_options(command)


def check_options(select, ignore, severities, config, accept=(), program=None):
    """The check options from the config file and the command line; a bad one exits 2 with one line."""
    from planvalidator.accepted import parse_spec
    from planvalidator.engine import Options
    from planvalidator.selection import SelectionError, load_config

    try:
        selection = load_config(config).overridden(select, ignore, severities)
    except SelectionError as exc:
        click.echo(f"planvalidator: {exc}", err=True)
        sys.exit(EXIT_CANNOT_CHECK)
    for spec in accept:
        try:
            parse_spec(spec)
        except ValueError as exc:
            click.echo(f"planvalidator: --accept {spec}: {exc}（「規則」か「規則@シート!セル」の形で、例: PV110@計画様式7!M12）",
                       err=True)
            sys.exit(EXIT_CANNOT_CHECK)
    if program:
        from planvalidator.profiles import ProfileError, profile_of

        try:
            profile_of(program)                 # the course itself may come from each workbook's 事業区分
        except ProfileError as exc:
            click.echo(f"planvalidator: --program {program}: {exc}", err=True)
            sys.exit(EXIT_CANNOT_CHECK)
    return Options(selection, tuple(accept), course=program)


def run_files(files, job, doing: str, fmt: str, color) -> None:
    """The one per-file loop of check and annotate: each file's outcome (a file that cannot be read
    is named on stderr and in the output, never a traceback), the chosen format, the exit code."""
    from planvalidator.formats import Outcome, write
    from planvalidator.outcome import failure

    outcomes = []
    # the collector is off while the first file is checked: what that check loads and builds (modules, the
    # program, the template's grid) lives as long as the process, and collecting it found nothing (~0.6% of a
    # cold check); from the second file on it collects as it always does
    collecting = gc.isenabled()
    gc.disable()
    try:
        for path in files:
            try:
                outcomes.append(job(path))
            except Exception as exc:  # noqa: BLE001 — never a traceback for a user's file
                outcomes.append(Outcome(path, error=failure(exc, path, doing).reason, annotated=doing == "書き込み"))
            if collecting:
                gc.enable()
            if outcomes[-1].error:
                click.echo(f"planvalidator: {path}: {outcomes[-1].error}", err=True)
    finally:
        if collecting:
            gc.enable()
    write(fmt, outcomes, sys.stdout, color=color)
    reports = [o.report for o in outcomes if o.report is not None]
    if any(o.error for o in outcomes) or any(r.incomplete for r in reports):
        sys.exit(EXIT_CANNOT_CHECK)
    sys.exit(EXIT_FINDINGS if any(r.has_errors for r in reports) else EXIT_CLEAN)


def fail(exc) -> None:
    """One line for a command that cannot go on (exit 2)."""
    click.echo(f"planvalidator: {exc}", err=True)
    sys.exit(EXIT_CANNOT_CHECK)


def cannot(exc: Exception, file: str, doing: str) -> None:
    """The one line of whatever ``doing`` ``file`` raised, naming the file (planvalidator.outcome), and exit 2."""
    from planvalidator.outcome import failure

    fail(failure(exc, file, doing).line)

