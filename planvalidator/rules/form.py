"""Form rules (PV0xx): what the sheet schemas check — required cells, types, choices, formats.

Their findings come from the pandera schemas (:mod:`planvalidator.schema`) and from the
reader (cells it cannot parse, labels it cannot find); this module owns their codes,
docs and messages.
"""

from __future__ import annotations

from planvalidator.context import Context
from planvalidator.rules.base import define, implements
from planvalidator.wareki import wareki_date

TEMPLATE_REF = "公募要領 6.(3) ①「事業計画書（{sheet_range}）」"   # rendered with the template's sheet names

REQUIRED = define(
    "PV001", "required-field", "error", "必須の欄が空欄です", TEMPLATE_REF,
    """
何を: 事業計画書の必須の欄（黄色の入力欄のうち、全申請者が書く欄）が空欄でないか。
表（{sheet[activities]}・{sheet[team]}・{sheet[expenses]} など）では、何か入力のある行についてだけ、その行の必須欄を調べます。
なぜ: 記入漏れのある事業計画書は審査できず、差し戻されます。
例: {sheet[applicant]}「郵便番号」が空欄 → エラー。{sheet[expenses]} の 1 行に「品名・内容」だけ書いて「数量」が空欄 → エラー。
""",
    advice="空欄の欄に記入してください（表の行は、その行の必須欄をすべて埋めるか、使わない行なら行全体を空にします）。")

INVALID_TYPE = define(
    "PV002", "invalid-type", "error", "数値・日付として読めない値です", TEMPLATE_REF,
    """
何を: 金額・人数・数量の欄が数値として、日付の欄が日付として読めるか。
「２４０，０００円」「令和7年10月1日」「R7.10.1」など、申請者がよく書く形は読めます。
金額は 1 円単位の整数です（小数は不可）。
なぜ: 読めない値は合計・助成率の計算に入らず、申請額の確認ができません。
例: 単価に「約5万円」→ エラー。発注予定日に「10月上旬」→ エラー。
""",
    advice="数値の欄は「240000」のような数字だけで、日付の欄は「令和7年10月1日」「2025/10/1」のような日付で書き直してください（「約」「上旬」などは使えません）。")

INVALID_CHOICE = define(
    "PV003", "invalid-choice", "error", "選択肢にない値です", TEMPLATE_REF,
    """
何を: プルダウンの欄（事業区分、組織形態、主たる業種、経費区分、年度、有/無、該当/非該当 など）に、
選択肢にない値が入っていないか。全角/半角や空白の違いは同じ値とみなします。
なぜ: 貼り付けた値はプルダウンの制限をすり抜けます。選択肢にない経費内訳や年度は、
集計（年度計・区分計）から漏れ、助成対象外と判断される原因になります。
経費内訳は公募要領 5. の表と照らすので PV101 が見ます。
例: 年度に「1年目」→ 正しい。年度に「{fiscal_year[1]}」→ エラー（1年目〜{max_years}年目）。
組織形態に「株式会社」→ エラー（「{org_type[corporation]}」を選ぶ）。
""", reads=("period.first_fiscal_year", "period.max_years", "org_types"),
    advice="セルを選んでプルダウンの選択肢から選び直してください（貼り付けた値は選択肢の文字と同じにします）。")

OUT_OF_RANGE = define(
    "PV004", "out-of-range", "error", "値が範囲外です（負の金額など）", TEMPLATE_REF,
    """
何を: 金額・人数が 0 以上か、数量が 0 より大きいか、割合（％）が 0〜100 か。
なぜ: 負の金額や 0 の数量は明細として成り立たず、合計を誤らせます。
例: 単価に「-50,000」→ エラー。従事割合に「120」→ エラー。
""",
    advice="金額・人数は 0 以上、数量は 0 より大きい数、割合（％）は 0〜100 の値に直してください。")

INVALID_FORMAT = define(
    "PV005", "invalid-format", "error", "書式が正しくありません（郵便番号・電話番号・メール・年月など）",
    TEMPLATE_REF,
    """
何を: 郵便番号（123-4567）、電話番号（0 から始まる 10〜11 桁）、メールアドレス、年月（2024年3月、R6.3）、
事業実施期間（開始）（「交付決定日」または日付）、スケジュールの印（●）の書式。全角で書いても構いません。
なぜ: 連絡先の誤りは審査中の問い合わせや結果通知が届かない原因になります。
例: 電話番号「076-267」→ エラー。メール「hanako@」→ エラー。
""",
    advice="例の形に書き直してください（郵便番号 920-8203、電話番号 076-267-1001、メール hanako@example.jp、年月 2024年3月）。")

