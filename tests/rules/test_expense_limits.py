"""Program-specific expense rules from the documents, in the one expense vocabulary (schemas/expenses.yaml):
高付加価値化 (004) does not fund 自社の人件費・旅費, 車検, 各種手数料, 販売用の原材料; 金沢市 新製品開発 (003) lists
its 対象経費 as a closed list; a profile may take a category out of the template's rules. Each case is a row
of the 記入例 changed as an applicant would write it, checked under the course."""

from __future__ import annotations

import pytest

from support.helpers import EXAMPLE, edit
from planvalidator.engine import Options, check
from planvalidator.reader import read

F7 = "計画様式7"


def _findings(program, edits, tmp_path, rules=("PV213", "PV215", "PV102", "PV103", "PV104", "PV105")):
    path = edit(EXAMPLE, tmp_path / "plan.xlsx", {F7: edits}) if edits else EXAMPLE
    report = check(read(path), Options(course=program))
    return {(f.rule, f.cell, f.severity.value) for f in report.findings if f.rule in rules}


# 高付加価値化: 補助対象外経費の一例「自社の人件費、旅費 等」「車両本体の購入費、車検費用 ※キッチンカー等…」「各種手数料」
# 「販売や有償レンタルを目的とした生産・調達に係る経費（販売商品の原材料費）」
@pytest.mark.parametrize("row, expected", [
    ({"E16": "従事者旅費", "F16": "展示会出張旅費（東京・2名×2回）"}, {("PV213", "J16", "error")}),     # the 記入例's own row
    ({"E16": "専門家等旅費", "F16": "デザイナーの来訪旅費"}, set()),                                   # an expert's travel
    ({"E16": "専門家等旅費", "F16": "社員の出張旅費（東京展示会）"}, {("PV213", "J16", "error")}),
    ({"E11": "雑役務費", "F11": "自社の人件費（開発担当者 2 名）"}, {("PV213", "J11", "error")}),
    ({"E11": "雑役務費", "F11": "試作補助のアルバイト賃金"}, set()),
    ({"E14": "借損料", "F14": "営業車の車検費用"}, {("PV213", "J14", "error")}),
    ({"E14": "借損料", "F14": "キッチンカーの車検"}, set()),                                          # 特殊用途自動車は除く
    ({"E14": "会場借料", "F14": "展示会の登録事務手数料"}, {("PV213", "J14", "warning")}),           # 各種手数料: words leave room
    ({"E14": "会場借料", "F14": "出展料の振込手数料"}, {("PV103", "F14", "error")}),                  # the template's rule, not twice
    ({"E8": "原材料費", "F8": "販売用の原材料（杉板材）"}, {("PV213", "J8", "warning")}),
    ({"E8": "原材料費", "F8": "試作用の杉板材"}, set()),
])
def test_kofukakachi_exclusions(row, expected, tmp_path):
    got = _findings("kofukakachi", row, tmp_path)
    cells = {cell for _rule, cell, _sev in expected} | {r.replace("E", "J") for r in row if r.startswith("E")} | \
            {r.replace("E", "F") for r in row if r.startswith("E")}
    assert {f for f in got if f[1] in cells and not (f[0] == "PV213" and f[1] == "J16" and "J16" not in cells)} == expected


def test_kofukakachi_leaves_the_example_unchanged_but_for_its_own_travel(tmp_path):
    got = _findings("kofukakachi", None, tmp_path, rules=("PV213",))
    assert got == {("PV213", "J16", "error")}          # 従事者旅費 「展示会出張旅費」: 自社の旅費


# 金沢市 新製品開発・改良促進事業: 対象経費「原材料費、部品費、機械設備費、治具費、工具費、外注加工費、共同研究費、
# システム開発経費、産業財産権関係費」— the 記入例's rows, as they are
@pytest.mark.parametrize("row, item, expected", [
    (6, "原材料費", None), (7, "デザイン料", "warning"), (8, "機械装置又は工具器具費", None), (9, "実験費", "warning"),
    (10, "調査研究費", "error"), (11, "専門家等謝金", "error"), (12, "外注加工費", None),
    (13, "パンフレット等作成費", "error"), (14, "会場借料", "error"), (15, "広告宣伝費", "error"),
    (16, "従事者旅費", "error"), (17, "知的財産権取得費", None),
])
def test_kanazawa_closed_list_of_expenses(row, item, expected, tmp_path):
    got = {f for f in _findings("kanazawa-shinseihin:tandoku-priority", None, tmp_path, rules=("PV215",))
           if f[1] == f"E{row}"}
    assert got == ({("PV215", f"E{row}", expected)} if expected else set()), item


def test_the_closed_list_names_the_course_and_its_kinds(tmp_path):
    report = check(read(EXAMPLE), Options(course="kanazawa-shinseihin:tandoku-priority"))
    ad = next(f for f in report.findings if f.rule == "PV215" and f.cell == "E15")
    assert "広告宣伝費" in ad.message and "単独企業コース" in ad.message and "産業財産権関係費" in ad.message


def test_a_program_without_a_closed_list_says_nothing_of_it():
    report = check(read(EXAMPLE), Options(course="shinseihin:7"))
    assert not [f for f in report.findings if f.rule == "PV215"]


def test_the_same_words_mean_the_same_under_every_program(tmp_path):
    """A 携帯電話 monthly charge is 通信費 under 001 as under 県外需要, an 印紙 without 収入 is 収入印紙 under both,
    a 複合機 lease with no exhibition or experiment in sight is flagged under both."""
    rows = {"E13": "通信運搬費", "F13": "携帯電話の月額利用料（スマホ月額）", "E14": "印刷製本費", "F14": "契約書の印紙",
            "E12": "借損料", "F12": "複合機リース料（月額）"}
    for program in ("shinseihin:7", "kengai-monozukuri", "kofukakachi"):
        got = _findings(program, rows, tmp_path)
        assert ("PV103", "F13", "error") in got, program
        assert ("PV103", "F14", "error") in got, program
        assert ("PV102", "F12", "warning") in got, program


def test_a_profile_can_take_a_category_out_of_the_templates_rules(tmp_path, monkeypatch):
    """expenses.remove: a course whose document funds vehicles does not get PV102 on a 軽バン (a profile made
    here from 高付加価値化's, with the removal added)."""
    import shutil

    import yaml

    from planvalidator import profiles as profile_module
    from planvalidator.resources import schemas_dir

    folder = tmp_path / "programs"
    shutil.copytree(schemas_dir() / "programs", folder)
    data = yaml.safe_load((folder / "kofukakachi.yaml").read_text(encoding="utf-8"))
    data["courses"]["main"]["expenses"] = {"remove": [{"category": "vehicle", "source": "試しの資料「車両も対象」"}]}
    (folder / "kofukakachi.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    original = profile_module.profiles
    monkeypatch.setattr(profile_module, "profiles", lambda f=None: original(folder))
    rows = {"E8": "機械装置又は工具器具費", "F8": "運搬用軽バン"}
    assert ("PV102", "F8", "error") in _findings("shinseihin:7", rows, tmp_path)
    assert not {f for f in _findings("kofukakachi", rows, tmp_path) if f[0] == "PV102" and f[1] == "F8"}
