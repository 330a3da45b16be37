"""Expense rules (PV1xx): each row of the expenses sheet (計画様式7 in r7) against 公募要領 5.
(助成対象経費) and 9.

Keyword lists (汎用品, 間接経費 …), the expense categories, dates and thresholds are program
data in ``schemas/<version>/program.yaml``; :mod:`planvalidator.keywords` matches them. The docs
quote them through placeholders (planvalidator/facts.py), the messages from ``context.program``.
"""

from __future__ import annotations

from fractions import Fraction

from planvalidator.address import parse_a1
from planvalidator.context import Context
from planvalidator.findings import UNSAFE, Edit, Fix, Severity
from planvalidator.normalize import canon, means
from planvalidator.plan import Plan, Table
from planvalidator.rules.base import define, implements
from planvalidator.wareki import wareki_date

SHEET = "expenses"          # the layout key of the sheet (its name is 計画様式7 in r7)

OUT_OF_PLAN = ("確認が必要（--unsafe）: 品名・内容がそれそのもの（汎用品の購入、間接経費）の行を明細から外します（No と計算式の欄は"
               "残し、入力した欄を空にします。年度計・合計は計算式が計算し直します。資金計画が合わなくなった分は PV207〜PV209 の"
               "修正が続けて直します）。助成対象のものなら適用せず、品名・内容に用途を書いてください。")

ITEM = define(
    "PV101", "expense-item-unknown", "error", "経費内訳が公募要領の経費区分にありません",
    "公募要領 5. 助成対象経費（経費区分・経費内訳）",
    """
何を: {sheet[expenses]} の各行の「経費内訳」が公募要領 5. の表にあり、しかもその行の「経費区分」の内訳であるか。
{expense_items}。
なぜ: 表にない経費（人件費、飲食費など）は助成対象外です。区分を取り違えると区分計がずれ、審査で確認を求められます。
例: 経費区分「試作・開発費」・経費内訳「原材料費」→ 正しい。経費内訳「人件費」→ エラー。
経費区分「事業費」・経費内訳「原材料費」→ エラー（原材料費は試作・開発費の内訳）。
""", reads=("expense_categories.items",),
    advice="公募要領 5. の表の経費内訳から選び直し、その内訳の経費区分（事業費・試作・開発費）と合わせてください。表にない経費（人件費など）は明細から外します。")

GENERAL_PURPOSE = define(
    "PV102", "general-purpose-item", "error", "汎用品（パソコン・タブレット・事務用品など）の購入は助成対象外です",
    "公募要領 5.※(5)",
    """
何を: {sheet[expenses]} の「品名・内容」に、汎用性があり目的外使用になり得るもの（事務用のパソコン、プリンタ、文書作成ソフトウェア、
タブレット端末、スマートフォン、デジタル複合機、事務用品等）の購入が書かれていないか。ノートPC、MacBook、iPad、Surface、
Microsoft Office、Word、複合機、コピー用紙、文房具、携帯電話などの書き方も見ます（語の一覧は program.yaml の keywords）。
語だけでは決まらないとき（「PC」だけ、「タブレット」だけ、「iPad用スタンドの試作」、制御用・組込みなど）は警告にします。
公募要領の例示にはないが汎用性のある物品（自動車、デジタルカメラ、プロジェクター、USBメモリなど）も警告にします。
「PC樹脂」「3Dプリンタ」「スマホアプリ開発」「複合機能」のように別の意味の語、レンタル・リース（借損料）は対象にしません。
なぜ: 汎用品の購入費は助成対象外です（公募要領 5.※(5)）。そのまま申請すると減額されます。
例: 「ノートPC（データ解析用）」→ エラー。「PC樹脂ペレット」→ 所見なし。「タブレット」だけ → 警告。
""", reads=("keywords.general_purpose", "expense_categories.rental_items", "expense_categories.rental_words"),
    fixes=OUT_OF_PLAN,
    advice="汎用品の購入は明細から外してください。開発専用の機器・ソフトウェアなら、その用途が分かるように品名・内容に書きます（例: 「試作機の制御用PC（専用）」）。")

