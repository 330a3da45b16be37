"""Expense rules (PV101–PV111) on the 記入例 with one row of 計画様式7 changed.

Each case changes the cell an applicant would write and expects the rule at that cell with its
severity; each innocent wording expects nothing from the rule.
"""

import datetime as dt

import pytest

from support.helpers import errors, hits

S = "計画様式7"


def row(**cells):
    return {S: cells}


@pytest.mark.parametrize("edits, expected", [
    (row(E6="人件費"), {(S, "E6", "error")}),                            # not in 公募要領 5.
    (row(E11="飲食費"), {(S, "E11", "error")}),
    (row(D10="試作・開発費"), {(S, "E10", "error")}),                     # 調査研究費 belongs to 事業費
    (row(D6="事業費"), {(S, "E6", "error")}),                             # 原材料費 belongs to 試作・開発費
    (row(E14="借損料"), set()),                                           # 借損料 exists in both 区分
    (row(E17="知的財産権取得費 "), set()),
    (row(E12="コンサルタント費"), set()),
])
def test_expense_item_belongs_to_its_category(example_with, edits, expected):
    assert hits(example_with(edits), "PV101") == expected


GENERAL_PURPOSE = [
    # (品名・内容 of row 8, expected severity or None)
    ("ノートPC（データ解析用）", "error"),
    ("ノートＰＣ", "error"),
    ("パソコン一式", "error"),
    ("MacBook Air 13インチ", "error"),
    ("iPad Pro 12.9インチ", "error"),
    ("ｉＰａｄ", "error"),
    ("Surface Pro 9", "error"),
    ("Microsoft Office 2021", "error"),
    ("Word・Excel ライセンス", "error"),
    ("文書作成ソフトウェア", "error"),
    ("デジタル複合機", "error"),
    ("カラーレーザープリンタ", "error"),
    ("スマートフォン（動作確認用）", "error"),
    ("携帯電話", "error"),
    ("コピー用紙（A4）", "error"),
    ("文房具一式", "error"),
    ("タブレット", "warning"),                 # a pill or a device: the word alone cannot tell
    ("制御用PC", "warning"),                   # a PC built into the jig: unsure
    ("PC", "warning"),
    ("iPad用スタンドの試作", None),            # a job on a stand (「YYの試作」), the iPad only what it is for
    ("Office", "warning"),
    ("PC樹脂ペレット", None),                  # polycarbonate
    ("PC鋼棒", None),
    ("型番 PC-200 用治具", None),              # a part number
    ("PCB基板の試作", None),
    ("3Dプリンター（造形用）", None),
    ("複合機能センサー部品", None),
    ("タブレット菓子の打錠金型", None),
    ("スマホアプリ開発", None),
    ("スマートフォン向けサイト制作", None),
    ("薄挽き加工用専用治具", None),            # the 記入例 itself
]


@pytest.mark.parametrize("text, severity", GENERAL_PURPOSE, ids=[t for t, _ in GENERAL_PURPOSE])
def test_general_purpose_items_in_every_wording(example_with, text, severity):
    expected = {(S, "F8", severity)} if severity else set()
    assert hits(example_with(row(F8=text)), "PV102") == expected


def test_rented_office_equipment_for_an_exhibition_is_not_a_purchase(example_with):
    # 事業費 借損料: 展示会で必要な事務機器等のレンタル料 is eligible (公募要領 5.)
    report = example_with(row(E14="借損料", F14="展示会用ノートPCレンタル"))
    assert hits(report, "PV102") == set()
    assert errors(report) == set()


@pytest.mark.parametrize("cell, text, expected", [
    ("F16", "振込手数料", "error"),
    ("N10", "インターネット回線使用料を含む", "error"),
    ("F11", "事務所の電気代", "error"),
    ("N6", "収入印紙代", "error"),
    ("N6", "消費税10%を含む", "error"),
    ("N6", "消費税を除く", None),
    ("N6", "税抜（消費税別）", None),
    ("F6", "電気代削減装置の試作材料", None),
    ("E13", "通信運搬費", None),                 # an eligible 経費内訳, not 通信費
])
def test_indirect_costs(example_with, cell, text, expected):
    assert hits(example_with(row(**{cell: text})), "PV103") == ({(S, cell, expected)} if expected else set())


