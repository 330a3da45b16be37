"""Money rules (PV2xx): the arithmetic of the template and the rate, cap, balance and period.

The template's arithmetic itself is :mod:`planvalidator.calc`, computed once per check by the
engine (``context.calculator``); these rules only report what it found and compare the request
with the program's rate and cap (``context.category``, from program.yaml), and with a course's own figures
(schemas/programs/: its yearly caps PV211, its minimum PV212, its years PV214), which say nothing where the
course has none — 区分7・8 of the 新商品・新サービス fund have none of them.
"""

from __future__ import annotations

import datetime as dt
import math

from planvalidator import normalize
from planvalidator.calc import eligible_of, rate_limit, requested_rows
from planvalidator.context import Context
from planvalidator.findings import SAFE, UNSAFE, Edit, Fix, Severity
from planvalidator.plan import Plan
from planvalidator.rules.base import define, implements
from planvalidator.wareki import wareki_date

# the fix of PV201–PV206 (planvalidator fix)
_RESTORES = "安全: 計算式を数値で上書きした・消したセルに、様式の計算式を戻します（挿入した行の分はずらして）。"

# the fix of PV207–PV208
_REBALANCES = ("確認が必要（--unsafe）: その年度の助成金申請額を上限まで下げ、自己資金を同じだけ増やします（資金合計は"
               "助成対象経費のまま）。借入金で補う・経費を見直すなら適用しないでください。")

AMOUNT = define(
    "PV201", "amount-mismatch", "error", "金額が 数量×単価 と一致しません",
    "{sheet[expenses]} 助成対象経費明細（金額＝数量×単価、税抜）",
    """
何を: {sheet[expenses]} の各行の「金額（税抜・円）」が「数量 × 単価（税抜・円）」と一致するか。
金額の計算式を数値で上書きした行、保存されている計算結果が入力と合わない行を見つけます。
なぜ: 明細の金額は助成対象経費と助成金申請額の基礎です。1 行の誤りが申請額の誤りになります。
例: 数量 3、単価 80,000 で金額 250,000 → エラー（正しくは 240,000）。
""", fixes=_RESTORES,
    advice="金額の欄を公式の様式の計算式（数量×単価）に戻すか、数量・単価を正しい値に直してください。")

EXPENSE_TOTAL = define(
    "PV202", "expense-total-mismatch", "error", "{sheet[expenses]} の年度計・区分計・合計が明細と一致しません",
    "{sheet[expenses]} 助成対象経費明細（年度計・経費区分計・合計）",
    """
何を: {sheet[expenses]} の年度ごとの計（「1年目 計」…）、経費区分ごとの計、「合計」が、
明細の金額を年度・経費区分ごとに足したものと一致するか（どの計がどの行を足すかは layout.yaml の total_of）。
なぜ: 年度計は{sheet[funding]} の助成対象経費に、合計は{sheet[applicant]} の助成対象経費になります。
例: 計算式を消して「合計」に 3,900,000 と手入力（明細の合計は 3,890,000）→ エラー。
""", fixes=_RESTORES,
    advice="年度計・区分計・合計の欄を公式の様式の計算式に戻してください（手で入力した数値を消します）。")

FUNDING_TOTAL = define(
    "PV203", "funding-total-mismatch", "error", "{sheet[funding]} 資金計画の計算が一致しません",
    "{sheet[funding]} 資金計画; 公募要領 4.（助成率・助成限度額）",
    """
何を: {sheet[funding]} の「助成対象経費」が{sheet[expenses]} の年度計と、「資金合計」が各行の合計と、合計行が各年度の合計と、
「助成率」「助成限度額」「助成金申請可能額（目安）」が事業区分（公募要領 4.: {rates_caps}）から計算した値と一致するか。
なぜ: 資金計画の数字が明細とずれていると、申請額の根拠が確認できません。
例: {sheet[funding]} の 1年目「助成対象経費」が 1,900,000 のまま（{sheet[expenses]} の 1年目 計は 2,000,000）→ エラー。
""", reads=("profile", "estimate_rounding"), fixes=_RESTORES,
    advice="{sheet[funding]} の計算式の欄を公式の様式の計算式に戻し、事業区分と {sheet[expenses]} の明細を確かめてください。")

