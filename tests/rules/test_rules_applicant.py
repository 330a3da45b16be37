"""Applicant rules (PV301–PV307) on the 記入例 (製造業, 資本金 1,000万円, 従業員 12 人, 区分7)."""

import datetime as dt

import pytest

from support.helpers import errors, hits

F1, F2 = "計画様式1", "計画様式2"
CAT8 = "8 小規模企業者による社会課題解決に向けた新商品・新サービスの開発・販路開拓支援"
# a 区分8 funding plan exactly at its cap (1,500,000) and within 3/4 each year
CAT8_FUNDING = {"D6": 750000, "E6": 1250000, "D7": 750000, "E7": 1140000}


@pytest.mark.parametrize("edits, expected", [
    ({F2: {"D7": 500000000, "D8": 350}}, {(F2, "D8", "error")}),          # both over the 製造業 limits
    ({F2: {"D7": 500000000, "D8": 300}}, set()),                          # an SME by 従業員 only
    ({F2: {"D7": 300000000, "D8": 5000}}, set()),                         # an SME by 資本金 only
    ({F2: {"D9": "小売業", "D7": 60000000, "D8": 51}}, {(F2, "D8", "error")}),
    ({F2: {"D9": "小売業", "D7": 50000000, "D8": 51}}, set()),
    # 区分7 takes 「中小企業者(※)、個人事業主」: a 個人事業主 as such, whatever the size (公募要領 2. 区分7 (1))
    ({F1: {"D14": "個人事業主", "D13": None}, F2: {"D7": None, "D8": 301}}, set()),
    ({F1: {"D14": "個人事業主", "D13": None}, F2: {"D7": None, "D8": 3}}, set()),
])
def test_sme_by_capital_or_employees(example_with, edits, expected):
    assert hits(example_with(edits), "PV301") == expected


@pytest.mark.parametrize("edits, expected", [
    # ① one 大企業 holds 6,000,000 of 10,000,000
    ({F2: {"B24": "北陸大手商事株式会社", "G24": "該当"}}, {(F2, "G24", "error")}),
    # 40 % is not enough
    ({F2: {"B24": "北陸大手商事株式会社", "G24": "該当", "E24": 4000000, "E25": 4000000}}, set()),
    # ② two 大企業 together hold 70 %
    ({F2: {"E24": 3000000, "B25": "大手A株式会社", "E25": 4000000, "G25": "該当",
           "B26": "大手B株式会社", "E26": 3000000, "G26": "該当"}},
     {(F2, "G25", "error"), (F2, "G26", "error")}),
    # 中小企業投資育成株式会社 is not treated as a 大企業 (注3 ③ただし書き)
    ({F2: {"B24": "東京中小企業投資育成株式会社", "G24": "該当"}}, set()),
    # ③ two of three officers also serve a 大企業
    ({F2: {"E38": "有", "G38": "大手商事株式会社", "E39": "有", "G39": "大手商事株式会社"}},
     {(F2, "E38", "error"), (F2, "E39", "error")}),
    ({F2: {"E38": "有", "G38": "大手商事株式会社"}}, set()),
])
def test_deemed_large_company(example_with, edits, expected):
    assert hits(example_with(edits), "PV302") == expected


@pytest.mark.parametrize("edits, expected", [
    ({F1: {"D18": CAT8}, F2: {"D8": 12}, "計画様式8": CAT8_FUNDING}, {(F1, "D18", "error")}),
    ({F1: {"D18": CAT8, "D14": "組合"}, F2: {"D8": 3}, "計画様式8": CAT8_FUNDING}, {(F1, "D18", "error")}),
    ({F1: {"D18": CAT8}, F2: {"D8": 5}, "計画様式8": CAT8_FUNDING}, set()),
    ({F2: {"D8": 3}}, set()),                                            # 小規模 may choose 区分7
])
def test_category_8_is_for_small_businesses(example_with, edits, expected):
    assert hits(example_with(edits), "PV303") == expected


def test_small_business_in_category_8_at_the_cap_is_clean(example_with):
    report = example_with({F1: {"D18": CAT8}, F2: {"D8": 5}, "計画様式8": CAT8_FUNDING})
    assert errors(report) == set()


@pytest.mark.parametrize("edits, expected", [
    ({F1: {"D9": "富山県高岡市末広町1-7"}}, {(F2, "D14", "error")}),
    ({F1: {"D9": "富山県高岡市末広町1-7"}, F2: {"D14": "石川県金沢市鞍月2丁目20番地（金沢工場）"}}, set()),
    ({F1: {"D9": "富山県高岡市末広町1-7"}, F2: {"D14": "福井県福井市大手3-17-1"}}, {(F2, "D14", "error")}),
    ({F1: {"D9": "金沢市鞍月2丁目20番地"}}, set()),                          # a municipality without 石川県
    ({F1: {"D9": "〒920-8203 石川県金沢市鞍月2丁目20番地"}}, set()),
    ({F1: {"D9": "鞍月2丁目20番地"}}, {(F1, "D9", "warning")}),                # cannot tell
])
def test_located_in_ishikawa(example_with, edits, expected):
    assert hits(example_with(edits), "PV304") == expected


GROUP = "グループ（4者以上）"
MEMBERS = [("株式会社のと木工房", "石川県七尾市"), ("加賀工芸株式会社", "石川県加賀市"),
           ("金沢デザイン合同会社", "石川県金沢市"), ("白山精機株式会社", "石川県白山市")]


def group(members=MEMBERS, **changes):
    sheet = {}
    for row, (name, address) in enumerate(members, start=8):
        sheet.update({f"C{row}": name, f"E{row}": address, f"F{row}": "代表 太郎", f"G{row}": "試作",
                      f"H{row}": "該当", f"I{row}": dt.datetime(2025, 5, 20)})
    sheet.update(changes)
    return {F1: {"D14": GROUP, "G42": "有"}, "別紙1": sheet}


def test_group_application_done_right_is_clean(example_with):
    report = example_with(group())
    assert errors(report) == set()
    assert not [f for f in report.findings if f.rule.startswith("PV3")]


def test_group_with_three_members(example_with):
    assert hits(example_with(group(MEMBERS[:3])), "PV305") == {("別紙1", "C11", "error")}


def test_group_members_filled_without_choosing_group(example_with):
    edits = group()
    edits[F1] = {"G42": "無"}
    assert hits(example_with(edits), "PV305") == {(F1, "D14", "warning")}


def test_group_member_that_is_not_an_sme(example_with):
    assert hits(example_with(group(H9="非該当")), "PV306") == {("別紙1", "H9", "error")}


def test_group_consent_after_submission(example_with):
    report = example_with(group(I10=dt.datetime(2025, 6, 10)))        # 提出日 2025-06-02
    assert hits(report, "PV307") == {("別紙1", "I10", "error")}


def test_group_member_outside_ishikawa_warns(example_with):
    report = example_with(group(E11="東京都千代田区丸の内1-1"))
    assert hits(report, "PV304") == {("別紙1", "E11", "warning")}
