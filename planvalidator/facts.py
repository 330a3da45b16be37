"""The program's and the template's facts, as words a rule's doc, summary or clause can quote.

A rule's texts are written once with placeholders — 「助成率（{rates}）」, 「{sheet[expenses]} の各行」 —
and rendered with the facts of the program and the template version being checked, so a new year or
a second program changes the data in ``schemas/``, never a rule. Every placeholder a rule may use is
a key of :func:`facts`; :func:`render` fails loudly on an unknown one (tests render every rule).
"""

from __future__ import annotations

from planvalidator.calc import rate_limit
from planvalidator.layout import Layout
from planvalidator.program import Program


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
    out.update(program.facts())
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
