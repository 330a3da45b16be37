"""Rules on a program profile's own figures (schemas/programs/*.yaml): the yearly caps, the minimum
total, the limits per kind of expense, the numeric eligibility test.

They read the course the plan is checked under (``context.course``: ``--program ID[:COURSE]``, else the
course the 事業区分 names) and say nothing where the course has no such figure — 区分7・8 of the
新商品・新サービス fund have none of them. The figure and its clause are in the finding.
"""

from __future__ import annotations

from fractions import Fraction

from planvalidator.calc import requested_rows
from planvalidator.findings import Severity
from planvalidator.normalize import canon
from planvalidator.plan import Plan
from planvalidator.rules import define, implements

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
何を: 制度のコースが経費の種類ごとに上限を決めているとき（item_limits: 語で見分ける経費の行の合計の上限 max、
または助成対象経費の合計に対する割合の上限 max_share）、{sheet[expenses]} でその語のある行の金額の合計が上限以下か。
その種類が一部のコース・業種だけの対象（only_in）なら、ほかのコース・業種ではその行が対象外です。
所見はその種類の最後の行の金額に付けます。
なぜ: 上限を超えた分は対象外です。
例: 上限のある種類の行の合計が上限ちょうど → 正しい。1 円でも超える → エラー。割合の上限も同じ。
""", reads=("profile",))

ELIGIBILITY = define(
    "PV308", "eligibility-figures", "error", "数値で決まる対象者の要件を満たしていません",
    "制度のプロファイル（schemas/programs/）の eligibility の出典",
    """
何を: 制度のコースが数値で対象者を決めるとき（eligibility）、計画の数値（JSON の計画の figures）で判定します。
所見の場所は JSON の計画の位置（/figures/price、/figures/gross_profit）です。
高付加価値化: 任意の 1 か月の主要原材料等の平均仕入価格（仕入金額 ÷ 量）が基準年の同月より price_increase 以上上昇し、
かつその月の粗利益が基準年のいずれかの同月より margin_decrease 以上減少していること。
なぜ: 要件を満たさない事業者は対象外です。
例: 高付加価値化の資料の例（基準月 150 円/kg → 対象月 190 円/kg、+26.7%）→ 正しい。
""", reads=("profile",))


def _course(context):
    try:
        return context.course
    except Exception:  # noqa: BLE001 — an unknown --program is refused before checking
        return None


@implements(YEARLY)
def yearly_cap(plan: Plan, context):
    course = _course(context)
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
def below_minimum(plan: Plan, context):
    course = _course(context)
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


def _amount(row: dict):
    q, p = row.get("quantity"), row.get("unit_price")
    if isinstance(q, (int, float)) and isinstance(p, (int, float)) and not isinstance(q, bool):
        return q * p
    a = row.get("amount")
    return a if isinstance(a, (int, float)) and not isinstance(a, bool) else None


@implements(ITEM)
def item_limit(plan: Plan, context):
    course = _course(context)
    t = plan.table("expenses", "expenses")
    if course is None or not course.item_limits or t is None or "amount" not in t.positions:
        return
    rows = [(record, row, _amount(row)) for record, row in t.rows()]
    total = sum(a for _, _, a in rows if a is not None)
    for limit in course.item_limits:
        words = [canon(w) for w in limit.words]
        hits = [(record, a) for record, row, a in rows if a is not None and
                any(w in canon(" ".join(str(row.get(c) or "") for c in ("item", "description"))) for w in words)]
        if not hits:
            continue
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
        how = (f"合計の {limit.max_share.numerator}/{limit.max_share.denominator}（{ceiling:,} 円）"
               if limit.max_share is not None and ceiling != limit.max else f"{ceiling:,} 円")
        yield ITEM.finding(plan.actual("expenses"), t.cell(hits[-1][0], "amount"),
                           f"{limit.name}（{len(hits)} 行）の合計 {spent:,.0f} 円が、{course.name}の上限 {how} を"
                           f"{spent - ceiling:,.0f} 円超えています（{limit.source}）", Severity(limit.severity),
                           value=spent, expected=ceiling)


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
def eligibility_figures(plan: Plan, context):
    course = _course(context)
    figures = getattr(context, "figures", None)
    if course is None or not course.eligibility or not isinstance(figures, dict):
        return
    rule = course.eligibility
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


def _ratio(fig) -> Fraction | None:
    value = fig.get("value") if isinstance(fig, dict) else None
    if isinstance(value, (list, tuple)) and len(value) == 2 and value[1]:
        return Fraction(value[0], value[1])
    return None


def _source(rule: dict, key: str) -> str:
    fig = rule.get(key)
    return fig.get("source", "") if isinstance(fig, dict) else ""
