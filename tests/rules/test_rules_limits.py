"""Money limits (PV207–PV210) and conditional requirements (PV008) on the 記入例."""

import datetime as dt

import pytest

from support.helpers import errors, hits

F8 = "計画様式8"
F1 = "計画様式1"


@pytest.mark.parametrize("edits, expected", [
    # 1年目 助成対象経費 2,000,000 × 2/3 = 1,333,333 (円未満切捨て)
    ({F8: {"D6": 1340000, "E6": 660000}}, {(F8, "D6", "error")}),
    ({F8: {"D6": 1333334, "E6": 666666}}, {(F8, "D6", "error")}),
    ({F8: {"D6": 1333333, "E6": 666667}}, set()),
    # 区分8 is 3/4: 2,000,000 × 3/4 = 1,500,000 is allowed, 1,500,001 is not
    ({F1: {"D18": "8 小規模企業者による社会課題解決に向けた新商品・新サービスの開発・販路開拓支援"},
      "計画様式2": {"D8": 5}, F8: {"D6": 1500001, "E6": 499999, "D7": 0, "E7": 1890000}},
     {(F8, "D6", "error")}),
])
def test_requested_within_the_rate(example_with, edits, expected):
    assert hits(example_with(edits), "PV207") == expected


RAISED = {"計画様式7": {"I8": 1500000}}      # 1年目 助成対象経費 4,300,000 (2/3 = 2,866,666)


@pytest.mark.parametrize("d6, expected", [
    (1740000, set()),                                   # 1,740,000 + 1,260,000 = 3,000,000: exactly the cap
    (1740001, {(F8, "D7", "error")}),                   # 1 円 over: named at the last year's 申請額
])
def test_total_within_the_cap(example_with, d6, expected):
    edits = {**RAISED, F8: {"D6": d6, "E6": 4300000 - d6}}
    report = example_with(edits)
    assert hits(report, "PV208") == expected
    assert {k for k in errors(report) if k[0] != "PV208"} == set()


@pytest.mark.parametrize("edits, expected", [
    ({F8: {"E6": 600000}}, {(F8, "E6", "error")}),                     # 67,000 short
    ({F8: {"G7": 10000}}, {(F8, "E7", "error")}),                      # 10,000 too much
    ({F8: {"E6": 567000, "F6": 100000}}, set()),                       # a loan covers part of it
])
def test_funding_covers_each_year(example_with, edits, expected):
    assert hits(example_with(edits), "PV209") == expected


@pytest.mark.parametrize("edits, expected", [
    ({F1: {"D22": dt.datetime(2028, 12, 31)}}, {(F1, "D22", "error")}),     # beyond 3 years
    ({F1: {"D22": dt.datetime(2028, 6, 30)}}, {(F1, "D22", "warning")}),    # within 3 years, in a 4th 年度
    ({F1: {"D22": dt.datetime(2025, 8, 31)}}, {(F1, "D22", "error")}),      # ends before it can start
    ({F1: {"D21": dt.datetime(2025, 7, 1)}}, {(F1, "D21", "error")}),       # starts before 交付決定
    ({F1: {"D21": "令和7年10月1日", "D22": "令和10年3月31日"}}, set()),
    ({F1: {"D22": dt.datetime(2028, 3, 31)}}, set()),
])
def test_project_period_within_three_years(example_with, edits, expected):
    assert hits(example_with(edits), "PV210") == expected


@pytest.mark.parametrize("edits, expected", [
    ({F1: {"D13": None}}, {(F1, "D13", "error")}),                                  # 法人 without 法人番号
    ({"計画様式2": {"D7": None}}, {("計画様式2", "D7", "error")}),                   # 法人 without 資本金
    ({F1: {"D25": "有", "D26": None}}, {(F1, "D26", "error")}),                     # 他の補助制度 without its name
    ({F8: {"E6": 567000, "F6": 100000}}, {(F8, "C15", "error")}),                   # 借入金 without 調達先
    ({F8: {"E6": 567000, "F6": 100000, "C15": "北國銀行"}}, set()),
    ({"計画様式2": {"E38": "有"}}, {("計画様式2", "G38", "error")}),                 # 兼務 without 兼務先
    ({F1: {"D13": None, "D14": "個人事業主"}, "計画様式2": {"D7": None}}, set()),    # 個人事業主: neither needed
])
def test_conditionally_required_cells(example_with, edits, expected):
    assert hits(example_with(edits), "PV008") == expected


def test_a_year_with_expenses_but_no_funding_row(example_with):
    report = example_with({"計画様式8": {"D7": None, "E7": None, "F7": None, "G7": None}})
    assert hits(report, "PV209") == {(F8, "D7", "error")}
