"""Applicant rules (PV3xx): who may apply — 公募要領 2. (助成対象者) and 4.

The limits (中小企業者の資本金・従業員基準, みなし大企業の割合, the small category's employee limit,
the prefecture and its municipalities, グループの構成員数) are program data in
``schemas/<version>/program.yaml``; the docs quote them through placeholders (planvalidator/facts.py).
"""

from __future__ import annotations

from fractions import Fraction

from planvalidator import places
from planvalidator.context import Context
from planvalidator.findings import Severity
from planvalidator.normalize import canon, date_or_none, means
from planvalidator.plan import Plan
from planvalidator.rules.base import define, implements
from planvalidator.wareki import wareki_date

NOT_SME = define(
    "PV301", "not-sme", "error", "中小企業者の要件（資本金又は従業員数）を満たしていません",
    "公募要領 2.（※）中小企業者の定義",
    """
何を: 事業区分（コース）の対象者が中小企業者（中小企業者・小規模企業者など、schemas/applicants.yaml の言葉）で、申請者の組織形態は
それに当たるとき、{sheet[company]} の「主たる業種」ごとの基準（{sme_limits}）で、「資本金又は出資の総額」と「常時使用する
従業員数」の両方が基準を超えていないか。どちらか一方が基準以内なら中小企業者です。個人事業主は資本金がないので従業員数だけで
判定します。対象者が「全企業」のコースや、組合・グループとして対象になる申請者は対象にしません。
なぜ: 中小企業者でない者は助成対象外です。
例: 資本金が基準を超えていても、従業員数が基準以内 → 中小企業者（従業員基準）。資本金も従業員数も基準を超える → エラー。
""", reads=("sme.industries", "profile", "org_types"),
    advice="「資本金又は出資の総額」「常時使用する従業員数」「主たる業種」が正しいかを確かめてください。正しければ、この事業区分では中小企業者に当たらないので、対象となる区分・制度を {organisation_short} に相談してください。")

DEEMED_LARGE = define(
    "PV302", "deemed-large-company", "error", "みなし大企業に該当します",
    "公募要領 2. 注3 ①②③",
    """
何を: {sheet[company]} の株主・出資者と役員から、みなし大企業に当たらないか。
① 同一の大企業（「大企業該当」が「該当」）の出資が出資総額の {deemed_single} 以上、② 大企業の出資が合わせて {deemed_combined} 以上、
③ 大企業の役員・職員を兼ねる役員が役員総数の {deemed_officer} 以上。出資比率は出資額から計算し直します。
{not_large}は大企業として扱いません（注3 ③ただし書き）。
④⑤（みなし大企業が所有・兼務する場合）は{sheet[company]} からは分からないため対象外です。
なぜ: みなし大企業は助成対象外です。
例: 大企業 1 社の出資が出資総額の {deemed_single} 未満 → 所見なし。{deemed_single} 以上 → エラー（①）。
大企業 2 社で合わせて {deemed_combined} 以上 → エラー（②）。大企業の役員を兼務する役員が役員総数の {deemed_officer} 以上 → エラー（③）。
""", reads=("deemed_large",),
    advice="株主・役員の「大企業該当」「兼務」の記入と出資額を確かめてください。正しければみなし大企業に当たり対象外なので、{organisation_short} に相談してください。")

CATEGORY = define(
    "PV303", "category-not-eligible", "error", "事業区分（コース）の対象者ではありません",
    "公募要領 2.（助成対象者）; 4.※; 各制度の資料の対象者",
    """
何を: 申請する事業区分（コース）の対象者（プロファイルの org_types。「中小企業者」「中小企業団体」「小規模企業者」
「全企業」「中小企業者及び中小企業団体以外」などの言葉は、どの制度でも schemas/applicants.yaml の同じ意味）に、
{sheet[applicant]} の「組織形態」と{sheet[company]} の「主たる業種」「資本金」「常時使用する従業員数」から当たるか。
{small_category} のように従業員数の上限のある区分は、{sheet[company]} の「常時使用する従業員数」がその数以下か
（{other_categories} は小規模企業者も選べます: 4.※）。
資料が定義していない言葉（小規模企業者など）は法律の定義で判定し、当たらないときも警告にします。中小企業者の基準だけが
満たされないときは PV301 が指摘します。
なぜ: 対象者でない者の申請は対象外です。該当する区分（コース）があればそれで申請します。
例: {small_category}、従業員 {small_max_employees} 名 → 正しい。{small_category}、従業員 {small_over_employees} 名 → エラー
（{other_categories} を選ぶ）。対象者が「中小企業者」だけのコースに組合 → エラー。「全企業」のコース → どの組織形態も正しい。
""", reads=("profile", "org_types"),
    advice="組織形態・主たる業種・資本金・従業員数が正しいかを確かめ、正しければ対象となる事業区分（コース）を選び直してください。")

