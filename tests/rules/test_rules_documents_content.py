"""Document rules (PV401–PV402) and content rules (PV501–PV505) on the 記入例."""

import datetime as dt

import pytest

from support.helpers import hits

F1, F3, F4, F6 = "計画様式1", "計画様式3", "計画様式4", "計画様式6"


@pytest.mark.parametrize("edits, expected", [
    ({F1: {"G41": "無"}}, {(F1, "G41", "error")}),               # ② 決算書 is always required
    ({F1: {"G40": None}}, {(F1, "G40", "error")}),               # ① left blank
    ({F1: {"D14": "グループ（4者以上）"}}, {(F1, "G42", "error")}),  # a group without ③ 同意書
    ({F1: {"G42": "無"}}, set()),
])
def test_required_documents(example_with, edits, expected):
    assert hits(example_with(edits), "PV401") == expected


@pytest.mark.parametrize("edits, expected", [
    ({F1: {"G43": "無"}}, {(F1, "G43", "warning")}),             # 経営革新 declared 有, ④ not attached
    ({F1: {"D30": "無", "G44": "有"}}, {(F1, "D30", "warning")}),  # ⑤ attached, パートナーシップ declared 無
    ({F1: {"D30": "有", "G44": "有"}}, set()),
    ({F1: {"G42": "有"}}, {(F1, "G42", "warning")}),             # 同意書 without a group application
])
def test_declarations_and_attachments_agree(example_with, edits, expected):
    assert hits(example_with(edits), "PV402") == expected


def test_reworded_document_list_is_still_recognised(example_with):
    report = example_with({F1: {"B41": "②決算書（直近2期分）", "G41": "無"}})
    assert hits(report, "PV401") == {(F1, "G41", "error")}


@pytest.mark.parametrize("edits, rule, expected", [
    # only 市場調査 and 販路開拓: no 開発 (named at the first free row of 区分)
    ({F4: {f"B{r}": "市場調査" for r in (6, 7, 8, 9)}}, "PV501", {(F4, "B11", "error")}),
    ({F4: {"B10": "開発"}}, "PV502", {(F4, "B11", "error")}),
    ({F4: {"B10": "開発"}}, "PV501", set()),
    ({}, "PV501", set()),
    ({}, "PV502", set()),
])
def test_project_must_develop_and_sell(example_with, edits, rule, expected):
    assert hits(example_with(edits), rule) == expected


@pytest.mark.parametrize("text, expected", [
    ("未定", {(F3, "B26", "warning")}),
    ("別紙参照。", {(F3, "B26", "warning")}),
    ("軽くて割れない。", {(F3, "B26", "warning")}),
    ("既存の介護用食器は樹脂製が中心で、木製品は重く食洗機に非対応のものが多い。当社の薄挽き技術で差別化する。", set()),
])
def test_thin_sections_warn(example_with, text, expected):
    assert hits(example_with({F3: {"B26": text}}), "PV503") == expected


def test_other_subsidy_warns(example_with):
    report = example_with({F1: {"D25": "有", "D26": "ものづくり補助金（令和6年度）"}})
    assert hits(report, "PV504") == {(F1, "D25", "warning")}
    assert hits(example_with({}), "PV504") == set()


@pytest.mark.parametrize("edits, expected", [
    ({F6: {"F6": "●"}}, {(F6, "F6", "warning")}),                     # 1年目 6月: before 交付決定
    ({F6: {"I6": "●"}}, set()),                                       # 1年目 9月: the earliest month
    ({F6: {"O11": "●"}}, {(F6, "O11", "warning")}),                   # 2年目 3月: after 終了予定 2027-02-26
    ({F4: {"H10": "3年目"}}, {(F4, "H10", "warning")}),               # an activity after the period
    ({F1: {"D22": dt.datetime(2027, 3, 31)}, F6: {"O11": "●"}}, set()),
])
def test_schedule_inside_the_period(example_with, edits, expected):
    assert hits(example_with(edits), "PV505") == expected
