"""A revised template degrades gracefully: filled workbooks of templates derived from the official one
(labels and table headings reworded as ISICO rewords — 括弧書きの追加, 言い換え, 全角/半角 — rows
inserted, a new column, sheets renamed or added) read as r7 with one warning (PV013), never an error
against the applicant for the template's wording; defects planted in them are found at their moved
cells; a template too far from r7 is refused (exit 2) naming r7 and what differs.

Every workbook is the official template revised by tests/support/revisions.py and filled with the 記入例's
values at the cells the revision moved them to. The expected findings of a defect are those of
templates/r7/invalid/*.json (the unrevised example's exact findings) or written here, in the official
template's addresses, moved by the same revision.
"""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest
from click.testing import CliRunner

from support import revisions as R
from support.helpers import R7, TEMPLATE
from planvalidator.cli import main
from planvalidator.engine import check_file
from planvalidator.errors import CannotCheck
from planvalidator.normalize import label_canon

S1, S2, S3, S4, S5, S6, S7, S8, S9 = (f"計画様式{i}" for i in range(1, 10))
rw, ins, col, ren, front = R.reworded, R.rows_inserted, R.column_added, R.sheet_renamed, R.sheet_added_in_front


# --- defects: (values in the official template's cells, expected findings there) ----------------

def _invalid(name: str):
    data = json.loads((R7 / "invalid" / f"{name}.json").read_text(encoding="utf-8"))
    return data["edits"], {(e["rule"], e["severity"], e["sheet"], e["cell"]) for e in data["expected"]}


DEFECTS = {
    "form-errors": _invalid("form-errors"),
    "ineligible-applicant": _invalid("ineligible-applicant"),
    "ineligible-expenses": _invalid("ineligible-expenses"),
    "overwritten-totals": _invalid("overwritten-totals"),
    "wrong-amount": _invalid("wrong-amount"),
    "project-name-blank": ({S1: {"D19": None}}, {("PV001", "error", S1, "D19")}),
    "rep-title-blank": ({S1: {"D11": None}}, {("PV001", "error", S1, "D11")}),
    "phone": ({S1: {"D15": "076-267"}}, {("PV005", "error", S1, "D15")}),
    "contact": ({S1: {"D34": None, "D36": "info@"}}, {("PV001", "error", S1, "D34"), ("PV005", "error", S1, "D36")}),
    "period-end": ({S1: {"D22": dt.datetime(2031, 3, 31)}}, {("PV210", "error", S1, "D22")}),
    "industry": ({S2: {"D9": "金融業"}}, {("PV003", "error", S2, "D9")}),
    "officer": ({S2: {"E38": "有"}}, {("PV008", "error", S2, "G38")}),
    "narrative-blank": ({S3: {"B19": None}}, {("PV001", "error", S3, "B19")}),
    "activity-year": ({S4: {"H5": "令和9年度"}}, {("PV003", "error", S4, "H5")}),
    "team-share": ({S5: {"G5": 120}}, {("PV004", "error", S5, "G5")}),
    "schedule-mark": ({S6: {"D6": "x"}}, {("PV005", "error", S6, "D6")}),
    "year-total": ({S7: {"J47": 1000}}, {("PV202", "error", S7, "J47")}),
    "loan-source": ({S8: {"F6": 100000, "E6": 567000}}, {("PV008", "error", S8, "C15")}),
    "sales": ({S9: {"C6": -5, "D3": "来年の春ごろ"}}, {("PV004", "error", S9, "C6"), ("PV005", "error", S9, "D3")}),
}

# --- the revised templates: (edits, the defects planted together) ------------------------------

