"""PV009–PV012 and PV900: what the spreadsheet itself would get wrong, and a rule that fails.

Every input is the official 記入例 with one change, written by openpyxl or, where a spreadsheet
program's output is needed (a cached error, a value at XFD1048576), by editing the sheet's XML.
"""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from support.case_builders import cached_error, cell_xml, with_sheet7
from support.helpers import EXAMPLE, errors, hits, insert_rows_like_excel, keys, parts, write_parts
from planvalidator.engine import check_file


def _with_sheet7(tmp_path, name, change):
    return with_sheet7(EXAMPLE, tmp_path / name, change)


# --- PV009 ---------------------------------------------------------------------------------------

def test_a_stray_value_at_the_last_cell_is_one_warning_and_the_application_is_checked(tmp_path):
    path = _with_sheet7(tmp_path, "stray.xlsx", lambda x: x.replace(
        "</sheetData>", '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'))
    report = check_file(path)
    assert [(f.rule, f.severity.value, f.sheet, f.cell) for f in report.findings] == [
        ("PV009", "warning", "計画様式7", "XFD1048576")]
    assert "「x」" in report.findings[0].message


def test_the_application_beside_a_stray_value_is_still_checked(tmp_path):
    """The stray cell is left out, not the sheet: a wrong amount on the same sheet is still found."""
    def change(xml):
        xml = xml.replace(cell_xml(xml, "G9"), '<c r="G9" t="n"><v>4</v></c>')
        return xml.replace("</sheetData>", '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')
    report = check_file(_with_sheet7(tmp_path, "stray-and-wrong.xlsx", change))
    assert ("PV009", "計画様式7", "XFD1048576") in keys(report)
    assert ("PV201", "計画様式7", "J9") in errors(report)


def test_a_text_longer_than_a_cell_holds_is_read_up_to_the_limit(tmp_path):
    """Excel and openpyxl stop at 32,767 characters; another program may write more."""
    from planvalidator.package import Package

    part = Package(EXAMPLE, editable=False).sheet_part("計画様式3")
    contents = parts(EXAMPLE)
    xml = contents[part].decode()
    contents[part] = xml.replace(cell_xml(xml, "B5"), f'<c r="B5" t="inlineStr"><is><t>{"あ" * 40_000}</t></is></c>').encode()
    report = check_file(write_parts(tmp_path / "long.xlsx", contents))
    assert hits(report, "PV009") == {("計画様式3", "B5", "warning")}
    assert len(report.plan.grid.sheets["計画様式3"].value(5, 2)) == 32_767


# --- PV010 ---------------------------------------------------------------------------------------

def test_full_width_digits_typed_as_text_are_named_once_at_their_cell(example_with):
    report = example_with({"計画様式7": {"I6": "６，０００"}})
    assert [(f.rule, f.severity.value, f.sheet, f.cell) for f in report.findings] == [
        ("PV010", "error", "計画様式7", "I6")]
    assert "J6" in report.findings[0].message and "#VALUE!" in report.findings[0].message


def test_a_plain_number_typed_as_text_is_a_warning_where_the_spreadsheet_converts_it(example_with):
    report = example_with({"計画様式7": {"I6": "6000"}})
    assert hits(report, "PV010") == {("計画様式7", "I6", "warning")}
    assert errors(report) == set()


def test_text_in_a_summed_cell_is_an_error_even_when_it_looks_like_a_number(example_with):
    report = example_with({"計画様式8": {"E6": "667,000"}})       # 自己資金, summed by H6 = SUM(D6:G6)
    assert hits(report, "PV010") == {("計画様式8", "E6", "error")}
    finding = next(f for f in report.findings if f.rule == "PV010")
    assert "H6" in finding.message and "合計に入りません" in finding.message


def test_a_cached_value_error_caused_by_text_is_not_named_again(tmp_path):
    """What LibreOffice saves for 「６，０００」 in I6: #VALUE! in J6 and in every total built on it."""
    def change(xml):
        xml = xml.replace(cell_xml(xml, "I6"), '<c r="I6" t="inlineStr"><is><t>６，０００</t></is></c>')
        for ref in ("J6", "J47", "J50", "J52"):
            xml = cached_error(xml, ref, "#VALUE!")
        return xml
    report = check_file(_with_sheet7(tmp_path, "cascade.xlsx", change))
    assert {(f.rule, f.cell) for f in report.findings if f.sheet == "計画様式7"} == {("PV010", "I6")}


