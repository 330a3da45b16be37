"""Rules on an applicant's figures and answers that a course asks for (schemas/programs/*.yaml): the numeric
eligibility test and the municipality (PV308), the questions the plan cannot answer by itself (PV309), the
targets of 県外需要 (PV310). The figures come with a JSON plan (``context.figures``).
"""

from __future__ import annotations

from fractions import Fraction

from planvalidator.context import Context
from planvalidator.findings import Severity
from planvalidator.plan import Plan
from planvalidator.rules.base import define, implements

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
""", reads=("profile",),
    advice="計画の数値（figures）が正しいかを確かめてください。正しければこの制度の対象者の要件に当たらないので、対象となる制度を確かめてください。")

ANSWERS = define(
    "PV309", "program-questions", "error", "制度の条件の問いへの答えが対象外を示しています",
    "制度のプロファイル（schemas/programs/）の questions の出典",
    """
何を: 回数の制限（各年度 1 回まで、累計 5 回まで）のように計画の数字からは分からない条件を、制度のコースは問い（questions）
として持ちます。JSON の計画の figures.answers（問いの id → true / false）の答えが、対象となる答えと違えばエラー。
答えのない問いは情報として問いを示します。
なぜ: 回数や対象の条件を満たさない申請は対象外です。
例: 「今年度、すでに補助を受けていますか」に false → 正しい。true → エラー。答えなし → 情報（問いを表示）。
""", reads=("profile",),
    advice="問いへの答えが正しいかを確かめてください。答えのない問いには答え（true / false）を書きます。対象外を示す答えなら、この制度には申請できません。")

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
""", reads=("profile",),
    advice="販売額・調達額の現在と目標が正しいかを確かめ、制度の目標のどれかに届く計画に見直してください。")

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
    need_price = _share(_value(rule.get("price_increase")))
    need_margin = _share(_value(rule.get("margin_decrease")))
    price = figures.get("price")
    if need_price is not None and isinstance(price, dict):
        rise = price_increase(price.get("base") or {}, price.get("target") or {})
        if rise is None:
            yield ELIGIBILITY.finding("/figures/price", None, "平均仕入価格の上昇率を計算できません（figures.price の base・target に amount と quantity を"
                                                  "書いてください）", Severity.WARNING, field="/figures/price")
        elif rise < need_price:
            yield ELIGIBILITY.finding("/figures/price", None, f"平均仕入価格の上昇率 {_below(rise)} が要件の "
                                                  f"{float(need_price) * 100:.0f}% 以上に届きません（{_source(rule, 'price_increase')}）",
                                      field="/figures/price", value=round(float(rise), 4), expected=float(need_price))
    margin = figures.get("gross_profit")
    if need_margin is not None and isinstance(margin, dict):
        bases = [v for v in (margin.get("bases") or []) if isinstance(v, (int, float))]
        falls = [d for d in (margin_decrease(b, margin.get("target")) for b in bases) if d is not None]
        if falls and max(falls) < need_margin:
            yield ELIGIBILITY.finding("/figures/gross_profit", None, f"粗利益の減少率（最大 {_below(max(falls), sign=False)}）が要件の "
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

def _source(rule: dict, key: str) -> str:
    fig = rule.get(key)
    return fig.get("source", "") if isinstance(fig, dict) else ""

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

def _below(share: Fraction, *, sign: bool = True) -> str:
    """A share that falls short, in percent to 0.1 cut towards zero: 19.998% reads 「19.9%」, never 「20.0%」 beside a
    requirement of 20%."""
    tenths = int(share * 1000)
    mark = "-" if tenths < 0 else "+" if sign else ""
    return f"{mark}{abs(tenths) // 10}.{abs(tenths) % 10}%"


def _value(fig):
    """A course's figure ``{value: …, source: …}`` → its value (None when it is not written so)."""
    return fig.get("value") if isinstance(fig, dict) else None


def _share(value) -> Fraction | None:
    """[分子, 分母] → Fraction, or None when it is not a pair with a denominator."""
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