SALES_PLAN = define(
    "PV204", "sales-plan-mismatch", "error", "{sheet[sales]} の売上高・売上総利益が一致しません",
    "{sheet[sales]} 事業化計画（売上高＝販売数量×販売単価、売上総利益＝売上高−売上原価）",
    """
何を: {sheet[sales]} の「売上高」が「販売数量 × 販売単価」と、「売上総利益」が「売上高 − 売上原価」と一致するか。
なぜ: 事業化計画の数字は審査基準「財務・資金の健全性」（費用対効果）の根拠です（公募要領 7.(2)）。
例: 販売数量 3,000、販売単価 3,500 で売上高 1,050,000 → エラー（正しくは 10,500,000）。
""", fixes=_RESTORES,
    advice="売上高・売上総利益の欄を公式の様式の計算式に戻すか、販売数量・販売単価・売上原価を直してください。")

SUMMARY = define(
    "PV205", "summary-mismatch", "error", "{sheet[applicant]} の助成対象経費・助成金申請額が資金計画と一致しません",
    "{sheet[applicant]} ２．申請事業（助成対象経費・助成金申請額）; {sheet[funding]} 資金計画",
    """
何を: {sheet[applicant]} の「助成対象経費（税抜・円）」「助成金申請額（円）」が、{sheet[funding]} の合計行の
「助成対象経費」「助成金申請額」と一致するか。
なぜ: 申請書の表紙（{sheet[applicant]}）の金額が審査・交付の申請額として扱われます。明細と食い違うと申請額が確定しません。
例: 計算式を消して助成金申請額に 2,600,000 と手入力（資金計画の合計は 2,593,000）→ エラー。
""", fixes=_RESTORES,
    advice="{sheet[applicant]} の助成対象経費・助成金申請額を公式の様式の計算式（{sheet[funding]} の合計）に戻してください。")

SHARE_RATIO = define(
    "PV206", "share-ratio-mismatch", "error", "{sheet[company]} の出資比率・出資額合計が一致しません",
    "{sheet[company]} 株主・出資者の状況; 公募要領 2. 注3（みなし大企業の判定）",
    """
何を: {sheet[company]} の株主ごとの「出資比率（％）」が「出資額 ÷ 出資額合計」（小数第1位）と、
出資額の「合計」が各株主の出資額の合計と一致するか。
なぜ: 出資比率はみなし大企業（公募要領 2. 注3 ①②）の判定に使われます。
例: 出資額 6,000,000 / 合計 10,000,000 で出資比率 50 → エラー（正しくは 60.0）。
""", fixes=_RESTORES,
    advice="出資比率・合計の欄を公式の様式の計算式に戻すか、各株主の出資額を直してください。")


def _yen(value) -> str:
    if isinstance(value, (int, float)):
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return "空欄" if value is None else f"「{value}」"


def _findings(rule, plan: Plan, context: Context, mismatches):
    from planvalidator.address import a1
    for m in mismatches:
        how = ("保存されている計算結果が入力と合いません（計算式が変更されていませんか）" if m.formula
               else "計算式が数値で上書きされているか、削除されています")
        sheet, cell = plan.actual(m.sheet), a1(m.row, m.col)
        formula = None if m.formula else context.expected_formulas.at(sheet, m.row, m.col)
        fix = None if formula is None else Fix(SAFE, (Edit(sheet, cell, formula=formula),),
                                               f"様式の計算式 {formula} に戻します")
        yield rule.finding(sheet, cell,
                           f"「{m.title}」が {_yen(m.shown)} ですが、入力から計算すると {_yen(m.expected)} です（{how}）",
                           value=m.shown, expected=m.expected, fix=fix)


def _register(rule, what: str):
    @implements(rule)
    def run(plan: Plan, context: Context):
        return list(_findings(rule, plan, context, context.calculator.mismatches.get(what, [])))
    return run


for _rule, _what in ((AMOUNT, "amount"), (EXPENSE_TOTAL, "expense_total"), (FUNDING_TOTAL, "funding_total"),
                     (SALES_PLAN, "sales_plan"), (SUMMARY, "summary"), (SHARE_RATIO, "share_ratio")):
    _register(_rule, _what)


