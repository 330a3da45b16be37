"""Rules on a program profile's own figures (schemas/programs/*.yaml): the yearly caps, the minimum
total, the limits per kind of expense, the numeric eligibility test.

They read the course the plan is checked under (``context.course``: ``--program ID[:COURSE]``, else the
course the 事業区分 names) and say nothing where the course has no such figure — 区分7・8 of the
新商品・新サービス fund have none of them. The figure and its clause are in the finding.
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

from planvalidator.calc import requested_rows
from planvalidator.context import Context
from planvalidator.findings import Severity
from planvalidator.normalize import canon
from planvalidator.plan import Plan
from planvalidator.rules.base import define, implements

YEARLY = define(
    "PV211", "yearly-cap-exceeded", "error", "年度の申請額が制度の年度ごとの上限を超えています",
    "制度のプロファイル（schemas/programs/）の yearly_caps の出典",
    """
何を: {sheet[funding]} の各年度の「助成金申請額」が、制度のコースの年度ごとの上限（yearly_caps）以下か。
上限を「目安」とする制度では警告です（プロファイルの severity）。
なぜ: 年度ごとの上限がある制度では、超えた分はその年度に交付されません。
例: 1年目の上限がちょうどの申請額 → 正しい。1 円でも超える → エラー（目安の制度では警告）。
""", reads=("profile",))

MINIMUM = define(
    "PV212", "below-minimum", "error", "助成対象経費・申請額の合計が制度の下限に届いていません",
    "制度のプロファイル（schemas/programs/）の min_eligible・min_requested の出典",
    """
何を: {sheet[expenses]} の明細から計算した助成対象経費の合計が、制度のコースの下限（min_eligible）以上か。
{sheet[funding]} の助成金申請額の全年度の合計が、申請額の下限（min_requested）以上か。
なぜ: 下限未満の事業は対象外です。
例: 合計が下限ちょうど → 正しい。1 円でも下回る → エラー。
""", reads=("profile",))

ITEM = define(
    "PV213", "item-limit-exceeded", "error", "経費の種類ごとの上限を超えています",
    "制度のプロファイル（schemas/programs/）の item_limits の出典",
    """
何を: 制度のコースが経費の種類ごとに上限を決めているとき（item_limits: 経費の言葉 schemas/expenses.yaml の categories
で見分ける行、または経費内訳 items の行の合計の上限 max、または助成対象経費の合計に対する割合の上限 max_share）、
{sheet[expenses]} のその種類の行の金額の合計が上限以下か。言葉はどの制度でも同じ意味です（語の読み方は PV102〜PV105 と同じ）。
その種類が一部のコース・業種だけの対象（only_in）なら、ほかのコース・業種ではその行が対象外です。
所見はその種類の最後の行の金額に付けます。
なぜ: 上限を超えた分は対象外です。
上限 0（max: 0）は対象外の経費（会議費の飲食代、自社の人件費・旅費など）で、その行ごとに指摘します。様式の規則
（PV102〜PV105）がすでに見る言葉の行は、重ねて指摘しません。語だけでは決まらない言葉（各種手数料など）は警告です。
例: 上限のある種類の行の合計が上限ちょうど → 正しい。1 円でも超える → エラー。割合の上限も同じ。
""", reads=("profile",))

LISTED = define(
    "PV215", "expense-not-in-program-list", "error", "制度の対象経費の一覧にない経費です",
    "制度のプロファイル（schemas/programs/）の expense_categories の出典",
    """
何を: 制度の資料が対象経費を列挙しているとき（expense_categories の closed: true。市の新製品開発の補助制度の
「原材料費、部品費、機械設備費 …、産業財産権関係費」など）、{sheet[expenses]} の各行の「経費内訳」がその一覧のどれかに
当たるか。様式の経費内訳が一覧のどれに当たるかはプロファイルの from_template です。当たらない内訳（広告宣伝費、
旅費など）はエラー、内容によって当たることもある内訳（デザイン料、委託費など）は警告です。
なぜ: 一覧にない経費は対象外です。
例: 経費内訳「原材料費」→ 正しい（原材料費）。「広告宣伝費」→ エラー。「デザイン料」→ 警告（外注加工費に当たるか確認）。
""", reads=("profile",))

ELIGIBILITY = define(
    "PV308", "eligibility-figures", "error", "数値で決まる対象者の要件を満たしていません",
    "制度のプロファイル（schemas/programs/）の eligibility の出典",
    """