INVALID_CORPORATE_NUMBER = define(
    "PV006", "invalid-corporate-number", "error", "法人番号が正しくありません（13桁・チェックデジット）",
    "{sheet[applicant]}「法人番号（13桁）」（国税庁 法人番号の検査用数字）",
    """
何を: 法人番号が 13 桁の数字で、先頭の検査用数字（チェックデジット）が残り 12 桁と合っているか
（検査用数字 = 9 − 残り12桁を右から重み 1・2・1・2… で掛けた和を 9 で割った余り）。個人事業主は空欄で構いません。
なぜ: 1 桁の打ち間違いで別の法人を指してしまい、申請者の確認ができません。
例: 「1200001012345」→ 正しい。「1200001012346」→ エラー（検査用数字が合わない）。「120000101234」→ エラー（12桁）。
""",
    advice="登記簿や国税庁の法人番号公表サイトで 13 桁を確かめて入力し直してください。個人事業主は空欄にします。")

LAYOUT_MISSING = define(
    "PV007", "layout-missing", "error", "様式のシート・見出しが見つかりません", TEMPLATE_REF,
    """
何を: {sheet_range} の各シートと、各欄・各表の見出しが事業計画書に残っているか。
見出しの文字で欄を探すので、行の挿入やシートの追加・並べ替えは問題ありません。
なぜ: シートや見出しを削除すると、その欄を確認できず、審査に必要な情報が欠けます。
見出しの言い換えのある様式（改訂された様式、PV013）では、見つからない見出しは様式の違いなので、このエラーではなく
PV013 の警告に入ります。
例: 「{sheet[schedule]}」のシートを削除 → エラー。{sheet[applicant]} の「法人番号」の行を削除 → エラー。
""",
    advice="削除したシート・行・見出しを公式の様式から戻してください（様式のシートや見出しは消さずに使います）。")

TEMPLATE_DIFFERS = define(
    "PV013", "template-differs", "warning",
    "事業計画書の様式が、planvalidator の知っている様式の版と違います（見出しの言い換え）",
    "{organisation_short} の公式の様式（事業計画書 {sheet_range}）; planvalidator の schemas/{template}/layout.yaml",
    """
何を: 欄・表の見出しが、planvalidator の知っている様式の版（{template}）と違う言い方で書かれていないか。
{organisation_short} が様式を改訂すると、見出しに括弧書きが付いたり（「単価」→「単価（税抜）」）、言い換えられたり
（「助成事業名」→「助成事業の名称」）します。見出しが版の言い方で見つからなくても、版の様式と同じ場所（同じ節、
表なら見出しの行）に近い言い方の見出しがあれば（`planvalidator template verify` と同じ照合）、その欄を読んで
いつもどおりチェックし、違う見出しをすべて（見つけた言い方と番地、いちばん近い版）この 1 件の警告にまとめます。
見出しの言い換えのある様式では、見つからない見出しもこの警告に入れます（PV007 のエラーにはしません）。
なぜ: これは様式の違いで、申請者の誤りではありません。近い見出しで読んだ欄は推測なので、planvalidator を新しい
様式に合わせて更新する必要があるかもしれません（`planvalidator template new`）。違いが多すぎるとき（推測で読む・
見つからない見出しが 7 か所以上、またはあるシートの見出しの半分より多い）は、推測の上に指摘を重ねないよう、
チェックせずに終了コード 2 で、いちばん近い版と違うところを示します。
例: {sheet[applicant]} の「助成事業名」が「助成事業の名称」、{sheet[expenses]} の「単価（税抜・円）」が「単価（税抜）」→
警告 1 件（「{sheet[applicant]}!B19「助成事業の名称」（{template} では「助成事業名」）…」）。その単価の列の金額の誤りは
PV201 がいつもどおり指摘します。見出しの言い換えのない様式で「法人番号」の見出しを消した → PV007 のエラー。
""", reads=("organisation",),
    advice="{organisation_short} が公開している今年度の様式に記入し直すか、見出しを公式の様式どおりに戻してください。様式が新しく改訂されたのなら、この警告は planvalidator の対応待ちです。")

_PANDERA_CHECK_RULE = {
    "not_nullable": REQUIRED,
    "isin": INVALID_CHOICE,
    "greater_than_or_equal_to": OUT_OF_RANGE,
    "greater_than": OUT_OF_RANGE,
    "less_than_or_equal_to": OUT_OF_RANGE,
    "less_than": OUT_OF_RANGE,
    "in_range": OUT_OF_RANGE,
    "corporate_number": INVALID_CORPORATE_NUMBER,
}


