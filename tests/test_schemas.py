"""Every sheet's schema, with valid and invalid values, on the official 記入例.

Each invalid case changes one cell of the valid 記入例 and expects exactly one new error,
of the right rule, at that cell. Each valid case changes cells in ways applicants really
write them and expects no error at all.
"""

import datetime as dt

import pytest

from support.helpers import TEMPLATE, keys

INVALID = [
    # 計画様式1
    ("計画様式1", "H4", None, "PV001"),
    ("計画様式1", "H4", "6月2日ごろ", "PV002"),
    ("計画様式1", "D8", "9260045X", "PV005"),
    ("計画様式1", "D13", "1200001012346", "PV006"),
    ("計画様式1", "D13", "120000101234", "PV006"),
    ("計画様式1", "D14", "株式会社", "PV003"),
    ("計画様式1", "D15", "0767-52", "PV005"),
    ("計画様式1", "D18", "9 その他", "PV003"),
    ("計画様式1", "D20", "観光", "PV003"),
    ("計画様式1", "D21", "そのうち", "PV005"),
    ("計画様式1", "D22", "来年2月", "PV002"),
    ("計画様式1", "D25", "なし", "PV003"),
    ("計画様式1", "D29", None, "PV001"),
    ("計画様式1", "D36", "hanako.example.jp", "PV005"),
    ("計画様式1", "G40", "提出", "PV003"),
    # 計画様式2
    ("計画様式2", "D4", None, "PV001"),
    ("計画様式2", "D6", "創業50年", "PV002"),
    ("計画様式2", "D7", -1, "PV004"),
    ("計画様式2", "D8", "十二人", "PV002"),
    ("計画様式2", "D9", "製造業", "PV003"),
    ("計画様式2", "C19", "昨年", "PV005"),
    ("計画様式2", "D20", "1億", "PV002"),
    ("計画様式2", "E25", -5, "PV004"),
    ("計画様式2", "G25", "はい", "PV003"),
    ("計画様式2", "E39", "なし", "PV003"),
    # 計画様式3
    ("計画様式3", "B26", None, "PV001"),
    # 計画様式4
    ("計画様式4", "B6", "研究", "PV003"),
    ("計画様式4", "H6", "令和7年度", "PV003"),
    ("計画様式4", "F7", None, "PV001"),
    # 計画様式5
    ("計画様式5", "G5", 130, "PV004"),
    ("計画様式5", "E16", "県内外", "PV003"),
    ("計画様式5", "H17", "24万", "PV002"),
    # 計画様式6
    ("計画様式6", "C7", "4年目", "PV003"),
    ("計画様式6", "E7", "済", "PV005"),
    # 計画様式7
    ("計画様式7", "C6", "R7", "PV003"),
    ("計画様式7", "D6", "開発費", "PV003"),
    ("計画様式7", "E6", "人件費", "PV101"),
    ("計画様式7", "F6", None, "PV001"),
    ("計画様式7", "G6", 0, "PV004"),
    ("計画様式7", "I6", "6000.5", "PV002"),
    ("計画様式7", "I6", None, "PV001"),
    ("計画様式7", "L6", "10月上旬", "PV002"),
    ("計画様式7", "M6", "あり", "PV003"),
    # 計画様式8
    ("計画様式8", "D6", None, "PV001"),
    ("計画様式8", "E6", -667000, "PV004"),
    # 計画様式9
    ("計画様式9", "D3", "そのうち", "PV005"),
    ("計画様式9", "C6", "多数", "PV002"),
    ("計画様式9", "C9", -1, "PV004"),
    ("計画様式9", "B13", None, "PV001"),
]


@pytest.mark.parametrize("sheet, cell, value, rule", INVALID,
                         ids=[f"{s}!{c}={v!r}" for s, c, v, _ in INVALID])
def test_invalid_value_is_named_at_its_cell(example_with, sheet, cell, value, rule):
    report = example_with({sheet: {cell: value}})
    errors = keys(report, severities=("error",))
    assert (rule, sheet, cell) in errors
    assert all(f.severity.value == "error" for f in report.findings if f.cell == cell and f.sheet == sheet)
    # nothing else on the sheet is blamed (arithmetic rules may follow a changed amount)
    others = {k for k in errors if k[2] != cell and not k[0].startswith("PV2")}
    assert others == set()


