"""planvalidator.template: snapshots of the official template and the diff between two versions.

Each revision (tests/support/revisions.py) is made with openpyxl on the official template saved once by
openpyxl, so OLD and NEW differ only by the intended edit; the diff must report exactly that.
"""

from __future__ import annotations

import json

import pytest

from support import revisions as R
from support.helpers import EXAMPLE, TEMPLATE
from planvalidator.template.diff import TemplateDiff, diff
from planvalidator.template.snapshot import MAX_BYTES, TemplateTooLarge, snapshot


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    directory = tmp_path_factory.mktemp("base")
    return directory, snapshot(R.base_copy(directory))


def changed(base, tmp_path, *edits) -> TemplateDiff:
    _directory, old = base
    _old_path, new_path = R.revise(tmp_path, *edits)
    result = diff(old, snapshot(new_path))
    json.dumps(result.to_dict(), ensure_ascii=False)       # always serialisable
    assert result.text()
    return result


def only(result: TemplateDiff, kind: str, sheet: str | None):
    assert [(c.kind, c.sheet) for c in result.changes] == [(kind, sheet)], result.text()
    return result.changes[0]


# --- snapshots ------------------------------------------------------------------------------

def test_snapshot_of_the_official_template():
    snap = snapshot(TEMPLATE)
    assert snap.sheet_names[:2] == ["計画様式1", "計画様式2"] and snap.sheet_names[-1] == "別紙1"
    s1 = snap.sheet("計画様式1")
    assert s1.labels["B19"] == "助成事業名"
    assert s1.formulas["D23"] == "=計画様式8!C9"
    assert "D19" in s1.inputs and "B19" not in s1.inputs
    s7 = snap.sheet("計画様式7")
    assert s7.formulas["J52"] == "=SUM($J$6:$J$45)"
    assert len([a for a in s7.inputs if a.startswith("E")]) == 40
    expenses = next(v for v in s7.validations if v.sqref == "E6:E45")
    assert expenses.type == "list" and expenses.items[:2] == ["専門家等謝金", "従事者旅費"]
    assert "B2:N2" in s7.merged
    assert next(v for v in s1.validations if v.sqref == "D25 D29:D30 G40:G44").items == ["有", "無"]
    assert not s7.protected and s7.state == "visible"
    data = json.loads(json.dumps(snap.to_dict(), ensure_ascii=False))
    assert data["sheets"][6]["name"] == "計画様式7"


def test_snapshot_refuses_large_files(tmp_path):
    big = tmp_path / "big.xlsx"
    with open(big, "wb") as fh:
        fh.truncate(MAX_BYTES + 1)
    with pytest.raises(TemplateTooLarge):
        snapshot(big)


# --- no change ------------------------------------------------------------------------------

def test_template_against_itself_is_empty(base):
    _directory, old = base
    result = diff(old, old)
    assert not result and result.changes == []
    assert result.text() == "変更はありません"
    data = json.loads(json.dumps(result.to_dict()))
    assert data["changes"] == [] and data["count"] == 0


def test_official_file_and_openpyxl_copy_do_not_differ(base):
    _directory, old = base
    assert diff(snapshot(TEMPLATE), old).changes == []


# --- one revision each ----------------------------------------------------------------------

def test_rows_inserted_above_the_expenses_table(base, tmp_path):
    result = changed(base, tmp_path, lambda b: R.insert_rows(b, "計画様式7", 5, 2))
    change = only(result, "rows_inserted", "計画様式7")
    assert change.detail == {"before": 5, "at": 5, "count": 2}
    assert change.text() == "行の挿入 5 行目の上に 2 行（以降のセルは 2 行下へ）"
    assert result.text() == "計画様式7: 行の挿入 5 行目の上に 2 行（以降のセルは 2 行下へ）"


def test_rows_inserted_inside_the_expenses_table(base, tmp_path):
    # SUMIF($C$6:$C$45…) grows to $C$6:$C$48, 計画様式8's =計画様式7!J47 follows to J50,
    # the validations C6:C45… grow: none of it is a change of its own
    result = changed(base, tmp_path, lambda b: R.insert_rows(b, "計画様式7", 20, 3))
    change = only(result, "rows_inserted", "計画様式7")
    assert change.detail == {"before": 20, "at": 20, "count": 3}


def test_row_inserted_between_sections(base, tmp_path):
    result = changed(base, tmp_path, lambda b: R.insert_rows(b, "計画様式1", 17, 1))
    change = only(result, "rows_inserted", "計画様式1")
    assert change.detail["before"] == 17 and change.detail["count"] == 1


