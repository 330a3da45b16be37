"""What it costs the applicant (issue 12): 助成対象経費 without the rows found ineligible, the most
that can then be requested and the 減額 to expect — on the Report, in the JSON, on the results
sheet and in the terminal. Expected amounts come from the workbooks' own 数量 × 単価 and 申請額."""

import json
import math
from fractions import Fraction

import openpyxl
from click.testing import CliRunner

from support.helpers import EXAMPLE, R7, edit
from planvalidator.accepted import ACCEPT_COLUMN, TABLE_HEADER
from planvalidator.annotate import annotate_file
from planvalidator.annotate.results import SEVERITY_RGB
from planvalidator.cli import main
from planvalidator.engine import Options, check_file

INELIGIBLE = R7 / "invalid" / "ineligible-expenses.xlsx"   # PV106 L6, PV102 F8, PV103 N16 (errors), PV110 M11 (warning)
EXPENSES, FUNDING = "計画様式7", "計画様式8"


def rows_of(path) -> dict[int, tuple[str, float]]:
    """Row → (年度, 数量 × 単価) of every filled row of 計画様式7 (C 年度, G 数量, I 単価)."""
    ws = openpyxl.load_workbook(path)[EXPENSES]
    out = {}
    for r in range(6, 46):
        year, quantity, price = ws[f"C{r}"].value, ws[f"G{r}"].value, ws[f"I{r}"].value
        if isinstance(quantity, (int, float)) and isinstance(price, (int, float)):
            out[r] = (year, quantity * price)
    return out


def requested_of(path) -> dict[str, float]:
    """年度 → 助成金申請額 of 計画様式8 (B 年度, D 申請額)."""
    ws = openpyxl.load_workbook(path)[FUNDING]
    return {ws[f"B{r}"].value: ws[f"D{r}"].value for r in range(6, 9) if isinstance(ws[f"D{r}"].value, (int, float))}


def expected(path, cut: set[int], rate: Fraction, cap: int) -> dict:
    """The cut computed here, independently: per 年度 経費 × 助成率（円未満切捨て）, the 減額 of a 年度 what
    its 申請額 exceeds that by; in all, the 申請額 less what can be granted (each 年度 up to its limit,
    their sum up to the 限度額)."""
    eligible: dict[str, float] = {}
    for r, (year, amount) in rows_of(path).items():
        eligible[year] = eligible.get(year, 0) + (0 if r in cut else amount)
    limits = {year: math.floor(Fraction(value).limit_denominator() * rate) for year, value in eligible.items()}
    requested = requested_of(path)
    reductions = {year: max(0, requested.get(year, 0) - limits.get(year, 0)) for year in {*eligible, *requested}}
    granted = min(sum(min(requested.get(y, 0), limits.get(y, 0)) for y in reductions), cap)
    return {"eligible": eligible, "limits": limits, "limit": min(sum(limits.values()), cap),
            "reductions": reductions, "reduction": sum(requested.values()) - granted,
            "excluded_amount": sum(a for r, (_, a) in rows_of(path).items() if r in cut)}


def assert_cut(report, path, cut_rows: set[int]):
    category = report.context.category
    want = expected(path, cut_rows, category.rate, category.cap)
    cut = report.cut
    assert {e.row for e in cut.excluded} == cut_rows
    assert cut.excluded_amount == want["excluded_amount"]
    assert cut.eligible_after_cut == sum(want["eligible"].values())
    assert cut.limit_after_cut == want["limit"]
    assert cut.reduction == want["reduction"]
    assert cut.requested == sum(requested_of(path).values())
    for y in cut.per_year:
        assert y.eligible_after_cut == want["eligible"][y.year]
        assert y.limit_after_cut == want["limits"][y.year]
        assert y.reduction == want["reductions"][y.year]
    return want


def run(*args):
    return CliRunner().invoke(main, list(map(str, args)))


# -- the numbers ------------------------------------------------------------------------------------

def test_ineligible_rows_are_taken_out_and_the_reduction_follows():
    report = check_file(INELIGIBLE)
    # the summary over every row still says 上限内: that is why the cut is shown beside it
    assert report.money.within is True
    assert report.money.eligible == sum(a for _, a in rows_of(INELIGIBLE).values())
    want = assert_cut(report, INELIGIBLE, {6, 8, 16})
    assert want["reduction"] > 0
    assert [(e.where, e.rule) for e in report.cut.excluded] == \
        [("計画様式7!L6", "PV106"), ("計画様式7!F8", "PV102"), ("計画様式7!N16", "PV103")]
    assert [y.year for y in report.cut.per_year] == ["1年目", "2年目"]
    assert all(y.reduction > 0 for y in report.cut.per_year)
    # the total is the per-年度 excesses (the cap of 区分7 is not reached here)
    assert report.cut.reduction == sum(y.reduction for y in report.cut.per_year)


