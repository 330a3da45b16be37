"""Cell rules (PV009–PV012, PV014): what the spreadsheet itself would get wrong.

A value the reader could not take in (a stray value far outside the form, a text longer than a
cell holds), a number typed as text that the template's formulas cannot compute with, a formula
whose saved result is an error, and a formula that is not the template's. They look at the
workbook as a spreadsheet program does — the cells and formulas — not at the plan's values.
"""

from __future__ import annotations

import bisect
import re

from planvalidator.address import a1, is_error_code, parse_a1
from planvalidator.context import Context
from planvalidator.findings import SAFE, UNSAFE, Edit, Fix, Severity
from planvalidator.formula import Ref, canonical, references
from planvalidator.patterns import lazy
from planvalidator.plan import Plan
from planvalidator.rules.base import define, implements
from planvalidator.rules.form import TEMPLATE_REF

UNREAD = define(
    "PV009", "unread-cell", "warning", "様式から遠く離れたセルの値・長すぎる文字列を読んでいません",
    TEMPLATE_REF,
    """
何を: 様式の範囲から遠く離れたセル（例: XFD1048576）に値があるとき、そのセルを読まずにチェックし、
そのセルの番地で知らせます。1 つのセルに Excel の上限（32,767 文字）を超える文字列があるときは、上限までを読みます。
日付の書式のセルに日付として扱えない数値（何億年も先・前）があるときも、そのセルを読まずに知らせます。
なぜ: 離れたセルの値は多くの場合、誤って入力・貼り付けしたものです。シートの使われている範囲が
何十億セルにも広がり、表計算ソフトや審査側のツールで開けない・遅くなる原因になります。
例: {sheet[expenses]} の XFD1048576 に「x」→ 警告（{sheet[expenses]}!XFD1048576）。申請内容のチェックはいつもどおり行います。
""",
    advice="離れたセルの値は誤って入力したものなら削除し、長すぎる文章は短くまとめてください。")

TEXT_NUMBER = define(
    "PV010", "number-stored-as-text", "error", "計算式が使う数値の欄に文字列が入っています",
    TEMPLATE_REF,
    """
何を: 様式の計算式が使う数値の欄（数量・単価・出資額・助成金申請額・自己資金・販売数量 など）に、
数値ではなく文字列が入っていないか（全角数字「６，０００」、「円」付き、文字列としてのカンマ、末尾の空白、
先頭の「'」）。Excel のエラー チェック「数値が文字列として保存されています」（緑の三角）と同じものです。
チェックでは値を読み取って他の規則に使うので、指摘はこの欄の 1 件だけです。
なぜ: 文字列は SUM などの合計に入りません。掛け算などの計算式では、半角の「6000」「6,000」なら表計算ソフトが
数値に読み替えますが（そのときは警告）、全角数字や「円」付きは #VALUE! になり、それを使う合計もエラーになります。
提出したブックの合計・助成金申請額が正しく表示されません。
例: {sheet[expenses]} の単価に「６，０００」（文字列）→ エラー（金額 J6 の計算式が #VALUE!）。{sheet[funding]} の自己資金に
文字列の「667,000」→ エラー（資金合計の SUM に入らない）。単価に文字列の「6000」→ 警告。数値の 6000 → 正しい。
""", fixes="安全: 文字列を、それが表す数値にします（全角数字・「円」・カンマ・空白・先頭の「'」を除いて。セルの書式はそのまま）。",
    advice="半角の数字だけを入力し直してください（「円」・全角数字・先頭の「'」を取り、セルの表示形式を「数値」にします）。")

ERROR_VALUE = define(
    "PV011", "formula-error-value", "error", "計算式の結果がエラー（#VALUE! #REF! #DIV/0! など）です",
    TEMPLATE_REF,
    """
何を: 保存されている計算式の結果がエラー値（#VALUE!、#REF!、#DIV/0!、#NAME?、#N/A など）でないか。
エラーは元になったセルにだけ知らせます（そのセルを使う合計などが連鎖してエラーになっても、1 件です）。
なぜ: エラーの出ている事業計画書は金額が確認できず、差し戻しになります。#REF! は行や列、シートの削除で
計算式の参照先が失われたことを示します。
例: 金額の計算式が #REF!（単価の列を削除した）→ エラー。
""",
    advice="エラーの出ているセルの計算式と、それが参照するセル（削除した行・列・シート、数字でない値）を確かめ、公式の様式の計算式に戻してください。")

