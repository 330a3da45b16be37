"""planvalidator template verify / new, and a workbook of an unknown version: revised templates derived
from the official one, each with one change, reported as exactly that change."""

from __future__ import annotations

import json

import openpyxl
import pytest
from click.testing import CliRunner

from support import revisions
from support.helpers import EXAMPLE, R7, TEMPLATE, hits
from planvalidator.cli import main
from planvalidator.engine import check_file
from planvalidator.template.verify import verify


def revised(tmp_path, change, source=TEMPLATE, name="revised.xlsx"):
    """The official template (verify compares with it) with one change of tests/support/revisions.py."""
    book = openpyxl.load_workbook(source)
    change(book)
    book.save(tmp_path / name)
    return tmp_path / name


reword = revisions.reword


def kinds(result):
    return sorted((i.kind, i.sheet, i.what) for i in result.items)


@pytest.mark.parametrize("path", [TEMPLATE, EXAMPLE], ids=["template", "kinyurei"])
def test_the_official_template_and_its_example_verify_clean(path):
    result = CliRunner().invoke(main, ["template", "verify", str(path)])
    assert result.exit_code == 0, result.output
    assert "すべて見つかりました" in result.output


def test_rows_inserted_above_a_table_only_move_it(tmp_path):
    path = revised(tmp_path, lambda b: revisions.insert_rows(b, "計画様式7", 4, 2))
    result = verify(path)
    assert {i.kind for i in result.items} == {"moved"} and not result.breaks
    assert {i.sheet for i in result.items} == {"計画様式7"}
    heading = next(i for i in result.items if i.what == "表の見出し「金額（税抜・円）」")
    assert (heading.was, heading.now) == ("J5", "J7")
    assert "2 行下へ移動" in result.text()


def test_a_reworded_label_is_named_with_its_nearest_text_and_breaks(tmp_path):
    path = revised(tmp_path, lambda b: reword(b, "計画様式1", "助成事業名", "助成事業の名称"))
    result = verify(path)
    assert kinds(result) == [("reworded", "計画様式1", "欄「助成事業名」")]
    (item,) = result.items
    assert (item.nearest, item.now) == ("助成事業の名称", "B19") and result.breaks
    assert CliRunner().invoke(main, ["template", "verify", str(path)]).exit_code == 1


def test_a_renamed_sheet_is_found_by_its_marker_and_only_reported(tmp_path):
    result = verify(revised(tmp_path, lambda b: revisions.rename_sheet(b, "計画様式8", "様式8（資金計画）")))
    assert kinds(result) == [("moved", "計画様式8", "シート「計画様式8」")] and not result.breaks
    assert result.items[0].now == "様式8（資金計画）"


def test_a_changed_drop_down_list_breaks_with_what_was_added_and_removed(tmp_path):
    result = verify(revised(tmp_path, lambda b: revisions.change_list(b, "計画様式1", "D14", ["法人", "個人事業主", "NPO法人"])))
    assert kinds(result) == [("list", "計画様式1", "「組織形態」の選択肢")]
    detail = result.items[0].detail
    assert "増えた: NPO法人" in detail and "組合" in detail and "グループ（4者以上）" in detail


def test_a_changed_template_formula_is_named_at_its_cell(tmp_path):
    original = openpyxl.load_workbook(TEMPLATE)["計画様式8"]["C9"].value
    assert original != "=SUM(C6:C7)"
    result = verify(revised(tmp_path, lambda b: revisions.change_formula(b, "計画様式8", "C9", "=SUM(C6:C7)")))
    assert [(i.kind, i.sheet, i.now) for i in result.items] == [("formula", "計画様式8", "C9")] and result.breaks


def test_a_computed_cell_without_its_formula_breaks(tmp_path):
    result = verify(revised(tmp_path, lambda b: revisions.change_formula(b, "計画様式1", "D23", None)))
    assert [(i.kind, i.now) for i in result.items] == [("formula", "D23")]


def test_a_column_added_to_the_expense_table_moves_the_columns_right_of_it(tmp_path):
    # before 備考 (N): only 備考 moves, and no formula refers to it
    result = verify(revised(tmp_path, lambda b: revisions.add_column(b, "計画様式7", 14, header=(5, "用途"))))
    assert [(i.kind, i.what, i.was, i.now) for i in result.items] == [("moved", "表の見出し「備考」", "N5", "O5")]


