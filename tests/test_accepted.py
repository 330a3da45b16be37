"""Accepted findings (確認済み) are kept in the workbook: across annotate, a LibreOffice re-save and the
Excel button, until the cell's value changes."""

from __future__ import annotations

import json
import shutil

import openpyxl
import pytest
import xlwings
from click.testing import CliRunner

from support.helpers import EXAMPLE, R7, edit
from planvalidator.accepted import ACCEPT_COLUMN, TABLE_HEADER
from planvalidator.annotate import annotate_file
from planvalidator.cli import main
from planvalidator.engine import check_file
from planvalidator.xl import check_book
from test_annotate_libreoffice import SOFFICE, convert
from support.xl_payload import actions, payload, sheet_payload

SOURCE = R7 / "invalid" / "ineligible-expenses.xlsx"   # PV106 at 計画様式7!L6 (2025-07-01), PV110 warning at M11 …


def mark(path, target, rule: str, cell: str, note: str = "確認済 山田") -> None:
    """What a reviewer does in Excel: type a note in the 確認済み column of a finding's row."""
    book = openpyxl.load_workbook(path)
    results = book.worksheets[0]
    rows = list(results.iter_rows())
    header = next(i for i, row in enumerate(rows) if tuple(c.value for c in row[:len(TABLE_HEADER)]) == TABLE_HEADER)
    row = next(r for r in rows[header + 1:] if r[1].value == rule and r[3].value == cell)
    row[ACCEPT_COLUMN].value = note
    book.save(target)


def table(path) -> list[tuple]:
    """(コード, セル, 確認済み) of the results sheet's findings table, in order."""
    results = openpyxl.load_workbook(path).worksheets[0]
    rows = [tuple(c.value for c in row) for row in results.iter_rows()]
    header = next(i for i, row in enumerate(rows) if row[:len(TABLE_HEADER)] == TABLE_HEADER)
    return [(r[1], r[3], r[ACCEPT_COLUMN]) for r in rows[header + 1:] if r[1]]


def by_rule(report, rule):
    return next(f for f in report.findings if f.rule == rule)


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed (.ci/run installs it)")
def test_an_accepted_warning_stays_accepted_across_resave_and_annotate_until_its_cell_changes(tmp_path):
    # the 記入例 with one PV105 warning (飲食・接待) at 計画様式7!F8 and nothing else
    source = edit(EXAMPLE, tmp_path / "申請.xlsx", {"計画様式7": {"F8": "展示会後の懇親会費"}})
    _, first = annotate_file(source)
    marked = tmp_path / "marked.xlsx"
    mark(first, marked, "PV105", "F8")
    resaved = convert(marked, tmp_path / "lo", "xlsx", tmp_path)          # a reviewer's LibreOffice save

    report, second = annotate_file(resaved, tmp_path / "second.xlsx")
    assert by_rule(report, "PV105").accepted == "確認済 山田"
    assert report.counts == {"error": 0, "warning": 0, "info": 0} and report.verdict == "問題は見つかりませんでした"
    assert table(second) == [("PV105", "F8", "確認済 山田")]             # still listed, under 確認済み
    sheet = openpyxl.load_workbook(second)["計画様式7"]
    assert sheet["F8"].comment is None                                   # no note, no highlight for it
    assert not any("F8" in str(r.sqref) for r in sheet.conditional_formatting)

    report, third = annotate_file(second, tmp_path / "third.xlsx")       # re-annotation keeps it
    assert by_rule(report, "PV105").accepted == "確認済 山田"
    assert table(third) == table(second)

    changed = tmp_path / "changed.xlsx"                                  # the applicant edits the cell
    book = openpyxl.load_workbook(third)
    book["計画様式7"]["F8"].value = "展示会後の懇親会費（会場費）"
    book.save(changed)
    report, fourth = annotate_file(changed, tmp_path / "fourth.xlsx")
    assert by_rule(report, "PV105").accepted is None and report.counts["warning"] == 1
    assert table(fourth) == [("PV105", "F8", None)]
    assert "PV105" in openpyxl.load_workbook(fourth)["計画様式7"]["F8"].comment.text


def test_an_accepted_error_returns_when_its_value_changes_and_the_exit_code_follows(tmp_path):
    wrong = R7 / "invalid" / "wrong-amount.xlsx"                         # one PV201 error at 計画様式7!J9
    _, first = annotate_file(shutil.copy(wrong, tmp_path / "w.xlsx"))
    marked = tmp_path / "marked.xlsx"
    mark(first, marked, "PV201", "J9", "単価改定のため了承")
    result = CliRunner().invoke(main, ["check", "--format", "json", str(marked)])
    data = json.loads(result.output)
    assert result.exit_code == 0 and data["summary"]["error"] == 0 and data["accepted"] == 1
    assert data["findings"][0]["accepted"] is True and data["findings"][0]["accepted_note"] == "単価改定のため了承"

    book = openpyxl.load_workbook(marked)
    book["計画様式7"]["J9"].value = 260000
    book.save(marked)
    result = CliRunner().invoke(main, ["check", "--format", "json", str(marked)])
    assert result.exit_code == 1 and json.loads(result.output)["findings"][0]["accepted"] is False


