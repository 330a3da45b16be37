"""Applicant rules (PV3xx): who may apply — 公募要領 2. (助成対象者) and 4.

The limits (中小企業者の資本金・従業員基準, みなし大企業の割合, 区分8 の従業員数, 石川県内の市町,
グループの構成員数) are program data in ``schemas/<version>/program.yaml``.
"""

from __future__ import annotations

import re
from fractions import Fraction

from planvalidator.findings import Severity
from planvalidator.normalize import canon, date_or_none, means, nfkc
from planvalidator.plan import Plan
from planvalidator.rules import check, define

NOT_SME = define(
    "PV301", "not-sme", "error", "中小企業者の要件（資本金又は従業員数）を満たしていません",
    "公募要領 2.（※）中小企業者の定義",
    """
何を: 計画様式2 の「主たる業種」ごとの基準（製造業その他 3億円・300人、卸売業 1億円・100人、サービス業 5千万円・100人、
小売業 5千万円・50人、ゴム製品製造業 3億円・900人、ソフトウェア業・情報処理サービス業 3億円・300人、旅館業 5千万円・200人）で、
「資本金又は出資の総額」と「常時使用する従業員数」の両方が基準を超えていないか。どちらか一方が基準以内なら中小企業者です。
個人事業主は資本金がないので従業員数だけで判定します。組合・グループは構成員の状況で判定するため対象にしません。
なぜ: 中小企業者でない者は助成対象外です。
例: 製造業、資本金 5億円・従業員 120人 → 中小企業者（従業員基準）。資本金 5億円・従業員 350人 → エラー。
""")

DEEMED_LARGE = define(
    "PV302", "deemed-large-company", "error", "みなし大企業に該当します",
    "公募要領 2. 注3 ①②③",
    """
何を: 計画様式2 の株主・出資者と役員から、みなし大企業に当たらないか。
① 同一の大企業（「大企業該当」が「該当」）の出資が出資総額の 1/2 以上、② 大企業の出資が合わせて 2/3 以上、
③ 大企業の役員・職員を兼ねる役員が役員総数の 1/2 以上。出資比率は出資額から計算し直します。
中小企業投資育成株式会社、投資事業有限責任組合は大企業として扱いません（注3 ③ただし書き）。
④⑤（みなし大企業が所有・兼務する場合）は計画様式2 からは分からないため対象外です。
なぜ: みなし大企業は助成対象外です。
例: 大企業 A 社の出資 40％ → 所見なし。A 社 50％ → エラー（①）。大企業 2 社で 70％ → エラー（②）。
役員 4 名のうち 2 名が大企業の役員を兼務 → エラー（③）。
""")

CATEGORY = define(
    "PV303", "category-not-eligible", "error", "事業区分8 の対象者（従業員5名以下の中小企業者・個人事業主）ではありません",
    "公募要領 2.（区分8 の助成対象者）; 4.※",
    """
何を: 計画様式1 の「事業区分」が 8（小規模企業者）のとき、組織形態が法人（中小企業者）か個人事業主で、計画様式2 の
「常時使用する従業員数」が 5 名以下か。区分7 は小規模企業者も選べます（4.※）。
なぜ: 区分8 は従業員数 5 名以下の中小企業者・個人事業主だけが対象です。該当しなければ区分7 で申請します。
例: 区分8、従業員 5 名 → 正しい。区分8、従業員 6 名 → エラー（区分7 を選ぶ）。区分7、従業員 3 名 → 正しい。
""")

OUTSIDE_REGION = define(
    "PV304", "outside-ishikawa", "error", "石川県内に事務所・事業所がありません",
    "公募要領 2.（石川県内に事務所、事業所、工場等を有する者）",
    """
何を: 計画様式1 の「所在地」が石川県内（「石川県」から、または石川県内の市町名から書いた住所）か。県外のときは
計画様式2 の「石川県内の事業所」に県内の住所が書かれているか。都道府県も県内の市町名もなく判断できない住所は警告にします。
グループ申請の構成員（別紙1）の所在地が県外と分かるときは警告にします（県内の事業所があるかは様式から分からないため）。
なぜ: 助成対象者は石川県内に事務所、事業所、工場等を有する者です。
例: 「石川県七尾市…」「金沢市鞍月…」→ 正しい。「富山県高岡市…」で県内の事業所が空欄 → エラー（県内の事業所の欄）。
""")

