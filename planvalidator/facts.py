"""The program's and the template's facts, as words a rule's doc, brief line or clause can quote.

A rule's texts are written once with placeholders — 「助成率（{rates}）」, 「{sheet[expenses]} の各行」 —
and rendered with the facts of the program and the template version being checked, so a new year or
a second program changes the data in ``schemas/``, never a rule. Every placeholder a rule may use is
a key of :func:`facts`; :func:`render` fails loudly on an unknown one (tests render every rule).
"""

from __future__ import annotations

from fractions import Fraction

from planvalidator.calc import rate_limit
from planvalidator.layout import Layout
from planvalidator.program import Category, Program


def yen(amount: int) -> str:
    """3000000 → 「3,000,000 円」."""
    return f"{amount:,} 円"


def man_yen(amount: int) -> str:
    """500000 → 「50万円」, 3000000 → 「300万円」 (as the 公募要領 writes round amounts)."""
    return f"{amount // 10_000:,}万円" if amount % 10_000 == 0 else yen(amount)


_CACHE: dict[tuple[int, int], tuple[Program, Layout, dict]] = {}


def facts(program: Program, layout: Layout) -> dict:
    """{placeholder: text} for one program and template version (built once per pair)."""
    key = (id(program), id(layout))
    if key not in _CACHE:
        _CACHE[key] = (program, layout, _build(program, layout))
    return _CACHE[key][2]


def _build(program: Program, layout: Layout) -> dict:
    cats = list(program.categories.values())
    out = {
        "sheet": dict(layout.names),
        "program": program.name,
        "template": layout.template,
        "sheet_range": _sheet_range(layout),
        "rates": "、".join(f"区分{c.code} {c.rate_text}以内" for c in cats),
        "caps": "、".join(f"区分{c.code} {c.cap // 1000:,}千円" for c in cats),
        "categories": "・".join(f"区分{c.code}" for c in cats),
        # the money rules (PV203, PV207, PV208, PV210)
        "rates_caps": "、".join(f"区分{c.code} {c.rate_text}・{c.cap // 1000:,}千円" for c in cats),
        "caps_yen": "、".join(f"区分{c.code} {c.cap:,} 円" for c in cats),
        "first_category": cats[0].code if cats else "",
        "first_rate": cats[0].rate_text if cats else "",
        "first_cap_yen": f"{cats[0].cap:,}" if cats else "",
        "first_rate_example": f"{rate_limit(2_000_000, cats[0]):,}" if cats else "",
        "earliest_grant": program.earliest_grant_date.isoformat(),
        "max_years": str(program.max_years),
        "last_year_end": _last_year_end(program),
    }
    out.update(_program_facts(program))
    return out


def _sheet_range(layout: Layout) -> str:
    """The template's own sheets as the 公募要領 names them: 「計画様式1〜9」 (optional sheets left out)."""
    names = [s.name for s in layout.sheets if not s.optional]
    if len(names) < 2:
        return "".join(names)
    first, last = names[0], names[-1]
    common = 0
    while common < min(len(first), len(last)) and first[common] == last[common]:
        common += 1
    while common and first[common - 1].isdigit():     # keep a number whole: 計画様式1〜12, not 計画様式1〜2
        common -= 1
    return f"{first}〜{last[common:]}"


def _last_year_end(program: Program) -> str:
    span = program.fiscal_year(f"{program.max_years}年目")
    return span[1].isoformat() if span else ""


def render(text: str, program: Program | None, layout: Layout | None) -> str:
    """``text`` with its placeholders filled; unchanged when there is nothing to fill it from."""
    if "{" not in text or program is None or layout is None:
        return text
    return text.format_map(facts(program, layout))