何を: 制度のコースが数値で対象者を決めるとき（eligibility）、計画の数値（JSON の計画の figures）で判定します。
市町の制度（location）では、所在地がその市町でなければ警告します（生産施設がその市町にあれば対象のため）。
所見の場所は JSON の計画の位置（/figures/price、/figures/gross_profit）です。
高付加価値化: 任意の 1 か月の主要原材料等の平均仕入価格（仕入金額 ÷ 量）が基準年の同月より price_increase 以上上昇し、
かつその月の粗利益が基準年のいずれかの同月より margin_decrease 以上減少していること。
なぜ: 要件を満たさない事業者は対象外です。
例: 高付加価値化の資料の例（基準月 150 円/kg → 対象月 190 円/kg、+26.7%）→ 正しい。
""", reads=("profile",))


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


TEMPLATE_FAMILIES = ("general_purpose", "indirect", "filing_fee", "inappropriate")


def _reported(row, context: Context) -> bool:
    """Whether the template's own expense rules (PV102〜PV105) already report the row as not eligible (an
    error): a program's exclusion of the same thing (a phone bill) is then not reported twice. A warning of
    theirs (「懇親会」 may be allowed there) leaves the program's own, surer exclusion to be reported."""
    text = str(row.get("description") or "")
    other = " ".join(str(row.get(c) or "") for c in ("item", "note"))
    for family in TEMPLATE_FAMILIES:
        words = context.keywords(family)
        for cell in (text, str(row.get("note") or "")):
            if cell and words.could_match(cell):
                hit = words.find(cell, context=other, reading=context.reading)
                if hit is not None and hit.severity == "error":
                    return True
    return False


@lru_cache(maxsize=256)
def _words(categories: tuple[str, ...]):
    from planvalidator.expense_vocabulary import vocabulary
    from planvalidator.keywords import KeywordSet
    return KeywordSet.of(vocabulary(), categories)


def _kind_rows(limit, rows, context: Context):
    """The rows of one kind of expense: their 経費内訳 is one of ``limit.items``, or their 品名・内容 names one
    of its categories (read as the template's rules read them). (record, amount, severity of the words).
    For an expense the program does not fund (max 0), rows the template's own rules report are left out."""
    words = _words(tuple(limit.categories)) if limit.categories else None
    items = {canon(i) for i in limit.items}
    out = []
    for record, row, amount in rows:
        if amount is None:
            continue
        if limit.max == 0 and _reported(row, context):
            continue
        if items and canon(row.get("item") or "") in items:
            out.append((record, amount, "error"))
            continue
        if words is None:
            continue
        hit = None
        for column, other in (("description", "item"), ("item", "description")):
            text = row.get(column)
            if text and words.could_match(str(text)):
                hit = words.find(str(text), context=str(row.get(other) or ""), reading=context.reading)
                if hit is not None:
                    break
        if hit is not None:
            out.append((record, amount, hit.severity))
    return out


@implements(ITEM)
def item_limit(plan: Plan, context: Context):
    course = context.course
    t = plan.table("expenses", "expenses")
    if course is None or not course.item_limits or t is None or "amount" not in t.positions:
        return
    calc = context.calculator                 # each row's 数量 × 単価, as the money rules count it
    rows = [(record, row, calc.eligible_rows.get(t.number(record), (None, None))[1]) for record, row in t.rows()]
    total = sum(calc.eligible_by_year.values())
    for limit in course.item_limits:
        kind = _kind_rows(limit, rows, context)
        if not kind:
            continue
        hits = [(record, a) for record, a, _ in kind]
        severity = Severity("warning" if limit.severity == "warning" or any(s == "warning" for _, _, s in kind)
                            else "error")
        outside = _outside(limit, course, plan)
        if outside:
            for record, _a in hits:
                yield ITEM.finding(plan.actual("expenses"), t.cell(record, "amount"),
                                   f"{limit.name}は{outside}だけの対象経費です（{limit.source}）", Severity(limit.severity))
            continue
        spent = sum(a for _, a in hits)
        ceiling = limit.max if limit.max is not None else None
        if limit.max_share is not None:
            share_cap = int(Fraction(total).limit_denominator() * limit.max_share) if total else 0
            ceiling = share_cap if ceiling is None else min(ceiling, share_cap)
        if ceiling is None or spent <= ceiling:
            continue
        if ceiling == 0:                   # an expense the program does not fund at all: each row
            for record, amount, words in kind:
                yield ITEM.finding(plan.actual("expenses"), t.cell(record, "amount"),
                                   f"{limit.name}は{course.name}の対象外です（{limit.source}）",
                                   Severity("warning" if "warning" in (limit.severity, words) else "error"),
                                   value=amount, expected=0)
            continue
        how = (f"合計の {limit.max_share.numerator}/{limit.max_share.denominator}（{ceiling:,} 円）"
               if limit.max_share is not None and ceiling != limit.max else f"{ceiling:,} 円")
        yield ITEM.finding(plan.actual("expenses"), t.cell(hits[-1][0], "amount"),
                           f"{limit.name}（{len(hits)} 行）の合計 {spent:,.0f} 円が、{course.name}の上限 {how} を"
                           f"{spent - ceiling:,.0f} 円超えています（{limit.source}）", severity,
                           value=spent, expected=ceiling)


