"""The template's arithmetic, computed once per check from the applicant's inputs.

Every total the template computes with a formula is computed again here: 計画様式7 金額 and
its 年度・区分 totals, 計画様式8 資金計画, 計画様式1's two summary cells, 計画様式9 売上高・売上総利益,
計画様式2 出資比率. A formula cell is compared through its cached value (a file saved by Excel or
LibreOffice has one; a file saved by openpyxl has none, and then there is nothing to compare); a
formula the applicant overwrote with a number is compared through that number. Each wrong cell is
named once: a total is checked against the parts as the workbook shows them, so one wrong 金額
does not also flag every total.

The money rules (planvalidator/rules/money.py), the results sheet and the button read the
:class:`Calculator` and :class:`MoneySummary` that :class:`planvalidator.engine.Context` builds once.
Mismatches are grouped by what was compared (``amount``, ``expense_total``, ``funding_total``,
``summary``, ``sales_plan``, ``share_ratio``), not by rule: a rule chooses which it reports.
"""

from __future__ import annotations

import math
from fractions import Fraction

from planvalidator import normalize
from planvalidator.plan import Plan
from planvalidator.program import Category, Program
from planvalidator.address import is_error_code
from planvalidator.structs import Struct


class Mismatch(Struct):
    sheet: str
    row: int
    col: int
    title: str
    expected: object
    shown: object
    formula: bool


def _num(value):
    if value is None or isinstance(value, str) and not value.strip():
        return None
    try:
        return normalize.to_number(value)
    except normalize.Unreadable:
        return "unreadable"


def _same(expected, shown, tolerance: float) -> bool:
    if isinstance(expected, str) or isinstance(shown, str):
        return normalize.canon(expected or "") == normalize.canon(shown or "")
    return math.isclose(float(expected or 0), float(shown or 0), abs_tol=tolerance)


UNKNOWN = object()


class Calculator:
    """The template's formulas, evaluated from the inputs.

    ``shown(sheet, r, c)`` is what a cell shows: a typed value, a formula's cached value,
    or — for a formula without a cached value — what the formula would give.
    """

    def __init__(self, plan: Plan):
        self.plan = plan
        self.expected: dict[tuple[str, int, int], object] = {}
        self.mismatches: dict[str, list[Mismatch]] = {}
        # 助成対象経費 per 年度 straight from the inputs (数量 × 単価 of 計画様式7), for the limit rules;
        # a 年度 with an unreadable or invalid row is left out (the form rules name that row)
        self.eligible_by_year: dict[str, float] = {}
        self.uncertain_years: set[str] | None = set()   # None: every 年度 (a row's 年度 itself is invalid)
        # the same per row (Excel row number → (年度, 数量 × 単価)), so that rows can be taken out (cut_summary);
        # the rows left out above: row → their 年度 (None: the 年度 itself is invalid)
        self.eligible_rows: dict[int, tuple[str, float]] = {}
        self.uncertain_rows: dict[int, str | None] = {}
        self._grids: dict[str, object] = {}

    def grid(self, sheet: str):
        grid = self._grids.get(sheet)
        if grid is None:            # (asked for every cell compared: looked up once per sheet)
            grid = self._grids[sheet] = self.plan.grid.sheets[self.plan.actual(sheet)]
        return grid

    def _present(self, sheet: str, row: int, col: int, *, text: bool = False):
        """What the workbook itself shows in a cell, or UNKNOWN.

        UNKNOWN: a formula without a cached value (a file saved by openpyxl; Excel recomputes
        on open), or a typed value that is not a number (the form rules report it).
        """
        grid = self.grid(sheet)
        if grid.is_formula(row, col):
            cached = grid.cached.get((row, col))
            if cached is None or cached == "" or is_error_code(cached):
                return UNKNOWN      # an error result is PV011's (or its cause's) to name
            return cached if isinstance(cached, str) and not _is_numeric(cached) else _num(cached)
        if text:
            return normalize.to_text(grid.value(row, col))
        value = _num(grid.value(row, col))
        return UNKNOWN if value == "unreadable" else value

    def shown(self, sheet: str, row: int, col: int):
        """What a cell shows; for a formula without a cached value, what it would compute."""
        value = self._present(sheet, row, col)
        if value is UNKNOWN:
            return self.expected.get((sheet, row, col)) if self.grid(sheet).is_formula(row, col) else None
        return value

    def expect(self, what: str, sheet: str, row: int, col: int, title: str, expected,
               tolerance: float = 0.5) -> None:
        """Record what a computed cell should show and compare it with what it shows."""
        self.expected[(sheet, row, col)] = expected
        shown = self._present(sheet, row, col, text=isinstance(expected, str))
        if shown is not UNKNOWN and not _same(expected, shown, tolerance):
            self.mismatches.setdefault(what, []).append(
                Mismatch(sheet, row, col, title, expected, shown, self.grid(sheet).is_formula(row, col)))


