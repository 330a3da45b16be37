"""What a finding tells the applicant beyond its message (planvalidator/guidance.py): the field's name with
its cell, the value as they wrote it, what to change — the same words on the command line, the results
sheet, the cell's note and JSON — and, for the file, a money verdict that agrees with its figures and what
comes next (the 提出書類 this applicant attaches, how to submit, what only the reviewers judge).

The workbooks are the official template's examples (templates/r7/) and copies of the 記入例 edited with
tests/support/helpers.edit."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
from click.testing import CliRunner

from support.helpers import EXAMPLE, R7, edit

from planvalidator import rules
from planvalidator.annotate import annotate_file
from planvalidator.cli import main
from planvalidator.engine import check_file
from planvalidator.layout import known_layouts
from planvalidator.program import load_program
from planvalidator.results_sheet import TABLE_HEADER

EXPENSES = R7 / "invalid" / "ineligible-expenses.xlsx"


def check_json(path) -> dict:
    result = CliRunner().invoke(main, ["check", "--format", "json", str(path)])
    return json.loads(result.output)


def test_every_rule_says_what_to_change_for_every_version():
    for layout in known_layouts():
        program = load_program(layout.folder)
        for rule in rules.all_rules():
            advice = rule.rendered(program, layout).advice
            assert advice and "{" not in advice, f"{rule.code} に直し方（advice=）がありません"
            assert any("\u3040" <= c <= "\u30ff" for c in advice), f"{rule.code} の直し方が日本語ではありません"


def test_the_order_date_before_the_grant_names_its_field_and_what_was_written():
    data = check_json(EXPENSES)
    (f,) = [f for f in data["findings"] if f["rule"] == "PV106"]
    assert (f["sheet"], f["cell"], f["severity"]) == ("計画様式7", "L6", "error")
    assert f["label"] == "計画様式7 経費明細 No.1 発注予定日"
    assert f["place"] == "計画様式7 経費明細 No.1 発注予定日（L6）"
    assert f["written"] == "令和7年7月1日"                  # as the applicant typed it
    assert "令和7年7月1日" in f["message"] and "2025-07-01" not in f["message"]
    assert f["advice"] == rules.get("PV106").rendered(load_program(R7.parent.parent / "schemas" / "r7"),
                                                      next(iter(known_layouts()))).advice
    assert f["help"] == "PV106"


def test_a_real_date_is_written_in_wareki(tmp_path):
    path = edit(EXAMPLE, tmp_path / "date.xlsx", {"計画様式7": {"L6": dt.datetime(2025, 7, 1)}})
    (f,) = [f for f in check_file(path).findings if f.rule == "PV106"]
    assert (f.cell, f.written) == ("L6", "令和7年7月1日")
    assert "令和7年7月1日" in f.message


def test_the_command_line_the_results_sheet_the_note_and_json_give_the_same_advice(tmp_path):
    data = check_json(EXPENSES)
    by_cell = {f["cell"]: f["advice"] for f in data["findings"]}
    assert set(by_cell) == {"L6", "F8", "M11", "N16"} and all(by_cell.values())

    text = CliRunner().invoke(main, ["check", str(EXPENSES)]).output
    for advice in by_cell.values():
        assert f"直し方: {advice}" in text

    out = tmp_path / "annotated.xlsx"
    annotate_file(EXPENSES, out)
    book = openpyxl.load_workbook(out)
    ws = book["チェック結果"]
    rows = [[c.value for c in row][:len(TABLE_HEADER)] for row in ws.iter_rows()]
    header = rows.index(list(TABLE_HEADER))
    sheet_advice = {r[TABLE_HEADER.index("セル")]: r[TABLE_HEADER.index("直し方")] for r in rows[header + 1:] if r[1]}
    assert sheet_advice == by_cell
    for cell, advice in by_cell.items():
        assert f"直し方: {advice}" in book["計画様式7"][cell].comment.text


def test_the_money_verdict_agrees_with_the_expected_reduction(tmp_path):
    money = check_json(EXPENSES)["money"]
    assert money["reduction"] == 786334
    assert money["verdict"] == ("対象外と判断した経費 3 件（1,180,000 円）を除くと、申請できる上限は 1,806,666 円で、"
                                "助成金申請額 2,593,000 円から 786,334 円の減額が見込まれます")
    assert "範囲内" not in money["verdict"]

    out = tmp_path / "annotated.xlsx"
    annotate_file(EXPENSES, out)
    ws = openpyxl.load_workbook(out)["チェック結果"]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert money["verdict"] in texts and "上限内" not in texts      # the sheet says the same, not 「上限内」

    text = CliRunner().invoke(main, ["check", str(EXPENSES)]).output
    assert money["verdict"] in text


def test_a_clean_file_is_within_and_a_missing_category_says_why(tmp_path):
    money = check_json(EXAMPLE)["money"]
    assert money["reduction"] == 0
    assert money["verdict"] == (f"助成金申請額 {money['requested']:,} 円は申請できる上限 {money['limit']:,} 円の範囲内です")

    path = edit(EXAMPLE, tmp_path / "no-category.xlsx", {"計画様式1": {"D18": None}})
    verdict = check_file(path).money_verdict
    assert verdict.startswith("事業区分が選ばれていないため")


def test_next_steps_name_the_documents_of_this_applicant_and_how_to_submit(tmp_path):
    steps = check_json(EXAMPLE)["next_steps"]
    assert steps["documents"][:2] == [
        "① 事業計画書",
        "② 直近2期分の決算書等（貸借対照表・損益計算書・販売費及び一般管理費等の明細・株主資本等変動計算書・法人税申告書 別表二）"]
    assert not any(d.startswith("③") for d in steps["documents"])      # not a group
    assert "jGrants" in steps["submit"] and "shigen@isico.or.jp" in steps["submit"] and "公募要領 6.(4)" in steps["submit"]
    assert any(r.startswith("新規性") for r in steps["reviewers"]) and all("公募要領 7." in r for r in steps["reviewers"])

    sole = edit(EXAMPLE, tmp_path / "sole.xlsx", {"計画様式1": {"D14": "個人事業主"}})
    documents = check_file(sole).next_steps["documents"]
    assert documents[1] == "② 直近2期分の決算書等（確定申告書 第一表・確定申告書 第二表・所得税青色申告決算書（又は収支内訳書））"

    group = edit(EXAMPLE, tmp_path / "group.xlsx", {"計画様式1": {"D14": "グループ（4者以上）"}})
    assert "③ 同意書（計画様式 別紙1）" in check_file(group).next_steps["documents"]


def test_a_bonus_document_is_listed_only_when_declared(tmp_path):
    declared = check_file(EXAMPLE).next_steps["documents"]          # the 記入例: 経営革新計画等の認定 有
    assert "④ 経営革新計画等の認定書の写し（加点の対象）" in declared
    assert not any(d.startswith("⑤") for d in declared)             # パートナーシップ構築宣言 無
    none = edit(EXAMPLE, tmp_path / "no-bonus.xlsx", {"計画様式1": {"D29": "無"}})
    assert not any("加点" in d for d in check_file(none).next_steps["documents"])


def test_without_sudachipy_the_json_says_the_words_alone_were_read():
    """As in the browser's Pyodide engine (no SudachiPy wheel): the page can say what differs."""
    import subprocess
    import sys

    script = ("import sys; sys.modules['sudachipy'] = None\n"
              "from planvalidator.cli import main\n"
              f"main(['check', '--format', 'json', {str(EXPENSES)!r}])")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    data = json.loads(out.stdout)
    assert data["analyser"] == "fallback"
    assert "SudachiPy" in data["analyser_note"] and "PV102" in data["analyser_note"]
    assert {f["rule"] for f in data["findings"]} >= {"PV102", "PV103", "PV106"}     # the planted ones still found
