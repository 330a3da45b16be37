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


def _options(select, ignore, severities, config, accept=(), program=None):
    """The check options from the config file and the command line; a bad one exits 2 with one line."""
    from planvalidator.engine import Options
    from planvalidator.selection import SelectionError, load_config

    from planvalidator.accepted import parse_spec

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
    return Options(selection, tuple(accept), program)


def _run_files(files, job, doing: str, fmt: str, color) -> None:
    """The one per-file loop of check and annotate: each file's outcome (a file that cannot be read
    is named on stderr and in the output, never a traceback), the chosen format, the exit code."""
    from planvalidator.errors import CannotCheck, unexpected
    from planvalidator.formats import Outcome, write

    outcomes = []
    for path in files:
        try:
            outcomes.append(job(path))
        except CannotCheck as exc:
            outcomes.append(Outcome(path, error=exc.reason, annotated=doing == "書き込み"))
        except Exception as exc:  # never a traceback for a user's file
            outcomes.append(Outcome(path, error=unexpected(doing, exc), annotated=doing == "書き込み"))
        if outcomes[-1].error:
            click.echo(f"planvalidator: {path}: {outcomes[-1].error}", err=True)
    write(fmt, outcomes, sys.stdout, color=color)
    reports = [o.report for o in outcomes if o.report is not None]
    if any(o.error for o in outcomes) or any(r.incomplete for r in reports):
        sys.exit(EXIT_CANNOT_CHECK)
    sys.exit(EXIT_FINDINGS if any(r.has_errors for r in reports) else EXIT_CLEAN)


@main.command()
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

    options = _options(select, ignore, severities, config, program=program)
    def job(path):
        if path.lower().endswith(".json"):             # a plan as data (planvalidator export)
            from planvalidator.plandata import check_json
            return Outcome(path, check_json(path, options))
        return Outcome(path, check_file(path, options))

    _run_files(files, job, "チェック", fmt, color)


@main.command()
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
    options = _options(select, ignore, severities, config, accept, program)

    def job(path):
        skipped: list = []
        report, target = annotate_file(path, output, in_place=in_place, skipped=skipped, options=options)
        for spec in report.unmatched_accepts:
            click.echo(f"planvalidator: {path}: --accept {spec} に当てはまる指摘はありません", err=True)
        return Outcome(path, report, output=str(target), annotated=True, notes_skipped=skipped)

    _run_files(files, job, "書き込み", fmt, color)


@main.command()
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

    from planvalidator.errors import CannotCheck, unexpected
    from planvalidator.plandata import export_file

    try:
        text = json.dumps(export_file(file), ensure_ascii=False, indent=2) + "\n"
    except CannotCheck as exc:
        _fail(exc if exc.file else f"{file}: {exc}")
    except Exception as exc:  # noqa: BLE001 — one line, never a traceback
        _fail(f"{file}: {unexpected('書き出し', exc)}")
    if not output:
        click.echo(text, nl=False)
        return
    try:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        _fail(f"{output}: 書き出せません（{exc.strerror or type(exc).__name__}）")


@main.command()
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

    from planvalidator.errors import CannotCheck, unexpected
    from planvalidator.plandata import fill as fill_book, load_json

    if not output.lower().endswith(".xlsx"):
        _fail(f"{output}: 出力は .xlsx にしてください")
    if Path(output).exists() and not force:
        _fail(f"{output}: すでにあります（上書きするなら --force）")
    try:
        target = fill_book(load_json(file), output, file=file)
    except CannotCheck as exc:
        _fail(exc if exc.file else f"{file}: {exc}")
    except Exception as exc:  # noqa: BLE001 — one line, never a traceback
        _fail(f"{file}: {unexpected('書き込み', exc)}")
    click.echo(str(target))