VALID = [
    ("全角の郵便番号・電話番号", {"計画様式1": {"D8": "９２６－００４５", "D15": "０７６７－５２－００００"}}),
    ("和暦の日付", {"計画様式1": {"H4": "令和7年6月2日", "D22": "R9.2.26"}}),
    ("シリアル値の日付", {"計画様式7": {"L6": 45931}}),
    ("全角・カンマ・円つきの金額（計算式が使わない欄）", {"計画様式2": {"D7": "１０，０００，０００円"}}),
    ("全角の選択肢", {"計画様式7": {"C6": "１年目", "D6": "試作･開発費"}, "計画様式4": {"H5": "１年目"}}),
    ("選択肢の前後の空白", {"計画様式1": {"D25": " 無 ", "D14": "法人\u3000"}}),
    ("個人事業主は法人番号なし", {"計画様式1": {"D13": None, "D14": "個人事業主"}}),
    ("開始日を日付で", {"計画様式1": {"D21": dt.datetime(2025, 10, 1)}}),
    ("決算期を和暦で", {"計画様式2": {"C19": "R5.3", "C20": "令和6年3月"}}),
    ("スケジュールの印を○で", {"計画様式6": {"D6": "○"}}),
    ("数量に小数", {"計画様式7": {"G11": 6.0}}),
    ("法人番号を数値で", {"計画様式1": {"D13": 1200001012345}}),
]


@pytest.mark.parametrize("about, edits", VALID, ids=[v[0] for v in VALID])
def test_valid_ways_of_writing_give_no_error(example_with, about, edits):
    report = example_with(edits)
    assert keys(report, severities=("error",)) == set()


def test_partly_filled_row_needs_its_required_cells(example_with):
    report = example_with({"計画様式7": {"F18": "追加の部材"}})        # a new row with only 品名
    errors = keys(report, severities=("error",))
    for cell in ("C18", "D18", "E18", "G18", "I18", "L18", "M18"):
        assert ("PV001", "計画様式7", cell) in errors
    assert ("PV001", "計画様式7", "K18") not in errors                   # 発注先 is optional


def test_blank_template_reports_required_fields_without_crash():
    from planvalidator.engine import check_file
    report = check_file(TEMPLATE)
    errors = keys(report, severities=("error",))
    assert {("PV001", "計画様式1", "D10"), ("PV001", "計画様式1", "D18"), ("PV001", "計画様式2", "D9"),
            ("PV001", "計画様式3", "B5"), ("PV001", "計画様式9", "B13")} <= errors
    assert {k[0] for k in errors} == {"PV001", "PV401", "PV501", "PV502"}   # see test_cli
    assert ("PV001", "計画様式1", "D13") not in errors                    # 法人番号 is conditional
    assert not any(k[0] == "PV008" for k in errors)                      # … and 組織形態 is not given


GROUP = {"計画様式1": {"D14": "グループ（4者以上）"}, "別紙1": {
    f"{col}{row}": value
    for row, (name, day) in enumerate([("株式会社のと木工房", 1), ("加賀工芸株式会社", 2),
                                       ("金沢デザイン合同会社", 3), ("白山精機株式会社", 4)], start=8)
    for col, value in (("C", name), ("E", "石川県金沢市"), ("F", "代表 太郎"), ("G", "試作"),
                       ("H", "該当"), ("I", dt.datetime(2025, 5, day)))}}
GROUP["計画様式1"]["G42"] = "有"                                          # ③ 同意書 attached


def test_group_consent_sheet_filled_right_gives_no_error(example_with):
    assert keys(example_with(GROUP), severities=("error",)) == set()


@pytest.mark.parametrize("cell, value, rule", [
    ("H9", "はい", "PV003"),
    ("I10", "6月頃", "PV002"),
    ("F11", None, "PV001"),
])
def test_group_consent_sheet_errors(example_with, cell, value, rule):
    edits = {k: dict(v) for k, v in GROUP.items()}
    edits["別紙1"][cell] = value
    assert keys(example_with(edits), severities=("error",)) == {(rule, "別紙1", cell)}