RATE = define(
    "PV207", "rate-exceeded", "error", "助成金申請額が助成対象経費×助成率を超えています",
    "公募要領 4.（助成率: {rates}）",
    """
何を: {sheet[funding]} の各年度の「助成金申請額」が、その年度の「助成対象経費」× 事業区分の助成率（{rates}。
円未満切捨て）以下か。助成対象経費は{sheet[expenses]} の明細（数量×単価）から計算し直した値を使います。
全年度の合計が助成限度額（{caps}）以内かは PV208 が見ます。
なぜ: 助成金は助成対象経費に助成率を掛けた額以内です。超えた分は交付されず、資金計画が成り立ちません。
例: 区分{first_category}（{first_rate}）、1年目の助成対象経費 2,000,000 円 → 申請額 {first_rate_example} 円まで正しい。1 円でも超えるとエラー。
""", reads=("profile", "period.first_fiscal_year"), fixes=_REBALANCES,
    advice="その年度の助成金申請額を、助成対象経費×助成率（円未満切捨て）以下に減らしてください。減らした分は自己資金などで賄います。")

CAP = define(
    "PV208", "cap-exceeded", "error", "助成金申請額の合計が助成限度額を超えています",
    "公募要領 4.（助成限度額: {caps}）",
    """
何を: {sheet[funding]} の「助成金申請額」の全年度の合計が、事業区分の助成限度額（{caps_yen}）以下か。
所見は、申請額のある最後の年度の「助成金申請額」（減らす欄）に付けます。
なぜ: 限度額を超える申請はできません。
例: 区分{first_category} で申請額の合計 {first_cap_yen} 円 → 正しい。+1 円でもエラー。
""", reads=("profile",), fixes=_REBALANCES,
    advice="助成金申請額の合計が助成限度額以下になるように、指摘の年度の助成金申請額を減らしてください。減らした分は自己資金などで賄います。")

BALANCE = define(
    "PV209", "funding-unbalanced", "error", "資金計画の資金合計が助成対象経費と一致しません",
    "公募要領 4.; 7.(2)（財務・資金の健全性）; {sheet[funding]} 資金計画",
    """
何を: {sheet[funding]} の各年度で「助成金申請額 + 自己資金 + 借入金 + その他」（資金合計）が、その年度の「助成対象経費」と等しいか。
所見は、その年度の「自己資金」（合わせるために直すことの多い欄）に付けます。
なぜ: 助成事業の経費を誰がどう負担するかの計画です。不足や過剰があると資金計画として成り立ちません（審査基準「財務・資金の健全性」）。
例: 1年目 助成対象経費 2,000,000 円 = 申請額 1,000,000 円 + 自己資金 1,000,000 円 → 正しい。自己資金 900,000 円 → エラー。
""", reads=("period.first_fiscal_year",),
    fixes="確認が必要（--unsafe）: その年度の自己資金を、資金合計が助成対象経費と等しくなる額にします。借入金・その他で"
          "合わせるなら適用しないでください。",
    advice="その年度の助成金申請額・自己資金・借入金・その他の合計が助成対象経費と等しくなるように、自己資金などを直してください。")

PERIOD = define(
    "PV210", "project-period", "error", "事業実施期間が交付決定日から{max_years}年以内に収まっていません",
    "公募要領 4.（事業実施期間: 交付決定日より{max_years}年以内、年度跨ぎ可能）",
    """
何を: {sheet[applicant]} の事業実施期間が、交付決定がありうる最も早い日（{earliest_grant}。program.yaml の
period.earliest_grant_date）以降に始まり、その日から {max_years} 年以内に終わるか。終了予定が開始より前でないか。
終了予定が {max_years}年目（{last_year_end} まで）を過ぎるときは、{sheet[expenses]}・{sheet[funding]} にその先の年度の欄が
ないため警告にします。
なぜ: 事業実施期間は交付決定日より {max_years} 年以内です。期間外の経費は助成対象になりません。
例: 開始「交付決定日」、終了予定が {last_year_end} → 正しい。終了予定がそれより 1 年後 → エラー。開始が {earliest_grant} より前 → エラー。
""", reads=("period.earliest_grant_date", "period.max_years", "period.first_fiscal_year"),
    advice="事業実施期間を、交付決定（審査結果通知 {grant_notice}予定）から {max_years} 年以内に収まるように直してください（開始は「交付決定日」と書けます）。")