OUTSIDE_REGION = define(
    "PV304", "outside-region", "error", "{prefecture}内に事務所・事業所がありません",
    "公募要領 2.（{prefecture}内に事務所、事業所、工場等を有する者）",
    """
何を: {sheet[applicant]} の「所在地」が{prefecture}内（「{prefecture}」から、または{prefecture}内の {municipality_count} 市町の名前から
書いた住所）か。{prefecture}外のときは{sheet[company]} の{prefecture}内の事業所の欄に{prefecture}内の住所が書かれているか。
都道府県も{prefecture}内の市町名もなく判断できない住所は警告にします。
グループ申請の構成員（{sheet[consent]}）の所在地が{prefecture}外と分かるときは警告にします（{prefecture}内の事業所があるかは様式から
分からないため）。
なぜ: 助成対象者は{prefecture}内に事務所、事業所、工場等を有する者です。
例: 「{prefecture}{municipality[1]}…」「{municipality[0]}…」→ 正しい。「{outside_prefecture}…」で{prefecture}内の事業所が空欄 → エラー
（{prefecture}内の事業所の欄）。
""", reads=("region",),
    advice="所在地を都道府県から書くか、{prefecture}外に本社があるなら {sheet[company]} の{prefecture}内の事業所の欄に県内の住所を書いてください。")

GROUP_SIZE = define(
    "PV305", "group-too-small", "error", "グループ申請の構成員が{group_min_members}者に足りません",
    "公募要領 2. {group_category} (14); 6.(3) ③",
    """
何を: {sheet[applicant]} の「組織形態」が「{org_type[group]}」のとき、{sheet[consent]}（同意書）に構成員が {group_min_members} 者以上
書かれているか。{sheet[consent]} に構成員があるのに組織形態がグループでないときは警告にします。
なぜ: グループ申請は (1)〜(13) に該当する {group_min_members} 者以上で構成し、全構成員の同意を書面で確認できることが要件です。
例: 構成員 {group_min_members} 者 → 正しい。構成員 {group_one_short} 者 → エラー（{sheet[consent]} の次の空き行）。
""", reads=("group.min_members", "org_types"),
    advice="{sheet[consent]} に構成員を {group_min_members} 者以上書くか、グループ申請でないなら組織形態を選び直してください。")

GROUP_MEMBER = define(
    "PV306", "group-member-not-sme", "error", "グループの構成員が中小企業者に該当しません",
    "公募要領 2. {group_category} (14)",
    """
何を: {sheet[consent]} の各構成員の「中小企業者該当」が「該当」か。
なぜ: グループは (1)〜(13) に該当する者（中小企業者等）で構成します。大企業を含むグループは対象外です。
例: 「該当」→ 正しい。「非該当」→ エラー。
""", reads=("org_types",),
    advice="構成員が中小企業者に当たるかを確かめて「中小企業者該当」を直してください。当たらない構成員はグループに入れられません。")

GROUP_CONSENT = define(
    "PV307", "group-consent-late", "error", "構成員の同意日が提出日より後です",
    "公募要領 2. {group_category} (14)（全構成員が同意済であることを書面で確認）; 6.(3) ③",
    """
何を: {sheet[consent]} の各構成員の「同意日」が、{sheet[applicant]} の「提出日」以前か（同意日の空欄は PV001 が見ます）。
なぜ: 申請の時点で全構成員が同意済であることが要件です。
例: 提出日 2025-06-02、同意日 2025-05-20 → 正しい。同意日 2025-06-10 → エラー。
""", reads=("org_types",),
    advice="同意日が提出日以前になるよう、提出の前に全構成員の同意を得て同意日を直してください（提出日が誤っているなら提出日を直します）。")


def _sheet2(plan: Plan):
    return plan.actual("company")


def _judgement(plan: Plan, context: Context):
    """Whether the applicant is one of the 対象者 of the course it is checked under (None: no 対象者 to judge by)."""
    from planvalidator import eligibility

    names = context.audiences
    if not names:
        return None
    return eligibility.judge(names, eligibility.applicant_of(plan, context.org_type), context.program)


def _audience_source(context, figure: str = "org_types") -> str | None:
    """The clause of the course's 対象者 (its profile's source for the figure), where it has one."""
    course = context.course
    return course.sources.get(figure) if course is not None else None


