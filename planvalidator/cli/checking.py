"""``planvalidator check`` and ``annotate``: each file's findings listed, or written into the workbook."""

from __future__ import annotations

import sys

import click

from planvalidator.cli.common import (
    EXIT_CANNOT_CHECK,
    check_options,
    rule_options,
    run_files,
)


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True, path_type=str))
@rule_options
def check(files, select, ignore, severities, config, program, fmt, color):
    """事業計画書（.xlsx / .xlsm、または planvalidator export の計画データ .json）をチェックして、指摘を一覧表示します。

    \b
    終了コード: 0 = エラーなし、1 = エラーあり、2 = チェックできないファイルがある。
    確認済み（チェック結果シートの「確認済み」欄）の指摘は数えません。
    \b
    例:
      planvalidator check templates/r7/kinyurei-r7.xlsx
      planvalidator check --format json a.xlsx b.xlsx > 結果.json
      planvalidator check --ignore PV5 --severity PV110=info 事業計画書.xlsx
    """
    from planvalidator.engine import check_file
    from planvalidator.formats import Outcome

    options = check_options(select, ignore, severities, config, program=program)
    def job(path):
        if path.lower().endswith(".json"):             # a plan as data (planvalidator export)
            from planvalidator.plans import check_json
            return Outcome(path, check_json(path, options))
        return Outcome(path, check_file(path, options))

    run_files(files, job, "チェック", fmt, color)


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=str))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str),
              help="書き出すファイル（1 ファイルのときだけ。既定: 入力と同じフォルダの <名前>_チェック結果.xlsx）。")
@click.option("--in-place", is_flag=True, help="入力ファイルそのものに書き込む（元のファイルは残りません）。")
@click.option("--accept", multiple=True, metavar="規則[@シート!セル]",
              help="指摘を確認済みにする（例: PV110@計画様式7!M12、PV504。何度でも指定可）。")
@rule_options
def annotate(files, output, in_place, accept, select, ignore, severities, config, program, fmt, color):
    """指摘をブックに書き込みます: セルの色、メモ、先頭の「チェック結果」シート。

    入力ファイルは変更しません（--in-place のときだけ上書き）。書き込んだブックをもう一度
    annotate しても同じ結果になります（前回の色・メモ・チェック結果シートを置き換え、
    申請者自身のメモと書式はそのまま残ります）。.xlsm のマクロも残ります。

    チェック結果シートの「確認済み」欄に何か書いた指摘は、次から確認済みとして一覧の下に並び、
    数えません。そのセルの値が変わると、もう一度指摘します。

    \b
    終了コード: 0 = エラーなし、1 = エラーあり、2 = 書き込めないファイルがある。
    \b
    例:
      planvalidator annotate 事業計画書.xlsx
      planvalidator annotate 事業計画書.xlsm -o 確認用.xlsm
      planvalidator annotate --in-place 受付/*.xlsx
      planvalidator annotate --accept PV110@計画様式7!M9 事業計画書_チェック結果.xlsx --in-place
    """
    from planvalidator.annotate import annotate_file
    from planvalidator.formats import Outcome

    if output and len(files) > 1:
        click.echo("planvalidator: -o は 1 ファイルのときだけ使えます", err=True)
        sys.exit(EXIT_CANNOT_CHECK)
    options = check_options(select, ignore, severities, config, accept, program)

    def job(path):
        skipped: list = []
        report, target = annotate_file(path, output, in_place=in_place, skipped=skipped, options=options)
        for spec in report.unmatched_accepts:
            click.echo(f"planvalidator: {path}: --accept {spec} に当てはまる指摘はありません", err=True)
        return Outcome(path, report, output=str(target), annotated=True, notes_skipped=skipped)

    run_files(files, job, "書き込み", fmt, color)