INDIRECT = define(
    "PV103", "indirect-cost", "error", "間接経費（消費税・振込手数料・通信費・光熱費・収入印紙）は助成対象外です",
    "公募要領 5.※(3)",
    """
何を: {sheet[expenses]} の「品名・内容」「備考」に、間接的な経費（消費税及び地方消費税、振込手数料、通信費（電話・インターネット）、
光熱費、収入印紙代等）が書かれていないか。「消費税を除く」「消費税別」のような否定は対象にしません。
なぜ: 間接経費は助成対象外です。明細の金額は税抜で書きます。
例: 「振込手数料」→ エラー。「インターネット回線使用料」→ エラー。「電気代削減装置の試作」→ 所見なし。
""", reads=("keywords.indirect",), fixes=OUT_OF_PLAN,
    advice="消費税・振込手数料・通信費・光熱費・収入印紙などの行は明細から外し、金額は税抜で書いてください。")

FILING_FEE = define(
    "PV104", "filing-fee", "error", "特許庁など行政庁への出願手数料は助成対象外です",
    "公募要領 5.※(4)",
    """
何を: {sheet[expenses]} の「品名・内容」「備考」に、特許庁などの日本の行政庁に納める出願手数料等（出願料、審査請求料、特許印紙、
登録料）が書かれていないか。弁理士費用は助成対象です（知的財産権取得費）。「出願費用」のように弁理士費用か手数料か
決まらない語は警告にします。外国の特許庁への手数料は対象にしません。
なぜ: 行政庁に納入される手数料は助成対象外です。
例: 「意匠登録に係る弁理士費用」→ 所見なし。「特許出願料（特許印紙）」→ エラー。
""", reads=("keywords.filing_fee",),
    advice="行政庁に納める手数料（出願料・審査請求料・特許印紙・登録料）は明細から外し、助成対象の弁理士費用だけを書いてください。")

INAPPROPRIATE = define(
    "PV105", "inappropriate-expense", "warning", "飲食・接待・慰労など社会通念上不適切な経費の可能性があります",
    "公募要領 5.※(6)",
    """
何を: {sheet[expenses]} の「品名・内容」「備考」に、飲食、会食、接待、慰労、懇親会、手土産などが書かれていないか。
「飲食店向けサービス」のように対象市場を指す語は対象にしません。
なぜ: 公的資金の用途として社会通念上不適切な経費は助成対象外です。内容によっては認められることもあるため警告です。
例: 「展示会後の懇親会費」→ 警告。「飲食店向け予約システムの開発」→ 所見なし。
""", reads=("keywords.inappropriate",),
    advice="飲食・接待・慰労の費用は明細から外してください。事業に必要な経費なら、その目的と内容が分かるように品名・内容を書き直します。")

BEFORE_GRANT = define(
    "PV106", "ordered-before-grant", "error", "交付決定より前の発注は助成対象外です",
    "公募要領 5.※(1); 6.(6)（審査結果通知 {grant_notice}予定）; 8.",
    """
何を: {sheet[expenses]} の「発注予定日」が、交付決定がありうる最も早い日（審査結果通知が{grant_notice}の予定なので {earliest_grant}。
program.yaml の period.earliest_grant_date）より前でないか。事業実施期間（開始）に日付を書いた場合は、その日より前でないか。
「品名・内容」「備考」に「発注済」「購入済」「既に契約」などとある行は、申請の時点で発注・購入が済んでいる
（交付決定より前の発注）のでエラー、「導入済」のように既存の設備の説明かもしれない語は警告にします。
なぜ: 交付決定前に発注、契約、購入等をしたものは助成対象外です。
例: 発注予定日 {earliest_grant} → 正しい。発注予定日 {year_start[1]} → エラー（交付決定前）。備考「発注済」→ エラー。
""", reads=("period.earliest_grant_date", "period.grant_notice", "period.first_fiscal_year", "keywords.already_ordered"),
    fixes="確認が必要（--unsafe）: 発注予定日を、発注できる最も早い日（交付決定の日、事業実施期間の開始）にします。"
          "その日に発注できるかは申請者が確かめてください。",
    advice="発注予定日を交付決定の後（{grant_notice}予定の審査結果通知より後）の日に直してください。申請の前にすでに発注・購入したものは助成対象にならないので、明細から外します。")