def test_the_valid_example_expects_no_reduction():
    report = check_file(EXAMPLE)
    assert report.cut.excluded == []
    assert report.cut.reduction == 0 and all(y.reduction == 0 for y in report.cut.per_year)
    assert report.cut.eligible_after_cut == report.money.eligible
    assert report.cut.limit_after_cut == report.money.limit
    assert_cut(report, EXAMPLE, set())


def test_an_accepted_error_does_not_cut_its_row():
    report = check_file(INELIGIBLE, Options(accept=("PV102@計画様式7!F8",)))
    assert next(f for f in report.findings if f.rule == "PV102").accepted is not None
    assert_cut(report, INELIGIBLE, {6, 16})


def test_an_error_accepted_on_the_results_sheet_does_not_cut_its_row(tmp_path):
    annotated = tmp_path / "annotated.xlsx"
    annotate_file(INELIGIBLE, annotated)
    book = openpyxl.load_workbook(annotated)
    rows = list(book.worksheets[0].iter_rows())
    header = next(i for i, row in enumerate(rows) if tuple(c.value for c in row[:len(TABLE_HEADER)]) == TABLE_HEADER)
    row = next(r for r in rows[header + 1:] if r[1].value == "PV106" and r[3].value == "L6")
    row[ACCEPT_COLUMN].value = "確認済 山田（交付決定後に発注します）"
    book.save(annotated)
    assert_cut(check_file(annotated), INELIGIBLE, {8, 16})


def test_a_warning_does_not_cut(example_with):
    report = check_file(INELIGIBLE)
    assert ("PV110", "warning", "M11") in {(f.rule, f.severity.value, f.cell) for f in report.findings}
    assert 11 not in {e.row for e in report.cut.excluded}
    # 「タブレット」だけ: PV102 is a warning, the row stays and nothing is cut
    report = example_with({EXPENSES: {"F13": "タブレット"}})
    assert ("PV102", "warning", "F13") in {(f.rule, f.severity.value, f.cell) for f in report.findings}
    assert report.cut.excluded == [] and report.cut.reduction == 0


def test_an_error_of_another_family_does_not_cut(example_with):
    # a wrong 金額 (PV201) is an arithmetic error, not an ineligible expense: the row stays
    report = example_with({EXPENSES: {"J9": 250000}})
    assert ("PV201", "error", "J9") in {(f.rule, f.severity.value, f.cell) for f in report.findings}
    assert report.cut.excluded == [] and report.cut.reduction == 0


def test_two_errors_on_one_row_cut_it_once(tmp_path):
    path = edit(EXAMPLE, tmp_path / "two.xlsx", {EXPENSES: {"F8": "ノートPC（データ解析用）", "N8": "振込手数料を含む"}})
    report = check_file(path)
    (row,) = report.cut.excluded
    assert (row.row, row.rules, row.where) == (8, ("PV102", "PV103"), "計画様式7!F8")
    assert_cut(report, path, {8})


def test_an_excess_in_one_year_is_not_made_up_by_room_in_another(tmp_path):
    # ノートPC in 1年目 (cut), and 2年目's 申請額 lowered: the total 申請額 is under the total after the
    # cut, but 1年目 still asks more than its own 経費 × 助成率
    path = edit(EXAMPLE, tmp_path / "years.xlsx", {EXPENSES: {"F7": "ノートPC（データ解析用）"}, FUNDING: {"D7": 1000000}})
    report = check_file(path)
    want = assert_cut(report, path, {7})
    assert report.cut.requested < report.cut.limit_after_cut
    assert report.cut.reduction == want["reductions"]["1年目"] > 0
    assert [y.reduction for y in report.cut.per_year] == [want["reductions"]["1年目"], 0]


# -- where the applicant sees it --------------------------------------------------------------------

def results_rows(path):
    ws = openpyxl.load_workbook(path).worksheets[0]
    return {row[0].value: row for row in ws.iter_rows() if isinstance(row[0].value, str)}


