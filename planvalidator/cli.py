"""The ``planvalidator`` command."""

from __future__ import annotations

import sys

import click

from planvalidator import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_CANNOT_CHECK = 0, 1, 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="planvalidator")
def main():
    """新商品・新サービス開発支援事業助成金 事業計画書のチェッカー。

    \b
    例:
      planvalidator check 事業計画書.xlsx
      planvalidator check --format json 受付/*.xlsx
      planvalidator annotate 事業計画書.xlsx
      planvalidator rules PV201
    """


def _unexpected(doing: str, exc: Exception) -> str:
    """One line for an error that is not the file's fault (a missing package says how to add it)."""
    if isinstance(exc, ModuleNotFoundError) and exc.name:
        package = exc.name.split(".")[0]
        return (f"{doing}に必要なパッケージ {package} がインストールされていません"
                f"（pip install planvalidator で依存パッケージごと入れ直すか、pip install {package}）")
    return f"{doing}中に予期しないエラーが起きました（{type(exc).__name__}: {exc}）"


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True, path_type=str))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="出力の形式。json は他のツールが読む形（キーは固定）。")
@click.option("--color/--no-color", default=None, help="色付き表示（既定: 端末なら自動）。")
def check(files, fmt, color):
    """事業計画書（.xlsx / .xlsm）をチェックして、指摘を一覧表示します。

    \b
    終了コード: 0 = エラーなし、1 = エラーあり、2 = チェックできないファイルがある。
    \b
    例:
      planvalidator check templates/r7/kinyurei-r7.xlsx
      planvalidator check --format json a.xlsx b.xlsx > 結果.json
    """
    from planvalidator.engine import check_file
    from planvalidator.errors import CannotCheck
    from planvalidator.report import to_json, write_text

    reports, failures = [], {}
    for path in files:
        try:
            reports.append(check_file(path))
        except CannotCheck as exc:
            failures[path] = exc.reason
            click.echo(f"planvalidator: {path}: {exc.reason}", err=True)
        except Exception as exc:  # never a traceback for a user's file
            failures[path] = _unexpected("チェック", exc)
            click.echo(f"planvalidator: {path}: {failures[path]}", err=True)
    if fmt == "json":
        click.echo(to_json(reports, failures))
    else:
        write_text(reports, sys.stdout, color=color)
    if failures or any(r.incomplete for r in reports):
        sys.exit(EXIT_CANNOT_CHECK)
    sys.exit(EXIT_FINDINGS if any(r.has_errors for r in reports) else EXIT_CLEAN)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=str))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str),
              help="書き出すファイル（1 ファイルのときだけ。既定: 入力と同じフォルダの <名前>_チェック結果.xlsx）。")
@click.option("--in-place", is_flag=True, help="入力ファイルそのものに書き込む（元のファイルは残りません）。")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="出力の形式。json は check と同じ形に、書き出したファイル（output）を加えたもの。")
def annotate(files, output, in_place, fmt):
    """指摘をブックに書き込みます: セルの色、メモ、先頭の「チェック結果」シート。

    入力ファイルは変更しません（--in-place のときだけ上書き）。書き込んだブックをもう一度
    annotate しても同じ結果になります（前回の色・メモ・チェック結果シートを置き換え、
    申請者自身のメモと書式はそのまま残ります）。.xlsm のマクロも残ります。

    \b
    終了コード: 0 = エラーなし、1 = エラーあり、2 = 書き込めないファイルがある。
    \b
    例:
      planvalidator annotate 事業計画書.xlsx
      planvalidator annotate 事業計画書.xlsm -o 確認用.xlsm
      planvalidator annotate --in-place 受付/*.xlsx
    """
    from planvalidator.annotate import annotate_file
    from planvalidator.errors import CannotCheck
    from planvalidator.report import summary_line

    if output and len(files) > 1:
        click.echo("planvalidator: -o は 1 ファイルのときだけ使えます", err=True)
        sys.exit(EXIT_CANNOT_CHECK)
    from planvalidator.report import dump_json, failure_dict

    failures, errors, incomplete, items = {}, False, False, []
    for path in files:
        skipped: list = []
        try:
            report, target = annotate_file(path, output, in_place=in_place, skipped=skipped)
        except CannotCheck as exc:
            failures[path] = exc.reason
            click.echo(f"planvalidator: {path}: {exc.reason}", err=True)
            continue
        except Exception as exc:  # never a traceback for a user's file
            failures[path] = _unexpected("書き込み", exc)
            click.echo(f"planvalidator: {path}: {failures[path]}", err=True)
            continue
        errors = errors or report.has_errors
        incomplete = incomplete or report.incomplete
        items.append({**report.to_dict(), "output": str(target),
                      "notes_skipped": [f"{sheet}!{cell}" for sheet, cell in skipped]})
        if fmt == "text":
            click.echo(f"{summary_line(report)}\n  → {target}")
            for sheet, cell in skipped:
                click.echo(f"  {sheet}!{cell}: スレッド形式のコメントがあるため、メモは付けず色とチェック結果シートに示しました")
    if fmt == "json":
        items += [{**failure_dict(f, reason), "output": None} for f, reason in failures.items()]
        click.echo(dump_json(items))
    sys.exit(EXIT_CANNOT_CHECK if failures or incomplete else EXIT_FINDINGS if errors else EXIT_CLEAN)