WHOLE_OUTSOURCING = define(
    "PV107", "whole-outsourcing", "warning", "事業の全部を委託している可能性があります",
    "公募要領 5. 委託費（※事業全てを委託するものは対象外）",
    """
何を: {sheet[expenses]} の「委託費」の行が助成対象経費の合計の {whole_outsourcing_share}（program.yaml の whole_outsourcing_share）を
超えていないか、「一括委託」「全部委託」「丸投げ」のように事業全体を委託する書き方をしていないか。
{whole_outsourcing_share} を超え、かつそのような書き方をしている行はエラー、どちらか一方だけなら警告です。
なぜ: 事業全てを委託するものは助成対象外です。申請者自身が開発・販路開拓に取り組む計画であることが求められます。
例: 合計 3,890,000 円のうち委託費 400,000 円 → 所見なし。合計 2,000,000 円のうち委託費 1,400,000 円 → 警告。
""", reads=("whole_outsourcing_share", "expense_categories.outsourcing_items", "keywords.whole_outsourcing"),
    advice="申請者自身が行う開発・販路開拓の取組を計画に書き、委託は一部にとどめてください（委託費の割合を下げるか、委託の範囲を品名・内容に具体的に書きます）。")

OUTSIDE_PERIOD = define(
    "PV108", "outside-project-period", "error", "経費の年度・発注予定日が事業実施期間の外です",
    "公募要領 4.（事業実施期間）; 8.（年度ごとの交付申請）",
    """
何を: {sheet[expenses]} の各行の「年度」（{year_names}）が事業実施期間（終了予定）までに始まるか、「発注予定日」が事業実施期間
（終了予定）より後でないか。発注予定日がその行の年度（4月〜翌3月）に入っていない行もエラーです（年度ごとに交付申請する
ので、その年度の申請額に入りません）。
なぜ: 事業実施期間の外の経費は助成対象外です。年度ごとに交付申請・実績報告をするので、年度の取り違えは申請額の誤りになります。
例: 事業実施期間（終了予定）{year_end[1]} で 2年目（{year_start[2]}〜）の行 → エラー。1年目の行の発注予定日が {year_start[2]} → エラー。
""", reads=("period.first_fiscal_year", "period.earliest_grant_date"),
    advice="その行の年度と発注予定日を、事業実施期間の中の同じ年度（4月〜翌3月）に合わせて直してください。")

TAX_INCLUDED = define(
    "PV109", "tax-included", "warning", "税込の金額が書かれている可能性があります（明細は税抜）",
    "公募要領 5.※(3); {sheet[expenses]}（単価・金額は税抜）",
    """
何を: {sheet[expenses]} の「品名・内容」「備考」に「税込」「内税」などと書かれていないか（「税抜」「税別」も書いてあれば対象にしません）。
なぜ: 単価・金額は税抜で書きます。消費税は助成対象外なので、税込の金額のままでは申請額が過大になります。
例: 備考「税込価格」→ 警告。備考「税込 110,000 円の税抜額」→ 所見なし。
""", reads=("keywords.tax_included", "consumption_tax_rate"),
    fixes="確認が必要（--unsafe）: その行の単価を税抜にし（税込の単価 ÷ (1 + 消費税の標準税率 {tax_rate})、円未満四捨五入）、"
          "「税込」と書いた欄に「（税抜に修正）」と書き足します。単価がもう税抜なら適用しないでください。",
    advice="単価・金額を税抜に直し、品名・内容・備考の「税込」の書き方を消してください（税抜の額だと分かるなら「税抜」と書き添えます）。")