CASES = {
    "project-name-below-an-inserted-row": (
        [ins(S1, 17), rw(S1, "助成事業名", "助成事業の名称")], ["form-errors", "project-name-blank"]),
    "price-and-amount-headings": (
        [rw(S7, "単価（税抜・円）", "単価（税抜）"), rw(S7, "金額（税抜・円）", "金額（円）")],
        ["wrong-amount", "ineligible-expenses"]),
    "expense-headings-below-inserted-rows": (
        [ins(S7, 4, 2), rw(S7, "品名・内容", "品名・仕様"), rw(S7, "発注先（予定）", "発注予定先")],
        ["ineligible-expenses", "wrong-amount"]),
    "new-column-before-the-price": (
        [col(S7, 9, (5, "型番")), rw(S7, "単価（税抜・円）", "単価(税抜)")], ["wrong-amount", "ineligible-expenses"]),
    "new-column-after-the-amount": (
        [col(S7, 11, (5, "用途")), rw(S7, "見積書", "見積書の有無"), rw(S7, "経費内訳", "経費の内訳")],
        ["ineligible-expenses", "form-errors"]),
    "applicant-sheet-renamed": (
        [rw(S1, "代表者の役職", "代表者役職"), ren(S1, "様式1（申請者）")], ["overwritten-totals", "rep-title-blank"]),
    "funding-sheet-renamed": (
        [rw(S8, "助成金申請額", "助成金交付申請額"), ren(S8, "様式8")], ["overwritten-totals", "ineligible-applicant"]),
    "a-sheet-in-front": (
        [front("記入上の注意", {"A1": "記入上の注意", "A3": "黄色の欄に入力してください"}), rw(S2, "主たる業種", "主な業種")],
        ["ineligible-applicant", "industry"]),
    "company-sheet-with-an-inserted-row": (
        [ins(S2, 16), rw(S2, "主要取引先", "主な取引先"), rw(S2, "大企業の役員・職員の兼務", "大企業の役員又は職員との兼務")],
        ["officer", "ineligible-applicant"]),
    "narrative-headings": (
        [ins(S3, 11, 2), rw(S3, "３．新商品・新サービスの概要", "３．開発する新商品・新サービスの概要"),
         rw(S3, "６．販売戦略・販路開拓の方法", "６．販売戦略・販路開拓の進め方")], ["narrative-blank"]),
    "activity-headings": (
        [rw(S4, "対応策・実施内容", "解決策・実施内容"), rw(S4, "担当", "担当者")], ["activity-year"]),
    "team-headings-below-an-inserted-row": (
        [ins(S5, 3), rw(S5, "担当業務", "担当する業務"), rw(S5, "県内／県外", "県内・県外の別")], ["team-share"]),
    "schedule-first-heading": ([ins(S6, 3), rw(S6, "実施項目", "実施する項目")], ["schedule-mark"]),
    "funding-field-and-heading": (
        [rw(S8, "借入金の調達先", "借入金の借入先"), rw(S8, "自己資金", "自己資金（円）")], ["loan-source"]),
    "sales-plan-labels": (
        [rw(S9, "事業化（販売開始）予定時期", "販売開始の予定時期"), rw(S9, "売上原価（円）", "売上原価（円・税抜）")], ["sales"]),
    "several-sheets-rows-and-sheets": (
        [ins(S1, 5), ins(S7, 4), front("はじめに"), rw(S1, "助成事業名", "助成事業の名称"), rw(S2, "主要取引先", "主な取引先"),
         rw(S5, "担当業務", "担当する業務"), rw(S7, "発注予定日", "発注予定年月日"), rw(S9, "販売計画の根拠", "売上計画の根拠"),
         ren(S8, "資金計画")],
        ["ineligible-expenses", "overwritten-totals"]),
    "contact-section-heading": (
        [rw(S1, "４．連絡担当者", "４．連絡先（担当者）"), rw(S1, "所属・役職", "部署・役職")], ["contact"]),
    "applicant-phone-not-the-contacts": ([R.reworded_at(S1, "B15", "代表電話番号")], ["phone"]),
    "shareholder-headings": (
        [rw(S2, "出資比率（％）", "出資比率(%)"), rw(S2, "大企業該当", "大企業への該当")], ["ineligible-applicant"]),
    "expense-year-totals": (
        [rw(S7, "1年目\u3000計", "1年目\u3000小計"), rw(S7, "2年目\u3000計", "2年目\u3000小計"),
         rw(S7, "3年目\u3000計", "3年目\u3000小計")], ["year-total", "wrong-amount"]),
    "period-labels-below-an-inserted-row": (
        [ins(S1, 20), rw(S1, "事業実施期間（開始）", "事業実施期間（開始日）"),
         rw(S1, "事業実施期間（終了予定）", "事業実施期間（終了予定日）")], ["period-end"]),
    "funding-first-heading": (
        [rw(S8, "年度", "事業年度"), rw(S8, "借入金", "借入金（金融機関等）")], ["ineligible-applicant", "overwritten-totals"]),
    "brackets-added-and-reworded": (
        [rw(S1, "郵便番号", "郵便番号（半角）"), rw(S1, "他の補助制度の利用（予定を含む）", "他の補助金・助成制度の利用（予定を含む）")],
        ["form-errors"]),
    "consent-and-activity-headings": (
        [rw("別紙1", "中小企業者該当", "中小企業者への該当"), rw(S4, "課題", "現状の課題")], ["activity-year"]),
}