def _program_facts(program: Program) -> dict:
    """The facts of program.yaml itself (事業区分, 期間, 申請者, 経費, 提出書類, attachments)."""
    cats = list(program.categories.values())
    small = program.small_category
    others = [c for c in cats if c is not small]
    d = program.deemed_large
    years = range(1, program.max_years + 1)
    region = program.region
    # an example of an address outside: the prefecture listed before the program's (its neighbour)
    at = region.prefectures.index(region.prefecture) if region.prefecture in region.prefectures else 0
    outside = next((p for p in (region.prefectures[at - 1:at] if at else ()) + region.prefectures
                    if p != region.prefecture), "")
    content = program.content
    always = [doc.name for doc in program.documents if doc.when == "always"]
    group_docs = [doc.name for doc in program.documents if doc.when == "group"]
    return {
        "organisation": program.organisation.name,
        "organisation_short": program.organisation.short,
        # 事業区分
        "rate": _Keyed({c.code: c.rate_text for c in cats}),
        "cap": _Keyed({c.code: f"{c.cap // 1000:,}千円" for c in cats}),
        "small_category": small.label if small else "",
        "small_max_employees": str(small.max_employees) if small else "",
        "small_over_employees": str(small.max_employees + 1) if small else "",   # an example over the limit
        "small_org_types": "・".join(small.org_types) if small else "",
        "other_categories": "・".join(c.label for c in others),
        # 事業実施期間
        "grant_notice": program.grant_notice,
        "fiscal_year": _Keyed({n: program.fiscal_year_name(n) for n in years}),
        "year_start": _Keyed({n: program.fiscal_year(f"{n}年目")[0].isoformat() for n in years}),
        "year_end": _Keyed({n: program.fiscal_year(f"{n}年目")[1].isoformat() for n in years}),
        "year_names": "、".join(f"{n}年目＝{program.fiscal_year_name(n)}" for n in years),
        # 申請者
        "sme_limits": "、".join(f"{name} {_oku(v.capital)}・{v.employees:,}人"
                                for name, v in program.sme_industries.items()),
        "deemed_single": _ratio_text(d.single_owner_share),
        "deemed_combined": _ratio_text(d.combined_share),
        "deemed_officer": _ratio_text(d.officer_share),
        "not_large": "、".join(d.not_large),
        "prefecture": region.prefecture,
        "municipality": _Keyed(dict(enumerate(region.municipalities))),
        "municipality_count": str(len(region.municipalities)),
        "outside_prefecture": outside,
        "org_type": _Keyed(program.org_types),
        "group_min_members": str(program.group_min_members),
        "group_one_short": str(program.group_min_members - 1),                       # an example too few
        # the category whose 対象者 list ends with the group (公募要領 2. 区分7 (14))
        "group_category": "・".join(c.label for c in cats if _takes(c, "group")),
        # 経費
        "expense_items": "。".join(f"{k}: {'、'.join(v)}" for k, v in program.expense_items.items()),
        "asset_price": man_yen(program.asset_register_price),
        "asset_price_yen": yen(program.asset_register_price),
        "tax_rate": (f"{float(program.consumption_tax_rate) * 100:g}%" if program.consumption_tax_rate is not None
                     else "（制度のデータにありません）"),
        "whole_outsourcing_share": _ratio_text(program.whole_outsourcing_share),
        # 計画の内容・提出書類
        "min_section_chars": str(content.min_section_chars),
        "activity": _Keyed(content.activity_kinds),
        "documents_always": "、".join(always),
        "documents_group": "、".join(group_docs),
        # 募集期間, as the document writes it (the day the latest 決算期 are judged at without a 提出日)
        "application_window": program.application_window.written if program.application_window else "",
        **_attachment_facts(program),
    }

def _attachment_facts(program: Program) -> dict:
    """The facts of ``attachments`` for the attachment rules (PV403–PV407); empty words without it."""
    a = program.attachments
    docs = {d.id: d.name for d in program.documents}
    if a is None:
        return {"attachment_periods": "", "attachments_required": _Keyed({k: "" for k in program.org_types}),
                "attachment_kinds": _Keyed(), "attachment_document": _Keyed(docs), "closing_months": ""}
    return {
        "attachment_periods": str(a.periods),
        # how long after a period's end its 決算 may still be open (attachments.recency.closing_months)
        "closing_months": str(a.closing_months) if a.closing_months is not None else "",
        # {attachments_required[corporation]} → 「貸借対照表・損益計算書・…」
        "attachments_required": _Keyed({org: a.names(a.required.get(org, ())) for org in program.org_types}),
        # {attachment_kinds[innovation]} → the names of the kinds of one documents entry
        "attachment_kinds": _Keyed({d.id: a.names(a.kinds_of(d.id)) for d in program.documents}),
        "attachment_document": _Keyed(docs),
    }


def _takes(category: Category, org_key: str) -> bool:
    """Whether one of a category's 対象者 (schemas/applicants.yaml names) covers the 組織形態 ``org_key``."""
    from planvalidator.eligibility import vocabulary

    words = vocabulary()
    return any(org_key in words.audience(name).org_types for name in category.org_types)


class _Keyed(dict):
    """A fact indexed in a placeholder (``{rate[7]}``, ``{fiscal_year[1]}``): str.format passes a
    key made of digits as an int, so both forms find the entry."""

    def __missing__(self, key):
        for other in (str(key), int(key) if str(key).isdigit() else None):
            if other is not None and other != key and dict.__contains__(self, other):
                return dict.__getitem__(self, other)
        raise KeyError(key)


def _ratio_text(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


def _oku(amount: int) -> str:
    """300000000 → 「3億円」, 50000000 → 「5千万円」 (as the 公募要領 writes the SME limits)."""
    if amount >= 100_000_000 and amount % 100_000_000 == 0:
        return f"{amount // 100_000_000:,}億円"
    if amount >= 10_000_000 and amount % 10_000_000 == 0:
        return f"{amount // 10_000_000}千万円"
    if amount % 10_000 == 0:
        return f"{amount // 10_000:,}万円"
    return f"{amount:,} 円"