@implements(RATE)
def rate_exceeded(plan: Plan, context: Context):
    category = context.category
    t, rows = requested_rows(plan)
    if category is None or t is None:
        return
    for record, row in rows:
        requested, eligible = row.get("requested"), eligible_of(context.calculator, row)
        if not isinstance(requested, (int, float)) or eligible is None:
            continue
        limit = rate_limit(eligible, category)
        if requested > limit:
            yield RATE.finding(
                plan.actual("funding"), t.cell(record, "requested"),
                f"{row['year']}の助成金申請額 {requested:,.0f} 円は、助成対象経費 {eligible:,.0f} 円 × "
                f"{category.rate_text}（{category.called}）= {limit:,} 円を超えています",
                fix=_lowered(plan, t, record, row, requested - limit, f"助成率の上限 {limit:,} 円"))


@implements(CAP)
def cap_exceeded(plan: Plan, context: Context):
    category = context.category
    t, rows = requested_rows(plan)
    if category is None or t is None:
        return
    amounts = [(record, row.get("requested")) for record, row in rows
               if isinstance(row.get("requested"), (int, float))]
    total = sum(a for _, a in amounts)
    if total > category.cap:
        last = next((r for r, a in reversed(amounts) if a > 0), amounts[-1][0])
        row = next(r for rec, r in rows if rec == last)
        yield CAP.finding(
            plan.actual("funding"), t.cell(last, "requested"),
            f"助成金申請額の合計 {total:,.0f} 円が、{category.called}の助成限度額 {category.cap:,} 円を"
            f"{total - category.cap:,.0f} 円超えています",
            fix=_lowered(plan, t, last, row, total - category.cap, f"助成限度額 {category.cap:,} 円に収まる額"))


def _lowered(plan: Plan, t, record, row: dict, excess, what: str) -> Fix | None:
    """Lower one year's 助成金申請額 by ``excess`` and raise its 自己資金 as much (the 資金合計 stays balanced):
    a judgement — the applicant may rather raise 借入金 or cut the expenses."""
    requested, own = row.get("requested"), row.get("own_funds")
    if not isinstance(requested, (int, float)) or excess <= 0 or requested - excess < 0:
        return None
    sheet = plan.actual("funding")
    new = requested - excess
    new = int(new) if float(new).is_integer() else new
    edits = [Edit(sheet, t.cell(record, "requested"), value=new)]
    if "own_funds" in t.positions and (own is None or isinstance(own, (int, float))):
        raised = (own or 0) + excess
        edits.append(Edit(sheet, t.cell(record, "own_funds"), value=int(raised) if float(raised).is_integer() else raised))
    return Fix(UNSAFE, tuple(edits), f"{row.get('year', '')}の助成金申請額を{what}（{new:,.0f} 円）にし、"
                                     f"自己資金を同じだけ増やします")


def _balanced(plan: Plan, t, record, row: dict, target: str, diff) -> Fix | None:
    """自己資金 (or the cell the finding is on) changed by what the 資金合計 lacks or has too much (a judgement:
    the applicant may rather change 借入金 or the request)."""
    own = row.get(target)
    if own is not None and not isinstance(own, (int, float)):
        return None
    new = (own or 0) + diff
    if new < 0:
        return None
    new = int(new) if float(new).is_integer() else new
    return Fix(UNSAFE, (Edit(plan.actual("funding"), t.cell(record, target), value=new),),
               f"{row.get('year', '')}の{t.titles.get(target, target)}を {new:,.0f} 円にして、資金合計を助成対象経費に合わせます")


@implements(BALANCE)
def funding_unbalanced(plan: Plan, context: Context):
    t, rows = requested_rows(plan)
    if t is None:
        return
    inputs = [c for c in ("requested", "own_funds", "loans", "other") if c in t.positions]
    target = "own_funds" if "own_funds" in t.positions else "requested"
    for record, row in rows:
        eligible = eligible_of(context.calculator, row)
        funds = sum(row.get(c) or 0 for c in inputs)
        if eligible is None or (not eligible and not funds):
            continue
        if not math.isclose(funds, eligible, abs_tol=0.5):
            diff = eligible - funds
            yield BALANCE.finding(
                plan.actual("funding"), t.cell(record, target),
                f"{row['year']}の資金合計 {funds:,.0f} 円が助成対象経費 {eligible:,.0f} 円と一致しません"
                f"（{abs(diff):,.0f} 円{'不足' if diff > 0 else '過剰'}）", fix=_balanced(plan, t, record, row, target, diff))
    # a 年度 with expenses on the expense sheet whose 資金計画 row was left empty
    filled = {t.number(record) for record, _ in rows}
    grid = context.calculator.grid("funding")
    for number in t.all_records:
        if number in filled or number == t.total_record or "year" not in t.positions:
            continue
        year = normalize.to_text(grid.value(number, t.positions["year"]))
        eligible = eligible_of(context.calculator, {"year": year})
        if year and eligible:
            yield BALANCE.finding(
                plan.actual("funding"), t.cell(t.record_label(number), "requested"),
                f"{year}の助成対象経費 {eligible:,.0f} 円に対する資金計画（助成金申請額・自己資金など）が未入力です")