@pytest.mark.parametrize("text, expected", [
    ("特許出願料（特許印紙）", "error"),
    ("意匠登録料", "error"),
    ("審査請求料", "error"),
    ("出願費用", "warning"),
    ("弁理士への出願費用", None),
    ("意匠登録に係る弁理士費用", None),           # the 記入例
    ("欧州特許庁への出願手数料", None),           # not a Japanese administrative body
])
def test_filing_fees(example_with, text, expected):
    assert hits(example_with(row(F17=text)), "PV104") == ({(S, "F17", expected)} if expected else set())


@pytest.mark.parametrize("text, expected", [
    ("展示会後の懇親会費", "warning"),
    ("取引先との会食", "warning"),
    ("手土産代", "warning"),
    ("飲食店向け予約サイト制作", None),
    ("試食会の会場費", None),
])
def test_inappropriate_expenses_warn(example_with, text, expected):
    report = example_with(row(F15=text))
    assert hits(report, "PV105") == ({(S, "F15", expected)} if expected else set())
    assert not any(f.rule == "PV105" and f.severity.value == "error" for f in report.findings)


@pytest.mark.parametrize("edits, expected", [
    (row(L6=dt.datetime(2025, 7, 1)), {(S, "L6", "error")}),
    (row(L6="令和7年8月31日"), {(S, "L6", "error")}),
    (row(L6=dt.datetime(2025, 9, 1)), set()),                           # the earliest 交付決定
    # a start date written on 計画様式1 moves the limit
    ({"計画様式1": {"D21": dt.datetime(2025, 11, 1)}}, {(S, f"L{r}", "error") for r in (6, 7, 8, 10)}),
    ({"計画様式1": {"D21": dt.datetime(2025, 10, 1)}}, set()),
    (row(N8="発注済"), {(S, "N8", "error")}),                             # ordered by the time of applying
    (row(N8="既存設備に導入済"), {(S, "N8", "warning")}),                 # the equipment, or this expense?
    (row(N8="交付決定後に発注済とする"), set()),
])
def test_orders_before_the_grant(example_with, edits, expected):
    assert hits(example_with(edits), "PV106") == expected


def test_one_outsourcing_row_carrying_most_of_the_project(example_with):
    big = example_with(row(E10="委託費", I10=5000000))
    assert hits(big, "PV107") == {(S, "E10", "warning")}
    worded = example_with(row(E10="委託費", F10="調査業務の一括委託"))
    assert hits(worded, "PV107") == {(S, "F10", "warning")}
    both = example_with(row(E10="委託費", I10=5000000, F10="開発業務の全部委託"))
    assert hits(both, "PV107") == {(S, "E10", "error")}
    normal = example_with(row(E10="委託費"))                              # 400,000 of 3,890,000
    assert hits(normal, "PV107") == set()


@pytest.mark.parametrize("edits, expected", [
    # the project ends in 1年目: every 2年目 row lies after it
    ({"計画様式1": {"D22": dt.datetime(2026, 3, 31)}},
     {(S, f"C{r}", "error") for r in range(12, 18)}),
    (row(L15=dt.datetime(2027, 3, 10)), {(S, "L15", "error")}),          # after 終了予定 2027-02-26
    (row(L9=dt.datetime(2026, 5, 1)), {(S, "L9", "error")}),             # a 1年目 row ordered in 令和8年度
    (row(L9=dt.datetime(2026, 3, 31)), set()),
])
def test_years_and_orders_inside_the_period(example_with, edits, expected):
    assert hits(example_with(edits), "PV108") == expected


@pytest.mark.parametrize("text, expected", [
    ("税込価格", "warning"),
    ("見積額（税込）", "warning"),
    ("税込110,000円の税抜額", None),
])
def test_tax_included_wording(example_with, text, expected):
    assert hits(example_with(row(N6=text)), "PV109") == ({(S, "N6", expected)} if expected else set())


def test_quote_missing_warns_and_large_assets_inform(example_with):
    report = example_with(row(M6="無", I8=600000))
    assert hits(report, "PV110") == {(S, "M6", "warning")}
    assert hits(report, "PV111") == {(S, "I8", "info")}


def test_the_example_has_no_expense_findings(example_with):
    report = example_with({})
    assert not [f for f in report.findings if f.rule.startswith("PV1")]


