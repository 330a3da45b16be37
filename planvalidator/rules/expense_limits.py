"""Rules on a course's limits on expense lines (schemas/programs/*.yaml): the limits per kind of expense
(PV213) and a closed list of 対象経費 (PV215).

They read the course the plan is checked under (``context.course``: ``--program ID[:COURSE]``, else the
course the 事業区分 names) and say nothing where the course has no such limit. The kinds of expense are the
one vocabulary of schemas/expenses.yaml, read as the template's own expense rules (PV102〜PV105) read it.
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

from planvalidator.context import Context
from planvalidator.findings import Severity
from planvalidator.normalize import canon
from planvalidator.plan import Plan
from planvalidator.rules.base import define, implements

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
""", reads=("profile",),
    advice="その種類の経費の合計を制度の上限以下に減らすか、対象外の経費の行を明細から外してください。")

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
""", reads=("profile",),
    advice="制度の対象経費の一覧に当たる経費内訳を選び直すか、当たらない経費は明細から外してください。")

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