def test_rows_deleted(base, tmp_path):
    # the field in the deleted row is gone (its label is listed); its input cells and merges
    # belong to the deletion
    result = changed(base, tmp_path, lambda b: R.delete_rows(b, "計画様式1", 36, 1))
    assert [c.kind for c in result.changes] == ["rows_deleted", "label_removed"]
    deleted, label = result.changes
    assert deleted.detail == {"start": 36, "count": 1, "at": 36, "input_cells": ["D36"],
                              "merges": ["B36:C36", "D36:I36"]}
    assert (label.old, label.cell) == ("メールアドレス", "B36")
    assert deleted.text().startswith("行の削除 36 行目の 1 行（以降のセルは 1 行上へ）")


def test_reworded_label(base, tmp_path):
    result = changed(base, tmp_path, lambda b: R.reword(b, "計画様式1", "助成事業名", "助成事業の名称"))
    change = only(result, "label_reworded", "計画様式1")
    assert (change.old, change.new, change.cell) == ("助成事業名", "助成事業の名称", "B19")
    assert result.text() == "計画様式1: 見出し「助成事業名」→「助成事業の名称」(B19)"


def test_moved_label(base, tmp_path):
    result = changed(base, tmp_path, lambda b: R.move_label(b, "計画様式7", "B3", "B4"))
    change = only(result, "label_moved", "計画様式7")
    assert change.detail["old_cell"] == "B3" and change.cell == "B4"


def test_renamed_sheet(base, tmp_path):
    # the formulas of 計画様式1 (=計画様式8!C9) follow the new name: not a formula change
    result = changed(base, tmp_path, lambda b: R.rename_sheet(b, "計画様式8", "資金計画"))
    change = only(result, "sheet_renamed", "資金計画")
    assert (change.old, change.new) == ("計画様式8", "資金計画")


def test_changed_list(base, tmp_path):
    old_items = ["事業費", "試作・開発費"]
    new_items = ["事業費", "試作開発費", "その他"]
    result = changed(base, tmp_path, lambda b: R.change_list(b, "計画様式7", "D10", new_items))
    change = only(result, "validation_changed", "計画様式7")
    assert change.cell == "D6:D45"
    assert change.detail["items_added"] == ["試作開発費", "その他"]
    assert change.detail["items_removed"] == ["試作・開発費"]
    assert change.old["items"] == old_items and change.new["items"] == new_items
    assert change.text() == "入力規則の変更 (D6:D45): 選択肢の追加 「試作開発費」、「その他」、選択肢の削除 「試作・開発費」"


def test_column_added_to_the_expenses_table(base, tmp_path):
    # inserted between 数量 (G) and 単位 (H): J's =G6*I6 becomes K's =G6*J6, F47:I47 grows to F47:J47,
    # 計画様式8's =計画様式7!J47 becomes K47 — all follow the insertion
    result = changed(base, tmp_path, lambda b: R.add_column(b, "計画様式7", 8))
    change = only(result, "columns_inserted", "計画様式7")
    assert change.detail == {"before": "H", "at": "H", "count": 1}
    assert change.text() == "列の挿入 H 列の左に 1 列（以降のセルは 1 列右へ）"


def test_column_added_with_a_header(base, tmp_path):
    result = changed(base, tmp_path, lambda b: R.add_column(b, "計画様式7", 11, header=(5, "納期")))
    assert [(c.kind, c.cell) for c in result.changes] == [("columns_inserted", "K:K"), ("label_added", "K5")]
    assert result.changes[1].new == "納期"


def test_changed_formula(base, tmp_path):
    result = changed(base, tmp_path, lambda b: R.change_formula(b, "計画様式8", "H9", "=SUM(H6:H7)"))
    change = only(result, "formula_changed", "計画様式8")
    assert (change.cell, change.old, change.new) == ("H9", "=SUM(H6:H8)", "=SUM(H6:H7)")


def test_formula_change_found_through_an_insertion(base, tmp_path):
    result = changed(base, tmp_path, lambda b: R.insert_rows(b, "計画様式7", 5, 2),
                     lambda b: R.change_formula(b, "計画様式7", "J54", "=SUM($J$8:$J$46)"))
    assert [c.kind for c in result.changes] == ["rows_inserted", "formula_changed"]
    change = result.changes[1]
    assert change.cell == "J54" and change.detail["old_cell"] == "J52"
    assert change.detail["expected"] == "=SUM($J$8:$J$47)"


def test_protection_and_names(base, tmp_path):
    result = changed(base, tmp_path, lambda b: R.protect(b, "計画様式3"),
                     lambda b: R.add_name(b, "合計", "計画様式7!$J$52"))
    kinds = sorted((c.kind, c.sheet) for c in result.changes)
    assert kinds == [("defined_name_added", None), ("protection_changed", "計画様式3")]