NOT_TEMPLATE = define(
    "PV012", "formula-not-template", "error", "計算式が様式の計算式と違います（置き換え・別のブックへの参照）",
    TEMPLATE_REF,
    """
何を: 様式（{organisation_short} の公式のブック）で計算式のセルが、申請書でも同じ計算式か。申請者が挿入した行の分は
ずらして比べます（行を挿入すると Excel が計算式の参照を自動でずらすのと同じ）。別の計算式への置き換え、
別の行を指す参照、別のブックへの参照（外部リンク）を見つけます。計算式を数値で上書きしたものは PV201〜PV205 が知らせます。
様式にない計算式でも、別のブックを参照していれば警告します。
なぜ: 合計や助成金申請額は様式の計算式で出すことが前提です。別のブックへの参照は、提出したブックだけでは
計算できません（審査側で開くと値が変わるか、更新の警告が出ます）。
例: {sheet[expenses]} の J6 が「='[予算.xlsx]Sheet1'!A1」→ エラー。J9 が「=G10*I10」（1 行下を参照）→ エラー。
""", reads=("organisation",),
    fixes="確認が必要（--unsafe）: 様式と違う計算式・別のブックを参照する計算式を、様式の計算式（挿入した行の分はずらして）に"
          "戻します。別の計算式にしたわけがあるなら適用しないでください。",
    advice="公式の様式の計算式に戻してください（別のブックへの参照は値ではなく、様式の計算式で計算します）。")


TEXT_DATE = define(
    "PV014", "date-stored-as-text", "info", "日付の欄に日付ではなく文字列が入っています",
    # no clause of the 記入要領 says dates are typed as dates: the template's own date format is the source
    "{organisation_short} の公式の様式（事業計画書 {sheet_range}）の日付の欄の表示形式（例: {sheet[expenses]} の発注予定日 yyyy/m/d）",
    """
何を: 様式の日付の欄（提出日・設立年月日・事業実施期間（終了予定）・発注予定日・同意日 など）に、日付ではなく文字列
（「令和7年11月20日」「2025/11/20」と書いた文字）が入っていないか。チェックではその文字を日付として読んで他の規則に使います。
なぜ: 文字列の日付は、表計算ソフトでは日付として並べ替え・計算・書式の表示ができず、審査側の集計で読めないことがあります。
例: {sheet[expenses]} の発注予定日に文字列「令和7年11月20日」→ 情報（日付 2025-11-20 として読みました）。日付の 2025/11/20 → 所見なし。
""", reads=("organisation",),
    fixes="安全: 文字列の日付を、それが表す日付にします（セルの表示形式が日付でなければ、日付の表示形式にします）。",
    advice="日付の欄には「2025/11/20」のように日付として入力し直してください（文字列ではなく、セルの表示形式が日付になるように）。"
           "読み取った日付が正しいことも確かめてください。")


# --- PV009 -------------------------------------------------------------------------------------

_MAX_PER_SHEET = 10


@implements(UNREAD)
def unread_cells(plan: Plan, context: Context):
    for sheet in plan.grid.sheets.values():
        far = [(pos, text) for pos, text, why in sheet.unread if why == "far"]
        for pos, text in far[:_MAX_PER_SHEET]:
            shown = f"「{_clip(text)}」" if text else "値"
            yield UNREAD.finding(sheet.name, a1(*pos),
                                 f"様式から遠く離れたセルに{shown}があります。チェックでは読んでいません。"
                                 f"誤って入力したものなら削除してください")
        if len(far) > _MAX_PER_SHEET:
            yield UNREAD.finding(sheet.name, None,
                                 f"ほかにも様式から遠く離れたセルが {len(far) - _MAX_PER_SHEET:,} 個あり、読んでいません")
        for pos, text, why in sheet.unread:
            if why == "range":
                yield UNREAD.finding(sheet.name, a1(*pos),
                                     f"シートの使われている範囲が {a1(*pos)} まで広がっています。様式から遠く離れた部分は"
                                     f"読んでいません。誤って入力した値や書式があれば削除してください")
            elif why == "date":
                yield UNREAD.finding(sheet.name, a1(*pos),
                                     f"日付の書式のセルに、日付として扱えない数値（{_clip(text)}）があります。読んでいません。"
                                     f"日付を入力し直してください")
            elif why == "long":
                yield UNREAD.finding(sheet.name, a1(*pos),
                                     f"文字列が 1 つのセルに入る上限（32,767 文字）を超えています（「{_clip(text)}…」）。"
                                     f"上限までを読みました")


def _clip(text: str, n: int = 20) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[:n] + "…"