def _is_numeric(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def _sum(values):
    nums = [v for v in values if isinstance(v, (int, float))]
    return sum(nums)


def _mul(a, b):
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a * b
    return None


def calculate(plan: Plan, program: Program, category: Category | None) -> Calculator:
    calc = Calculator(plan)
    _expenses(plan, calc, program)
    _funding(plan, calc, program, category)
    _summary(plan, calc)
    _sales(plan, calc)
    _shares(plan, calc)
    return calc


def _value_at(table, number, column):
    return table.value(table.record_label(number), column)


def _expenses(plan: Plan, calc: Calculator, program: Program) -> None:
    s = "expenses"
    t = plan.table(s, "expenses")
    if t is None:
        return
    rows = t.all_records
    filled = {t.number(record): values for record, values in t.rows()}   # row → {column: value}
    blank: dict = {}
    if "amount" in t.positions:         # (a deleted 金額 heading is PV007's; the 年度 sums below still hold)
        for r in rows:
            row = filled.get(r, blank)
            calc.expect("amount", s, r, t.positions["amount"], t.titles["amount"],
                        _mul(row.get("quantity"), row.get("unit_price")))
    reported = plan.problem_cells(s)    # (most files have none: then no row's cells are named)
    for r in t.labels:
        row = filled[t.number(r)]
        year = row.get("year")
        value = _mul(row.get("quantity"), row.get("unit_price"))
        if program.fiscal_year(year) is None:
            calc.uncertain_years = None
            calc.uncertain_rows[t.number(r)] = None
        elif value is None or value < 0 or reported and (t.cell(r, "quantity") in reported
                                                         or t.cell(r, "unit_price") in reported):
            if calc.uncertain_years is not None:
                calc.uncertain_years.add(year)
            calc.uncertain_rows[t.number(r)] = year
        else:
            calc.eligible_by_year[year] = calc.eligible_by_year.get(year, 0) + value
            calc.eligible_rows[t.number(r)] = (year, value)
    if "amount" not in t.positions:
        return
    amounts = {r: calc.shown(s, r, t.positions["amount"]) for r in rows}
    # each total field of the sheet sums the rows the layout names (total_of: {year: 1年目} …, {} = all)
    rows_with = _rows_by_value(rows, filled)
    for spec in plan.layout.sheet(s).fields:
        f = plan.field(s, spec.name)
        if f is None or spec.total_of is None:
            continue
        chosen = set(rows)
        for column, value in spec.total_of.items():
            chosen &= rows_with(column).get(value, set())
        total = _sum(a for r, a in amounts.items() if r in chosen)
        calc.expect("expense_total", s, f.row, f.col, f.title, total)


def _rows_by_value(rows: list[int], filled: dict[int, dict]):
    """``rows_with(column)``: {value: the rows whose ``column`` holds it} (a blank row holds None), made
    once per column: the sheet's dozen totals each pick their rows from it, not from every row again."""
    index: dict[str, dict[object, set[int]]] = {}
    blank: dict = {}

    def rows_with(column: str) -> dict[object, set[int]]:
        if column not in index:
            by_value = index[column] = {}
            for r in rows:
                by_value.setdefault(filled.get(r, blank).get(column), set()).add(r)
        return index[column]
    return rows_with


def _funding(plan: Plan, calc: Calculator, program: Program, category: Category | None) -> None:
    s = "funding"
    t = plan.table(s, "funding")
    if t is None:
        return
    year_cells = {}     # 年度 → what 計画様式7's total of that 年度 shows
    for spec in plan.layout.sheet("expenses").fields:
        f = plan.field("expenses", spec.name)
        if f is not None and spec.total_of and set(spec.total_of) == {"year"}:
            year_cells[spec.total_of["year"]] = calc.shown("expenses", f.row, f.col)
    grid = calc.grid(s)
    inputs = [c for c in ("requested", "own_funds", "loans", "other") if c in t.positions]
    for r in t.all_records:
        year = normalize.to_choice(grid.value(r, t.positions["year"]), list(year_cells)) if "year" in t.positions else None
        if "eligible" in t.positions and year in year_cells:
            calc.expect("funding_total", s, r, t.positions["eligible"], f"{year}の{t.titles['eligible']}",
                        year_cells[year])
        if "total" in t.positions:
            calc.expect("funding_total", s, r, t.positions["total"], f"{year or ''}の{t.titles['total']}",
                        _sum(calc.shown(s, r, t.positions[c]) for c in inputs))
    if t.total_record:
        for c in ("eligible", *inputs, "total"):
            if c in t.positions:
                calc.expect("funding_total", s, t.total_record, t.positions[c], f"合計の{t.titles[c]}",
                            _sum(calc.shown(s, r, t.positions[c]) for r in t.all_records))
    rate, cap, estimate = plan.field(s, "rate"), plan.field(s, "cap"), plan.field(s, "estimate")
    if rate is not None:
        calc.expect("funding_total", s, rate.row, rate.col, rate.title,
                    category.rate_text if category else None)
    if cap is not None:
        calc.expect("funding_total", s, cap.row, cap.col, cap.title, category.cap if category else None)
    if estimate is not None and t.total_record and "eligible" in t.positions:
        eligible = calc.shown(s, t.total_record, t.positions["eligible"]) or 0
        value = None
        if category:
            step = program.estimate_rounding
            value = int(min(eligible * category.rate, category.cap) // step * step)
        calc.expect("funding_total", s, estimate.row, estimate.col, estimate.title, value)


def _summary(plan: Plan, calc: Calculator) -> None:
    t = plan.table("funding", "funding")
    if t is None or not t.total_record:
        return
    for field_name, column in (("eligible_total", "eligible"), ("requested_total", "requested")):
        f = plan.field("applicant", field_name)
        if f is not None and column in t.positions:
            calc.expect("summary", "applicant", f.row, f.col, f.title,
                        calc.shown("funding", t.total_record, t.positions[column]))


def _sales(plan: Plan, calc: Calculator) -> None:
    s = "sales"
    t = plan.table(s, "sales_plan")
    if t is None or "sales" not in t.positions:
        return
    for c in t.all_records:
        q, p = _value_at(t, c, "quantity"), _value_at(t, c, "unit_price")
        r_sales = t.positions["sales"]
        year = calc.grid(s).value(t.positions.get("year", 0), c) or ""
        calc.expect("sales_plan", s, r_sales, c, f"{year}の{t.titles['sales']}", _mul(q, p))
        if "gross_profit" in t.positions:
            sales = calc.shown(s, r_sales, c)
            cost = _value_at(t, c, "cost") or 0
            calc.expect("sales_plan", s, t.positions["gross_profit"], c, f"{year}の{t.titles['gross_profit']}",
                        None if not isinstance(sales, (int, float)) else sales - cost)


def _shares(plan: Plan, calc: Calculator) -> None:
    s = "company"
    t = plan.table(s, "shareholders")
    if t is None or "amount" not in t.positions:
        return
    col = t.positions["amount"]
    total = _sum(calc.shown(s, r, col) for r in t.all_records)
    if t.total_record:
        calc.expect("share_ratio", s, t.total_record, col, "出資額の合計", total)
        total = calc.shown(s, t.total_record, col) or 0
    if "ratio" not in t.positions:
        return
    for r in t.all_records:
        amount = _value_at(t, r, "amount")
        value = None if amount is None or not total else round(amount / total * 100, 1)
        calc.expect("share_ratio", s, r, t.positions["ratio"], t.titles["ratio"], value, tolerance=0.05)


def requested_rows(plan: Plan):
    t = plan.table("funding", "funding")
    if t is None or "requested" not in t.positions:
        return None, []
    rows = []
    for record, row in t.rows():
        year = row.get("year")
        if year is None or (t.total_record and t.number(record) == t.total_record):
            continue
        rows.append((record, row))
    return t, rows


def eligible_of(calc: Calculator, row: dict) -> float | None:
    """The 年度's 助成対象経費 computed from the 計画様式7 inputs (not from any total cell);
    None when a row of that 年度 cannot be read (the form rules report that row)."""
    year = row.get("year")
    if calc.uncertain_years is None or year in calc.uncertain_years:
        return None
    return calc.eligible_by_year.get(year, 0)


class MoneySummary(Struct):
    """The money in one application, recomputed from its inputs (for the results sheet)."""
    category: str | None           # 「7」「8」
    rate: str | None               # 「2/3」
    cap: int | None
    eligible: float | None         # 助成対象経費（計画様式7 の数量×単価の合計）
    limit: int | None              # 申請できる上限: Σ 年度ごと 経費×助成率（円未満切捨て）、限度額まで
    requested: float | None        # 助成金申請額（計画様式8 の各年度の合計）

    @property
    def within(self) -> bool | None:
        if self.limit is None or self.requested is None:
            return None
        return self.requested <= self.limit


def money_summary(plan: Plan, calc: Calculator, category: Category | None) -> MoneySummary:
    eligible = sum(calc.eligible_by_year.values()) if calc.eligible_by_year else None
    limit = None
    if category is not None and calc.uncertain_years is not None and not calc.uncertain_years:
        limit = allowed(calc.eligible_by_year, category)[1]
    _, requested = requested_by_year(plan)
    return MoneySummary(category.code if category else None, category.rate_text if category else None,
                        category.cap if category else None, eligible, limit, requested)


def rate_limit(eligible: float, category: Category) -> int:
    """The most a 年度 may request: its 助成対象経費 × the rate, 円未満切捨て (公募要領 4.)."""
    return math.floor(Fraction(eligible).limit_denominator() * category.rate)


def allowed(eligible_by_year: dict[str, float], category: Category) -> tuple[dict[str, int], int]:
    """The most that can be requested: per 年度 (its :func:`rate_limit`) and in all (their sum, up to the
    category's 限度額) — for the money summary and for the summary without the ineligible rows alike."""
    per_year = {year: rate_limit(value, category) for year, value in eligible_by_year.items()}
    return per_year, min(sum(per_year.values()), category.cap)


def requested_by_year(plan: Plan) -> tuple[dict[str, float | None], float | None]:
    """助成金申請額 of 計画様式8 per 年度 (None: not a number) and their total (None: no number at all)."""
    _, rows = requested_rows(plan)
    by_year: dict[str, float | None] = {}
    amounts = []
    for _, row in rows:
        value = row.get("requested")
        value = value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
        if value is not None:
            amounts.append(value)
        year = row["year"]
        by_year[year] = value if by_year.get(year) is None else by_year[year] + (value or 0)
    return by_year, sum(amounts) if amounts else None


# What the applicant should expect to lose: the rows the rules found ineligible taken out.