@implements(PERIOD)
def project_period(plan: Plan, context: Context):
    sheet = plan.actual("applicant")
    program = context.program
    earliest, start, end = program.earliest_grant_date, context.period_start, context.period_end
    start_field, end_field = plan.field("applicant", "period_start"), plan.field("applicant", "period_end")
    if start and start < earliest and start_field:
        yield PERIOD.finding(sheet, start_field.cell,
                             f"事業実施期間（開始）{wareki_date(start)} は交付決定（最も早くて {wareki_date(earliest)}）より前です。"
                             f"「交付決定日」と書くか、交付決定後の日付にしてください")
    if end is None or end_field is None:
        return
    begin = max(earliest, start) if start else earliest
    limit = _add_years(earliest, program.max_years) - dt.timedelta(days=1)
    last_year = program.fiscal_year(f"{program.max_years}年目")
    if end < begin:
        yield PERIOD.finding(sheet, end_field.cell,
                             f"事業実施期間（終了予定）{wareki_date(end)} が開始（{wareki_date(begin)}）より前です")
    elif end > limit:
        yield PERIOD.finding(sheet, end_field.cell,
                             f"事業実施期間（終了予定）{wareki_date(end)} は交付決定日から {program.max_years} 年"
                             f"（最も早い交付決定 {wareki_date(earliest)} からでも {wareki_date(limit)} まで）を超えています")
    elif last_year and end > last_year[1]:
        yield PERIOD.finding(sheet, end_field.cell,
                             f"事業実施期間（終了予定）{wareki_date(end)} は{program.max_years}年目（〜{wareki_date(last_year[1])}）"
                             f"の後です。{plan.actual('expenses')}・{plan.actual('funding')} には{program.max_years}年目までの欄しかありません",
                             severity=Severity.WARNING)


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:       # 29 February
        return day.replace(year=day.year + years, day=28)


# --- a course's own figures (schemas/programs/): yearly caps, the minimum, the years --------------------

YEARLY = define(
    "PV211", "yearly-cap-exceeded", "error", "年度の申請額が制度の年度ごとの上限を超えています",
    "制度のプロファイル（schemas/programs/）の yearly_caps の出典",
    """
何を: {sheet[funding]} の各年度の「助成金申請額」が、制度のコースの年度ごとの上限（yearly_caps）以下か。
上限を「目安」とする制度では警告です（プロファイルの severity）。
なぜ: 年度ごとの上限がある制度では、超えた分はその年度に交付されません。
例: 1年目の上限がちょうどの申請額 → 正しい。1 円でも超える → エラー（目安の制度では警告）。
""", reads=("profile",),
    advice="その年度の助成金申請額を、制度の年度ごとの上限以下に減らしてください。")

MINIMUM = define(
    "PV212", "below-minimum", "error", "助成対象経費・申請額の合計が制度の下限に届いていません",
    "制度のプロファイル（schemas/programs/）の min_eligible・min_requested の出典",
    """
何を: {sheet[expenses]} の明細から計算した助成対象経費の合計が、制度のコースの下限（min_eligible）以上か。
{sheet[funding]} の助成金申請額の全年度の合計が、申請額の下限（min_requested）以上か。
なぜ: 下限未満の事業は対象外です。
例: 合計が下限ちょうど → 正しい。1 円でも下回る → エラー。
""", reads=("profile",),
    advice="制度の下限に届くように事業の経費・申請額を見直すか、この制度が事業の規模に合うかを確かめてください。")

