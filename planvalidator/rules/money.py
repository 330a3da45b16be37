"""Money rules (PV2xx): the arithmetic of 計画様式1, 2, 7, 8 and 9.

Every total the template computes with a formula is computed again here from the
applicant's inputs. A formula cell is compared through its cached value (a file saved
by Excel or LibreOffice has one; a file saved by openpyxl has none, and then there is
nothing to compare); a formula the applicant overwrote with a number is compared
through that number. Each wrong cell is named once: a total is checked against the
parts as the workbook shows them, so one wrong 金額 does not also flag every total.
"""

from __future__ import annotations

import datetime as dt
import math
from fractions import Fraction

from dataclasses import dataclass

from planvalidator import normalize
from planvalidator.plan import Plan
from planvalidator.program import load_program
from planvalidator.rules import check, define
from planvalidator.workbook import is_error_code

AMOUNT = define(
    "PV201", "amount-mismatch", "error", "金額が 数量×単価 と一致しません",
    "計画様式7 助成対象経費明細（金額＝数量×単価、税抜）",
    """
何を: 計画様式7 の各行の「金額（税抜・円）」が「数量 × 単価（税抜・円）」と一致するか。
金額の計算式を数値で上書きした行、保存されている計算結果が入力と合わない行を見つけます。
なぜ: 明細の金額は助成対象経費と助成金申請額の基礎です。1 行の誤りが申請額の誤りになります。
例: 数量 3、単価 80,000 で金額 250,000 → エラー（正しくは 240,000）。
""")

EXPENSE_TOTAL = define(
    "PV202", "expense-total-mismatch", "error", "計画様式7 の年度計・区分計・合計が明細と一致しません",
    "計画様式7 助成対象経費明細（年度計・経費区分計・合計）",
    """
何を: 計画様式7 の「1年目 計」〜「3年目 計」「事業費 計」「試作・開発費 計」「合計」が、
明細の金額を年度・経費区分ごとに足したものと一致するか。
なぜ: 年度計は計画様式8 の助成対象経費に、合計は計画様式1 の助成対象経費になります。
例: 計算式を消して「合計」に 3,900,000 と手入力（明細の合計は 3,890,000）→ エラー。
""")

FUNDING_TOTAL = define(
    "PV203", "funding-total-mismatch", "error", "計画様式8 資金計画の計算が一致しません",
    "計画様式8 資金計画; 公募要領 4.（助成率・助成限度額）",
    """
何を: 計画様式8 の「助成対象経費」が計画様式7 の年度計と、「資金合計」が各行の合計と、合計行が各年度の合計と、
「助成率」「助成限度額」「助成金申請可能額（目安）」が事業区分（公募要領 4.: 区分7 2/3・3,000千円、
区分8 3/4・1,500千円）から計算した値と一致するか。
なぜ: 資金計画の数字が明細とずれていると、申請額の根拠が確認できません。
例: 計画様式8 の 1年目「助成対象経費」が 1,900,000 のまま（計画様式7 の 1年目 計は 2,000,000）→ エラー。
""")

SALES_PLAN = define(
    "PV204", "sales-plan-mismatch", "error", "計画様式9 の売上高・売上総利益が一致しません",
    "計画様式9 事業化計画（売上高＝販売数量×販売単価、売上総利益＝売上高−売上原価）",
    """
何を: 計画様式9 の「売上高」が「販売数量 × 販売単価」と、「売上総利益」が「売上高 − 売上原価」と一致するか。
なぜ: 事業化計画の数字は審査基準「財務・資金の健全性」（費用対効果）の根拠です（公募要領 7.(2)）。
例: 販売数量 3,000、販売単価 3,500 で売上高 1,050,000 → エラー（正しくは 10,500,000）。
""")