@implements(LISTED)
def not_in_program_list(plan: Plan, context: Context):
    course = context.course
    listed = course.expense_list if course is not None else None
    t = plan.table("expenses", "expenses")
    if listed is None or not listed.closed or t is None or "item" not in t.positions:
        return
    kinds = "・".join(listed.allowed)
    mapping = {canon(k): v for k, v in listed.from_template.items()}
    for record, row in t.rows():
        item = row.get("item")
        if not item or canon(item) in {canon(a) for a in listed.allowed}:
            continue
        known = mapping.get(canon(item))
        if known:                       # one of the list under another name
            continue
        cell = t.cell(record, "item")
        if known is None:
            yield LISTED.finding(plan.actual("expenses"), cell,
                                 f"経費内訳「{item}」が{course.name}の対象経費（{kinds}）のどれに当たるか確認してください"
                                 f"（{listed.source}）", Severity.WARNING,
                                 field="expenses.expenses.item", value=item, expected=kinds)
        else:
            yield LISTED.finding(plan.actual("expenses"), cell,
                                 f"経費内訳「{item}」は{course.name}の対象経費（{kinds}）にありません（{listed.source}）",
                                 field="expenses.expenses.item", value=item, expected=kinds)


def _outside(limit, course, plan: Plan) -> str | None:
    """Why a kind of expense allowed only in some courses or industries is not allowed here (None: it is)."""
    only = limit.only_in or {}
    courses = only.get("courses")
    if courses and course.key not in courses:
        return "コース " + "・".join(courses)
    industries = only.get("industries")
    if industries:
        industry = plan.value("company", "industry")
        if industry is not None and not any(canon(i) in canon(str(industry)) for i in industries):
            return "・".join(industries)
    return None


def price_increase(base: dict, target: dict) -> Fraction | None:
    """The rise of the average purchase price (amount ÷ quantity) from ``base`` to ``target``."""
    try:
        before = Fraction(base["amount"]) / Fraction(base["quantity"])
        after = Fraction(target["amount"]) / Fraction(target["quantity"])
    except (KeyError, TypeError, ZeroDivisionError, ValueError):
        return None
    return (after - before) / before if before else None


def margin_decrease(base: float, target: float) -> Fraction | None:
    """How much the gross profit fell from ``base`` to ``target`` (0.03 = 3%)."""
    try:
        return (Fraction(base) - Fraction(target)) / Fraction(base) if base else None
    except (TypeError, ValueError):
        return None