QUOTE_MISSING = define(
    "PV110", "quote-missing", "warning", "見積書がありません",
    "公募要領 8.（交付申請時に見積書（経費の内訳がわかるもの）を提出）",
    """
何を: {sheet[expenses]} の「見積書」が「無」の行。
なぜ: 採択後の交付申請では見積書（経費の内訳がわかるもの）が必要です。金額の根拠がないと審査で減額されることがあります。
例: 見積書「有」→ 所見なし。見積書「無」→ 警告。
""",
    advice="見積書を取り寄せて「有」にしてください。採択後の交付申請で見積書（経費の内訳がわかるもの）が必要です。")

ASSET_REGISTER = define(
    "PV111", "asset-register", "info", "{asset_price}以上の取得財産は管理台帳・処分制限の対象です",
    "公募要領 9.③④",
    """
何を: {sheet[expenses]} の「単価（税抜・円）」が {asset_price}以上の行（program.yaml の asset_register_price）。
なぜ: 取得価格が 1 件あたり {asset_price}（税抜）以上の取得財産は「取得財産等管理台帳」で管理し、処分するときは承認が必要で、
収入の一部を納付することがあります。誤りではなく、知らせるための情報です。
例: 単価 350,000 円 → 所見なし。単価 600,000 円の機械装置 → 情報。
""", reads=("asset_register_price",),
    advice="直す必要はありません。採択後、取得財産等管理台帳での管理と、処分するときの承認が必要になることを確かめてください。")


CATEGORY_FIT = define(
    "PV112", "expense-item-mismatch", "error", "品名・内容が経費内訳の定義に合いません",
    "公募要領 5.（経費内訳の内容）",
    """
何を: {sheet[expenses]} の各行の「品名・内容」「備考」が、その行の「経費内訳」の定義（公募要領 5.）に明らかに反していないか。
例えば雑役務費は「助成事業を行うために臨時的に雇い入れた者（パート、アルバイト）の賃金・交通費」で、自社の正社員・役員の
給与はどの経費内訳にも当たりません。借損料はレンタル料・リース料で、購入は当たりません。定義と反する書き方の一覧は
program.yaml の category_fit にあり、語だけでは決まらないもの（原材料費の「製造装置」など）は警告にします。
なぜ: 定義に合わない経費は助成対象外です（自社の人件費は助成対象経費にありません）。
例: 雑役務費「試作補助のアルバイト賃金」→ 所見なし。雑役務費「正社員の給与（開発担当）」→ エラー。借損料「展示用モニターの購入」→ エラー。
""", reads=("category_fit",),
    advice="品名・内容に合う経費内訳を選び直すか、その内訳の定義（公募要領 5.）に合わない経費（自社の社員・役員の給与など）は明細から外してください。")


def _table(plan: Plan) -> Table | None:
    t = plan.table(SHEET, "expenses")
    return t if t is not None and not t.empty else None


def _text_cells(t: Table, record, row: dict, columns=("description", "note")):
    """(column, text, other text of the row) for the free-text cells of one row."""
    texts = {c: row.get(c) for c in columns if c in t.positions and row.get(c)}
    for column, text in texts.items():
        context = " ".join(str(row.get(c) or "") for c in ("item", "description", "note") if c != column)
        yield column, str(text), context