@main.command()
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
    INTAKE: 申請ごとのサブフォルダか zip（事業計画書と添付の PDF）を入れたフォルダ、
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
    """
    from pathlib import Path

    from planvalidator import batch as batching
    from planvalidator import limits
    from planvalidator.errors import CannotCheck
    from planvalidator.intake import discover
    from planvalidator.summary import write

    options = _options(select, ignore, severities, config, program=program)
    fmt = fmt or (Path(output).suffix.lower().lstrip(".") if output else "xlsx")
    if fmt not in ("xlsx", "csv", "json", "jsonl"):
        click.echo(f"planvalidator: -o {output}: まとめの形式が分かりません（.xlsx .csv .json .jsonl か --format）", err=True)
        sys.exit(EXIT_CANNOT_CHECK)
    if fmt == "xlsx" and not output:
        output = "受付チェック.xlsx"
    try:
        sources, skipped = discover(intake)
    except CannotCheck as exc:
        click.echo(f"planvalidator: {exc}", err=True)
        sys.exit(EXIT_CANNOT_CHECK)
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
        write(fmt, applications, Path(output) if output else None)
    except OSError as exc:
        click.echo(f"planvalidator: {output}: 書き出せません（{exc.strerror or type(exc).__name__}）", err=True)
        sys.exit(EXIT_CANNOT_CHECK)
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
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self._bar = Progress(TextColumn("チェック中"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                             TextColumn("{task.description}"), console=console, transient=True)
        self._bar.start()
        task = self._bar.add_task("", total=self.total)
        return lambda app: self._bar.update(task, advance=1, description=app.id[:30])

    def __exit__(self, *exc):
        if self._bar is not None:
            self._bar.stop()
        return False


@main.group()
def template():
    """様式（テンプレート）の改訂を確かめる: verify（チェックが頼るものがあるか）・diff（2 つの版の違い）・new（新しい版の下書き）。

    \b
    例:
      planvalidator template verify 新しい様式.xlsx
      planvalidator template diff templates/r7/jigyo-keikakusho-r7.xlsx 新しい様式.xlsx
      planvalidator template new r8 新しい様式.xlsx
    """


def _fail(exc) -> None:
    """One line for a command that cannot go on (exit 2)."""
    click.echo(f"planvalidator: {exc}", err=True)
    sys.exit(EXIT_CANNOT_CHECK)


def _layout_named(version):
    from planvalidator.layout import known_layouts

    if version is None:
        return None
    for layout in known_layouts():
        if layout.template == version:
            return layout
    _fail(f"様式の版「{version}」がありません（{', '.join(l.template for l in known_layouts())}）")


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

    from planvalidator.errors import CannotCheck, unexpected
    from planvalidator.template.verify import verify

    layout = _layout_named(version)
    try:
        result = verify(candidate, layout)
    except CannotCheck as exc:
        _fail(exc)
    except Exception as exc:  # noqa: BLE001 — one line, never a traceback
        _fail(f"{candidate}: {unexpected('様式の確認', exc)}")
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

    from planvalidator.errors import CannotCheck, unexpected
    from planvalidator.template.diff import diff
    from planvalidator.template.snapshot import TemplateTooLarge, snapshot
    from planvalidator.workbook import load_grid

    snapshots = []
    for path in (old, new):
        try:
            load_grid(path)               # the bounded reader first: a file that is not a workbook gets its one line
            snapshots.append(snapshot(path))
        except CannotCheck as exc:
            _fail(exc)
        except TemplateTooLarge as exc:
            _fail(f"{path}: {exc}")
        except Exception as exc:  # noqa: BLE001 — one line, never a traceback
            _fail(f"{path}: {unexpected('様式の読み込み', exc)}")
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

    from planvalidator.errors import CannotCheck, unexpected
    from planvalidator.resources import schemas_dir, templates_dir
    from planvalidator.template.new import NewVersionError, new_version

    try:
        made = new_version(version, source, based_on=based_on,
                           schemas_root=Path(schemas_root) if schemas_root else schemas_dir(),
                           templates_root=Path(templates_root) if templates_root else templates_dir())
    except (NewVersionError, CannotCheck) as exc:
        _fail(exc)
    except Exception as exc:  # noqa: BLE001
        _fail(f"{source}: {unexpected('新しい版の作成', exc)}")
    click.echo(f"{made.schemas}（{made.based_on} から。様式 {made.template}）")
    for line in made.applied:
        click.echo(f"  直した: {line}")
    for line in made.todo:
        click.echo(f"  残り: {line}")
    click.echo(f"残りは {made.schemas / 'TODO.md'} に書きました")


@main.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def programs(fmt):
    """助成制度のプロファイル（schemas/programs/）の一覧: コースごとの助成率・上限・年数・下限と出典の資料。

    \b
    check・annotate・batch の --program に「制度」か「制度:コース」を書くと、その数値でチェックします。
    """
    import json

    from planvalidator.profiles import ProfileError, profiles

    try:
        known = profiles()
    except ProfileError as exc:
        _fail(exc)
    if fmt == "json":
        click.echo(json.dumps([_profile_dict(p) for p in known.values()], ensure_ascii=False, indent=2))
        return
    for profile in known.values():
        click.echo(f"{profile.id}  {profile.name}（{profile.issuer}）")
        click.echo(f"  資料: {profile.document} {profile.title}" + (f"／様式 {profile.template}" if profile.template else
                                                                  "／事業計画書は JSON で"))
        for course in profile.courses.values():
            click.echo(f"  --program {course.id}  {course.name}")
            click.echo(f"      {_course_line(course)}")


def _course_line(course) -> str:
    parts = [f"助成率 {course.rate.numerator}/{course.rate.denominator}", f"上限 {course.cap:,} 円"]
    if course.years:
        parts.append(f"{course.years} 年度")
    if course.yearly_caps:
        parts.append("年度ごと " + "・".join(f"{c:,}" for c in course.yearly_caps) + " 円"
                     + ("（目安）" if course.yearly_severity == "warning" else ""))
    if course.min_eligible is not None:
        parts.append(f"対象経費 {course.min_eligible:,} 円以上")
    for limit in course.item_limits:
        share = (f"合計の {limit.max_share.numerator}/{limit.max_share.denominator}" if limit.max_share is not None else "")
        amounts = "・".join(x for x in (f"{limit.max:,} 円" if limit.max is not None else "", share) if x)
        if limit.max == 0:
            parts.append(f"{limit.name}は対象外")
        elif amounts:
            parts.append(f"{limit.name} {amounts} まで")
        elif limit.only_in:
            where = "・".join(str(v) for vs in limit.only_in.values() for v in (vs if isinstance(vs, list) else [vs]))
            parts.append(f"{limit.name}は {where} だけ")
    if any(key in course.eligibility for key in ("price_increase", "margin_decrease")):
        parts.append("数値の要件あり")
    elif course.eligibility:
        parts.append("対象者の要件あり")
    return "、".join(parts)


def _profile_dict(profile) -> dict:
    return {"id": profile.id, "name": profile.name, "issuer": profile.issuer, "document": profile.document,
            "title": profile.title, "template": profile.template,
            "courses": [{"id": c.id, "name": c.name, "rate": [c.rate.numerator, c.rate.denominator], "cap": c.cap,
                         "years": c.years, "yearly_caps": list(c.yearly_caps), "yearly_severity": c.yearly_severity,
                         "min_eligible": c.min_eligible,
                         "item_limits": [{"name": l.name, "max": l.max,
                                          "max_share": [l.max_share.numerator, l.max_share.denominator]
                                          if l.max_share is not None else None, "source": l.source}
                                         for l in c.item_limits],
                         "sources": c.sources} for c in profile.courses.values()]}


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
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="NAME",
              help="ページを開くときのアドレス（Host）として受け付ける名前を足す（既定: --host から決まる名前。* ですべて）")
def serve(host, port, allow_hosts):
    """チェックのページ（ブラウザー用）と Excel on the web 用のサーバーを起動します。

    http://HOST:PORT/ がチェックのページ（ブックをドロップすると指摘と金額のまとめを示し、指摘を書き込んだ
    ブックをダウンロードできる）、POST /api/check と /api/annotate がその JSON API です。別途
    pip install "planvalidator[server]" が必要です。Excel on the web のアドイン（manifest は
    http://HOST:PORT/manifest.xml）だけは xlwings のライセンスキー（環境変数 XLWINGS_LICENSE_KEY）が必要です。

    待ち受けるのは既定で 127.0.0.1（このマシンの中から）だけです。ページを開くアドレス（Host）は --host から
    決まる名前だけを受け付けます（別の名前で届くリクエストは 421）。1 件のリクエストの大きさと時間には上限があり
    （planvalidator/limits.py）、チェックは時間を過ぎると止まる別のプロセスで動き、リクエストの間に何も残さず、
    ディスクに何も書きません。

    \b
    例:
      planvalidator serve --port 8000
      XLWINGS_LICENSE_KEY=noncommercial planvalidator serve --port 8000
    """
    import os

    try:
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        click.echo('planvalidator: サーバーには追加のパッケージが必要です: pip install "planvalidator[server]"', err=True)
        sys.exit(EXIT_CANNOT_CHECK)
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"planvalidator: {host} で待ち受けます（このマシンの外からも届きます）", err=True)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"planvalidator: チェックのページ: http://{shown}:{port}/", err=True)
    if not os.environ.get("XLWINGS_LICENSE_KEY"):
        click.echo("planvalidator: Excel on the web のアドイン（/xlwings/check）には xlwings のライセンスキー"
                   "（環境変数 XLWINGS_LICENSE_KEY。非営利なら noncommercial）が必要です（ページには不要）", err=True)
    from planvalidator.server import serve as run
    run(host, port, allow_hosts=allow_hosts)


@main.command()
@click.argument("code", required=False)
@click.option("--template", "version", default=None, help="様式の版（既定: いちばん新しい版）。その版のプログラムの値で説明します。")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules(code, version, fmt):
    """規則の一覧、または 1 つの規則の説明（CODE はコードか名前）。

    説明の中の助成率・限度額・日付・シート名は、その版のプログラム（schemas/<版>/program.yaml）の値です。

    \b
    例:
      planvalidator rules
      planvalidator rules PV207
      planvalidator rules amount-mismatch
    """
    import json

    from planvalidator import rules as catalogue
    from planvalidator.errors import CannotCheck
    from planvalidator.layout import known_layouts
    from planvalidator.program import load_program
    from planvalidator.selection import program_applies

    layout = next((l for l in known_layouts() if version in (None, l.template)), None)
    if layout is None:
        click.echo(f"planvalidator: 様式の版「{version}」が見つかりません", err=True)
        sys.exit(EXIT_CANNOT_CHECK)
    try:
        program = load_program(layout.folder)
    except CannotCheck as exc:
        click.echo(f"planvalidator: {exc.reason}", err=True)
        sys.exit(EXIT_CANNOT_CHECK)
    if code:
        rule = catalogue.get(code)
        if rule is None:
            click.echo(f"planvalidator: 規則「{code}」はありません（planvalidator rules で一覧）", err=True)
            sys.exit(EXIT_CANNOT_CHECK)
        selected = [rule]
    else:
        selected = catalogue.all_rules()
    selected = [r.rendered(program, layout) for r in selected]
    if fmt == "json":
        click.echo(json.dumps([{"code": r.code, "name": r.name, "severity": r.severity.value,
                                "family": r.family, "summary": r.summary, "reference": r.reference,
                                "reads": list(r.reads), "applies": program_applies(program, r.code),
                                "doc": r.doc} for r in selected], ensure_ascii=False, indent=2))
        return
    if code:
        r = selected[0]
        reads = f"\n読む値: {', '.join(r.reads)}（{layout.folder.name}/program.yaml）" if r.reads else ""
        click.echo(f"{r.code} {r.name}（{r.severity.label}・{r.family}）\n{r.summary}\n\n{r.doc}\n\n"
                   f"出典: {r.reference}{reads}\n（{program.name}・様式 {layout.template} の値）")
        return
    width = max(len(r.name) for r in selected)
    family = None
    for r in selected:
        if r.family != family:
            family = r.family
            click.echo(f"\n# {family}" if r is not selected[0] else f"# {family}")
        click.echo(f"{r.code}  {r.name:<{width}}  {r.severity.value:<8} {r.summary}")