YEARS = define(
    "PV214", "beyond-program-years", "error", "制度の事業期間の年度を超える経費・申請額があります",
    "制度のプロファイル（schemas/programs/）の years の出典",
    """
何を: 制度のコースの事業期間が様式の年度より短いとき（years）、{sheet[expenses]} の明細と {sheet[funding]} の申請額に
その先の年度のものがないか。所見はその行の「年度」と、その年度の申請額に付けます。
なぜ: 事業期間の外の経費は対象外です。
例: 事業期間 1 年度のコースで「1年目」の行 → 正しい。「2年目」の行 → エラー。
""", reads=("profile",),
    advice="制度の事業期間を超える年度の経費と申請額を外し、事業期間の中の年度に収めてください。")

@implements(YEARLY)
def yearly_cap(plan: Plan, context: Context):
    course = context.course
    t, rows = requested_rows(plan)
    if course is None or not course.yearly_caps or t is None:
        return
    severity = Severity(course.yearly_severity)
    for index, (record, row) in enumerate(rows):
        amount = row.get("requested")
        if index >= len(course.yearly_caps) or not isinstance(amount, (int, float)):
            continue
        cap = course.yearly_caps[index]
        if amount > cap:
            guide = "（目安）" if severity is Severity.WARNING else ""
            yield YEARLY.finding(plan.actual("funding"), t.cell(record, "requested"),
                                 f"{row.get('year')}の助成金申請額 {amount:,.0f} 円が、{course.name}の年度ごとの上限{guide} "
                                 f"{cap:,} 円を {amount - cap:,.0f} 円超えています（{course.sources.get('yearly_caps', '')}）",
                                 severity, value=amount, expected=cap)


@implements(MINIMUM)
def below_minimum(plan: Plan, context: Context):
    course = context.course
    if course is None or (course.min_eligible is None and course.min_requested is None):
        return
    money = context.money
    t = plan.table("expenses", "expenses")
    if course.min_eligible is not None and money is not None and money.eligible is not None and t is not None \
            and money.eligible < course.min_eligible:
        last = _last_row(t)
        yield MINIMUM.finding(plan.actual("expenses"), t.cell(last, "amount") if last is not None else None,
                              f"助成対象経費の合計 {money.eligible:,.0f} 円が、{course.name}の下限 {course.min_eligible:,} 円に"
                              f"届いていません（{course.sources.get('min_eligible', '')}）",
                              value=money.eligible, expected=course.min_eligible)
    funding, rows = requested_rows(plan)
    amounts = [(record, row.get("requested")) for record, row in rows if isinstance(row.get("requested"), (int, float))]
    if course.min_requested is not None and funding is not None and amounts:
        total = sum(a for _, a in amounts)
        if total < course.min_requested:
            yield MINIMUM.finding(plan.actual("funding"), funding.cell(amounts[-1][0], "requested"),
                                  f"助成金申請額の合計 {total:,.0f} 円が、{course.name}の下限 {course.min_requested:,} 円に"
                                  f"届いていません（{course.sources.get('min_requested', '')}）",
                                  value=total, expected=course.min_requested)


def _last_row(t):
    rows = list(t.rows())
    return rows[-1][0] if rows else None

def _year_number(value) -> int | None:
    import re

    found = re.match(r"\s*(\d+)\s*年目", str(value or "")) if value is not None else None
    return int(found.group(1)) if found else None


@implements(YEARS)
def beyond_years(plan: Plan, context: Context):
    course = context.course
    if course is None or not course.years:
        return
    t = plan.table("expenses", "expenses")
    if t is not None and "year" in t.positions:
        years: dict = {}                # 年度 → its number, worked out once per distinct 年度
        for record, row in t.rows():
            n = normalize.by_value(years, row.get("year"), _year_number)
            if n is not None and n > course.years:
                yield YEARS.finding(plan.actual("expenses"), t.cell(record, "year"),
                                    f"「{row.get('year')}」の経費ですが、{course.name}の事業期間は {course.years} 年度です"
                                    f"（{course.sources.get('years', '')}）", value=row.get("year"), expected=f"{course.years}年目まで")
    funding, rows = requested_rows(plan)
    for record, row in rows:
        n, amount = _year_number(row.get("year")), row.get("requested")
        if n is not None and n > course.years and isinstance(amount, (int, float)) and amount > 0:
            yield YEARS.finding(plan.actual("funding"), funding.cell(record, "requested"),
                                f"{row.get('year')}に助成金申請額 {amount:,.0f} 円がありますが、{course.name}の事業期間は "
                                f"{course.years} 年度です", value=amount, expected=0)