SUMMARY = define(
    "PV205", "summary-mismatch", "error", "計画様式1 の助成対象経費・助成金申請額が資金計画と一致しません",
    "計画様式1 ２．申請事業（助成対象経費・助成金申請額）; 計画様式8 資金計画",
    """
何を: 計画様式1 の「助成対象経費（税抜・円）」「助成金申請額（円）」が、計画様式8 の合計行の
「助成対象経費」「助成金申請額」と一致するか。
なぜ: 申請書の表紙（計画様式1）の金額が審査・交付の申請額として扱われます。明細と食い違うと申請額が確定しません。
例: 計算式を消して助成金申請額に 2,600,000 と手入力（資金計画の合計は 2,593,000）→ エラー。
""")

SHARE_RATIO = define(
    "PV206", "share-ratio-mismatch", "error", "計画様式2 の出資比率・出資額合計が一致しません",
    "計画様式2 株主・出資者の状況; 公募要領 2. 注3（みなし大企業の判定）",
    """
何を: 計画様式2 の株主ごとの「出資比率（％）」が「出資額 ÷ 出資額合計」（小数第1位）と、
出資額の「合計」が各株主の出資額の合計と一致するか。
なぜ: 出資比率はみなし大企業（公募要領 2. 注3 ①②）の判定に使われます。
例: 出資額 6,000,000 / 合計 10,000,000 で出資比率 50 → エラー（正しくは 60.0）。
""")