@implements(NOT_SME)
def not_sme(plan: Plan, context: Context):
    judgement = _judgement(plan, context)
    if judgement is None or judgement.accepted is not False or not judgement.only_size:
        return
    program = context.program
    industry = plan.value("company", "industry")
    limit = program.sme_limit(industry)
    employees, capital = plan.value("company", "employees"), plan.value("company", "capital")
    field = plan.field("company", "employees")
    if limit is None or employees is None or field is None:
        return
    capital_text = f"資本金なし（{program.org_type('sole_proprietor')}）" if context.org_type == "sole_proprietor" else \
        f"資本金 {capital:,} 円（基準 {limit.capital:,} 円以下）"
    yield NOT_SME.finding(
        _sheet2(plan), field.cell,
        f"主たる業種「{industry}」の中小企業者の基準を満たしません: {capital_text}、"
        f"従業員 {employees:,} 人（基準 {limit.employees:,} 人以下）。どちらか一方が基準以内であることが必要です",
        field="company.employees", value=employees, expected=limit.employees)


def _is_large(name: str | None, flag: str | None, not_large) -> bool:
    if canon(flag or "") != canon("該当"):
        return False
    return not any(canon(w) in canon(name or "") for w in not_large)


@implements(DEEMED_LARGE)
def deemed_large(plan: Plan, context: Context):
    spec = context.program.deemed_large
    not_large = spec.not_large
    sheet = _sheet2(plan)
    shares = plan.table("company", "shareholders")
    if shares is not None and not shares.empty and "amount" in shares.positions:
        rows = list(shares.rows())
        total = sum(r.get("amount") or 0 for _, r in rows)
        large = [(rec, r) for rec, r in rows if _is_large(r.get("name"), r.get("large_company"), not_large)]
        if total and large:
            by_owner: dict[str, list] = {}
            for rec, r in large:
                by_owner.setdefault(canon(r.get("name") or ""), []).append((rec, r))
            single = spec.single_owner_share
            flagged = set()
            for owner_rows in by_owner.values():
                amount = sum(r.get("amount") or 0 for _, r in owner_rows)
                if Fraction(int(amount), int(total)) >= single:
                    for rec, r in owner_rows:
                        flagged.add(rec)
                        yield DEEMED_LARGE.finding(
                            sheet, shares.cell(rec, "large_company"),
                            f"大企業「{r.get('name')}」の出資が出資総額の {amount / total:.1%}（{single} 以上）です"
                            f"（みなし大企業 ①）",
                            field="company.shareholders.large_company", value=r.get("large_company"))
            combined = sum(r.get("amount") or 0 for _, r in large)
            limit = spec.combined_share
            if Fraction(int(combined), int(total)) >= limit:
                for rec, r in large:
                    if rec not in flagged:
                        yield DEEMED_LARGE.finding(
                            sheet, shares.cell(rec, "large_company"),
                            f"大企業の出資が合わせて出資総額の {combined / total:.1%}（{limit} 以上）です（みなし大企業 ②）",
                            field="company.shareholders.large_company", value=r.get("large_company"))
    officers = plan.table("company", "officers")
    if officers is not None and not officers.empty and "concurrent" in officers.positions:
        rows = list(officers.rows())
        concurrent = [(rec, r) for rec, r in rows if means(r.get("concurrent"), "有")
                      and not any(canon(w) in canon(r.get("concurrent_company") or "") for w in not_large)]
        limit = spec.officer_share
        if concurrent and Fraction(len(concurrent), len(rows)) >= limit:
            for rec, r in concurrent:
                yield DEEMED_LARGE.finding(
                    sheet, officers.cell(rec, "concurrent"),
                    f"大企業の役員・職員を兼ねる役員が {len(concurrent)} 名で、役員総数 {len(rows)} 名の {limit} 以上です"
                    f"（みなし大企業 ③）",
                    field="company.officers.concurrent", value=r.get("concurrent"))


@implements(CATEGORY)
def category_not_eligible(plan: Plan, context: Context):
    category = context.category
    field = plan.field("applicant", "category")
    if category is None or field is None:
        return
    sheet = plan.actual("applicant")
    judgement = _judgement(plan, context)
    if judgement is not None and judgement.accepted is False and not judgement.only_size:
        names = "・".join(context.audiences)
        why = "。".join(r.text for r in judgement.reasons[:2])
        yield CATEGORY.finding(
            sheet, field.cell,
            f"{category.called}の対象者（{names}）ではありません: {why}",
            severity=Severity(judgement.severity), reference=_audience_source(context),
            field="applicant.category", value=field.value)
        return
    employees = plan.value("company", "employees")
    if category.max_employees is not None and employees is not None and employees > category.max_employees:
        others = [c for c in context.program.categories.values() if c.code != category.code
                  and (c.max_employees is None or employees <= c.max_employees)] if not context.course_name else []
        choose = "・".join(c.called for c in others)
        yield CATEGORY.finding(
            sheet, field.cell, reference=_audience_source(context, "max_employees"), message=
            f"{category.called}は従業員数 {category.max_employees} 名以下が対象ですが、{plan.actual('company')} の"
            f"常時使用する従業員数は {employees} 名です" + (f"（{choose} を選んでください）" if choose else ""),
            field="applicant.category", value=field.value, expected=choose or None)