def test_findings_follow_an_inserted_row_and_a_sheet_in_front(example_with):
    from test_reader import _insert_expense_row

    def prepare(book):
        _insert_expense_row(book)                     # the old row 8 (専用治具) is now row 9
        book.create_sheet("メモ", 0)["A1"] = "申請者のメモ"
        book["計画様式7"].title = "経費明細"          # renamed too: found by its 「（計画様式7）」 marker
    report = example_with({}, prepare=prepare)
    assert not [f for f in report.findings if f.rule.startswith("PV1")]

    def prepare_with_ipad(book):
        prepare(book)
        ws = book["経費明細"]
        ws["F9"] = "iPad（現場記録用）"
        ws["L10"] = dt.datetime(2025, 8, 1)
    report = example_with({}, prepare=prepare_with_ipad)
    assert hits(report, "PV102") == {("経費明細", "F9", "error")}
    assert hits(report, "PV106") == {("経費明細", "L10", "error")}


# --- PV112: an expense that contradicts its 経費内訳's definition (公募要領 5.) ----------------

@pytest.mark.parametrize("item, text, expected", [
    ("雑役務費", "正社員の給与（開発担当）", "error"),                   # own staff: no 経費内訳 covers it
    ("雑役務費", "当社従業員の人件費", "error"),
    ("雑役務費", "試作補助のアルバイト賃金", None),                       # 臨時に雇い入れた者: the definition
    ("雑役務費", "社員食堂メニュー試作の補助（パート賃金）", None),
    ("借損料", "展示用モニターの購入", "error"),                          # a purchase is not a rental
    ("借損料", "展示会用モニターのレンタル", None),
    ("原材料費", "製造装置一式", "warning"),                              # words leave room
    ("原材料費", "製造装置の部品（アルミ材）", None),
    ("雑役務費", "試作補助員（期間雇用）の賃金", None),                   # hired for the project: the definition
    ("雑役務費", "嘱託職員（本事業のため新規雇用）の賃金", None),
    ("借損料", "展示会用什器の借上げ（購入はしない）", None),             # mentions a purchase it does not make
    ("原材料費", "加工機用の刃物（消耗品）", None),
    ("原材料費", "製造装置の消耗部品（ヒーター）", None),                 # a part (the dictionary joined 部品（ヒーター）)
])
def test_expenses_that_contradict_their_item(example_with, item, text, expected):
    category = "事業費" if item in ("雑役務費", "借損料") else "試作・開発費"
    report = example_with(row(D8=category, E8=item, F8=text))
    assert hits(report, "PV112") == ({(S, "E8", expected)} if expected else set())


def test_the_issue_wordings_at_their_rows(example_with):
    """Valid wordings get no error; a van, an employee's salary and an office-software licence are
    errors at their own rows (read as Japanese: the object of each expense)."""
    report = example_with({S: {
        "F6": "プリンタブルエレクトロニクス用インク",
        "F7": "スマホで読み取るQRコード付きリーフレットの印刷",
        "D8": "試作・開発費", "E8": "機械装置又は工具器具費", "F8": "運搬用軽バン",
        "D9": "事業費", "E9": "雑役務費", "F9": "正社員の給与（開発担当）",
        "F10": "ワード・エクセル ライセンス",
    }})
    found = {(f.rule, f.cell) for f in report.findings if f.severity.value == "error"}
    assert ("PV102", "F8") in found and ("PV112", "E9") in found and ("PV102", "F10") in found
    assert not {cell for _rule, cell in found} & {"F6", "F7", "E6", "E7"}


def test_without_sudachipy_the_check_runs_on_the_words_alone(example_with, monkeypatch):
    """Where SudachiPy cannot be installed (xlwings Lite's Pyodide, the browser), every rule still runs: a line
    that pays for a job is read from its end (japanese.rough_kind), so a print job that mentions a phone is left
    alone as with SudachiPy; but a 汎用品 word inside a longer word still counts (bench/sudachi.py measures it)."""
    from planvalidator import japanese

    monkeypatch.setattr(japanese, "installed", lambda: False)
    report = example_with(row(F8="スマホで読み取るQRコード付きリーフレットの印刷", F9="パソコン教室向け教材"))
    assert hits(report, "PV102") == {(S, "F9", "error")}
    assert not any(f.rule == "PV900" for f in report.findings)