def _keyword_findings(rule, plan, context, family, message, columns=("description", "note"), skip=None, weigh=None,
                      fix=None):
    """Findings of one keyword family in the rows' texts; ``fix(t, record, row, column, text)``: the fix of the
    finding in that row's ``column``."""
    t = _table(plan)
    if t is None:
        return
    keywords = context.keywords(family)
    for record, row in context.keyword_rows(t, tuple(columns)):     # (most rows: no term of any family anywhere)
        if not any(row.get(c) and keywords.could_match(str(row[c])) for c in columns):
            continue                        # (no term of this family)
        if skip and skip(row):
            continue
        for column, text, other in _text_cells(t, record, row, columns):
            hit = keywords.find(text, context=other, reading=context.reading, kind=context.rough_kind)
            if hit is None:
                continue
            severity = Severity(hit.severity)
            if weigh is not None:
                severity = weigh(row, severity)
                text_of = message(hit, severity, t.titles[column], row)
            else:
                text_of = message(hit, severity, t.titles[column])
            yield rule.finding(plan.actual(SHEET), t.cell(record, column), text_of,
                               severity=severity, field=f"{SHEET}.expenses.{column}", value=text,
                               fix=fix(t, record, row, column, text) if fix is not None else None)


def _caveat(hit) -> str:
    return f"（{hit.note}）" if hit.note else ""


def _out_of_plan(plan: Plan):
    """The fix of a line whose 品名・内容 is itself ineligible: the row taken out of the 明細 (every typed cell of it
    emptied; its No and the template's formulas kept, so the totals follow). Only for an error found in the
    description: a word in the 備考 (「振込手数料を含む」) is about part of a line, not the line."""
    def fix(t, record, row, column, text):
        if column != "description":
            return None
        sheet_name = plan.actual(SHEET)
        formulas = plan.grid.sheets[sheet_name].formulas
        edits = tuple(Edit(sheet_name, t.cell(record, c), value=None) for c in t.positions
                      if c != "row_no" and row.get(c) not in (None, "")
                      and parse_a1(t.cell(record, c)) not in formulas)
        if not edits:
            return None
        return Fix(UNSAFE, edits, f"「{text}」の行（{t.cell(record, column)} の行）を明細から外します（入力した欄を空に）")
    return fix


def _errors_only(findings):
    """A warning (the words leave room) keeps no row-removing fix: only an error's line is plainly out."""
    from planvalidator.structs import replace
    for f in findings:
        yield f if f.severity is Severity.ERROR or f.fix is None else replace(f, fix=None)


@implements(ITEM)
def expense_item(plan: Plan, context: Context):
    t = _table(plan)
    if t is None or "item" not in t.positions:
        return
    items = context.program.expense_items
    owner = {}
    for category, names in items.items():
        for name in names:
            owner.setdefault(canon(name), []).append(category)
    of_category: dict[str, list] = {}       # a 経費区分 as compared → its 経費内訳 (the first it is in the file)
    for c, names in items.items():
        of_category.setdefault(canon(c), names)
    for record, row in t.rows():
        item, category = row.get("item"), row.get("category")
        if not item:
            continue
        categories = owner.get(canon(item))
        if categories and not (category and canon(category) in of_category
                               and canon(category) not in map(canon, categories)):
            continue                        # (most rows: an 経費内訳 of its own 経費区分)
        cell = t.cell(record, "item")
        allowed = of_category.get(canon(category)) if category else None
        if not categories:
            yield ITEM.finding(plan.actual(SHEET), cell,
                               f"経費内訳「{item}」は公募要領 5. の助成対象経費にありません"
                               f"（{category or '経費区分'}の経費内訳から選んでください）",
                               field=f"{SHEET}.expenses.item", value=item, expected="・".join(allowed) if allowed else None)
        else:
            yield ITEM.finding(plan.actual(SHEET), cell,
                               f"経費内訳「{item}」は「{'・'.join(categories)}」の内訳です（この行の経費区分は「{category}」）",
                               field=f"{SHEET}.expenses.item", value=item, expected="・".join(allowed))


def _is_rental(program, row) -> bool:
    if canon(row.get("item") or "") in {canon(i) for i in program.rental_items}:
        return True
    text = canon(" ".join(str(row.get(c) or "") for c in ("description", "note")))
    return any(canon(w) in text for w in program.rental_words)


def _rented_for(program, row) -> bool:
    """Whether a rental row says what it is for, among the uses 借損料 takes (展示会事業等, 試作・開発・実験等)."""
    text = canon(" ".join(str(row.get(c) or "") for c in ("description", "note")))
    return any(canon(w) in text for w in program.rental_purposes)


