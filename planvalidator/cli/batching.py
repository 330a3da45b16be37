"""``planvalidator batch``: every application of an intake checked, and the staff's summary of them."""

from __future__ import annotations

import sys

import click

from planvalidator.cli.common import (
    EXIT_CANNOT_CHECK,
    EXIT_CLEAN,
    EXIT_FINDINGS,
    cannot,
    check_options,
    selection_options,
)


@click.command()
@click.argument("intake", type=click.Path(path_type=str))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str),
              help="まとめの出力先（既定: xlsx なら 受付チェック.xlsx、csv/json/jsonl なら標準出力）。")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv", "json", "jsonl"]), default=None,
              help="まとめの形式（既定: -o の拡張子から。なければ xlsx）。")
@click.option("--annotate", "annotate_dir", type=click.Path(file_okay=False, path_type=str),
              help="各申請の事業計画書に指摘を書き込んだコピーをこのフォルダに作る（まとめからリンク）。")
@click.option("--jobs", type=click.IntRange(1, 64), default=None,
              help="同時に動かすプロセスの数（既定: CPU の数）。")
@click.option("--timeout", type=click.FloatRange(1, 3600), default=None,
              help="1 件のチェックの時間の上限（秒。既定: planvalidator/limits.py の APPLICATION_SECONDS）。")
@click.option("--cache", "cache_dir", type=click.Path(file_okay=False, path_type=str), default=None,
              help="前回までの結果を置くフォルダ（既定: ~/.cache/planvalidator/batch）。")
@click.option("--no-cache", is_flag=True, help="前回の結果を使わず、すべてチェックし直す。")
@selection_options
def batch(intake, output, fmt, annotate_dir, jobs, timeout, cache_dir, no_cache, select, ignore, severities, config,
          program):
    """受付フォルダの申請をまとめてチェックし、一覧のブック（受付チェック.xlsx）を作ります（ISICO の事前確認用）。

    \b
    受付フォルダ: 申請ごとのサブフォルダか zip（事業計画書と添付の PDF）を入れたフォルダ、
            または事業計画書を並べたフォルダ（この場合、添付書類は確かめません）。
    添付の PDF から、提出書類（決算書・確定申告書・同意書・認定書など）がそろっているかを確かめます
    （公募要領 6.(3)）。変わっていない申請は前回の結果を使います（件数を表示）。
    \b
    終了コード: 0 = エラーのある申請なし、1 = エラーのある申請あり、2 = チェックできない申請がある。
    \b
    例:
      planvalidator batch 受付/ -o 受付チェック.xlsx
      planvalidator batch 受付/ -o 受付チェック.xlsx --annotate 注記済み/ --jobs 2
      planvalidator batch 受付/ --format jsonl > 受付チェック.jsonl
    \b
    -o の一覧が前回このコマンドで作ったものなら、担当者が書いた受付状態・担当者・連絡日・メモを同じ申請に
    引き継ぎます（中身の変わった申請は「変更あり」、受付フォルダからなくなった申請も行を残して「受付にない」）。
    """
    from datetime import datetime
    from pathlib import Path

    from planvalidator import batch as batching
    from planvalidator import limits
    from planvalidator.intake import discover
    from planvalidator.summary import Run, program_text, write

    options = check_options(select, ignore, severities, config, program=program)
    fmt = fmt or (Path(output).suffix.lower().lstrip(".") if output else "xlsx")
    if fmt not in ("xlsx", "csv", "json", "jsonl"):
        click.echo(f"planvalidator: -o {output}: まとめの形式が分かりません（.xlsx .csv .json .jsonl か --format）", err=True)
        sys.exit(EXIT_CANNOT_CHECK)
    if fmt == "xlsx" and not output:
        output = "受付チェック.xlsx"
    previous = None
    if fmt == "xlsx":                           # staff's notes in the summary written before are carried over
        from planvalidator.summary.staff import read_previous

        try:
            previous = read_previous(Path(output))
        except Exception as exc:  # noqa: BLE001 — one line, never a traceback; the file is left as it is
            cannot(exc, output, "読み込み")
    started = datetime.now().astimezone()
    try:
        sources, skipped = discover(intake)
    except Exception as exc:  # noqa: BLE001 — one line, never a traceback
        cannot(exc, intake, "読み込み")
    if skipped:
        click.echo(f"planvalidator: {intake}: 申請のフォルダ・zip・事業計画書ではないので読みません: {'、'.join(skipped)}", err=True)
    if not sources:
        click.echo(f"planvalidator: {intake}: 申請が見つかりません（申請ごとのフォルダか zip、または事業計画書を入れてください）",
                   err=True)
        sys.exit(EXIT_CANNOT_CHECK)
    from planvalidator.processes import fitting

    workers = fitting(jobs)
    if jobs and workers < jobs:
        click.echo(f"planvalidator: --jobs {jobs} のメモリ（1 つ {limits.WORKER_MEMORY_BYTES >> 30} GB まで）がこのマシンに"
                   f"足りないので、{workers} 個で動かします", err=True)
    settings = batching.BatchOptions(
        options=options, annotate_dir=Path(annotate_dir).resolve() if annotate_dir else None,
        jobs=workers, timeout=timeout or limits.APPLICATION_SECONDS,
        cache_dir=None if no_cache else Path(cache_dir) if cache_dir else batching.default_cache_dir())
    with _progress(len(sources)) as advance:
        applications, reused = batching.run(sources, settings, progress=advance)
    try:
        run = Run(started=started, intake=str(intake), program=program_text(program, applications), skipped=skipped,
                  previous=previous)
        write(fmt, applications, Path(output) if output else None, run)
    except OSError as exc:
        click.echo(f"planvalidator: {output}: 書き出せません（{exc.strerror or type(exc).__name__}）", err=True)
        sys.exit(EXIT_CANNOT_CHECK)
    except Exception as exc:  # noqa: BLE001 — one line (an internal error's too), never a traceback
        cannot(exc, output or "まとめ", "書き出し")
    for app in applications:
        if app.error:
            click.echo(f"planvalidator: {app.id}: {app.error}", err=True)
    click.echo(_batch_line(applications, reused, output), err=True)
    if any(app.error for app in applications) or any(app.verdict == "チェック未完了" for app in applications):
        sys.exit(EXIT_CANNOT_CHECK)
    sys.exit(EXIT_FINDINGS if any(app.errors for app in applications) else EXIT_CLEAN)


def _batch_line(applications, reused: int, output) -> str:
    """One line for the end of a batch: how many applications came to what, how many were reused."""
    from collections import Counter

    verdicts = Counter(app.verdict for app in applications)
    parts = [f"{verdict} {n} 件" for verdict, n in verdicts.most_common()]
    line = f"申請 {len(applications)} 件: " + "、".join(parts)
    if reused:
        line += f"（うち {reused} 件は前回の結果を再利用）"
    return line + (f" → {output}" if output else "")


class _progress:
    """A progress bar on stderr when it is a terminal (rich); nothing otherwise."""

    def __init__(self, total: int):
        self.total = total
        self._bar = None

    def __enter__(self):
        from rich.console import Console

        console = Console(stderr=True)
        if not console.is_terminal:
            return lambda app: None
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self._bar = Progress(TextColumn("チェック中"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                             TextColumn("{task.description}"), console=console, transient=True)
        self._bar.start()
        task = self._bar.add_task("", total=self.total)
        return lambda app: self._bar.update(task, advance=1, description=app.id[:30])

    def __exit__(self, *exc):
        if self._bar is not None:
            self._bar.stop()
        return False
