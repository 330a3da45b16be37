"""``planvalidator export`` and ``fill``: a workbook as the JSON plan data, and plan data written into the blank form."""

from __future__ import annotations

import click

from planvalidator.cli.common import cannot, fail


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=str))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str),
              help="書き出す JSON ファイル（既定: 標準出力）。")
def export(file, output):
    """事業計画書（.xlsx / .xlsm）の内容を JSON の計画データにします（schemas/<版>/plan.schema.json）。

    申請者が書いたとおりの値（日付は YYYY-MM-DD）を、シートごとに欄と表の行で書き出します。
    様式の計算式の欄は書き出しません（数値で上書きされている欄だけ、その値を書き出します）。

    \b
    終了コード: 0 = 書き出した、2 = 読めないファイル。
    \b
    例:
      planvalidator export templates/r7/kinyurei-r7.xlsx -o plan.json
      planvalidator check plan.json
    """
    import json

    from planvalidator.plans import export_file

    try:
        text = json.dumps(export_file(file), ensure_ascii=False, indent=2) + "\n"
    except Exception as exc:  # noqa: BLE001 — one line, never a traceback
        cannot(exc, file, "書き出し")
    if not output:
        click.echo(text, nl=False)
        return
    from planvalidator.atomic import write_bytes

    try:
        write_bytes(output, text.encode("utf-8"))
    except OSError as exc:
        fail(f"{output}: 書き出せません（{exc.strerror or type(exc).__name__}）")
    click.echo(output)                                  # what was written (as fill names its workbook)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=str))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=str),
              help="書き出すブック（.xlsx）。")
@click.option("--force", is_flag=True, help="出力のファイルがあっても上書きする。")
def fill(file, output, force):
    """JSON の計画データ（planvalidator export の形）を、公式の空の様式に書き込んだブックにします。

    値はそれぞれの欄・表の行に書き、様式の計算式はそのまま残します（計画データに計算式の欄の値があれば、
    その値で上書きします）。表の行より多い行があるなど書き込めないときは、JSON のパスを示して止めます。

    \b
    終了コード: 0 = 書き出した、2 = 読めない・書き込めない計画データ。
    \b
    例:
      planvalidator fill plan.json -o 事業計画書.xlsx
    """
    from pathlib import Path

    from planvalidator.plans import fill_workbook, load_json

    if not output.lower().endswith(".xlsx"):
        fail(f"{output}: 出力は .xlsx にしてください")
    if Path(output).exists() and not force:
        fail(f"{output}: すでにあります（上書きするなら --force）")
    try:
        target = fill_workbook(load_json(file), output, file=file)
    except Exception as exc:  # noqa: BLE001 — one line, never a traceback
        cannot(exc, file, "書き込み")
    click.echo(str(target))