GROUP_SIZE = define(
    "PV305", "group-too-small", "error", "グループ申請の構成員が4者に足りません",
    "公募要領 2. 区分7 (14); 6.(3) ③",
    """
何を: 計画様式1 の「組織形態」が「グループ（4者以上）」のとき、別紙1（同意書）に構成員が 4 者以上書かれているか。
別紙1 に構成員があるのに組織形態がグループでないときは警告にします。
なぜ: グループ申請は (1)〜(13) に該当する 4 者以上で構成し、全構成員の同意を書面で確認できることが要件です。
例: 構成員 4 者 → 正しい。構成員 3 者 → エラー（別紙1 の次の空き行）。
""")

GROUP_MEMBER = define(
    "PV306", "group-member-not-sme", "error", "グループの構成員が中小企業者に該当しません",
    "公募要領 2. 区分7 (14)",
    """
何を: 別紙1 の各構成員の「中小企業者該当」が「該当」か。
なぜ: グループは (1)〜(13) に該当する者（中小企業者等）で構成します。大企業を含むグループは対象外です。
例: 「該当」→ 正しい。「非該当」→ エラー。
""")

GROUP_CONSENT = define(
    "PV307", "group-consent-late", "error", "構成員の同意日が提出日より後です",
    "公募要領 2. 区分7 (14)（全構成員が同意済であることを書面で確認）; 6.(3) ③",
    """
何を: 別紙1 の各構成員の「同意日」が、計画様式1 の「提出日」以前か（同意日の空欄は PV001 が見ます）。
なぜ: 申請の時点で全構成員が同意済であることが要件です。
例: 提出日 2025-06-02、同意日 2025-05-20 → 正しい。同意日 2025-06-10 → エラー。
""")


def _sheet2(plan: Plan):
    return plan.actual("計画様式2")


@check(NOT_SME)
def not_sme(plan: Plan, context):
    org = plan.value("計画様式1", "org_type")
    if org is not None and canon(org) not in map(canon, context.program.raw["sme"]["judged_org_types"]):
        return
    program = context.program
    industry = plan.value("計画様式2", "industry")
    limit = program.sme_limit(industry)
    employees, capital = plan.value("計画様式2", "employees"), plan.value("計画様式2", "capital")
    field = plan.field("計画様式2", "employees")
    if limit is None or employees is None or field is None:
        return
    if employees <= limit.employees:
        return
    if context.org_type != "sole_proprietor" and (capital is None or capital <= limit.capital):
        return
    capital_text = "資本金なし（個人事業主）" if context.org_type == "sole_proprietor" else \
        f"資本金 {capital:,} 円（基準 {limit.capital:,} 円以下）"
    yield NOT_SME.finding(
        _sheet2(plan), field.cell,
        f"主たる業種「{industry}」の中小企業者の基準を満たしません: {capital_text}、"
        f"従業員 {employees:,} 人（基準 {limit.employees:,} 人以下）。どちらか一方が基準以内であることが必要です")


def _is_large(name: str | None, flag: str | None, not_large: list[str]) -> bool:
    if canon(flag or "") != canon("該当"):
        return False
    return not any(canon(w) in canon(name or "") for w in not_large)


