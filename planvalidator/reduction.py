"""What the findings take out of the money: 助成対象経費 without the rows an open expense error calls
ineligible, the most that can then be requested, and the expected 減額 — for the reports (the results
sheet, JSON ``money``, the terminal).

It reads findings and the rule families, so it sits with the checking, above :mod:`planvalidator.calc`'s
arithmetic (which it reuses: the rows' amounts, the rate limit per 年度).
"""

from __future__ import annotations

from planvalidator.calc import Calculator, allowed, requested_by_year
from planvalidator.plan import Plan
from planvalidator.program import Category
from planvalidator.structs import Struct

CUTTING_FAMILY = "expenses"     # an open error of a rule of this family (PV1xx, planvalidator/rules) on a row


class ExcludedRow(Struct):
    """A row of the expenses sheet an open (not accepted) expense error found ineligible."""
    row: int
    year: str | None
    amount: float | None            # 数量 × 単価; None when the row's numbers cannot be read
    sheet: str
    cell: str                       # the first error's cell (A1)
    rules: tuple[str, ...]          # every error's rule on this row, the first first

    @property
    def where(self) -> str:
        return f"{self.sheet}!{self.cell}"

    @property
    def rule(self) -> str:
        return self.rules[0]


class YearCut(Struct):
    """One 年度's 助成対象経費 before and after the excluded rows."""
    year: str
    eligible: float | None              # 助成対象経費 of every row; None when a row of the 年度 cannot be read
    eligible_after_cut: float | None    # without the excluded rows (None: a row left in cannot be read)
    limit_after_cut: int | None         # the 年度's rate limit on that
    requested: float | None             # 助成金申請額 of the 年度 (計画様式8)
    reduction: float | None             # max(0, requested − limit_after_cut)


class CutSummary(Struct):
    """助成対象経費 without the rows found ineligible, the most that can then be requested and the
    expected 減額. Per 年度 the 減額 is what the 年度's 申請額 exceeds its rate limit by; in all it is
    the 申請額 less what can be granted (each 年度 up to its rate limit, their sum up to the 限度額),
    so an excess in one 年度 is not made up by room in another (PV207 checks each 年度)."""
    excluded: list[ExcludedRow]
    eligible_after_cut: float | None
    limit_after_cut: int | None
    requested: float | None
    reduction: float | None
    per_year: list[YearCut]

    @property
    def excluded_amount(self) -> float:
        return sum(e.amount for e in self.excluded if e.amount is not None)

    @property
    def multi_year(self) -> bool:
        return len(self.per_year) > 1


def excluding_errors(plan: Plan, calc: Calculator, findings) -> dict[int, list]:
    """Row → the findings that take it out: open errors of an expense rule on an expense row."""
    from planvalidator.findings import Severity
    from planvalidator.rules import FAMILIES

    sheet = plan.actual("expenses")
    rows = calc.eligible_rows.keys() | calc.uncertain_rows.keys()
    out: dict[int, list] = {}
    for f in findings:
        if (f.accepted is None and f.severity is Severity.ERROR and FAMILIES.get(f.rule[:3]) == CUTTING_FAMILY
                and f.sheet == sheet and f.cell and f.row in rows):
            out.setdefault(f.row, []).append(f)
    return out


def cut_summary(plan: Plan, calc: Calculator, category: Category | None, findings) -> CutSummary:
    """The money without the rows that ``findings`` (final: accepted marks applied) call ineligible."""
    cutting = excluding_errors(plan, calc, findings)
    sheet = plan.actual("expenses")
    excluded = []
    for row in sorted(cutting):
        year, amount = calc.eligible_rows.get(row, (calc.uncertain_rows.get(row), None))
        errors = cutting[row]
        excluded.append(ExcludedRow(row, year, amount, sheet, errors[0].cell, tuple(dict.fromkeys(f.rule for f in errors))))

    def by_year(skip) -> tuple[dict[str, float], set[str] | None]:
        totals: dict[str, float] = {}
        for row, (year, value) in calc.eligible_rows.items():
            totals[year] = totals.get(year, 0) + (0 if row in skip else value)
        uncertain: set[str] | None = set()
        for row, year in calc.uncertain_rows.items():
            if row in skip:
                continue
            if year is None:
                uncertain = None
                break
            uncertain.add(year)
        for year in calc.uncertain_rows.values():      # a 年度 whose every row is excluded stays, at 0
            if year is not None:
                totals.setdefault(year, 0)
        return totals, uncertain

    before, uncertain_before = by_year(set())
    after, uncertain = by_year(cutting.keys())
    requested, requested_total = requested_by_year(plan)
    certain = uncertain is not None and not uncertain
    limits, limit = allowed(after, category) if category is not None else ({}, None)
    if not certain:
        limit = None

    per_year = []
    for year in dict.fromkeys([*requested, *after]):
        if not after.get(year) and requested.get(year) is None and year not in before:
            continue
        known = uncertain is not None and year not in uncertain
        year_limit = (limits.get(year, 0) if category is not None else None) if known else None
        asked = requested.get(year)
        per_year.append(YearCut(
            year,
            before.get(year, 0) if uncertain_before is not None and year not in uncertain_before else None,
            after.get(year, 0) if known else None,
            year_limit, asked,
            None if year_limit is None else max(0, (asked or 0) - year_limit)))

    reduction = None
    if limit is not None and requested_total is not None:
        granted = sum(min(y.requested or 0, y.limit_after_cut) for y in per_year)
        reduction = max(0, requested_total - min(granted, category.cap))
    eligible = sum(after.values()) if calc.eligible_rows or calc.uncertain_rows else None
    return CutSummary(excluded, eligible, limit, requested_total, reduction, per_year)


def verdict(money, cut: CutSummary | None) -> str:
    """The money in one sentence that agrees with its figures (``money``: calc.MoneySummary): after the rows
    found ineligible when there are any, the 減額 to expect when the 申請額 is over what can be granted,
    and why when a figure cannot be computed. The one verdict of the terminal, the results sheet and JSON."""
    def yen(value) -> str:
        return f"{value:,.0f} 円"

    if money.requested is None:
        return "助成金申請額が数値として読めないため、申請できる上限との比較はできません"
    if money.category is None:
        return "事業区分が選ばれていないため、助成率・限度額が決まらず、申請できる上限を判定できません"
    excluded = cut is not None and bool(cut.excluded)
    head = (f"対象外と判断した経費 {len(cut.excluded)} 件（{yen(cut.excluded_amount)}）を除くと、" if excluded else "")
    limit = cut.limit_after_cut if cut is not None else money.limit
    reduction = cut.reduction if cut is not None else (None if money.within is None else
                                                        max(0, money.requested - money.limit))
    if limit is None or reduction is None:
        return f"{head}助成対象経費を計算できない行（数量・単価が読めない、年度が空欄）があるため、申請できる上限を判定できません"
    if reduction:
        return (f"{head}申請できる上限は {yen(limit)}で、助成金申請額 {yen(money.requested)}から "
                f"{yen(reduction)}の減額が見込まれます")
    if excluded:
        return f"{head}申請できる上限は {yen(limit)}で、助成金申請額 {yen(money.requested)}はその範囲内です"
    return f"助成金申請額 {yen(money.requested)}は申請できる上限 {yen(limit)}の範囲内です"
