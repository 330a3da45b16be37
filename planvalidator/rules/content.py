"""Content rules (PV5xx): what the plan says — 公募要領 3. (助成対象事業) and 7.(2) (審査基準).

Thresholds and the activity kinds are program data (program.yaml ``content``); the docs quote them
through placeholders (planvalidator/facts.py), the messages from ``context.program``.
"""

from __future__ import annotations

import datetime as dt

from planvalidator.context import Context
from planvalidator.normalize import canon, means
from planvalidator.plan import Plan
from planvalidator.rules.base import define, implements
from planvalidator.wareki import wareki_date

NO_DEVELOPMENT = define(
    "PV501", "no-development", "error", "新商品・新サービスの開発を伴わない事業です",
    "公募要領 3. 注（新商品・新サービスの開発を伴わない事業、市場調査にとどまるものは助成対象外）",
    """
何を: {sheet[activities]} の実施内容に、区分「{activity[development]}」の行が 1 行以上あるか。
「{activity[research]}」だけの計画もここで見つかります。
なぜ: 新商品・新サービスの開発を伴わない事業、市場調査にとどまる事業は助成対象外です。
例: {activity[research]}・{activity[development]}・{activity[sales]}の行がある → 正しい。
{activity[research]}と{activity[sales]}だけ → エラー（{sheet[activities]} の区分の欄）。
""", reads=("content.activity_kinds",),
    advice="{sheet[activities]} に区分「開発」の行（新商品・新サービスの開発の取組）を書いてください。市場調査だけの事業は対象外です。")

NO_SALES = define(
    "PV502", "no-sales-activity", "error", "販路開拓の取組がありません",
    "公募要領 3. 注（商品化後の販路開拓を念頭に置いていない事業は助成対象外）",
    """
何を: {sheet[activities]} の実施内容に、区分「{activity[sales]}」の行が 1 行以上あるか。
なぜ: 商品化後の販路開拓を念頭に置いていない事業は助成対象外です。
例: 「{activity[sales]}: 展示会出展・EC販売」の行がある → 正しい。{activity[development]}の行だけ → エラー。
""", reads=("content.activity_kinds",),
    advice="{sheet[activities]} に区分「販路開拓」の行（展示会出展・営業など、商品化後の販路開拓の取組）を書いてください。")

THIN_SECTION = define(
    "PV503", "thin-section", "warning", "事業計画の記述が短すぎます",
    "公募要領 7.(2) 審査基準",
    """
何を: {sheet[narrative]} の各欄（事業の背景・経緯、解決を目指す社会課題、新商品・新サービスの概要、新規性・優位性、
想定顧客・ターゲット市場、販売戦略・販路開拓の方法、地域経済への波及効果）が、program.yaml の content.min_section_chars
（{min_section_chars} 文字）より短くないか、「未定」「別紙参照」「同上」のような仮の記述でないか。空欄は PV001（エラー）です。
なぜ: 審査は{sheet[narrative]} の記述を審査基準（新規性、市場性、事業内容の明確性、実現可能性、地域経済への波及効果）で採点します。
例: 3 行ほどの具体的な説明 → 所見なし。「未定」→ 警告。
""", reads=("content.min_section_chars", "content.placeholders"),
    advice="審査基準（新規性・市場性・実現可能性など）に沿って、具体的な内容を {min_section_chars} 文字以上で書いてください（「未定」「別紙参照」は使えません）。")

OTHER_SUBSIDY = define(
    "PV504", "other-subsidy", "warning", "他の補助制度との併用は原則できません（事前相談が必要）",
    "公募要領 3.※（他の補助制度との併用）",
    """
何を: {sheet[applicant]} の「他の補助制度の利用」が「有」か。
なぜ: 原則として、今回の事業計画について他の補助制度との併用はできません。{organisation_short}（{organisation}）や
他の公的機関等から資金交付を受けている場合は、事前に相談が必要です。誤りではなく、確認を促す警告です。
例: 「無」→ 所見なし。「有」→ 警告。
""", reads=("organisation",),
    advice="他の補助制度を使うときは、提出の前に {organisation_short} に相談してください。使わないなら「無」にします。")

SCHEDULE = define(
    "PV505", "schedule-outside-period", "warning", "スケジュールが事業実施期間の外にあります",
    "公募要領 4.（事業実施期間: 交付決定日より{max_years}年以内）; 5.※(1)",
    """
何を: {sheet[schedule]} の実施月（●）と{sheet[activities]} の実施年度が、交付決定（最も早くて {earliest_grant}。program.yaml の
period.earliest_grant_date）から事業実施期間（終了予定）までに入っているか。{year_names}（4月〜翌3月）として
月を日付にします。
なぜ: 交付決定前や事業実施期間後の取組の経費は助成対象外です。
例: 1年目の {earliest_grant} 以降の月 → 正しい。1年目のそれより前の月 → 警告（交付決定前）。
事業実施期間（終了予定）{year_end[1]} で 2年目の月 → 警告。
""", reads=("period.earliest_grant_date", "period.first_fiscal_year", "period.max_years"),
    advice="{sheet[schedule]} の実施月・{sheet[activities]} の実施年度を、交付決定後から事業実施期間（終了予定）までに収めてください。")


def _kinds(context: Context) -> dict[str, str]:
    return context.program.content.activity_kinds


def _first_empty_cell(t, column: str) -> str | None:
    n = t.first_free()
    if n is None or column not in t.positions:
        return None
    return t.cell(t.record_label(n), column)


