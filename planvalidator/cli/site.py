"""``planvalidator site``: the static check site (planvalidator.site)."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option("--pyodide", "pyodide", type=click.Path(file_okay=False, path_type=Path), default=None, metavar="フォルダ",
              help="npm のパッケージ pyodide のフォルダ（node_modules/pyodide、またはその上のフォルダ。既定: 環境変数 "
                   "PLANVALIDATOR_PYODIDE）")
@click.option("--wheels", "wheels", type=click.Path(file_okay=False, path_type=Path), required=True, metavar="フォルダ",
              help="ブラウザーに渡す wheel のフォルダ（planvalidator/site/requirements.txt を pip download したもの）")
def site(out, pyodide, wheels):
    """静的なチェックのサイトを OUT に作ります（申請者はブラウザーで開くだけ、ブックは送信されません）。

    ページ・Pyodide の実行環境・チェックに要る wheel がすべて 1 つのフォルダに入り、どの静的な Web サーバーにも
    置けます（ISICO の Web サーバー、庁内のサーバー、ホスティングのサービス）。実行するときにほかのサイトからは
    何も読み込まず、ブックはブラウザーの中でチェックします。

    \b
    例:
      npm install pyodide@314.0.7 --prefix pyo
      pip download --no-deps --only-binary=:all: --platform pyemscripten_2026_0_wasm32 \\
          --python-version 3.14 -d wheels -r planvalidator/site/requirements.txt
      planvalidator site サイト/ --pyodide pyo --wheels wheels
    """
    from planvalidator.cli.common import cannot
    from planvalidator.site import build

    try:
        built = build(out, pyodide, wheels)
    except Exception as exc:  # noqa: BLE001 — one line naming the folder (planvalidator.outcome), exit 2
        cannot(exc, None, "サイトの作成")
    click.echo(f"planvalidator: {built.folder} にチェックのサイトを作りました（{built.files} 個のファイル、"
               f"{built.bytes / 1e6:.1f} MB、Pyodide {built.pyodide}）。index.html を Web サーバーに置いて開きます", err=True)
    if built.not_compiled:
        click.echo(f"planvalidator: Python のモジュールはコンパイルしていません（{built.not_compiled}）。ブラウザーが開くたびに"
                   "コンパイルするので、準備に時間がかかります", err=True)