@implements(OUTSIDE_REGION)
def outside_region(plan: Plan, context: Context):
    region = context.program.region
    inside = region.prefecture
    address_field = plan.field("applicant", "address")
    office_field = plan.field("company", "office_in_region")
    address = plan.value("applicant", "address")
    where = places.where(region, address)
    office = plan.value("company", "office_in_region")
    if where == "out":
        if office and places.where(region, office) == "in":
            pass
        elif office_field is not None:
            yield OUTSIDE_REGION.finding(
                _sheet2(plan), office_field.cell,
                f"所在地「{address}」は{inside}外です。{inside}内の事務所・事業所・工場等の所在地を書いてください"
                + (f"（「{office}」は{inside}内と確認できません）" if office else ""),
                field="company.office_in_region", value=office)
    elif where == "unknown" and address and address_field is not None and not (office and places.where(region, office) == "in"):
        yield OUTSIDE_REGION.finding(
            plan.actual("applicant"), address_field.cell,
            f"所在地「{address}」が{inside}内か確認できません。都道府県から書いてください", severity=Severity.WARNING,
            field="applicant.address", value=address)
    members = plan.table("consent", "members")
    if members is not None and "address" in members.positions:
        for rec, r in members.rows():
            if r.get("address") and places.where(region, r["address"]) == "out":
                yield OUTSIDE_REGION.finding(
                    plan.actual("consent"), members.cell(rec, "address"),
                    f"構成員「{r.get('name') or ''}」の所在地「{r['address']}」は{inside}外です。"
                    f"{inside}内に事務所・事業所があることを確認してください", severity=Severity.WARNING,
                    field="consent.members.address", value=r["address"])


def _members(plan: Plan):
    t = plan.table("consent", "members")
    return t, (list(t.rows()) if t is not None else [])


@implements(GROUP_SIZE)
def group_too_small(plan: Plan, context: Context):
    minimum = context.program.group_min_members
    t, rows = _members(plan)
    org_field = plan.field("applicant", "org_type")
    org = plan.value("applicant", "org_type")
    consent = plan.actual("consent")
    if context.org_type != "group":
        if rows and org_field is not None:
            group = context.program.org_type("group")
            yield GROUP_SIZE.finding(
                plan.actual("applicant"), org_field.cell,
                f"{consent} に構成員が {len(rows)} 者書かれていますが、組織形態が「{org}」です。"
                f"グループ申請なら「{group}」を選んでください", severity=Severity.WARNING,
                field="applicant.org_type", value=org, expected=group)
        return
    if t is None:
        if org_field is not None:
            yield GROUP_SIZE.finding(plan.actual("applicant"), org_field.cell,
                                     f"グループ申請ですが、{consent}（同意書）のシートがありません"
                                     f"（{minimum} 者以上の構成員と同意が必要）",
                                     field="applicant.org_type", value=org)
        return
    if len(rows) < minimum:
        target = t.first_free()
        if target is None:
            return
        column = "name" if "name" in t.positions else next(iter(t.positions))
        yield GROUP_SIZE.finding(
            consent, t.cell(t.record_label(target), column),
            f"グループ申請の構成員が {len(rows)} 者です。{minimum} 者以上の構成員と、その全員の同意が必要です",
            field=f"consent.members.{column}", value=len(rows), expected=minimum)


@implements(GROUP_MEMBER)
def group_member_not_sme(plan: Plan, context: Context):
    if context.org_type != "group":
        return
    t, rows = _members(plan)
    for rec, r in rows:
        if r.get("sme") and canon(r["sme"]) == canon("非該当"):
            yield GROUP_MEMBER.finding(plan.actual("consent"), t.cell(rec, "sme"),
                                       f"構成員「{r.get('name') or ''}」が中小企業者に該当しません。グループは中小企業者等で構成します",
                                       field="consent.members.sme", value=r["sme"], expected="該当")


@implements(GROUP_CONSENT)
def group_consent_late(plan: Plan, context: Context):
    if context.org_type != "group":
        return
    submitted = date_or_none(plan.value("applicant", "submitted_on"))
    t, rows = _members(plan)
    if submitted is None:
        return
    for rec, r in rows:
        agreed = r.get("agreed_on")
        if agreed and agreed > submitted:
            yield GROUP_CONSENT.finding(
                plan.actual("consent"), t.cell(rec, "agreed_on"),
                f"構成員「{r.get('name') or ''}」の同意日 {wareki_date(agreed)} が提出日 {wareki_date(submitted)} より後です"
                f"（申請時に全構成員の同意が必要）",
                field="consent.members.agreed_on", value=agreed, expected=submitted)