# --- which formulas read which cells -------------------------------------------------------------

def _resolve(plan: Plan, own: str, ref: Ref) -> str | None:
    """The actual sheet a reference points at (None: another workbook or no such sheet)."""
    if ref.sheet is None:
        return own
    if ref.external:
        return None
    return ref.sheet if ref.sheet in plan.grid.sheets else None


def _readers(plan: Plan, targets: set[tuple[str, int, int]]):
    """{target cell: [(sheet, row, col, formula, in_range)]} — the formulas that read each target."""
    found: dict[tuple[str, int, int], list] = {}
    if not targets:
        return found
    by_column: dict[tuple[str, int], list[int]] = {}       # (sheet, col) → the targets' rows, sorted
    for sheet_name, row, col in targets:
        by_column.setdefault((sheet_name, col), []).append(row)
    for rows in by_column.values():
        rows.sort()
    columns = sorted(by_column)
    for name, sheet in plan.grid.sheets.items():
        for (r, c), text in sheet.formulas.items():
            for ref in references(text):
                where = _resolve(plan, name, ref)
                in_range = (ref.r1, ref.c1) != (ref.r2, ref.c2)
                lo = bisect.bisect_left(columns, (where, ref.c1)) if where is not None else len(columns)
                for key in columns[lo:]:
                    if key[0] != where or key[1] > ref.c2:
                        break
                    rows = by_column[key]
                    for row in rows[bisect.bisect_left(rows, ref.r1):bisect.bisect_right(rows, ref.r2)]:
                        found.setdefault((where, row, key[1]), []).append((name, r, c, text, in_range))
    return found


# --- PV010 -------------------------------------------------------------------------------------

# text a spreadsheet turns into a number by itself when it computes with it (seen in LibreOffice:
# 「6000」「6,000」「6000 」 give the product, 「６，０００」 gives #VALUE!)
_SPREADSHEET_NUMBER = lazy(r"\s*[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?\s*", re.ASCII)

@implements(TEXT_NUMBER)
def number_stored_as_text(plan: Plan, context: Context):
    targets = {(sheet, *_rc(cell)): raw for (sheet, cell), raw in plan.typed_as_text.items()}
    readers = _readers(plan, set(targets))
    for (sheet, r, c), raw in targets.items():
        users = readers.get((sheet, r, c))
        if not users:
            continue                 # no formula computes with it: nothing breaks
        name, fr, fc, text, in_range = next((u for u in users if u[4]), users[0])
        where = a1(fr, fc) if name == sheet else f"{name}!{a1(fr, fc)}"
        if in_range:
            effect, severity = "の合計に入りません（SUM は文字列を飛ばします）", None
        elif _SPREADSHEET_NUMBER.fullmatch(raw):
            effect, severity = ("は Excel・LibreOffice が数値に読み替えて計算しますが、ほかの集計や審査側の確認で"
                                "数値として扱われないことがあります"), Severity.WARNING
        else:
            effect, severity = "が #VALUE! になります（表計算ソフトが数値に読み替えられません）", None
        yield TEXT_NUMBER.finding(
            sheet, a1(r, c),
            f"「{_clip(raw)}」は数値ではなく文字列として入力されています。この欄を使う計算式 {where}（{text}）"
            f"{effect}。半角の数字だけで入力し直してください", severity=severity, fix=_as_number(sheet, a1(r, c), raw))


def _as_number(sheet: str, cell: str, raw: str) -> Fix | None:
    """The number the text says, as the reader read it (「６，０００円」 → 6000)."""
    from planvalidator.normalize import Unreadable, to_number
    try:
        number = to_number(raw)
    except Unreadable:
        return None
    if number is None:
        return None
    number = int(number) if float(number).is_integer() else number
    return Fix(SAFE, (Edit(sheet, cell, value=number),), f"文字列「{_clip(raw)}」を数値 {number:,} にします")


# --- PV014 -------------------------------------------------------------------------------------

@implements(TEXT_DATE)
def date_stored_as_text(plan: Plan, context: Context):
    from planvalidator.normalize import Unreadable, to_date

    for (sheet, cell), raw in plan.dates_as_text.items():
        try:
            day = to_date(raw)
        except Unreadable:
            continue
        if day is None:
            continue
        yield TEXT_DATE.finding(
            sheet, cell, f"「{_clip(raw)}」は日付ではなく文字列として入力されています（日付 {day.isoformat()} として読みました）。"
                         f"表計算ソフトで日付として扱えるよう、日付として入力し直してください",
            value=raw, expected=day,
            fix=Fix(SAFE, (Edit(sheet, cell, value=day),), f"文字列「{_clip(raw)}」を日付 {day.isoformat()} にします"))