def _shown_kinds(t) -> str | None:
    """The 区分 the plan has, as written (「市場調査・販路開拓」), for a finding's value."""
    kinds = list(dict.fromkeys(str(r.get("kind")) for _, r in t.rows() if r.get("kind")))
    return "・".join(kinds) or None


def _activities(plan: Plan):
    t = plan.table("activities", "activities")
    if t is None or "kind" not in t.positions:
        return None, set()
    return t, {canon(r.get("kind") or "") for _, r in t.rows()}


@implements(NO_DEVELOPMENT)
def no_development(plan: Plan, context: Context):
    t, kinds = _activities(plan)
    if t is None:
        return
    kind = _kinds(context)
    if canon(kind["development"]) in kinds:
        return
    only_research = kinds == {canon(kind["research"])}
    cell = _first_empty_cell(t, "kind")
    yield NO_DEVELOPMENT.finding(
        plan.actual("activities"), cell,
        (f"{kind['research']}だけの計画です。" if only_research else "")
        + f"区分「{kind['development']}」の実施内容がありません。新商品・新サービスの開発を伴わない事業は助成対象外です",
        field="activities.activities.kind", value=_shown_kinds(t), expected=kind["development"])


@implements(NO_SALES)
def no_sales(plan: Plan, context: Context):
    t, kinds = _activities(plan)
    if t is None:
        return
    kind = _kinds(context)
    if canon(kind["sales"]) in kinds:
        return
    yield NO_SALES.finding(
        plan.actual("activities"), _first_empty_cell(t, "kind"),
        f"区分「{kind['sales']}」の実施内容がありません。商品化後の販路開拓を念頭に置いていない事業は助成対象外です",
        field="activities.activities.kind", value=_shown_kinds(t), expected=kind["sales"])


@implements(THIN_SECTION)
def thin_section(plan: Plan, context: Context):
    spec = context.program.content
    minimum = spec.min_section_chars
    placeholders = {canon(p) for p in spec.placeholders}
    sheet = plan.actual("narrative")
    for name, field in plan.fields.get(plan.layout.name("narrative"), {}).items():
        text = field.value
        if not text:
            continue
        body = canon(text).strip("。.、")
        if body in placeholders:
            yield THIN_SECTION.finding(sheet, field.cell,
                                       f"「{field.title}」が「{text}」だけです。審査基準に沿って具体的に書いてください",
                                       field=f"narrative.{name}", value=text)
        elif len(body) < minimum:
            yield THIN_SECTION.finding(sheet, field.cell,
                                       f"「{field.title}」が {len(body)} 文字です（目安 {minimum} 文字以上）。具体的に書いてください",
                                       field=f"narrative.{name}", value=text, expected=minimum)


@implements(OTHER_SUBSIDY)
def other_subsidy(plan: Plan, context: Context):
    field = plan.field("applicant", "other_subsidy")
    if field is not None and means(field.value, "有"):
        detail = plan.value("applicant", "other_subsidy_detail")
        yield OTHER_SUBSIDY.finding(
            plan.actual("applicant"), field.cell,
            "他の補助制度を利用しています" + (f"（{detail}）" if detail else "")
            + f"。原則として併用はできません。申請前に {context.program.organisation.short} に相談してください",
            field="applicant.other_subsidy", value=field.value, expected="無")


_MONTHS = {"m04": 4, "m05": 5, "m06": 6, "m07": 7, "m08": 8, "m09": 9, "m10": 10, "m11": 11, "m12": 12,
           "m01": 1, "m02": 2, "m03": 3}


def _month_span(start_year: int, month: int) -> tuple[dt.date, dt.date]:
    year = start_year if month >= 4 else start_year + 1
    first = dt.date(year, month, 1)
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


@implements(SCHEDULE)
def schedule_outside_period(plan: Plan, context: Context):
    from planvalidator.predicates import is_mark

    program, end, grant = context.program, context.period_end, context.grant_date
    t = plan.table("schedule", "schedule")
    if t is not None:
        for record, row in t.rows():
            span = program.fiscal_year(row.get("year"))
            if span is None:
                continue
            outside = []
            for column, month in _MONTHS.items():
                if column in t.positions and row.get(column) and is_mark(row[column]):
                    first, last = _month_span(span[0].year, month)
                    if last < grant or (end and first > end):
                        outside.append((column, month, last < grant))
            if outside:
                column, _, before = outside[0]
                months = "、".join(f"{m}月" for _, m, _ in outside)
                why = (f"交付決定（最も早くて {wareki_date(grant)}）より前" if before
                       else f"事業実施期間（終了予定 {wareki_date(end)}）の後")
                yield SCHEDULE.finding(plan.actual("schedule"), t.cell(record, column),
                                       f"「{row.get('item') or ''}」の{row.get('year')} {months}は{why}です",
                                       field=f"schedule.schedule.{column}", value=row.get(column))
    activities = plan.table("activities", "activities")
    if activities is not None and end and "year" in activities.positions:
        for record, row in activities.rows():
            span = program.fiscal_year(row.get("year"))
            if span and span[0] > end:
                yield SCHEDULE.finding(plan.actual("activities"), activities.cell(record, "year"),
                                       f"「{row.get('item') or ''}」の実施年度 {row['year']}（{wareki_date(span[0])}〜）は"
                                       f"事業実施期間（終了予定 {wareki_date(end)}）の後です",
                                       field="activities.activities.year", value=row["year"], expected=end)