def test_a_field_whose_cell_is_no_longer_an_input_cell_is_a_warning(tmp_path):
    from openpyxl.styles import PatternFill

    def unfill(book):
        book["計画様式1"]["D19"].fill = PatternFill()
    result = verify(revised(tmp_path, unfill))
    assert [(i.kind, i.what, i.now) for i in result.items] == [("input", "欄「助成事業名」", "D19")]
    assert not result.breaks


def test_json_lists_every_item_with_whether_it_breaks(tmp_path):
    path = revised(tmp_path, lambda b: reword(b, "計画様式1", "助成事業名", "助成事業の名称"))
    data = json.loads(CliRunner().invoke(main, ["template", "verify", "--format", "json", str(path)]).output)
    assert data["ok"] is False and data["template"] == "r7"
    assert [(i["kind"], i["breaks"]) for i in data["items"]] == [("reworded", True)]


# --- a filled workbook in a template whose rows moved ------------------------------------------

def test_a_filled_workbook_whose_rows_moved_is_checked_at_the_new_cells(tmp_path):
    moved = revised(tmp_path, lambda b: revisions.insert_rows(b, "計画様式7", 4, 2),
                    source=R7 / "invalid" / "wrong-amount.xlsx")
    assert hits(check_file(R7 / "invalid" / "wrong-amount.xlsx"), "PV201") == {("計画様式7", "J9", "error")}
    assert hits(check_file(moved), "PV201") == {("計画様式7", "J11", "error")}


# --- an unknown version -------------------------------------------------------------------------

def test_a_workbook_of_an_unknown_version_names_the_nearest_and_what_differs(tmp_path):
    path = revised(tmp_path, lambda b: reword(b, "計画様式7", "助成対象経費明細", "助成対象経費の明細書"), source=EXAMPLE)
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 2
    assert "いちばん近い様式 r7" in result.output and "計画様式7 の見出し「助成対象経費明細」" in result.output
    assert "Traceback" not in result.output


# --- template new -------------------------------------------------------------------------------

def test_new_version_applies_the_rewording_and_rename_and_lists_the_rest(tmp_path):
    def revise(book):
        reword(book, "計画様式1", "助成事業名", "助成事業の名称")
        revisions.rename_sheet(book, "計画様式8", "様式8")
        reword(book, "計画様式1", "新商品・新サービス開発支援事業助成金\u3000事業計画書",
               "令和8年度 新商品・新サービス開発支援事業助成金\u3000事業計画書")
        revisions.change_list(book, "計画様式1", "D14", ["法人", "個人事業主", "組合", "グループ（4者以上）", "NPO法人"])
    source = revised(tmp_path, revise, name="jigyo-keikakusho-r8.xlsx")
    result = CliRunner().invoke(main, ["template", "new", "r8", str(source), "--schemas", str(tmp_path / "schemas"),
                                       "--templates", str(tmp_path / "templates")])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "schemas" / "r8"
    layout = (folder / "layout.yaml").read_text(encoding="utf-8")
    assert "template: r8" in layout and "reference: jigyo-keikakusho-r8.xlsx" in layout
    assert "project_name: {label: [助成事業の名称, 助成事業名]" in layout
    assert "\n  様式8:\n" in layout and (folder / "sheets" / "様式8.yaml").exists()
    assert "label: 令和8年度 新商品・新サービス開発支援事業助成金\u3000事業計画書" in layout
    assert "# 事業計画書 R7" in layout                          # the comments stay
    todo = (folder / "TODO.md").read_text(encoding="utf-8")
    assert "NPO法人" in todo and "program.yaml" in todo
    assert (tmp_path / "templates" / "r8" / "jigyo-keikakusho-r8.xlsx").exists()

    from planvalidator.layout import load_layout
    again = verify(source, load_layout(folder))
    assert [(i.kind, i.sheet) for i in again.items] == [("list", "計画様式1")]   # what is left for a person


def test_new_version_refuses_an_existing_version_and_a_bad_name(tmp_path):
    (tmp_path / "schemas" / "r8").mkdir(parents=True)
    for version, words in (("r8", "もうあります"), ("2026", "r と数字")):
        result = CliRunner().invoke(main, ["template", "new", version, str(TEMPLATE), "--schemas",
                                           str(tmp_path / "schemas"), "--templates", str(tmp_path / "t")])
        assert result.exit_code == 2 and words in result.output