@main.command("excel-template")
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


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def serve(host, port):
    """Excel on the web 用のサーバー（xlwings Server）を起動します。

    アドインの manifest は http://HOST:PORT/manifest.xml。別途 pip install "planvalidator[server]" と、
    xlwings のライセンスキー（環境変数 XLWINGS_LICENSE_KEY）が必要です。デスクトップの Excel のボタンには不要です。

    待ち受けるのは既定で 127.0.0.1（このマシンの中から）だけです。1 件のリクエストの大きさと時間には上限があり
    （planvalidator/limits.py）、リクエストの間に何も残さず、ディスクに何も書きません。

    \b
    例:
      XLWINGS_LICENSE_KEY=noncommercial planvalidator serve --port 8000
    """
    import os

    try:
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        click.echo('planvalidator: サーバーには追加のパッケージが必要です: pip install "planvalidator[server]"', err=True)
        sys.exit(EXIT_CANNOT_CHECK)
    if not os.environ.get("XLWINGS_LICENSE_KEY"):
        click.echo("planvalidator: xlwings のライセンスキーを環境変数 XLWINGS_LICENSE_KEY に設定してください"
                   "（非営利なら noncommercial、README の「Excel on the web」を参照）", err=True)
        sys.exit(EXIT_CANNOT_CHECK)
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"planvalidator: {host} で待ち受けます（このマシンの外からも届きます）", err=True)
    from planvalidator.server import serve as run
    run(host, port)


@main.command()
@click.argument("code", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules(code, fmt):
    """規則の一覧、または 1 つの規則の説明（CODE はコードか名前）。

    \b
    例:
      planvalidator rules
      planvalidator rules PV201
      planvalidator rules amount-mismatch
    """
    import json

    from planvalidator import rules as catalogue

    if code:
        rule = catalogue.get(code)
        if rule is None:
            click.echo(f"planvalidator: 規則「{code}」はありません（planvalidator rules で一覧）", err=True)
            sys.exit(EXIT_CANNOT_CHECK)
        selected = [rule]
    else:
        selected = catalogue.all_rules()
    if fmt == "json":
        click.echo(json.dumps([{"code": r.code, "name": r.name, "severity": r.severity.value,
                                "family": r.family, "summary": r.summary, "reference": r.reference,
                                "doc": r.doc} for r in selected], ensure_ascii=False, indent=2))
        return
    if code:
        r = selected[0]
        click.echo(f"{r.code} {r.name}（{r.severity.label}・{r.family}）\n{r.summary}\n\n{r.doc}\n\n出典: {r.reference}")
        return
    width = max(len(r.name) for r in selected)
    family = None
    for r in selected:
        if r.family != family:
            family = r.family
            click.echo(f"\n# {family}" if r is not selected[0] else f"# {family}")
        click.echo(f"{r.code}  {r.name:<{width}}  {r.severity.value:<8} {r.summary}")
