"""Valid applications at every edge give no error (公募要領 2., 4.): the rules must not cost an
applicant time with a false error."""

import datetime as dt

import pytest

from support.helpers import EXAMPLE, errors
from planvalidator.engine import check_file

F1, F2, F7, F8 = "計画様式1", "計画様式2", "計画様式7", "計画様式8"

THREE_YEARS = {
    F1: {"D22": dt.datetime(2028, 2, 29)},
    F7: {"C18": "3年目", "D18": "事業費", "E18": "広告宣伝費", "F18": "展示会用パネル・販促動画制作", "G18": 1,
         "H18": "式", "I18": 200000, "K18": "株式会社金沢ウェブ工房", "L18": dt.datetime(2027, 5, 10), "M18": "有"},
    F8: {"D8": 133333, "E8": 66667, "F8": 0, "G8": 0},
    "計画様式4": {"B11": "販路開拓", "C11": "海外展示会出展", "F11": "海外の介護施設向け展示会へ出展", "H11": "3年目"},
    "計画様式6": {"B12": "海外展示会出展", "C12": "3年目", "G12": "●", "H12": "●"},
}

EDGES = {
    "記入例そのもの": {},
    "1年目が助成率ちょうど（2,000,000 × 2/3 = 1,333,333）": {F8: {"D6": 1333333, "E6": 666667}},
    "限度額ちょうど（3,000,000）": {F7: {"I8": 1500000}, F8: {"D6": 1740000, "E6": 2560000}},
    "従業員基準だけで中小企業者": {F2: {"D7": 500000000, "D8": 300}},
    "資本金基準だけで中小企業者": {F2: {"D7": 300000000, "D8": 1000}},
    "個人事業主": {F1: {"D14": "個人事業主", "D13": None, "D10": "のと木工房 能登太郎"},
                   F2: {"D7": None, "D8": 2}},
    "3年度にわたる事業": THREE_YEARS,
    "事業実施期間の開始を日付で": {F1: {"D21": dt.datetime(2025, 10, 1)}},
    "借入金あり": {F8: {"E7": 330000, "F7": 300000, "C15": "株式会社北國銀行"}},
    "県外本社・県内工場": {F1: {"D9": "富山県高岡市末広町1-7"}, F2: {"D14": "石川県白山市八ツ寄町1（白山工場）"}},
}


@pytest.mark.parametrize("edits", EDGES.values(), ids=list(EDGES))
def test_valid_application_at_an_edge_has_no_error(example_with, edits):
    report = check_file(EXAMPLE) if not edits else example_with(edits)
    assert errors(report) == set()


def test_three_year_project_has_no_warning_either(example_with):
    report = example_with(THREE_YEARS)
    assert [f for f in report.findings if f.severity.value != "info"] == []