# --- PV011 ---------------------------------------------------------------------------------------

def test_an_error_result_is_named_at_its_formula(tmp_path):
    report = check_file(_with_sheet7(tmp_path, "ref.xlsx", lambda x: cached_error(x, "J8", "#REF!")))
    assert [(f.rule, f.severity.value, f.sheet, f.cell) for f in report.findings] == [
        ("PV011", "error", "計画様式7", "J8")]
    assert "#REF!" in report.findings[0].message


def test_only_the_first_error_of_a_chain_is_named(tmp_path):
    def change(xml):
        for ref in ("J8", "J47", "J51", "J52"):
            xml = cached_error(xml, ref, "#DIV/0!")
        return xml
    report = check_file(_with_sheet7(tmp_path, "chain.xlsx", change))
    assert hits(report, "PV011") == {("計画様式7", "J8", "error")}


# --- PV012 ---------------------------------------------------------------------------------------

def test_an_external_link_in_a_template_formula_is_an_error(example_with):
    report = example_with({"計画様式7": {"J6": "='[予算.xlsx]Sheet1'!A1"}})
    assert hits(report, "PV012") == {("計画様式7", "J6", "error")}
    assert "予算.xlsx" in next(f.message for f in report.findings if f.rule == "PV012")


def test_a_formula_pointing_at_another_row_is_an_error(example_with):
    report = example_with({"計画様式7": {"J9": "=G10*I10"}})
    assert hits(report, "PV012") == {("計画様式7", "J9", "error")}


def test_a_replaced_total_formula_is_an_error(example_with):
    report = example_with({"計画様式8": {"C9": "=SUM(C6:C7)"}})
    assert ("PV012", "計画様式8", "C9") in errors(report)


def test_an_external_link_in_an_input_cell_is_a_warning(example_with):
    report = example_with({"計画様式7": {"I6": "='[見積.xlsx]Sheet1'!B2"}})
    assert ("計画様式7", "I6", "warning") in hits(report, "PV012")


def test_rows_inserted_as_excel_inserts_them_keep_the_template_formulas(tmp_path):
    """Excel moves every reference when rows are inserted; the template's formulas, moved the same
    way, are what the application must have — so a valid application with inserted rows is clean."""
    from support.helpers import edit

    def prepare(book):
        insert_rows_like_excel(book, "計画様式7", 8)          # inside the expense rows
        insert_rows_like_excel(book, "計画様式7", 47, 2)      # just below them, above the totals
        insert_rows_like_excel(book, "計画様式8", 3)          # above the whole funding table
    report = check_file(edit(EXAMPLE, tmp_path / "inserted.xlsx", {}, prepare=prepare))
    assert hits(report, "PV012") == set()
    assert errors(report) == set()


@pytest.mark.parametrize("at", [6, 10, 30, 45])         # the first expense row … the last
def test_rows_inserted_and_the_no_column_renumbered_keep_the_template_formulas(tmp_path, at):
    """Applicants renumber No (1, 2, 3 …) after inserting a row: the template's numbers then no
    longer mark its rows, and the totals' SUMIF ranges must still read as the template's, moved."""
    from support.helpers import edit

    def prepare(book):
        insert_rows_like_excel(book, "計画様式7", at, 3)
        sheet = book["計画様式7"]
        for i, row in enumerate(range(6, 49), start=1):
            sheet.cell(row, 2).value = i
    report = check_file(edit(EXAMPLE, tmp_path / "renumbered.xlsx", {}, prepare=prepare))
    assert hits(report, "PV012") == set()
    assert errors(report) == set()


def test_a_formula_not_moved_with_its_rows_is_found(tmp_path):
    """openpyxl's insert_rows moves cells but not formulas: the total below then misses a row."""
    from support.helpers import edit

    def prepare(book):
        book["計画様式7"].insert_rows(8)
    report = check_file(edit(EXAMPLE, tmp_path / "unmoved.xlsx", {}, prepare=prepare))
    assert ("PV012", "計画様式7", "J53") in errors(report)      # =SUM($J$6:$J$45) should now end at 46