def _defects(names):
    values: dict[str, dict] = {}
    expected = set()
    for name in names:
        edits, found = DEFECTS[name]
        for sheet, cells in edits.items():
            values.setdefault(sheet, {}).update(cells)
        expected |= found
    return values, expected


def _moved(edits, expected):
    return {(rule, severity, *R.moved(edits, sheet, cell)) for rule, severity, sheet, cell in expected}


def _template_warning(report):
    (warning,) = [f for f in report.findings if f.rule == "PV013"]
    assert warning.severity.value == "warning"
    return warning


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_a_clean_workbook_of_a_revised_template_gets_one_warning_and_no_error(tmp_path, case):
    edits, _defects_of = CASES[case]
    report = check_file(R.filled_revision(tmp_path, edits))
    assert report.template == "r7"
    warning = _template_warning(report)
    assert [f.rule for f in report.findings] == ["PV013"], [(f.rule, f.sheet, f.cell, f.message) for f in report.findings]
    assert "r7" in warning.message and "申請者の誤りではありません" in warning.message
    assert "planvalidator の更新" in warning.message
    for edit in edits:
        if edit.wording is not None and label_canon(edit.wording) != label_canon(edit.was or ""):
            assert f"「{edit.wording}」" in warning.message, edit.name     # (a width change is no difference)


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_defects_in_a_revised_template_are_found_at_their_moved_cells(tmp_path, case):
    edits, names = CASES[case]
    values, expected = _defects(names)
    report = check_file(R.filled_revision(tmp_path, edits, values))
    _template_warning(report)
    got = {(f.rule, f.severity.value, f.sheet, f.cell) for f in report.findings if f.rule != "PV013"}
    assert got == _moved(edits, expected)


def test_the_project_name_reworded_is_read_at_its_moved_cell_and_named_there(tmp_path):
    from planvalidator.reader import read

    edits = [ins(S1, 17), rw(S1, "助成事業名", "助成事業の名称")]
    path = R.filled_revision(tmp_path, edits)
    plan = read(path)
    field = plan.field(S1, "project_name")
    assert (field.cell, field.value) == ("D20", R.example_inputs()[(S1, "D19")])
    warning = _template_warning(check_file(path))
    assert (warning.sheet, warning.cell) == (S1, "B20")
    assert "計画様式1!B20「助成事業の名称」（r7 では「助成事業名」）" in warning.message


def test_a_width_change_alone_is_no_difference(tmp_path):
    """全角/半角 (「出資比率（％）」 → 「出資比率(%)」) is the same wording: no warning, nothing."""
    report = check_file(R.filled_revision(tmp_path, [rw(S2, "出資比率（％）", "出資比率(%)"), ins(S7, 30)]))
    assert report.findings == []


@pytest.mark.parametrize("edits", [
    [col(S7, 9, (5, "型番"))], [ren(S8, "様式8")], [front("はじめに")], [ins(S1, 5), ins(S7, 4, 3)],
], ids=["new-column", "renamed-sheet", "sheet-in-front", "inserted-rows"])
def test_a_revision_that_rewords_nothing_reads_as_r7_with_no_finding(tmp_path, edits):
    assert check_file(R.filled_revision(tmp_path, edits)).findings == []


# --- never an error against the applicant for the template ---------------------------------------

def test_in_a_revised_template_a_missing_label_is_part_of_the_warning_not_an_error(tmp_path):
    edits = [rw(S1, "助成事業名", "助成事業の名称"), R.Edit("法人番号の見出しなし", lambda b: R.set_label(b, S1, "B13", None))]
    report = check_file(R.filled_revision(tmp_path, edits))
    assert not report.has_errors and [f.rule for f in report.findings] == ["PV013"]
    assert "法人番号" in report.findings[0].message and "見つからない" in report.findings[0].message


def test_in_the_version_itself_a_deleted_label_stays_an_error(tmp_path):
    edits = [R.Edit("法人番号の見出しなし", lambda b: R.set_label(b, S1, "B13", None))]
    report = check_file(R.filled_revision(tmp_path, edits))
    assert [(f.rule, f.severity.value) for f in report.findings] == [("PV007", "error")]
    assert "法人番号" in report.findings[0].message