@implements(GENERAL_PURPOSE)
def general_purpose(plan: Plan, context: Context):
    program = context.program

    def message(hit, severity, title, row=None):
        if row is not None and _is_rental(program, row):
            return (f"「{hit.found}」のレンタル・リースです。事務機器等の借損料は、展示会事業等や試作品の開発・実験等に"
                    f"使うものだけが助成対象です。用途を備考に書いてください")
        if severity is Severity.ERROR:
            return (f"「{hit.found}」は汎用品（{hit.label}）の購入です。汎用性があり目的外使用になり得るものは"
                    f"助成対象外です")
        return (f"「{hit.found}」は汎用品（{hit.label}）の購入の可能性があります{_caveat(hit)}。"
                f"助成事業専用のものか確認し、備考に用途を書いてください")

    def rental(row) -> bool:            # a rental the purpose of which is written: nothing to say
        return _is_rental(program, row) and _rented_for(program, row)

    def weigh(row, severity):           # a rental without a purpose: what it is for cannot be told
        return Severity.WARNING if _is_rental(program, row) else severity
    yield from _errors_only(_keyword_findings(GENERAL_PURPOSE, plan, context, "general_purpose", message,
                                              columns=("description",), skip=rental, weigh=weigh,
                                              fix=_out_of_plan(plan)))


@implements(INDIRECT)
def indirect(plan: Plan, context: Context):
    def message(hit, severity, title):
        return f"「{title}」の「{hit.found}」は間接経費（{hit.label}）で、助成対象外です（金額は税抜、手数料等を除いて計上）"
    yield from _errors_only(_keyword_findings(INDIRECT, plan, context, "indirect", message,
                                              fix=_out_of_plan(plan)))


@implements(FILING_FEE)
def filing_fee(plan: Plan, context: Context):
    def message(hit, severity, title):
        if severity is Severity.ERROR:
            return (f"「{hit.found}」は行政庁に納める手数料で、助成対象外です（弁理士費用は対象。"
                    f"手数料分を除いて計上してください）")
        return f"「{hit.found}」に行政庁への出願手数料が含まれていないか確認してください{_caveat(hit)}"
    yield from _keyword_findings(FILING_FEE, plan, context, "filing_fee", message)


@implements(INAPPROPRIATE)
def inappropriate(plan: Plan, context: Context):
    def message(hit, severity, title):
        return f"「{hit.found}」は公的資金の用途として社会通念上不適切な経費（{hit.label}）の可能性があります"
    yield from _keyword_findings(INAPPROPRIATE, plan, context, "inappropriate", message)


TAX_FIXED = "（税抜に修正）"      # what the PV109 fix appends to the text that said 税込


@implements(TAX_INCLUDED)
def tax_included(plan: Plan, context: Context):
    indirect_cells = {f.cell for f in indirect(plan, context)}

    def message(hit, severity, title):
        return f"「{title}」に「{hit.found}」とあります。単価・金額は税抜で書いてください（消費税は助成対象外）"
    rate = context.program.consumption_tax_rate

    def without_tax(t, record, row, column, text):
        price = row.get("unit_price")
        if rate is None or "unit_price" not in t.positions or not isinstance(price, (int, float)) or price <= 0:
            return None
        net = int(Fraction(price) / (1 + rate) + Fraction(1, 2))          # 円未満四捨五入
        sheet = plan.actual(SHEET)
        # the text says so too, or it would still read as 税込
        return Fix(UNSAFE, (Edit(sheet, t.cell(record, "unit_price"), value=net),
                            Edit(sheet, t.cell(record, column), value=f"{text}{TAX_FIXED}")),
                   f"単価 {price:,.0f} 円を税抜の {net:,} 円にし（税込 ÷ {float(1 + rate):g}）、"
                   f"「{t.titles[column]}」に「{TAX_FIXED}」と書き足します")
    for f in _keyword_findings(TAX_INCLUDED, plan, context, "tax_included", message, fix=without_tax):
        if f.cell not in indirect_cells:
            yield f