# --- PV900 ---------------------------------------------------------------------------------------

def test_a_rule_that_raises_is_reported_and_the_other_findings_stay(monkeypatch, tmp_path):
    from planvalidator import cli, rules

    rules.load_all()
    broken = next(rule for rule, _fn in rules.IMPLEMENTATIONS if rule.code == "PV102")

    def explode(plan, context):
        raise KeyError("品名")
    monkeypatch.setattr(rules, "IMPLEMENTATIONS", [(r, explode if r is broken else fn) for r, fn in rules.IMPLEMENTATIONS])
    wrong = EXAMPLE.parent / "invalid" / "wrong-amount.xlsx"
    report = check_file(wrong)
    failed = [f for f in report.findings if f.rule == "PV900"]
    assert len(failed) == 1 and "PV102" in failed[0].message and "KeyError" in failed[0].message
    assert ("PV201", "計画様式7", "J9") in errors(report)        # the other rules still ran
    assert report.incomplete and report.verdict == "チェック未完了"
    result = CliRunner().invoke(cli.main, ["check", "--format", "json", str(wrong)])
    assert result.exit_code == 2
    assert '"incomplete": true' in result.output and '"PV900"' in result.output


def test_a_lone_value_at_the_last_cell_of_an_otherwise_empty_sheet_is_left_out(tmp_path):
    """Values are read padded from A1, so the rectangle counts from A1, not from the first value."""
    from planvalidator.package import Package
    from planvalidator.workbook import load_grid

    part = Package(EXAMPLE, editable=False).sheet_part("別紙1")
    contents = parts(EXAMPLE)
    contents[part] = re.sub(rb"<sheetData>.*</sheetData>",
                            b'<sheetData><row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>',
                            contents[part], flags=re.S)
    sheet = load_grid(write_parts(tmp_path / "alone.xlsx", contents)).sheets["別紙1"]
    assert sheet.values == {} and [(pos, text) for pos, text, _why in sheet.unread] == [((1048576, 16384), "1")]


# --- what fuzzing found (tests/test_fuzz.py) ------------------------------------------------------

def test_a_deleted_documents_heading_is_a_layout_finding_not_a_failed_rule(example_with):
    report = example_with({"計画様式1": {"G39": None}})            # the 「添付」 heading
    assert "PV007" in {f.rule for f in report.findings}
    assert not report.incomplete


def test_a_date_far_out_of_range_is_left_out_and_named(example_with):
    """python-calamine panics on a date-formatted -106751991169 (a Rust panic, printed to stderr
    and raised as a BaseException): the cell is left out of what it reads and named instead."""
    report = example_with({"計画様式7": {"L10": -106751991169.0}})
    assert hits(report, "PV009") == {("計画様式7", "L10", "warning")}
    assert not report.incomplete


def test_a_huge_amount_that_is_not_a_date_is_still_read(example_with):
    report = example_with({"計画様式7": {"I10": 10**20}})
    assert hits(report, "PV009") == set()
    assert report.plan.table("計画様式7", "expenses").value(10, "unit_price") == 1e20
    assert ("PV209", "計画様式8", "E6") in errors(report)       # the 資金計画 no longer balances


def test_a_left_out_cell_is_shown_as_xml_means_it():
    from planvalidator.sheetxml import cell_text
    assert cell_text(b'<c r="XFD1" t="inlineStr"><is><t>a&#133;&amp;b</t></is></c>', None) == "a\x85&b"


def test_a_message_quoting_a_huge_value_fits_a_cell_and_annotating_keeps_the_findings(tmp_path):
    from support.helpers import edit, finding_keys
    from planvalidator.annotate import annotate_file

    source = edit(EXAMPLE, tmp_path / "huge.xlsx", {"計画様式1": {"D13": "x" * 32_740}})
    report = check_file(source)
    assert "PV006" in {f.rule for f in report.findings}
    assert max(len(f.message) for f in report.findings) <= 1_000
    _, out = annotate_file(source, tmp_path / "annotated.xlsx")
    assert finding_keys(check_file(out)) == finding_keys(report)