def test_the_results_sheet_shows_the_cut(tmp_path):
    report, out = annotate_file(INELIGIBLE, tmp_path / "out.xlsx")
    rows = results_rows(out)
    cut = report.cut
    # the rows that were there stay
    assert rows["助成対象経費（計画様式7 から計算）"][4].value == report.money.eligible
    assert rows["申請できる上限（経費×助成率・限度額）"][4].value == report.money.limit
    eligible = rows["対象外と判断した経費を除いた助成対象経費"]
    assert eligible[4].value == cut.eligible_after_cut
    assert "3 件" in eligible[5].value and "6・8・16 行目" in eligible[5].value
    assert rows["その場合の申請できる上限"][4].value == cut.limit_after_cut
    reduction = rows["見込まれる減額"][4]
    assert reduction.value == cut.reduction > 0
    assert reduction.fill.fgColor.rgb.endswith(SEVERITY_RGB["error"]) and reduction.number_format == "#,##0"
    for y in cut.per_year:                                  # two 年度: each one's 減額
        assert rows[f"\u3000うち {y.year} の減額"][4].value == y.reduction
    # the header of the findings table is still found
    assert any(tuple(c.value for c in row[:len(TABLE_HEADER)]) == TABLE_HEADER
               for row in openpyxl.load_workbook(out).worksheets[0].iter_rows())


def test_the_results_sheet_of_the_valid_example_shows_no_reduction(tmp_path):
    _, out = annotate_file(EXAMPLE, tmp_path / "out.xlsx")
    rows = results_rows(out)
    assert rows["見込まれる減額"][4].value == 0
    assert rows["見込まれる減額"][4].fill.fgColor.rgb in ("00000000", None)
    assert rows["対象外と判断した経費を除いた助成対象経費"][5].value == "対象外と判断した経費はありません"
    assert not any(str(k).startswith("\u3000うち") for k in rows)


def test_json_has_the_money_and_the_cut():
    report = check_file(INELIGIBLE)
    data = json.loads(run("check", "--format", "json", INELIGIBLE).output)
    money = data["money"]
    assert set(money) == {"category", "rate", "cap", "eligible", "limit", "requested", "within",
                          "eligible_after_cut", "limit_after_cut", "reduction", "per_year", "excluded_rows", "verdict"}
    assert (money["eligible"], money["limit"], money["within"]) == (report.money.eligible, report.money.limit, True)
    assert (money["eligible_after_cut"], money["limit_after_cut"], money["reduction"]) == \
        (report.cut.eligible_after_cut, report.cut.limit_after_cut, report.cut.reduction)
    for item in money["per_year"]:
        assert set(item) == {"year", "eligible", "eligible_after_cut", "limit_after_cut", "requested", "reduction"}
    assert sum(item["reduction"] for item in money["per_year"]) == money["reduction"]
    amounts = rows_of(INELIGIBLE)
    assert [(e["cell"], e["rule"], e["amount"]) for e in money["excluded_rows"]] == \
        [("計画様式7!L6", "PV106", amounts[6][1]), ("計画様式7!F8", "PV102", amounts[8][1]),
         ("計画様式7!N16", "PV103", amounts[16][1])]
    assert all(isinstance(e["amount"], int) for e in money["excluded_rows"])     # whole yen, not 240000.0


def test_json_of_a_file_that_could_not_be_checked_has_money_null(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04broken")
    output = run("check", "--format", "json", EXAMPLE, bad).output
    files = json.loads(output[output.index("{"):])["files"]          # (the unreadable file is named first)
    assert files[0]["money"]["reduction"] == 0 and files[0]["money"]["excluded_rows"] == []
    assert files[1]["money"] is None


def test_the_terminal_names_the_cut():
    report = check_file(INELIGIBLE)
    out = run("check", "--no-color", INELIGIBLE).output
    cut = report.cut
    said = (f"対象外と判断した経費 3 件（{cut.excluded_amount:,.0f} 円）を除くと、申請できる上限は "
            f"{cut.limit_after_cut:,} 円で、助成金申請額 {cut.requested:,.0f} 円から {cut.reduction:,.0f} 円の減額が見込まれます")
    assert said in out
    # one sentence for the terminal, the JSON (the page shows it) and the results sheet
    assert json.loads(run("check", "--format", "json", INELIGIBLE).output)["money"]["verdict"] == said
    assert "対象外と判断した経費" not in run("check", "--no-color", EXAMPLE).output