def test_accept_from_the_command_line_marks_the_output(tmp_path):
    source = shutil.copy(SOURCE, tmp_path / "s.xlsx")
    out = tmp_path / "out.xlsx"
    result = CliRunner().invoke(main, ["annotate", "--format", "json", "--accept", "PV110@計画様式7!M11",
                                       "--accept", "PV106", "-o", str(out), str(source)])
    data = json.loads(result.output)
    accepted = {f["rule"] for f in data["findings"] if f["accepted"]}
    assert accepted == {"PV110", "PV106"}
    assert check_file(out).counts == {"error": 2, "warning": 0, "info": 1}   # kept in the workbook (PV014 at L6 not accepted)


def test_the_excel_button_reads_and_keeps_the_marks():
    typed = {"計画様式7": {"M11": "無"}}                                     # PV110 on the 記入例, typed in Excel
    first = xlwings.Book(json=payload(EXAMPLE, edits=typed))
    check_book(first)
    values = next(a["values"] for a in actions(first) if a["func"] == "setValues")
    header = values.index(list(TABLE_HEADER))
    row = next(r for r in values[header + 1:] if r[1] == "PV110")
    row[ACCEPT_COLUMN] = "OK"
    book = xlwings.Book(json=payload(EXAMPLE, edits=typed, first_sheets=[sheet_payload("チェック結果", values)]))
    report = check_book(book)
    assert by_rule(report, "PV110").accepted == "OK" and report.counts["warning"] == 0
    assert not any(a["func"] == "addNote" for a in actions(book))
    rewritten = next(a["values"] for a in actions(book) if a["func"] == "setValues")
    assert any(r[1] == "PV110" and r[ACCEPT_COLUMN] == "OK" for r in rewritten)


@pytest.mark.parametrize("spec", ["PV1O2", "PV110@計画様式7!ZZZZ99", "no-such-rule"])
def test_accepting_a_rule_that_does_not_exist_exits_2(tmp_path, spec):
    result = CliRunner().invoke(main, ["annotate", "--accept", spec, "-o", str(tmp_path / "o.xlsx"), str(SOURCE)])
    assert result.exit_code == 2 and spec in result.output and not (tmp_path / "o.xlsx").exists()


def test_a_narrower_selection_keeps_the_marks_of_rules_that_did_not_run(tmp_path):
    _, first = annotate_file(shutil.copy(SOURCE, tmp_path / "s.xlsx"))
    marked = tmp_path / "marked.xlsx"
    mark(first, marked, "PV110", "M11", "見積依頼中")
    narrow = tmp_path / "narrow.xlsx"
    CliRunner().invoke(main, ["annotate", "--select", "PV106", "-o", str(narrow), str(marked)])
    assert ("PV110", "M11", "見積依頼中") in table(narrow)          # written back as it was
    report = check_file(narrow)                                      # every rule again: still accepted
    assert by_rule(report, "PV110").accepted == "見積依頼中"


def test_a_cleared_check_box_is_not_a_mark(tmp_path):
    _, first = annotate_file(shutil.copy(SOURCE, tmp_path / "s.xlsx"))
    for note in (False, "FALSE", 0):
        marked = tmp_path / "m.xlsx"
        mark(first, marked, "PV110", "M11", note)
        assert by_rule(check_file(marked), "PV110").accepted is None, note


def test_a_fraction_accepted_stays_accepted_through_fifteen_digits():
    from planvalidator.accepted import value_text
    from planvalidator.grid import Grid, SheetGrid

    sheet = SheetGrid("計画様式7", {(9, 10): 250000.1 / 3})
    shown = value_text(Grid("x", {"計画様式7": sheet}), "計画様式7", "J9")
    assert shown == "83333.3666666667"                               # what Excel and LibreOffice keep


@pytest.mark.parametrize("spec", ["quote-missing", "PV110@計画様式7!$M$11", "pv110@'計画様式7'!m11"])
def test_accept_by_name_or_absolute_address(tmp_path, spec):
    out = tmp_path / "o.xlsx"
    result = CliRunner().invoke(main, ["annotate", "--format", "json", "--accept", spec, "-o", str(out), str(SOURCE)])
    assert {f["rule"] for f in json.loads(result.output)["findings"] if f["accepted"]} == {"PV110"}


def test_accept_without_a_sheet_or_matching_nothing_says_so(tmp_path):
    out = tmp_path / "o.xlsx"
    result = CliRunner().invoke(main, ["annotate", "--accept", "PV110@M11", "-o", str(out), str(SOURCE)])
    assert result.exit_code == 2 and "シート名" in result.output
    result = CliRunner().invoke(main, ["annotate", "--accept", "PV110@計画様式7!M12", "-o", str(out), str(SOURCE)])
    assert "PV110@計画様式7!M12 に当てはまる指摘はありません" in result.output


def test_a_note_that_looks_like_markup_prints_as_written(tmp_path):
    _, first = annotate_file(shutil.copy(SOURCE, tmp_path / "s.xlsx"))
    marked = tmp_path / "m.xlsx"
    mark(first, marked, "PV110", "M11", "[/] [bold]済")
    result = CliRunner().invoke(main, ["check", "--no-color", str(marked)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "[/] [bold]済" in result.output