@pytest.mark.parametrize("sheet, label_cell, far_wording, input_cell, typed", [
    (S1, "B19", "テーマ", "D19", "助成事業の名称：木製食器の開発"),                 # the input right of the label
    (S3, "B18", "３．開発するもの", "B19", "新商品・新サービスの概要：軽量木製食器"),   # the input below the heading
    (S7, "F5", "購入するもの", "F6", "品名・内容の例（木製食器の試作）"),             # a record under the heading
], ids=["right", "below", "table"])
def test_an_applicants_text_is_never_taken_for_a_reworded_label(tmp_path, sheet, label_cell, far_wording,
                                                                  input_cell, typed):
    """The label reworded beyond recognition; the applicant typed something like it in an input cell:
    the input is not read as the label (the field is not read; the warning says the label is missing)."""
    edits = [rw(S1, "郵便番号", "郵便番号（半角）"), R.reworded_at(sheet, label_cell, far_wording)]
    path = R.filled_revision(tmp_path, edits, {sheet: {input_cell: typed}})
    report = check_file(path)
    assert not report.has_errors, [(f.rule, f.sheet, f.cell, f.message) for f in report.findings]
    warning = _template_warning(report)
    assert "見つからない" in warning.message and f"{sheet}!{input_cell}" not in warning.message


def test_a_live_book_without_merged_cells_reads_a_reworded_label_at_its_cell(tmp_path):
    """A live book (xlwings) gives no merged ranges: the near label takes the template label's shape."""
    from planvalidator.reader import read_grid
    from planvalidator.workbook import load_grid

    grid = load_grid(R.filled_revision(tmp_path, [ins(S1, 17), rw(S1, "助成事業名", "助成事業の名称")]))
    for sheet in grid.sheets.values():
        sheet.clear_merges()
        sheet.merges_known = False
    plan = read_grid(grid)
    assert plan.field(S1, "project_name").cell == "D20"
    assert [f.rule for f in plan.problems] == ["PV013"]


# --- too far from r7: exit 2 ----------------------------------------------------------------------

SEVEN_REWORDED = [rw(S1, "助成事業名", "助成事業の名称"), rw(S1, "代表者の役職", "代表者役職"), rw(S2, "主要取引先", "主な取引先"),
                  rw(S5, "担当業務", "担当する業務"), rw(S7, "発注予定日", "発注予定年月日"),
                  rw(S8, "借入金の調達先", "借入金の借入先"), rw(S9, "販売計画の根拠", "売上計画の根拠")]


def test_six_reworded_labels_still_read(tmp_path):
    report = check_file(R.filled_revision(tmp_path, SEVEN_REWORDED[:6]))
    assert [f.rule for f in report.findings] == ["PV013"]


def test_seven_reworded_labels_are_too_many_exit_2_naming_the_nearest_version(tmp_path):
    path = R.filled_revision(tmp_path, SEVEN_REWORDED)
    with pytest.raises(CannotCheck) as refused:
        check_file(path)
    line = str(refused.value)
    assert "\n" not in line and "いちばん近い様式 r7" in line and "見出し 7 か所" in line
    assert "計画様式1!B19「助成事業の名称」（r7 では「助成事業名」）" in line
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 2 and "いちばん近い様式 r7" in result.output and "Traceback" not in result.output


def test_a_sheet_more_than_half_reworded_is_too_far(tmp_path):
    edits = [rw(S4, "区分", "種別"), rw(S4, "実施項目", "実施する項目"), rw(S4, "課題", "現状の課題"),
             rw(S4, "対応策・実施内容", "解決策・実施内容")]
    with pytest.raises(CannotCheck) as refused:
        check_file(R.filled_revision(tmp_path, edits))
    assert "いちばん近い様式 r7" in str(refused.value) and "計画様式4 の見出しの半分より多く" in str(refused.value)


def test_template_verify_names_the_near_label_the_check_reads(tmp_path):
    """verify and the check share one matcher: verify names the cell the check reads (rows moved)."""
    from planvalidator.template.verify import verify

    book = openpyxl.load_workbook(TEMPLATE)
    for edit in (ins(S1, 17), rw(S1, "助成事業名", "助成事業の名称")):
        edit.apply(book)
    book.save(tmp_path / "revised.xlsx")
    reworded = [i for i in verify(tmp_path / "revised.xlsx").items if i.kind == "reworded"]
    assert [(i.what, i.nearest, i.now) for i in reworded] == [("欄「助成事業名」", "助成事業の名称", "B20")]