@dataclass
class Mismatch:
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

    def grid(self, sheet: str):
        return self.plan.grid.sheets[self.plan.actual(sheet)]

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

    def expect(self, rule_code: str, sheet: str, row: int, col: int, title: str, expected,
               tolerance: float = 0.5) -> None:
        """Record what a computed cell should show and compare it with what it shows."""
        self.expected[(sheet, row, col)] = expected
        shown = self._present(sheet, row, col, text=isinstance(expected, str))
        if shown is not UNKNOWN and not _same(expected, shown, tolerance):
            self.mismatches.setdefault(rule_code, []).append(
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


def calculate(plan: Plan) -> Calculator:
    calc = Calculator(plan)
    _expenses(plan, calc)
    _funding(plan, calc)
    _summary(plan, calc)
    _sales(plan, calc)
    _shares(plan, calc)
    return calc


def _value_at(table, number, column):
    return table.value(table.record_label(number), column)


def _expenses(plan: Plan, calc: Calculator) -> None:
    s = "計画様式7"
    t = plan.table(s, "expenses")
    if t is None:
        return
    rows = t.all_records
    if "amount" in t.positions:         # (a deleted 金額 heading is PV007's; the 年度 sums below still hold)
        for r in rows:
            q, p = _value_at(t, r, "quantity"), _value_at(t, r, "unit_price")
            calc.expect(AMOUNT.code, s, r, t.positions["amount"], t.titles["amount"], _mul(q, p))
    program = load_program(plan.layout.folder)
    for r in t.labels:
        year = _value_at(t, r, "year")
        q, p = _value_at(t, r, "quantity"), _value_at(t, r, "unit_price")
        value = _mul(q, p)
        if program.fiscal_year(year) is None:
            calc.uncertain_years = None
        elif value is None or value < 0 or plan.problems_at(s, t.cell(r, "quantity")) \
                or plan.problems_at(s, t.cell(r, "unit_price")):
            if calc.uncertain_years is not None:
                calc.uncertain_years.add(year)
        else:
            calc.eligible_by_year[year] = calc.eligible_by_year.get(year, 0) + value
    if "amount" not in t.positions:
        return
    amounts = {r: calc.shown(s, r, t.positions["amount"]) for r in rows}
    groups = {
        "year1_total": ("year", "1年目"), "year2_total": ("year", "2年目"), "year3_total": ("year", "3年目"),
        "project_cost_total": ("category", "事業費"), "development_cost_total": ("category", "試作・開発費"),
    }
    for name, (column, value) in groups.items():
        f = plan.field(s, name)
        if f is not None:
            total = _sum(a for r, a in amounts.items() if _value_at(t, r, column) == value)
            calc.expect(EXPENSE_TOTAL.code, s, f.row, f.col, f.title, total)
    f = plan.field(s, "grand_total")
    if f is not None:
        calc.expect(EXPENSE_TOTAL.code, s, f.row, f.col, f.title, _sum(amounts.values()))


def _funding(plan: Plan, calc: Calculator) -> None:
    s = "計画様式8"
    t = plan.table(s, "funding")
    if t is None:
        return
    year_cells = {}
    for i, name in enumerate(("year1_total", "year2_total", "year3_total"), start=1):
        f = plan.field("計画様式7", name)
        if f is not None:
            year_cells[f"{i}年目"] = calc.shown("計画様式7", f.row, f.col)
    grid = calc.grid(s)
    inputs = [c for c in ("requested", "own_funds", "loans", "other") if c in t.positions]
    for r in t.all_records:
        year = normalize.to_choice(grid.value(r, t.positions["year"]), list(year_cells)) if "year" in t.positions else None
        if "eligible" in t.positions and year in year_cells:
            calc.expect(FUNDING_TOTAL.code, s, r, t.positions["eligible"], f"{year}の{t.titles['eligible']}",
                        year_cells[year])
        if "total" in t.positions:
            calc.expect(FUNDING_TOTAL.code, s, r, t.positions["total"], f"{year or ''}の{t.titles['total']}",
                        _sum(calc.shown(s, r, t.positions[c]) for c in inputs))
    if t.total_record:
        for c in ("eligible", *inputs, "total"):
            if c in t.positions:
                calc.expect(FUNDING_TOTAL.code, s, t.total_record, t.positions[c], f"合計の{t.titles[c]}",
                            _sum(calc.shown(s, r, t.positions[c]) for r in t.all_records))
    program = load_program(plan.layout.folder)
    category = program.category(plan.value("計画様式1", "category"))
    rate, cap, estimate = plan.field(s, "rate"), plan.field(s, "cap"), plan.field(s, "estimate")
    if rate is not None:
        calc.expect(FUNDING_TOTAL.code, s, rate.row, rate.col, rate.title,
                    category.rate_text if category else None)
    if cap is not None:
        calc.expect(FUNDING_TOTAL.code, s, cap.row, cap.col, cap.title, category.cap if category else None)
    if estimate is not None and t.total_record and "eligible" in t.positions:
        eligible = calc.shown(s, t.total_record, t.positions["eligible"]) or 0
        value = None
        if category:
            step = program.estimate_rounding
            value = int(min(eligible * category.rate, category.cap) // step * step)
        calc.expect(FUNDING_TOTAL.code, s, estimate.row, estimate.col, estimate.title, value)


def _summary(plan: Plan, calc: Calculator) -> None:
    t = plan.table("計画様式8", "funding")
    if t is None or not t.total_record:
        return
    for field_name, column in (("eligible_total", "eligible"), ("requested_total", "requested")):
        f = plan.field("計画様式1", field_name)
        if f is not None and column in t.positions:
            calc.expect(SUMMARY.code, "計画様式1", f.row, f.col, f.title,
                        calc.shown("計画様式8", t.total_record, t.positions[column]))


def _sales(plan: Plan, calc: Calculator) -> None:
    s = "計画様式9"
    t = plan.table(s, "sales_plan")
    if t is None or "sales" not in t.positions:
        return
    for c in t.all_records:
        q, p = _value_at(t, c, "quantity"), _value_at(t, c, "unit_price")
        r_sales = t.positions["sales"]
        year = calc.grid(s).value(t.positions.get("year", 0), c) or ""
        calc.expect(SALES_PLAN.code, s, r_sales, c, f"{year}の{t.titles['sales']}", _mul(q, p))
        if "gross_profit" in t.positions:
            sales = calc.shown(s, r_sales, c)
            cost = _value_at(t, c, "cost") or 0
            calc.expect(SALES_PLAN.code, s, t.positions["gross_profit"], c, f"{year}の{t.titles['gross_profit']}",
                        None if not isinstance(sales, (int, float)) else sales - cost)


def _shares(plan: Plan, calc: Calculator) -> None:
    s = "計画様式2"
    t = plan.table(s, "shareholders")
    if t is None or "amount" not in t.positions:
        return
    col = t.positions["amount"]
    total = _sum(calc.shown(s, r, col) for r in t.all_records)
    if t.total_record:
        calc.expect(SHARE_RATIO.code, s, t.total_record, col, "出資額の合計", total)
        total = calc.shown(s, t.total_record, col) or 0
    if "ratio" not in t.positions:
        return
    for r in t.all_records:
        amount = _value_at(t, r, "amount")
        value = None if amount is None or not total else round(amount / total * 100, 1)
        calc.expect(SHARE_RATIO.code, s, r, t.positions["ratio"], t.titles["ratio"], value, tolerance=0.05)


def _yen(value) -> str:
    if isinstance(value, (int, float)):
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return "空欄" if value is None else f"「{value}」"


def _findings(rule, plan: Plan, mismatches):
    from planvalidator.workbook import a1
    for m in mismatches:
        how = ("保存されている計算結果が入力と合いません（計算式が変更されていませんか）" if m.formula
               else "計算式が数値で上書きされているか、削除されています")
        yield rule.finding(plan.actual(m.sheet), a1(m.row, m.col),
                           f"「{m.title}」が {_yen(m.shown)} ですが、入力から計算すると {_yen(m.expected)} です（{how}）")


def _register(rule):
    @check(rule)
    def run(plan: Plan, context):
        return list(_findings(rule, plan, context.calculator.mismatches.get(rule.code, [])))
    return run


for _rule in (AMOUNT, EXPENSE_TOTAL, FUNDING_TOTAL, SALES_PLAN, SUMMARY, SHARE_RATIO):
    _register(_rule)


# --- limits: rate, cap, balance, period (公募要領 4.) -----------------------------------------

RATE = define(
    "PV207", "rate-exceeded", "error", "助成金申請額が助成対象経費×助成率を超えています",
    "公募要領 4.（助成率: 区分7 2/3以内、区分8 3/4以内）",
    """
何を: 計画様式8 の各年度の「助成金申請額」が、その年度の「助成対象経費」× 助成率（事業区分7 は 2/3、8 は 3/4。
円未満切捨て）以下か。助成対象経費は計画様式7 の年度計から計算し直した値を使います。
なぜ: 助成金は助成対象経費の 2/3（3/4）以内です。超えた分は交付されず、資金計画が成り立ちません。
例: 区分7、1年目の助成対象経費 2,000,000 円 → 申請額 1,333,333 円まで正しい。1,340,000 円 → エラー。
""")

CAP = define(
    "PV208", "cap-exceeded", "error", "助成金申請額の合計が助成限度額を超えています",
    "公募要領 4.（助成限度額: 区分7 3,000千円、区分8 1,500千円）",
    """
何を: 計画様式8 の「助成金申請額」の全年度の合計が、事業区分の助成限度額（区分7 3,000,000 円、区分8 1,500,000 円）以下か。
所見は、申請額のある最後の年度の「助成金申請額」（減らす欄）に付けます。
なぜ: 限度額を超える申請はできません。
例: 区分7 で 1年目 1,500,000 円 + 2年目 1,500,000 円 = 3,000,000 円 → 正しい。+1 円でもエラー。
""")

BALANCE = define(
    "PV209", "funding-unbalanced", "error", "資金計画の資金合計が助成対象経費と一致しません",
    "公募要領 4.; 7.(2)（財務・資金の健全性）; 計画様式8 資金計画",
    """
何を: 計画様式8 の各年度で「助成金申請額 + 自己資金 + 借入金 + その他」（資金合計）が、その年度の「助成対象経費」と等しいか。
所見は、その年度の「自己資金」（合わせるために直すことの多い欄）に付けます。
なぜ: 助成事業の経費を誰がどう負担するかの計画です。不足や過剰があると資金計画として成り立ちません（審査基準「財務・資金の健全性」）。
例: 1年目 助成対象経費 2,000,000 円 = 申請額 1,333,000 円 + 自己資金 667,000 円 → 正しい。自己資金 600,000 円 → エラー。
""")

PERIOD = define(
    "PV210", "project-period", "error", "事業実施期間が交付決定日から3年以内に収まっていません",
    "公募要領 4.（事業実施期間: 交付決定日より3年以内、年度跨ぎ可能）",
    """
何を: 計画様式1 の事業実施期間が、交付決定がありうる最も早い日（program.yaml の period.earliest_grant_date、
審査結果通知は令和7年9月の予定）以降に始まり、その日から 3 年以内に終わるか。終了予定が開始より前でないか。
終了予定が 3年目（令和9年度、2028-03-31 まで）を過ぎるときは、計画様式7・8 に 4 年目の欄がないため警告にします。
なぜ: 事業実施期間は交付決定日より 3 年以内です。期間外の経費は助成対象になりません。
例: 開始「交付決定日」、終了予定 2027-02-26 → 正しい。終了予定 2028-12-31 → エラー。開始 2025-07-01 → エラー。
""")


def _requested_rows(plan: Plan):
    t = plan.table("計画様式8", "funding")
    if t is None or "requested" not in t.positions:
        return None, []
    rows = []
    for record, row in t.rows():
        year = row.get("year")
        if year is None or (t.total_record and t.number(record) == t.total_record):
            continue
        rows.append((record, row))
    return t, rows


def _eligible(calc: Calculator, row: dict) -> float | None:
    """The 年度's 助成対象経費 computed from the 計画様式7 inputs (not from any total cell);
    None when a row of that 年度 cannot be read (the form rules report that row)."""
    year = row.get("year")
    if calc.uncertain_years is None or year in calc.uncertain_years:
        return None
    return calc.eligible_by_year.get(year, 0)


@check(RATE)
def rate_exceeded(plan: Plan, context):
    category = context.category
    t, rows = _requested_rows(plan)
    if category is None or t is None:
        return
    for record, row in rows:
        requested, eligible = row.get("requested"), _eligible(context.calculator, row)
        if not isinstance(requested, (int, float)) or eligible is None:
            continue
        limit = math.floor(Fraction(eligible).limit_denominator() * category.rate)
        if requested > limit:
            yield RATE.finding(
                plan.actual("計画様式8"), t.cell(record, "requested"),
                f"{row['year']}の助成金申請額 {requested:,.0f} 円は、助成対象経費 {eligible:,.0f} 円 × "
                f"{category.rate_text}（事業区分{category.code}）= {limit:,} 円を超えています")


@check(CAP)
def cap_exceeded(plan: Plan, context):
    category = context.category
    t, rows = _requested_rows(plan)
    if category is None or t is None:
        return
    amounts = [(record, row.get("requested")) for record, row in rows
               if isinstance(row.get("requested"), (int, float))]
    total = sum(a for _, a in amounts)
    if total > category.cap:
        last = next((r for r, a in reversed(amounts) if a > 0), amounts[-1][0])
        yield CAP.finding(
            plan.actual("計画様式8"), t.cell(last, "requested"),
            f"助成金申請額の合計 {total:,.0f} 円が、事業区分{category.code}の助成限度額 {category.cap:,} 円を"
            f"{total - category.cap:,.0f} 円超えています")


@check(BALANCE)
def funding_unbalanced(plan: Plan, context):
    t, rows = _requested_rows(plan)
    if t is None:
        return
    inputs = [c for c in ("requested", "own_funds", "loans", "other") if c in t.positions]
    target = "own_funds" if "own_funds" in t.positions else "requested"
    for record, row in rows:
        eligible = _eligible(context.calculator, row)
        funds = sum(row.get(c) or 0 for c in inputs)
        if eligible is None or (not eligible and not funds):
            continue
        if not math.isclose(funds, eligible, abs_tol=0.5):
            diff = eligible - funds
            yield BALANCE.finding(
                plan.actual("計画様式8"), t.cell(record, target),
                f"{row['year']}の資金合計 {funds:,.0f} 円が助成対象経費 {eligible:,.0f} 円と一致しません"
                f"（{abs(diff):,.0f} 円{'不足' if diff > 0 else '過剰'}）")
    # a 年度 with expenses on 計画様式7 whose 資金計画 row was left empty
    filled = {t.number(record) for record, _ in rows}
    grid = context.calculator.grid("計画様式8")
    for number in t.all_records:
        if number in filled or number == t.total_record or "year" not in t.positions:
            continue
        year = normalize.to_text(grid.value(number, t.positions["year"]))
        eligible = _eligible(context.calculator, {"year": year})
        if year and eligible:
            yield BALANCE.finding(
                plan.actual("計画様式8"), t.cell(t.record_label(number), "requested"),
                f"{year}の助成対象経費 {eligible:,.0f} 円に対する資金計画（助成金申請額・自己資金など）が未入力です")


@check(PERIOD)
def project_period(plan: Plan, context):
    from planvalidator.findings import Severity

    sheet = plan.actual("計画様式1")
    program = context.program
    earliest, start, end = program.earliest_grant_date, context.period_start, context.period_end
    start_field, end_field = plan.field("計画様式1", "period_start"), plan.field("計画様式1", "period_end")
    if start and start < earliest and start_field:
        yield PERIOD.finding(sheet, start_field.cell,
                             f"事業実施期間（開始）{start.isoformat()} は交付決定（最も早くて {earliest.isoformat()}）より前です。"
                             f"「交付決定日」と書くか、交付決定後の日付にしてください")
    if end is None or end_field is None:
        return
    begin = max(earliest, start) if start else earliest
    limit = _add_years(earliest, program.max_years) - dt.timedelta(days=1)
    last_year = program.fiscal_year(f"{program.max_years}年目")
    if end < begin:
        yield PERIOD.finding(sheet, end_field.cell,
                             f"事業実施期間（終了予定）{end.isoformat()} が開始（{begin.isoformat()}）より前です")
    elif end > limit:
        yield PERIOD.finding(sheet, end_field.cell,
                             f"事業実施期間（終了予定）{end.isoformat()} は交付決定日から {program.max_years} 年"
                             f"（最も早い交付決定 {earliest.isoformat()} からでも {limit.isoformat()} まで）を超えています")
    elif last_year and end > last_year[1]:
        yield PERIOD.finding(sheet, end_field.cell,
                             f"事業実施期間（終了予定）{end.isoformat()} は{program.max_years}年目（〜{last_year[1].isoformat()}）"
                             f"の後です。計画様式7・8 には{program.max_years}年目までの欄しかありません",
                             severity=Severity.WARNING)


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:       # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass
class MoneySummary:
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


def money_summary(plan: Plan, context) -> MoneySummary:
    calc, category = context.calculator, context.category
    eligible = sum(calc.eligible_by_year.values()) if calc.eligible_by_year else None
    limit = None
    if category is not None and calc.uncertain_years is not None and not calc.uncertain_years:
        per_year = sum(math.floor(Fraction(v).limit_denominator() * category.rate)
                       for v in calc.eligible_by_year.values())
        limit = min(per_year, category.cap)
    _, rows = _requested_rows(plan)
    amounts = [row.get("requested") for _, row in rows if isinstance(row.get("requested"), (int, float))]
    return MoneySummary(category.code if category else None, category.rate_text if category else None,
                        category.cap if category else None, eligible, limit, sum(amounts) if amounts else None)