@check(DEEMED_LARGE)
def deemed_large(plan: Plan, context):
    spec = context.program.raw["deemed_large"]
    not_large = spec.get("not_large", [])
    sheet = _sheet2(plan)
    shares = plan.table("計画様式2", "shareholders")
    if shares is not None and not shares.empty and "amount" in shares.positions:
        rows = list(shares.rows())
        total = sum(r.get("amount") or 0 for _, r in rows)
        large = [(rec, r) for rec, r in rows if _is_large(r.get("name"), r.get("large_company"), not_large)]
        if total and large:
            by_owner: dict[str, list] = {}
            for rec, r in large:
                by_owner.setdefault(canon(r.get("name") or ""), []).append((rec, r))
            single = Fraction(*spec["single_owner_share"])
            flagged = set()
            for owner_rows in by_owner.values():
                amount = sum(r.get("amount") or 0 for _, r in owner_rows)
                if Fraction(int(amount), int(total)) >= single:
                    for rec, r in owner_rows:
                        flagged.add(rec)
                        yield DEEMED_LARGE.finding(
                            sheet, shares.cell(rec, "large_company"),
                            f"大企業「{r.get('name')}」の出資が出資総額の {amount / total:.1%}（{single} 以上）です"
                            f"（みなし大企業 ①）")
            combined = sum(r.get("amount") or 0 for _, r in large)
            limit = Fraction(*spec["combined_share"])
            if Fraction(int(combined), int(total)) >= limit:
                for rec, r in large:
                    if rec not in flagged:
                        yield DEEMED_LARGE.finding(
                            sheet, shares.cell(rec, "large_company"),
                            f"大企業の出資が合わせて出資総額の {combined / total:.1%}（{limit} 以上）です（みなし大企業 ②）")
    officers = plan.table("計画様式2", "officers")
    if officers is not None and not officers.empty and "concurrent" in officers.positions:
        rows = list(officers.rows())
        concurrent = [(rec, r) for rec, r in rows if means(r.get("concurrent"), "有")
                      and not any(canon(w) in canon(r.get("concurrent_company") or "") for w in not_large)]
        limit = Fraction(*spec["officer_share"])
        if concurrent and Fraction(len(concurrent), len(rows)) >= limit:
            for rec, r in concurrent:
                yield DEEMED_LARGE.finding(
                    sheet, officers.cell(rec, "concurrent"),
                    f"大企業の役員・職員を兼ねる役員が {len(concurrent)} 名で、役員総数 {len(rows)} 名の {limit} 以上です"
                    f"（みなし大企業 ③）")


@check(CATEGORY)
def category_not_eligible(plan: Plan, context):
    category = context.category
    field = plan.field("計画様式1", "category")
    if category is None or field is None:
        return
    sheet = plan.actual("計画様式1")
    org = plan.value("計画様式1", "org_type")
    if category.org_types and context.org_type and canon(org) not in map(canon, category.org_types):
        yield CATEGORY.finding(
            sheet, field.cell,
            f"組織形態「{org}」は事業区分{category.code}の対象者ではありません（対象: {'・'.join(category.org_types)}）")
        return
    employees = plan.value("計画様式2", "employees")
    if category.max_employees is not None and employees is not None and employees > category.max_employees:
        yield CATEGORY.finding(
            sheet, field.cell,
            f"事業区分{category.code}は従業員数 {category.max_employees} 名以下が対象ですが、計画様式2 の常時使用する従業員数は"
            f" {employees} 名です（事業区分7 を選んでください）")


_POSTAL = re.compile(r"^〒?\s*\d{3}-?\d{4}\s*")


class Region:
    def __init__(self, spec: dict):
        self.prefecture = spec["prefecture"]
        self.prefectures = spec["prefectures"]
        self.municipalities = spec["municipalities"]

    def where(self, address: str | None) -> str:
        """"in" (石川県内), "out" (another prefecture) or "unknown"."""
        text = _POSTAL.sub("", nfkc(address or "").strip()).replace(" ", "").replace("\u3000", "")
        if not text:
            return "unknown"
        for pref in self.prefectures:
            if text.startswith(pref):
                return "in" if pref == self.prefecture else "out"
        if any(text.startswith(m) for m in self.municipalities):
            return "in"
        if any(m in text for m in self.municipalities) or self.prefecture in text:
            return "in"
        return "unknown"


