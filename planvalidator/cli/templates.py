"""``planvalidator template verify | diff | new``: a revision of the form (様式) checked against what the checks rely on."""

from __future__ import annotations

import sys

import click

from planvalidator.cli.common import EXIT_CLEAN, EXIT_FINDINGS, cannot, fail


@click.group()
def template():
    """様式（テンプレート）の改訂を確かめる: verify（チェックが頼るものがあるか）・diff（2 つの版の違い）・new（新しい版の下書き）。

    \b
    例:
      planvalidator template verify 新しい様式.xlsx
      planvalidator template diff templates/r7/jigyo-keikakusho-r7.xlsx 新しい様式.xlsx
      planvalidator template new r8 新しい様式.xlsx
    """


def _layout_named(version):
    from planvalidator.layout import known_layouts

    if version is None:
        return None
    for layout in known_layouts():
        if layout.template == version:
            return layout
    fail(f"様式の版「{version}」がありません（{', '.join(l.template for l in known_layouts())}）")


@template.command("verify")
@click.argument("candidate", type=click.Path(dir_okay=False, path_type=str))
@click.option("--template", "version", default=None, help="比べる版（既定: いちばん近い版）。")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def template_verify(candidate, version, fmt):
    """新しい様式に、チェックが頼るもの（シート・見出し・表の列・計算式・選択肢）がすべてあるか確かめます。

    \b
    終了コード: 0 = すべて見つかった（移動しただけのものを含む）、1 = 見つからない・変わったものがある、
    2 = 読めないファイル。
    """
    import json

    from planvalidator.template.verify import verify

    layout = _layout_named(version)
    try:
        result = verify(candidate, layout)
    except Exception as exc:  # noqa: BLE001 — one line, never a traceback
        cannot(exc, candidate, "様式の確認")
    click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) if fmt == "json" else result.text())
    sys.exit(EXIT_FINDINGS if result.breaks else EXIT_CLEAN)


@template.command("diff")
@click.argument("old", type=click.Path(dir_okay=False, path_type=str))
@click.argument("new", type=click.Path(dir_okay=False, path_type=str))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def template_diff(old, new, fmt):
    """2 つの版の様式の違い: シート、見出し、入力欄、ドロップダウンの選択肢、計算式、結合セル、保護、名前の定義。
    行や列の挿入で動いただけのセルは、1 つの移動として示します。

    \b
    終了コード: 0 = 違いなし、1 = 違いあり、2 = 読めないファイル。
    """
    import json

    from planvalidator.template.diff import diff
    from planvalidator.template.snapshot import TemplateTooLarge, snapshot
    from planvalidator.workbook import load_grid

    snapshots = []
    for path in (old, new):
        try:
            load_grid(path)               # the bounded reader first: a file that is not a workbook gets its one line
            snapshots.append(snapshot(path))
        except TemplateTooLarge as exc:
            fail(f"{path}: {exc}")
        except Exception as exc:  # noqa: BLE001 — one line, never a traceback
            cannot(exc, path, "様式の読み込み")
    result = diff(*snapshots)
    click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) if fmt == "json" else result.text())
    sys.exit(EXIT_FINDINGS if result else EXIT_CLEAN)


@template.command("new")
@click.argument("version")
@click.argument("source", type=click.Path(dir_okay=False, exists=True, path_type=str))
@click.option("--from", "based_on", default=None, help="元にする版（既定: いちばん近い版）。")
@click.option("--schemas", "schemas_root", type=click.Path(file_okay=False, path_type=str), default=None,
              help="書き出す schemas/ フォルダ（既定: このチェックアウトの schemas/）。")
@click.option("--templates", "templates_root", type=click.Path(file_okay=False, path_type=str), default=None,
              help="様式を置く templates/ フォルダ（既定: このチェックアウトの templates/）。")
def template_new(version, source, based_on, schemas_root, templates_root):
    """新しい版の schemas/<版>/ の下書きを、新しい様式といちばん近い版から作ります。

    見出しの言い換え・シート名の変更は直し、直せなかったものは schemas/<版>/TODO.md に書きます。
    """
    from pathlib import Path

    from planvalidator.resources import schemas_dir, templates_dir
    from planvalidator.template.new import NewVersionError, new_version

    try:
        made = new_version(version, source, based_on=based_on,
                           schemas_root=Path(schemas_root) if schemas_root else schemas_dir(),
                           templates_root=Path(templates_root) if templates_root else templates_dir())
    except NewVersionError as exc:
        fail(exc)
    except Exception as exc:  # noqa: BLE001 — one line, never a traceback
        cannot(exc, source, "新しい版の作成")
    click.echo(f"{made.schemas}（{made.based_on} から。様式 {made.template}）")
    for line in made.applied:
        click.echo(f"  直した: {line}")
    for line in made.todo:
        click.echo(f"  残り: {line}")
    click.echo(f"残りは {made.schemas / 'TODO.md'} に書きました")
