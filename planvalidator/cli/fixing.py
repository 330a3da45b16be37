"""``planvalidator fix``: the findings' safe corrections written into a copy of the workbook (``ruff --fix``)."""

from __future__ import annotations

import sys

import click

from planvalidator.cli.common import EXIT_CANNOT_CHECK, EXIT_CLEAN, EXIT_FINDINGS, check_options, rule_options


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=str))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str),
              help="書き出すファイル（1 ファイルのときだけ。既定: 入力と同じフォルダの <名前>_修正案.xlsx）。")
@click.option("--in-place", is_flag=True, help="入力ファイルそのものを直す（元のファイルは残りません）。")
@click.option("--unsafe", is_flag=True,
              help="確認が必要な修正も適用する（税込→税抜の単価、交付決定前の発注日、助成率・限度額を超える申請額、資金合計、様式と違う計算式）。")
@click.option("--diff", is_flag=True, help="直す内容を「シート!セル: 前 → 後」で表示するだけで、何も書き出さない。")
@rule_options
def fix(files, output, in_place, unsafe, diff, select, ignore, severities, config, program, fmt, color):
    """指摘のうち、正しい直し方が 1 つに決まるもの（安全な修正）を直したブックを書き出します。

    直すのは、指摘のセルと再計算に要るもの（そのセルを使う計算式の保存された結果）だけで、ほかはそのまま残ります
    （.xlsm のマクロも）。入力ファイルは変更しません（--in-place のときだけ上書き）。書き出したブックをもう一度
    チェックし、直したものと残った指摘を示します。

    \b
    安全な修正: 数値で上書きした・消した合計や金額に様式の計算式を戻す（挿入した行の分はずらして）、
    文字列の数値（「６，０００円」など）を数値にする。
    確認が必要な修正（--unsafe のときだけ）: planvalidator rules で各規則の「修正」を参照。
    \b
    終了コード（check と同じ）: 0 = 直したブックにエラーなし、1 = エラーが残る、2 = チェックできないファイルがある。
    --diff のときは入力のチェックの結果です。
    \b
    例:
      planvalidator fix 事業計画書.xlsx                  # → 事業計画書_修正案.xlsx
      planvalidator fix --diff templates/r7/invalid/overwritten-totals.xlsx
      planvalidator fix --unsafe -o 直した.xlsx 事業計画書.xlsx
    """
    from planvalidator.fixes import diff_lines, fix_file
    from planvalidator.formats import Outcome, write
    from planvalidator.outcome import failure

    if output and len(files) > 1:
        click.echo("planvalidator: -o は 1 ファイルのときだけ使えます", err=True)
        sys.exit(EXIT_CANNOT_CHECK)
    if output and in_place:
        click.echo("planvalidator: -o と --in-place は一緒に使えません", err=True)
        sys.exit(EXIT_CANNOT_CHECK)
    options = check_options(select, ignore, severities, config, program=program)
    say = (lambda line: click.echo(line)) if fmt == "text" else (lambda line: click.echo(line, err=True))
    outcomes = []
    for path in files:
        try:
            result = fix_file(path, output, in_place=in_place, unsafe=unsafe, diff=diff, options=options)
        except Exception as exc:  # noqa: BLE001 — never a traceback for a user's file
            outcomes.append(Outcome(path, error=failure(exc, path, "修正").reason))
            click.echo(f"planvalidator: {path}: {outcomes[-1].error}", err=True)
            continue
        for line in diff_lines(result):
            say(line)
        safe = sum(1 for c in result.changes if c.finding.fix.safe)
        if diff:
            say(f"{path}: 直せる箇所 {len(result.changes)} 件（安全 {safe} 件・確認が必要 {len(result.changes) - safe} 件）"
                f"。何も書き出していません")
        else:
            say(f"{path}: {len(result.changes)} 件を直して {result.target} に書き出しました"
                f"（安全 {safe} 件・確認が必要 {len(result.changes) - safe} 件）")
        if result.unsafe_left:
            say(f"{path}: 確認が必要な修正が {len(result.unsafe_left)} 件あります（--unsafe で適用: "
                + "、".join(f"{f.rule} {f.where}" for f in result.unsafe_left[:5])
                + ("…" if len(result.unsafe_left) > 5 else "") + "）")
        outcomes.append(Outcome(path, result.report, output=None if diff else str(result.target)))
    write(fmt, outcomes, sys.stdout, color=color)
    reports = [o.report for o in outcomes if o.report is not None]
    if any(o.error for o in outcomes) or any(r.incomplete for r in reports):
        sys.exit(EXIT_CANNOT_CHECK)
    sys.exit(EXIT_FINDINGS if any(r.has_errors for r in reports) else EXIT_CLEAN)