@check(OUTSIDE_REGION)
def outside_region(plan: Plan, context):
    region = Region(context.program.raw["region"])
    address_field = plan.field("計画様式1", "address")
    office_field = plan.field("計画様式2", "office_in_ishikawa")
    address = plan.value("計画様式1", "address")
    where = region.where(address)
    office = plan.value("計画様式2", "office_in_ishikawa")
    if where == "out":
        if office and region.where(office) == "in":
            pass
        elif office_field is not None:
            yield OUTSIDE_REGION.finding(
                _sheet2(plan), office_field.cell,
                f"所在地「{address}」は石川県外です。石川県内の事務所・事業所・工場等の所在地を書いてください"
                + (f"（「{office}」は石川県内と確認できません）" if office else ""))
    elif where == "unknown" and address and address_field is not None and not (office and region.where(office) == "in"):
        yield OUTSIDE_REGION.finding(
            plan.actual("計画様式1"), address_field.cell,
            f"所在地「{address}」が石川県内か確認できません。都道府県から書いてください", severity=Severity.WARNING)
    members = plan.table("別紙1", "members")
    if members is not None and "address" in members.positions:
        for rec, r in members.rows():
            if r.get("address") and region.where(r["address"]) == "out":
                yield OUTSIDE_REGION.finding(
                    plan.actual("別紙1"), members.cell(rec, "address"),
                    f"構成員「{r.get('name') or ''}」の所在地「{r['address']}」は石川県外です。"
                    f"石川県内に事務所・事業所があることを確認してください", severity=Severity.WARNING)


def _members(plan: Plan):
    t = plan.table("別紙1", "members")
    return t, (list(t.rows()) if t is not None else [])


@check(GROUP_SIZE)
def group_too_small(plan: Plan, context):
    minimum = int(context.program.raw["group"]["min_members"])
    t, rows = _members(plan)
    org_field = plan.field("計画様式1", "org_type")
    if context.org_type != "group":
        if rows and org_field is not None:
            yield GROUP_SIZE.finding(
                plan.actual("計画様式1"), org_field.cell,
                f"別紙1 に構成員が {len(rows)} 者書かれていますが、組織形態が「{plan.value('計画様式1', 'org_type')}」です。"
                f"グループ申請なら「{context.program.org_type('group')}」を選んでください", severity=Severity.WARNING)
        return
    if t is None:
        if org_field is not None:
            yield GROUP_SIZE.finding(plan.actual("計画様式1"), org_field.cell,
                                     f"グループ申請ですが、別紙1（同意書）のシートがありません（{minimum} 者以上の構成員と同意が必要）")
        return
    if len(rows) < minimum:
        target = t.first_free()
        if target is None:
            return
        column = "name" if "name" in t.positions else next(iter(t.positions))
        yield GROUP_SIZE.finding(
            plan.actual("別紙1"), t.cell(t.record_label(target), column),
            f"グループ申請の構成員が {len(rows)} 者です。{minimum} 者以上の構成員と、その全員の同意が必要です")


@check(GROUP_MEMBER)
def group_member_not_sme(plan: Plan, context):
    if context.org_type != "group":
        return
    t, rows = _members(plan)
    for rec, r in rows:
        if r.get("sme") and canon(r["sme"]) == canon("非該当"):
            yield GROUP_MEMBER.finding(plan.actual("別紙1"), t.cell(rec, "sme"),
                                       f"構成員「{r.get('name') or ''}」が中小企業者に該当しません。グループは中小企業者等で構成します")


@check(GROUP_CONSENT)
def group_consent_late(plan: Plan, context):
    if context.org_type != "group":
        return
    submitted = date_or_none(plan.value("計画様式1", "submitted_on"))
    t, rows = _members(plan)
    if submitted is None:
        return
    for rec, r in rows:
        agreed = r.get("agreed_on")
        if agreed and agreed > submitted:
            yield GROUP_CONSENT.finding(
                plan.actual("別紙1"), t.cell(rec, "agreed_on"),
                f"構成員「{r.get('name') or ''}」の同意日 {agreed.isoformat()} が提出日 {submitted.isoformat()} より後です"
                f"（申請時に全構成員の同意が必要）")