@implements(BEFORE_GRANT)
def before_grant(plan: Plan, context: Context):
    t = _table(plan)
    if t is None or "order_date" not in t.positions:
        return
    grant = context.grant_date
    program = context.program
    why = ("事業実施期間（開始）" if context.period_start and context.period_start > program.earliest_grant_date
           else f"交付決定（審査結果通知は{program.grant_notice}の予定）")
    for record, row in t.rows():
        ordered = row.get("order_date")
        if ordered and ordered < grant:
            yield BEFORE_GRANT.finding(
                plan.actual(SHEET), t.cell(record, "order_date"),
                f"発注予定日 {wareki_date(ordered)} は{why}の {wareki_date(grant)} より前です。"
                f"交付決定前の発注・契約・購入は助成対象外です",
                field=f"{SHEET}.expenses.order_date", value=ordered, expected=grant,
                fix=Fix(UNSAFE, (Edit(plan.actual(SHEET), t.cell(record, "order_date"), value=grant),),
                        f"発注予定日を最も早く発注できる日 {grant.isoformat()} にします"))

    def message(hit, severity, title):
        return (f"「{title}」に「{hit.found}」とあります。交付決定前に発注・契約・購入したものは助成対象外です"
                f"（交付決定後に発注する予定なら、その旨を書いてください）")
    yield from _keyword_findings(BEFORE_GRANT, plan, context, "already_ordered", message)


def _amount(row) -> float | None:
    q, p = row.get("quantity"), row.get("unit_price")
    if isinstance(q, (int, float)) and isinstance(p, (int, float)):
        return q * p
    return None


@implements(WHOLE_OUTSOURCING)
def whole_outsourcing(plan: Plan, context: Context):
    t = _table(plan)
    if t is None:
        return
    program = context.program
    rows = list(t.rows())
    total = sum(a for _, r in rows if (a := _amount(r)))
    threshold = program.whole_outsourcing_share
    outsourcing = {canon(i) for i in program.outsourcing_items}
    keywords = context.keywords("whole_outsourcing")
    for record, row in rows:
        if canon(row.get("item") or "") not in outsourcing:
            continue
        amount = _amount(row) or 0
        large = bool(total) and Fraction(amount).limit_denominator() / Fraction(total).limit_denominator() > threshold
        hit = next(((c, h) for c in ("description", "note") if (h := keywords.find(row.get(c), reading=context.reading))), None)
        if not large and not hit:
            continue
        share = f"{amount / total:.0%}" if total else ""
        parts = []
        if large:
            parts.append(f"委託費 {amount:,.0f} 円が助成対象経費の合計 {total:,.0f} 円の {share} を占めます")
        if hit:
            parts.append(f"「{hit[1].found}」と書かれています")
        severity = Severity.ERROR if large and hit else Severity.WARNING
        column = hit[0] if hit and not large else "item"
        yield WHOLE_OUTSOURCING.finding(
            plan.actual(SHEET), t.cell(record, column),
            "。".join(parts) + "。事業全てを委託するものは助成対象外です（申請者が取り組む部分を明確にしてください）",
            severity=severity, field=f"{SHEET}.expenses.{column}",
            value=amount if column == "item" else row.get(column),
            expected=int(total * threshold) if large else None)