@implements(ELIGIBILITY)
def eligibility_figures(plan: Plan, context: Context):
    course = context.course
    if course is None or not course.eligibility:
        return
    rule = course.eligibility
    yield from _location(plan, context, course, rule.get("location"))
    figures = getattr(context, "figures", None)
    if not isinstance(figures, dict):
        return
    need_price = _ratio(rule.get("price_increase"))
    need_margin = _ratio(rule.get("margin_decrease"))
    price = figures.get("price")
    if need_price is not None and isinstance(price, dict):
        rise = price_increase(price.get("base") or {}, price.get("target") or {})
        if rise is None:
            yield ELIGIBILITY.finding("/figures/price", None, "平均仕入価格の上昇率を計算できません（figures.price の base・target に amount と quantity を"
                                                  "書いてください）", Severity.WARNING, field="/figures/price")
        elif rise < need_price:
            yield ELIGIBILITY.finding("/figures/price", None, f"平均仕入価格の上昇率 {float(rise) * 100:+.1f}% が要件の "
                                                  f"{float(need_price) * 100:.0f}% 以上に届きません（{_source(rule, 'price_increase')}）",
                                      field="/figures/price", value=round(float(rise), 4), expected=float(need_price))
    margin = figures.get("gross_profit")
    if need_margin is not None and isinstance(margin, dict):
        bases = [v for v in (margin.get("bases") or []) if isinstance(v, (int, float))]
        falls = [d for d in (margin_decrease(b, margin.get("target")) for b in bases) if d is not None]
        if falls and max(falls) < need_margin:
            yield ELIGIBILITY.finding("/figures/gross_profit", None, f"粗利益の減少率（最大 {float(max(falls)) * 100:.1f}%）が要件の "
                                                  f"{float(need_margin) * 100:.0f}% 以上に届きません（{_source(rule, 'margin_decrease')}）",
                                      field="/figures/gross_profit", value=round(float(max(falls)), 4),
                                      expected=float(need_margin))


def _location(plan: Plan, context, course, fig):
    """A course for one municipality (金沢市): the applicant's address elsewhere is a warning — the
    document also accepts a production facility there, which the plan does not show."""
    from planvalidator import places

    city = fig.get("value", {}).get("city") if isinstance(fig, dict) and isinstance(fig.get("value"), dict) else None
    field = plan.field("applicant", "address")
    if not city or field is None or not field.value:
        return
    where = places.municipality(context.program.region, field.value)
    if where is not None and where != city:
        yield ELIGIBILITY.finding(plan.actual("applicant"), field.cell,
                                  f"所在地は{where}です。{course.name}は{city}内に事業所（又は生産施設）がある企業が対象です"
                                  f"（{fig.get('source', '')}）", Severity.WARNING, value=field.value, expected=city)


def _ratio(fig) -> Fraction | None:
    value = fig.get("value") if isinstance(fig, dict) else None
    if isinstance(value, (list, tuple)) and len(value) == 2 and value[1]:
        return Fraction(value[0], value[1])
    return None


def _source(rule: dict, key: str) -> str:
    fig = rule.get(key)
    return fig.get("source", "") if isinstance(fig, dict) else ""


# --- the years of a course, the plan's answers, the targets of 県外需要 --------------------------------

YEARS = define(
    "PV214", "beyond-program-years", "error", "制度の事業期間の年度を超える経費・申請額があります",
    "制度のプロファイル（schemas/programs/）の years の出典",
    """
何を: 制度のコースの事業期間が様式の年度より短いとき（years）、{sheet[expenses]} の明細と {sheet[funding]} の申請額に
その先の年度のものがないか。所見はその行の「年度」と、その年度の申請額に付けます。
なぜ: 事業期間の外の経費は対象外です。
例: 事業期間 1 年度のコースで「1年目」の行 → 正しい。「2年目」の行 → エラー。
""", reads=("profile",))

ANSWERS = define(
    "PV309", "program-questions", "error", "制度の条件の問いへの答えが対象外を示しています",
    "制度のプロファイル（schemas/programs/）の questions の出典",
    """
何を: 回数の制限（各年度 1 回まで、累計 5 回まで）のように計画の数字からは分からない条件を、制度のコースは問い（questions）
として持ちます。JSON の計画の figures.answers（問いの id → true / false）の答えが、対象となる答えと違えばエラー。
答えのない問いは情報として問いを示します。
なぜ: 回数や対象の条件を満たさない申請は対象外です。
例: 「今年度、すでに補助を受けていますか」に false → 正しい。true → エラー。答えなし → 情報（問いを表示）。
""", reads=("profile",))

TARGETS = define(
    "PV310", "program-targets", "error", "制度の目標（県外販売比率・県内調達比率）のどれにも届きません",
    "制度のプロファイル（schemas/programs/）の targets の出典",
    """
何を: 目標を比率で決める制度（targets: 県外需要 ものづくりの ①〜③）で、JSON の計画の figures の販売額（sales）・
調達額（procurement）の現在（now）と目標（goal）から資料の式どおりに比率を計算し、当てはまる目標のどれかに届くか。
販売先・調達先の区分ごとの数え方（海外は県外販売、県外に本社がある企業の県内事業所は県外販売にも県内調達にも
数えない）はプロファイルの location_rules です。
なぜ: 目標のどれかを達成する見込みのある事業だけが対象です。
例: 県外販売比率 40% → 目標 50% 以上 → 正しい。目標 45% → エラー。
""", reads=("profile",))


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
        for record, row in t.rows():
            n = _year_number(row.get("year"))
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