def test_added_sheet_and_several_changes_grouped_by_sheet(base, tmp_path):
    result = changed(base, tmp_path,
                     lambda b: R.add_sheet(b, "計画様式10", {"A1": "（計画様式10）", "B2": "知的財産"}),
                     lambda b: R.reword(b, "計画様式1", "助成事業名", "助成事業の名称"),
                     lambda b: R.insert_rows(b, "計画様式7", 5, 2))
    assert [(c.kind, c.sheet) for c in result.changes] == [
        ("label_reworded", "計画様式1"), ("rows_inserted", "計画様式7"), ("sheet_added", "計画様式10")]
    lines = result.text().splitlines()
    assert lines[0].startswith("計画様式1: ") and lines[-1].startswith("計画様式10: シートの追加")


def test_filled_example_differs_only_in_answers(base):
    # the 記入例 is the same form with answers: its rows still align (the answers are in input
    # cells, which the alignment ignores), so all it reports is text and numbers added
    _directory, old = base
    result = diff(old, snapshot(EXAMPLE))
    assert set(result.kinds()) <= {"label_added", "value_added"}
    s7 = snapshot(EXAMPLE).sheet("計画様式7")
    assert all(c.cell in s7.inputs for c in result.of(sheet="計画様式7"))


def test_to_dict_round_trips(base, tmp_path):
    result = changed(base, tmp_path, lambda b: R.insert_rows(b, "計画様式7", 5, 2),
                     lambda b: R.change_list(b, "計画様式7", "C10", ["1年目", "2年目"]),
                     lambda b: R.rename_sheet(b, "計画様式9", "収支計画"))
    data = result.to_dict()
    text = json.dumps(data, sort_keys=True)
    assert text.isascii()
    assert json.loads(text) == json.loads(json.dumps(data))
    assert set(data) == {"old", "new", "count", "summary", "changes"}
    for change in data["changes"]:
        assert set(change) == {"kind", "sheet", "cell", "old", "new", "detail"}
        assert all(k.isascii() for k in change["detail"])
    assert data["summary"] == {"sheet_renamed": 1, "rows_inserted": 1, "validation_changed": 1}


# --- the command ---------------------------------------------------------------------------------

def test_the_command_prints_the_change_and_exits_1_then_0_for_no_change(tmp_path):
    import json

    from click.testing import CliRunner

    from planvalidator.cli import main
    from support.revisions import reword, revise

    old, new = revise(tmp_path, lambda b: reword(b, "計画様式1", "助成事業名", "助成事業の名称"))
    result = CliRunner().invoke(main, ["template", "diff", str(old), str(new)])
    assert result.exit_code == 1 and "計画様式1: 見出し「助成事業名」→「助成事業の名称」(B19)" in result.output
    data = json.loads(CliRunner().invoke(main, ["template", "diff", "--format", "json", str(old), str(new)]).output)
    assert [c["kind"] for c in data["changes"]] == ["label_reworded"]
    same = CliRunner().invoke(main, ["template", "diff", str(old), str(old)])
    assert same.exit_code == 0 and "変更はありません" in same.output
    text = tmp_path / "メモ.xlsx"
    text.write_text("not a workbook", encoding="utf-8")
    bad = CliRunner().invoke(main, ["template", "diff", str(old), str(text)])
    assert bad.exit_code == 2 and "メモ.xlsx" in bad.output and "Traceback" not in bad.output


def test_a_shift_that_did_not_happen_is_shown_with_the_expected_shift(tmp_path):
    """A row inserted by a tool that does not move references (openpyxl): the formulas and validations kept their
    old text. The diff says they did not move and what they would read after the insertion — never an identical
    「A → A」 pair."""
    import re

    import openpyxl
    from click.testing import CliRunner

    from planvalidator.cli import main

    book = openpyxl.load_workbook(TEMPLATE)
    book["計画様式7"].insert_rows(10)
    new = tmp_path / "new.xlsx"
    book.save(new)
    result = CliRunner().invoke(main, ["template", "diff", str(TEMPLATE), str(new)])
    lines = result.output.splitlines()
    assert result.exit_code == 1 and lines[0] == "計画様式7: 行の挿入 10 行目の上に 1 行（以降のセルは 1 行下へ）"
    for line in lines:
        for before, after in re.findall(r"(\S+) → (\S+)", line):
            assert before != after, line
    assert ("計画様式7: 数式が行・列の挿入・削除に合わせて動いていません: =SUM($J$6:$J$45)（見込まれる式 =SUM($J$6:$J$46)）(J53)"
            in lines)
    assert "計画様式7: 入力規則の変更 (C6:C45): 範囲 C6:C45 が行・列の挿入・削除に合わせて動いていません（見込まれる範囲 C6:C46）" in lines
    assert "計画様式8: 数式が行・列の挿入・削除に合わせて動いていません: =計画様式7!J47（見込まれる式 =計画様式7!J48）(C6)" in lines