def _shown(value) -> str:
    import datetime as dt

    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return wareki_date(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _choice_list(column) -> list:
    """The choices of an ``isin`` column (empty when it has none)."""
    for rule_check in column.checks:
        if rule_check.name == "isin":
            return list(rule_check.statistics.get("allowed_values", ()))
    return []


def _choices(column) -> str:
    values = _choice_list(column)
    if not values:
        return ""
    return "（選択肢: " + "、".join(map(str, values[:8])) + ("、…" if len(values) > 8 else "") + "）"


def _range(column) -> str:
    for rule_check in column.checks:
        stats = rule_check.statistics
        if rule_check.name == "greater_than_or_equal_to":
            return f"{stats.get('min_value')} 以上"
        if rule_check.name == "greater_than":
            return f"{stats.get('min_value')} より大きい値"
        if rule_check.name == "in_range":
            return f"{stats.get('min_value')}〜{stats.get('max_value')}"
    return "範囲内"


_FORMAT_HINT = {
    "postal_code": "郵便番号は「123-4567」の形で入力してください",
    "phone_number": "電話番号は 0 から始まる 10〜11 桁で入力してください（例: 012-345-6789）",
    "email": "メールアドレスの形式ではありません",
    "year_month": "年月として読めません（例: 2024年3月、R6.3）",
    "date_or": "日付（例: 2025/10/1、令和7年10月1日）または「交付決定日」と入力してください",
    "mark": "実施する月には「●」を入力してください",
}


def finding_for_failure(*, check: str, sheet: str, cell: str | None, title: str, value, column,
                        field: str | None = None):
    """One pandera failure case → one finding (None for failures that are not the applicant's).
    ``field``: the layout key of the value (「applicant.postal_code」), where the caller knows it."""
    name = check.split("(")[0]
    shown = _shown(value)
    machine = {"field": field, "value": None if shown == "" else value}
    if name == "not_nullable":
        return REQUIRED.finding(sheet, cell, f"「{title}」が未入力です", **machine)
    if name == "isin":
        choices = _choice_list(column)
        return INVALID_CHOICE.finding(sheet, cell, f"「{title}」の「{shown}」は選択肢にありません{_choices(column)}",
                                      expected="・".join(map(str, choices)) if choices else None, **machine)
    if name in _PANDERA_CHECK_RULE and _PANDERA_CHECK_RULE[name] is OUT_OF_RANGE:
        return OUT_OF_RANGE.finding(sheet, cell, f"「{title}」の {shown} は範囲外です（{_range(column)}）",
                                    expected=_range(column), **machine)
    if name == "corporate_number":
        return INVALID_CORPORATE_NUMBER.finding(
            sheet, cell, f"法人番号「{shown}」が正しくありません（13桁の数字で、検査用数字が合うこと）", **machine)
    if name in _FORMAT_HINT:
        return INVALID_FORMAT.finding(sheet, cell, f"「{title}」の「{shown}」: {_FORMAT_HINT[name]}", **machine)
    if name.startswith("dtype") or name in ("column_in_dataframe", "coerce_dtype"):
        return None  # the reader already reported unreadable values
    return INVALID_FORMAT.finding(sheet, cell, f"「{title}」の「{shown}」が正しくありません（{name}）", **machine)


CONDITIONAL = define(
    "PV008", "conditional-required", "error", "条件により必須の欄が空欄です",
    "{sheet[applicant]}・{sheet[company]}・{sheet[funding]} の記入要領; 公募要領 2.（中小企業者の判定）, 3.※（他の補助制度）",
    """
何を: 他の欄の値によって必須になる欄が空欄でないか。
組織形態「{org_type[corporation]}」→ {sheet[applicant]}「法人番号」と{sheet[company]}「資本金又は出資の総額」。
他の補助制度の利用「有」→「（有の場合）制度名・内容」。{sheet[funding]} に借入金がある → 「借入金の調達先」。役員が大企業の役員・職員を兼務「有」→「兼務先」。
なぜ: 法人番号と資本金は申請者の確認と中小企業者の判定（公募要領 2.）に、制度名は併用の確認（3.※）に、
兼務先はみなし大企業の判定（2. 注3 ③）に使います。
例: {org_type[sole_proprietor]}で法人番号が空欄 → 所見なし。{org_type[corporation]}で法人番号が空欄 → エラー。
""", reads=("org_types",),
    advice="指摘の欄に記入してください（条件になっている欄の選択が誤っているときは、そちらを直します）。")


@implements(CONDITIONAL)
def conditional_required(plan, context: Context):
    from planvalidator.normalize import means

    def missing(sheet, name, why):
        f = plan.field(sheet, name)
        if f is not None and f.value is None and not plan.problems_at(sheet, f.cell):
            yield CONDITIONAL.finding(plan.actual(sheet), f.cell, f"{why}「{f.title}」を入力してください",
                                      field=f"{sheet}.{name}")

    if context.org_type == "corporation":
        corporation = f"{context.program.org_type('corporation')}の場合は"
        yield from missing("applicant", "corporate_number", corporation)
        yield from missing("company", "capital", corporation)
    if means(plan.value("applicant", "other_subsidy"), "有"):
        yield from missing("applicant", "other_subsidy_detail", "他の補助制度を利用する場合は")
    funding = plan.table("funding", "funding")
    if funding is not None and any((r.get("loans") or 0) > 0 for _, r in funding.rows()):
        yield from missing("funding", "loan_source", "借入金がある場合は")
    officers = plan.table("company", "officers")
    if officers is not None and "concurrent_company" in officers.positions:
        for record, row in officers.rows():
            if means(row.get("concurrent"), "有") and not row.get("concurrent_company"):
                yield CONDITIONAL.finding(plan.actual("company"), officers.cell(record, "concurrent_company"),
                                          f"役員「{row.get('name') or ''}」が大企業の役員・職員を兼務している場合は「兼務先」を入力してください",
                                          field="company.officers.concurrent_company")