# --- PV011 -------------------------------------------------------------------------------------

@implements(ERROR_VALUE)
def formula_error_value(plan: Plan, context: Context):
    # cells whose own finding explains an error downstream: text read as a number (PV010), a
    # value the reader could not read (PV002)
    text_cells = {(s, *_rc(cell)) for s, cell in plan.typed_as_text}
    text_cells |= {(p.sheet, *_rc(p.cell)) for p in plan.problems if p.sheet and p.cell}
    for name, sheet in plan.grid.sheets.items():
        for (r, c), text in sheet.formulas.items():
            code = sheet.cached.get((r, c))
            if not is_error_code(code):
                continue
            if any(_broken_input(plan, name, ref, text_cells) for ref in references(text)):
                continue             # the error comes from a cell that is reported itself
            yield ERROR_VALUE.finding(name, a1(r, c),
                                      f"計算式の結果が {code.strip()} です（{text}）。{_why(code)}")


def _rc(cell: str) -> tuple[int, int]:
    return parse_a1(cell) or (0, 0)


def _broken_input(plan: Plan, own: str, ref: Ref, text_cells) -> bool:
    where = _resolve(plan, own, ref)
    if where is None:
        return False
    sheet = plan.grid.sheets[where]
    for r, c in ref.cells():
        if (where, r, c) in text_cells:
            return True
        if is_error_code(sheet.cached.get((r, c)) if (r, c) in sheet.formulas else sheet.values.get((r, c))):
            return True
    return False


_WHY = {
    "#REF!": "参照先のセル・行・シートが削除されています。様式の計算式に戻してください",
    "#VALUE!": "計算に使う欄に文字列が入っていないか確かめてください",
    "#DIV/0!": "0 で割っています。割る数の欄を確かめてください",
    "#NAME?": "関数名やシート名が正しくありません。様式の計算式に戻してください",
}


def _why(code: str) -> str:
    return _WHY.get(code.strip().upper(), "計算に使う欄と計算式を確かめてください")


# --- PV012 -------------------------------------------------------------------------------------

@implements(NOT_TEMPLATE)
def formula_not_template(plan: Plan, context: Context):
    expected = context.expected_formulas
    for (ours, r, c), (_theirs, text) in sorted(expected.cells.items()):
        actual = plan.grid.sheets[ours].formulas.get((r, c))
        if actual is None:
            continue             # a number typed over the formula: PV201–PV205 name it
        if expected.unmoved and actual == text:
            continue             # no row inserted anywhere, the template's formula (the usual case)
        moved = expected.at(ours, r, c)
        if moved is None or actual == moved:
            continue
        external = next((ref for ref in references(actual) if ref.external), None)
        if external is not None:
            yield NOT_TEMPLATE.finding(ours, a1(r, c), _external(actual, external, text),
                                       fix=_restore(ours, r, c, moved))
        elif canonical(expected.renamed(actual)) != canonical(moved):
            yield NOT_TEMPLATE.finding(
                ours, a1(r, c), f"計算式が様式と違います（{actual}、様式では {moved}）。様式の計算式に戻してください",
                fix=_restore(ours, r, c, moved))
    for name, sheet in plan.grid.sheets.items():
        for (r, c), text in sheet.formulas.items():
            if (name, r, c) in expected.cells or "[" not in text:   # another workbook is always [n]
                continue
            external = next((ref for ref in references(text) if ref.external), None)
            if external is not None:
                yield NOT_TEMPLATE.finding(name, a1(r, c), _external(text, external, None),
                                           severity=Severity.WARNING)


def _restore(sheet: str, r: int, c: int, formula: str) -> Fix:
    """Put the template's formula back (a judgement: the applicant may have meant another formula)."""
    return Fix(UNSAFE, (Edit(sheet, a1(r, c), formula=formula),), f"様式の計算式 {formula} に戻します")


def _external(actual: str, ref: Ref, template: str | None) -> str:
    book = ref.sheet.split("]")[0].lstrip("[")
    book = "" if book.isdigit() else f"「{book}」"    # Excel stores a link as [1]: its number, not the file
    tail = f"様式の計算式（{template}）に戻すか、" if template else ""
    return (f"別のブック{book}を参照する計算式です（{actual}）。提出するブックだけでは計算できません。"
            f"{tail}値を入力してください")