@implements(OUTSIDE_PERIOD)
def outside_period(plan: Plan, context: Context):
    t = _table(plan)
    end = context.period_end
    if t is None:
        return
    for record, row in t.rows():
        span = context.program.fiscal_year(row.get("year"))
        ordered = row.get("order_date")
        if end and span and span[0] > end and "year" in t.positions:
            yield OUTSIDE_PERIOD.finding(
                plan.actual(SHEET), t.cell(record, "year"),
                f"{row['year']}（{wareki_date(span[0])}〜）は事業実施期間（終了予定 {wareki_date(end)}）の後です",
                field=f"{SHEET}.expenses.year", value=row["year"])
            continue
        if end and ordered and ordered > end:
            yield OUTSIDE_PERIOD.finding(
                plan.actual(SHEET), t.cell(record, "order_date"),
                f"発注予定日 {wareki_date(ordered)} は事業実施期間（終了予定 {wareki_date(end)}）の後です",
                field=f"{SHEET}.expenses.order_date", value=ordered, expected=end)
        elif span and ordered and ordered >= context.grant_date and not (span[0] <= ordered <= span[1]):
            yield OUTSIDE_PERIOD.finding(
                plan.actual(SHEET), t.cell(record, "order_date"),
                f"発注予定日 {wareki_date(ordered)} は{row['year']}（{wareki_date(span[0])}〜{wareki_date(span[1])}）に"
                f"入っていません。年度か発注予定日を直してください（年度ごとに交付申請するため、この行はその年度の申請額に入りません）",
                field=f"{SHEET}.expenses.order_date", value=ordered, expected=f"{span[0].isoformat()}〜{span[1].isoformat()}")


@implements(QUOTE_MISSING)
def quote_missing(plan: Plan, context: Context):
    t = _table(plan)
    if t is None or "quote" not in t.positions:
        return
    for record, row in t.rows():
        if means(row.get("quote"), "無"):
            yield QUOTE_MISSING.finding(
                plan.actual(SHEET), t.cell(record, "quote"),
                f"「{row.get('description') or 'この行'}」の見積書がありません。交付申請では見積書が必要です",
                field=f"{SHEET}.expenses.quote", value=row.get("quote"), expected="有")


@implements(ASSET_REGISTER)
def asset_register(plan: Plan, context: Context):
    t = _table(plan)
    if t is None or "unit_price" not in t.positions:
        return
    limit = context.program.asset_register_price
    for record, row in t.rows():
        price = row.get("unit_price")
        if isinstance(price, (int, float)) and price >= limit:
            yield ASSET_REGISTER.finding(
                plan.actual(SHEET), t.cell(record, "unit_price"),
                f"単価 {price:,.0f} 円（税抜）は {limit:,} 円以上です。取得財産等管理台帳での管理と、"
                f"処分時の承認申請が必要です", field=f"{SHEET}.expenses.unit_price", value=price)


def _says(words: tuple[str, ...], folded: str, read) -> str | None:
    """The first of ``words`` the text says as whole words (``read()``: the text's reading, asked for
    only when a word occurs at all; as a substring when it gives None — no analyser)."""
    for word in words:
        start = folded.find(word)
        while start >= 0:
            reading = read()
            if reading is None or reading.aligned(start, start + len(word)):
                return word
            start = folded.find(word, start + 1)
    return None


@implements(CATEGORY_FIT)
def category_fit(plan: Plan, context: Context):
    from planvalidator.keywords import fold

    t = _table(plan)
    if t is None or "item" not in t.positions:
        return
    fits = context.program.category_fit
    for record, row in t.rows():
        fit = fits.get(fold(str(row.get("item") or "")))
        if fit is None:
            continue
        folded = fold(" ".join(str(row.get(c) or "") for c in ("description", "note")))
        read = (lambda: context.reading(folded)) if context.reading is not None else (lambda: None)
        for c in fit.contradicts:
            found = _says(c.terms, folded, read)
            if found is None or (c.with_ and _says(c.with_, folded, read) is None) or _says(c.unless, folded, read):
                continue
            severity = Severity(c.severity)
            hedge = "" if severity is Severity.ERROR else "の可能性があります。確認してください"
            yield CATEGORY_FIT.finding(
                plan.actual(SHEET), t.cell(record, "item"),
                f"経費内訳「{fit.item}」は{fit.definition}です。この行は「{found}」とあり、{c.label}{hedge or 'に当たり、助成対象外です'}",
                severity=severity, value=row.get("description"), expected=fit.definition)
            break