@implements(ANSWERS)
def program_questions(plan: Plan, context: Context):
    course = context.course
    questions = course.questions if course is not None else None
    if not questions:
        return
    figures = getattr(context, "figures", None)
    answers = figures.get("answers") if isinstance(figures, dict) and isinstance(figures.get("answers"), dict) else {}
    for q in questions:
        if not isinstance(q, dict) or "id" not in q:
            continue
        given = answers.get(q["id"])
        if not isinstance(given, bool):
            yield ANSWERS.finding("/figures/answers", None, f"確かめてください: {q.get('text', q['id'])}"
                                                           f"（figures.answers.{q['id']} に true か false）", Severity.INFO)
        elif given is not q.get("answer_must"):
            yield ANSWERS.finding("/figures/answers", None, f"「{q.get('text', q['id'])}」の答えが「{'はい' if given else 'いいえ'}」"
                                                           f"のため対象外です（{q.get('source', '')}）", value=given,
                                  expected=q.get("answer_must"))


def _split(amounts: dict, rules: list, *, sales: bool) -> tuple[float, float]:
    """(the part that counts — 県外 sales or 県内 procurement —, the whole) of {区分: 金額}."""
    counted = whole = 0.0
    for where, amount in amounts.items():
        if not isinstance(amount, (int, float)) or isinstance(amount, bool):
            continue
        whole += amount
        rule = next((r for r in rules if isinstance(r, dict) and r.get("party") == where), {})
        if sales:
            counts = rule.get("counts_as_kengai_sales", where == "県外")
        else:
            counts = rule.get("counts_as_kennai_procurement", where == "県内")
        counted += amount if counts else 0
    return counted, whole


def _share(value) -> Fraction | None:
    return Fraction(value[0], value[1]) if isinstance(value, (list, tuple)) and len(value) == 2 and value[1] else None


@implements(TARGETS)
def program_targets(plan: Plan, context: Context):
    course = context.course
    targets = course.targets if course is not None else None
    figures = getattr(context, "figures", None)
    if not isinstance(targets, dict) or not isinstance(figures, dict) or not isinstance(figures.get("sales"), dict):
        return
    rules = targets.get("location_rules") or []
    sales, procurement = figures.get("sales") or {}, figures.get("procurement") or {}
    now_out, now_all = _split(sales.get("now") or {}, rules, sales=True)
    goal_out, goal_all = _split(sales.get("goal") or {}, rules, sales=True)
    in_goal, proc_all = _split(procurement.get("goal") or {}, rules, sales=False)
    if not now_all:
        return
    ratio_now = Fraction(now_out).limit_denominator() / Fraction(now_all).limit_denominator()
    measures = {"県外販売比率": (goal_out / goal_all) if goal_all else None,
                "県外販売額の伸び": (goal_out / now_out) if now_out else None,
                "県内調達比率": (in_goal / proc_all) if proc_all else None}
    applicable, reached = [], []
    for item in targets.get("items") or []:
        current, goal = item.get("current") or {}, item.get("goal") or {}
        below, at_least = _share(current.get("below")), _share(current.get("min"))
        if (below is not None and ratio_now >= below) or (at_least is not None and ratio_now < at_least):
            continue
        applicable.append(item)
        name = goal.get("ratio") or goal.get("name")
        value, need = measures.get(name), _share(goal.get("min"))
        if value is not None and need is not None and Fraction(value).limit_denominator() >= need:
            reached.append(item)
    if applicable and not reached:
        names = "、".join(f"{i.get('id')} {i.get('name')}" for i in applicable)
        yield TARGETS.finding("/figures/sales", None, f"現在の県外販売比率は {float(ratio_now) * 100:.1f}% です。当てはまる目標（{names}）の"
                                                     f"どれにも計画の目標値が届きません（{targets.get('source', '')}）",
                              value=round(float(ratio_now), 4))
