"""``planvalidator excel-template``: the form with the 「申請書をチェック」 button (.xlsm)."""

from __future__ import annotations

import sys

import click

from planvalidator.cli.common import EXIT_CANNOT_CHECK


@click.command("excel-template")
@click.argument("output", type=click.Path(dir_okay=False, path_type=str))
@click.option("--template", "version", default=None, help="様式の版（既定: いちばん新しい版、例: r7）。")
@click.option("--standalone", is_flag=True,
              help="xlwings の VBA モジュールをブックに入れる（アドイン不要。入っている xlwings と同じ版の Python 側が必要）。")
def excel_template(output, version, standalone):
    """「申請書をチェック」ボタン付きの様式（.xlsm）を作ります。

    ISICO の公式の空の様式（templates/<版>/）に、xlwings アドイン経由で
    planvalidator.xl.main() を呼ぶマクロとボタンを加えます。様式が改訂されたら作り直します。

    \b
    例:
      planvalidator excel-template templates/r7/jigyo-keikakusho-r7-button.xlsm
      planvalidator excel-template --standalone 申請書チェック.xlsm   # アドインを入れられない PC 向け
    """
    from planvalidator.button import build_button_workbook
    from planvalidator.layout import known_layouts
    from planvalidator.resources import templates_dir

    layouts = [l for l in known_layouts() if version in (None, l.template)]
    if not layouts or not layouts[0].reference:
        click.echo(f"planvalidator: 様式の版「{version}」が見つかりません", err=True)
        sys.exit(EXIT_CANNOT_CHECK)
    if not output.lower().endswith(".xlsm"):
        click.echo("planvalidator: 出力はマクロ有効ブック（.xlsm）にしてください", err=True)
        sys.exit(EXIT_CANNOT_CHECK)
    layout = layouts[0]
    target = build_button_workbook(templates_dir() / layout.template / layout.reference, output,
                                   standalone=standalone)
    how = "xlwings の VBA モジュール入り" if standalone else "xlwings アドイン経由"
    click.echo(f"{target}（様式 {layout.template}、ボタン「申請書をチェック」→ マクロ CheckApplication、{how}）")
