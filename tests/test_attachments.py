"""The submitted files (planvalidator/attachments.py) and the attachment rules PV403–PV406.

Every PDF is built by tests/support/pdfs.py (fpdf2, IPA Gothic) and read back by pypdf, as ``planvalidator
batch`` reads an intake; the rules run on the official 記入例 (a corporation with 経営革新計画の認定
「有」 and パートナーシップ構築宣言 「無」), changed with openpyxl where a case needs it.
"""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from click.testing import CliRunner
from support.helpers import EXAMPLE, ROOT, edit
from support.pdfs import (
    COOPERATIVE,
    CORPORATION,
    SOLE_PROPRIETOR,
    blue_return,
    broken_pdf,
    document_lines,
    encrypted_pdf,
    financial_statements,
    fiscal_year,
    scan_pdf,
    statement_lines,
    tax_return,
    text_pdf,
)

from planvalidator.attachments import (
    STATUSES,
    Attachment,
    fiscal_periods,
    member_key,
    period_label,
    read_attachment,
)
from planvalidator.engine import check, check_file
from planvalidator.errors import CannotCheck
from planvalidator.program import load_program
from planvalidator.reader import read

PROGRAM = load_program(ROOT / "schemas" / "r7")
VOCAB = PROGRAM.attachments
F1, CONSENT = "計画様式1", "別紙1"
COMPANY = "株式会社のと木工房"                 # the 記入例's applicant
RULES = ("PV403", "PV404", "PV405", "PV406", "PV407")


def attach(name: str, data: bytes) -> Attachment:
    return read_attachment(name, data, VOCAB)


def doc(kind: str, company: str = COMPANY, year: int = 2024, month: int = 3, name: str | None = None) -> Attachment:
    """One document of one fiscal period (ending in March of ``year`` by default) as its own PDF."""
    return attach(name or f"{kind}_{year}.pdf", text_pdf(document_lines(kind, company, *fiscal_year(year, month))))


def statements(company: str = COMPANY, years=(2024, 2025), kinds=CORPORATION, month: int = 3) -> list[Attachment]:
    """The 決算書 of some periods, one PDF each (all statements in one file, as accountants hand them over);
    by default the latest two at the 記入例's 提出日 (2025-06-02) for a March year end (PV407)."""
    return [attach(f"{company}/決算書_{y}.pdf", financial_statements(company, *fiscal_year(y, month), kinds))
            for y in years]


CERTIFICATE = doc("innovation_certificate", name="経営革新計画承認通知.pdf")
COMPLETE = statements() + [CERTIFICATE]


@pytest.fixture(scope="module")
def example():
    return read(EXAMPLE)


@pytest.fixture
def edited(tmp_path):
    """edited({sheet: {cell: value}}) → the 記入例 with those changes, read."""
    counter = iter(range(100))

    def make(edits):
        return read(edit(EXAMPLE, tmp_path / f"case{next(counter)}.xlsx", edits))
    return make


def found(plan, attachments):
    """(rule, sheet, cell, severity) of the attachment rules' findings."""
    report = check(plan, attachments=attachments)
    return {(f.rule, f.sheet, f.cell, f.severity.value) for f in report.findings if f.rule in RULES}


def messages(plan, attachments, rule):
    return [f.message for f in check(plan, attachments=attachments).findings if f.rule == rule]


# --- what a file is: by its text ---------------------------------------------------------------

@pytest.mark.parametrize("kind", ["balance_sheet", "income_statement", "sga_details", "manufacturing_cost",
                                  "equity_changes", "corporate_tax_table2", "tax_return_first", "tax_return_second",
                                  "income_tax_statement", "articles", "consent", "innovation_certificate",
                                  "partnership_declaration"])
def test_each_kind_is_recognised_by_its_text(kind):
    a = doc(kind, name="scan0001.pdf")               # a name that says nothing
    assert a.status == "text"
    assert kind in a.kinds


@pytest.mark.parametrize("lines, kind, expected", [
    # the 損益計算書 has a line 「販売費及び一般管理費」: not the 明細
    (["損益計算書", "売上高 1,000", "販売費及び一般管理費 300", "営業利益 700"], "sga_details", False),
    # the 明細 under its bare heading, at the head of its own page
    (["販売費及び一般管理費", "役員報酬 1,000", "給料手当 2,000"], "sga_details", True),
    (["販 売 費 及 び 一 般 管 理 費 内 訳 書", "給料手当 2,000"], "sga_details", True),
    (["販管費明細", "旅費交通費 100"], "sga_details", True),
    (["株主資本変動計算書", "資本金 当期首残高 1,000"], "equity_changes", True),
    (["法人税申告書 別表二", "同族会社の判定に関する明細書"], "corporate_tax_table2", True),
    # a statement that mentions the 定款 is not the 定款
    (["剰余金処分案", "定款の定めにより利益準備金を積み立てる"], "articles", False),
    # 「第一表」 alone is not the 確定申告書
    (["第一表 売上の内訳"], "tax_return_first", False),
    (["令和5年分 収支内訳書（一般用）"], "income_tax_statement", True),
    # only 経営革新計画 is known as 「経営革新計画等」 (the 公募要領 does not say what else)
    (["経営力向上計画に係る認定について"], "innovation_certificate", False),
])
def test_words_that_look_alike(lines, kind, expected):
    assert (kind in attach("x.pdf", text_pdf(lines)).kinds) is expected


def test_text_spaced_out_and_in_full_width_still_reads():
    a = attach("a.pdf", text_pdf(["貸　借　対　照　表", "令和６年３月３１日 現在"]))
    assert a.kinds == ("balance_sheet",) and a.periods == ("2024-03",)


def test_one_pdf_holding_all_the_statements():
    (a,) = statements(years=(2024,))
    assert set(CORPORATION) <= set(a.kinds)
    assert "manufacturing_cost" not in a.kinds
    assert a.periods == ("2024-03",)
    assert member_key(COMPANY) in a.text


def test_a_readable_bundle_is_judged_by_what_it_holds():
    """A 「決算書.pdf」 with a text layer counts only the statements in it, not the whole bundle its name means."""
    a = attach("決算書.pdf", financial_statements(COMPANY, *fiscal_year(2024), ("balance_sheet", "income_statement")))
    assert a.kinds == ("balance_sheet", "income_statement")


# --- what a file is: by its name ---------------------------------------------------------------

@pytest.mark.parametrize("name, kinds", [
    ("貸借対照表_R5.pdf", {"balance_sheet"}),
    ("損益計算書.pdf", {"income_statement"}),
    ("販管費明細.pdf", {"sga_details"}),
    ("販売費及び一般管理費の明細.pdf", {"sga_details"}),
    ("製造原価報告書.pdf", {"manufacturing_cost"}),
    ("株主資本等変動計算書.pdf", {"equity_changes"}),
    ("法人税申告書_別表2.pdf", {"corporate_tax_table2"}),
    ("別表二.pdf", {"corporate_tax_table2"}),
    ("別表21.pdf", set()),                                       # 別表2 is not 別表21
    ("法人税申告書.pdf", {"corporate_tax_table2"}),
    ("確定申告書_第一表.pdf", {"tax_return_first"}),
    ("確定申告書.pdf", {"tax_return_first", "tax_return_second"}),
    ("青色申告決算書.pdf", {"income_tax_statement"}),
    ("収支内訳書.pdf", {"income_tax_statement"}),
    ("定款.pdf", {"articles"}),
    ("同意書.pdf", {"consent"}),
    ("別紙1.pdf", {"consent"}),
    ("経営革新計画承認書.pdf", {"innovation_certificate"}),
    ("パートナーシップ構築宣言.pdf", {"partnership_declaration"}),
    # 「決算書」 alone: the statements bundle (and an individual's 決算書), never the 別表二
    ("決算書.pdf", {"balance_sheet", "income_statement", "sga_details", "equity_changes", "income_tax_statement"}),
    ("第12期決算報告書.pdf", {"balance_sheet", "income_statement", "sga_details", "equity_changes",
                              "income_tax_statement"}),
    ("決算書/貸借対照表.pdf", {"balance_sheet"}),                 # a named statement is that statement only
    ("IMG_0001.pdf", set()),
])
def test_a_scan_is_judged_by_its_name(name, kinds):
    a = attach(name, scan_pdf())
    assert a.status == "scan"
    assert set(a.kinds) == kinds
    assert a.text == ""


def test_a_file_that_is_not_a_pdf_is_judged_by_its_name():
    a = attach("確定申告書/第二表R5.JPG", b"\xff\xd8\xff\xe0" + b"\0" * 100)
    assert a.status == "other" and a.kinds == ("tax_return_second",) and a.periods == ("2023",)
    assert attach("メモ.docx", b"PK\x03\x04").status == "other"


# --- fiscal periods ----------------------------------------------------------------------------

@pytest.mark.parametrize("lines, periods", [
    (["損益計算書", "自 令和5年4月1日 至 令和6年3月31日"], ("2024-03",)),
    (["損益計算書", "令和5年4月1日から令和6年3月31日まで"], ("2024-03",)),
    (["損益計算書", "2023年4月1日～2024年3月31日"], ("2024-03",)),
    (["貸借対照表", "令和6年3月31日現在"], ("2024-03",)),
    (["貸借対照表", "令和元年12月31日 現在"], ("2019-12",)),
    (["第12期 決算報告書", "令和6年3月期"], ("2024-03",)),
    (["令和5年分の所得税及び復興特別所得税の確定申告書 第一表"], ("2023",)),
    (["第12期 決算報告書"], ("第12期",)),                        # no date: the 期 is its own key
    (["第12期 決算報告書", "令和6年3月31日現在"], ("2024-03",)),
    (["事業年度 令和5・4・1 ～ 令和6・3・31"], ("2024-03",)),     # a 法人税 form's boxes
    # a day that ends nothing (作成日, 提出日) is no period
    (["貸借対照表", "作成日 令和6年5月25日"], ()),
])
def test_periods_from_the_text(lines, periods):
    assert attach("x.pdf", text_pdf(lines)).periods == periods


@pytest.mark.parametrize("name, periods", [
    ("決算書R5.pdf", ("2023",)),
    ("2023年度決算書.pdf", ("2023",)),
    ("令和5年度/決算書.pdf", ("2023",)),
    ("決算書_2024年3月期.pdf", ("2024-03",)),
    ("決算書.pdf", ()),
])
def test_periods_from_the_name(name, periods):
    assert attach(name, scan_pdf()).periods == periods


def test_the_balance_sheet_and_the_income_statement_of_a_year_are_one_period():
    files = [doc("balance_sheet", year=2024), doc("income_statement", year=2024), doc("equity_changes", year=2024)]
    assert fiscal_periods(files) == ("2024-03",)
    assert fiscal_periods(files + [doc("balance_sheet", year=2023)]) == ("2023-03", "2024-03")


def test_an_individuals_year_is_one_period_however_it_is_written():
    files = [doc("tax_return_first", company="山田太郎", year=2023, month=12),
             doc("income_tax_statement", company="山田太郎", year=2023, month=12)]
    assert {p for a in files for p in a.periods} == {"2023", "2023-12"}
    assert fiscal_periods(files) == ("2023-12",)


def test_period_labels():
    assert period_label("2024-03") == "2024年3月期"
    assert period_label("2023") == "2023年"
    assert period_label("第12期") == "第12期"


# --- files that cannot be read -----------------------------------------------------------------

def test_a_scan():
    a = attach("決算書.pdf", scan_pdf())
    assert a.status == "scan" and a.reason is None


def test_a_pdf_that_needs_a_password():
    a = attach("別表二.pdf", encrypted_pdf(["同族会社等の判定に関する明細書"]))
    assert a.status == "encrypted" and "パスワード" in a.reason
    assert a.kinds == ("corporate_tax_table2",)            # by its name


def test_a_pdf_encrypted_with_an_empty_user_password_is_read():
    a = attach("x.pdf", encrypted_pdf(["同族会社等の判定に関する明細書", "事業年度 令和5・4・1 ～ 令和6・3・31"],
                                      user_password=""))
    assert a.status == "text" and a.kinds == ("corporate_tax_table2",) and a.periods == ("2024-03",)


@pytest.mark.parametrize("data", [broken_pdf(), b"%PDF-1.4\n" + bytes(range(256)) * 8,
                                  text_pdf(["貸借対照表"])[:400], b"not a pdf at all"])
def test_a_broken_pdf(data):
    a = attach("貸借対照表.pdf", data)
    assert a.status == "broken" and a.reason
    assert a.kinds == ("balance_sheet",)


def test_reading_never_raises():
    good = financial_statements(COMPANY, *fiscal_year(2024))
    for cut in range(0, len(good), max(1, len(good) // 40)):
        for data in (good[:cut], good[:cut] + b"\0" * 16 + good[cut + 16:]):
            assert attach("x.pdf", data).status in STATUSES


def test_read_a_file_as_batch_does(tmp_path):
    path = tmp_path / "損益計算書.pdf"
    path.write_bytes(text_pdf(document_lines("income_statement", COMPANY, *fiscal_year(2024))))
    assert read_attachment(path.name, path.read_bytes(), PROGRAM).kinds == ("income_statement",)  # the Program is a vocabulary too
    missing = read_attachment("ない.pdf", b"", VOCAB)                     # nothing read: no PDF in it
    assert missing.status == "broken" and missing.reason


def test_the_test_pdfs_read_back_as_written():
    lines = statement_lines("加賀工芸株式会社", dt.date(2023, 4, 1), dt.date(2024, 3, 31), ("balance_sheet",))
    a = attach("x.pdf", text_pdf(lines))
    assert "加賀工芸" in a.text and "令和6年3月31日現在" in a.text
    a = attach("x.pdf", financial_statements("加賀工芸株式会社", *fiscal_year(2024), ["sga", "equity", "tax_schedule2"]))
    assert a.kinds == ("sga_details", "equity_changes", "corporate_tax_table2")
    assert attach("x.pdf", tax_return("能登 太郎", 2023)).kinds == ("tax_return_first", "tax_return_second")
    b = attach("x.pdf", blue_return("能登 太郎", 2023))
    assert "income_tax_statement" in b.kinds and fiscal_periods([b]) == ("2023-12",)


# --- PV403–PV406 on the 記入例 (法人, 経営革新計画の認定「有」・④ 添付「有」, パートナーシップ「無」) -----------

def test_a_complete_corporation_is_clean(example):
    assert found(example, COMPLETE) == set()


def test_without_the_attachments_the_rules_say_nothing(example):
    assert found(example, None) == set()
    assert not [f for f in check(example).findings if f.rule in RULES]


def test_no_files_at_all(example):
    assert found(example, []) == {("PV403", F1, "G41", "error"), ("PV403", F1, "G43", "warning")}


def test_a_missing_income_statement(example):
    kinds = tuple(k for k in CORPORATION if k != "income_statement")
    files = statements(kinds=kinds) + [CERTIFICATE]
    assert found(example, files) == {("PV403", F1, "G41", "error")}
    (message,) = messages(example, files, "PV403")
    assert message.startswith("② 直近2期分の決算書等のうち、損益計算書が添付ファイルに見つかりません")


def test_missing_kinds_are_named_in_one_finding(example):
    kinds = ("balance_sheet", "sga_details", "equity_changes")
    (message,) = messages(example, statements(kinds=kinds) + [CERTIFICATE], "PV403")
    assert "損益計算書・法人税申告書 別表二が添付ファイルに見つかりません" in message


def test_a_scanned_bundle_counts_as_the_statements_but_not_the_table_two(example):
    files = [attach("決算書R5.pdf", scan_pdf()), attach("決算書R6.pdf", scan_pdf()), CERTIFICATE]
    assert found(example, files) == {("PV403", F1, "G41", "error"), ("PV405", None, None, "warning")}
    (message,) = messages(example, files, "PV403")
    assert "法人税申告書 別表二" in message and "損益計算書" not in message
    scans = [f for f in check(example, attachments=files).findings if f.rule == "PV405"]
    assert {f.attachment for f in scans} == {"決算書R5.pdf", "決算書R6.pdf"}


def test_the_manufacturing_cost_report_is_not_required(example):
    assert "manufacturing_cost" not in CORPORATION
    files = statements(kinds=CORPORATION + ("manufacturing_cost",)) + [CERTIFICATE]
    assert found(example, files) == set()


def test_one_period_only(example):
    files = statements(years=(2025,)) + [CERTIFICATE]
    assert found(example, files) == {("PV404", F1, "G41", "warning")}
    (message,) = messages(example, files, "PV404")
    assert "2025年3月期" in message


def test_statements_split_into_files_count_their_periods(example):
    files = [doc(k, year=y) for y in (2024, 2025) for k in CORPORATION] + [CERTIFICATE]
    assert found(example, files) == set()
    files = [doc(k, year=2025) for k in CORPORATION] + [CERTIFICATE]
    assert found(example, files) == {("PV404", F1, "G41", "warning")}


def test_periods_not_read_say_nothing(example):
    files = [attach(f"{VOCAB.kinds[k].name}.pdf", text_pdf([VOCAB.kinds[k].name, COMPANY, "（単位：円）"]))
             for k in CORPORATION] + [CERTIFICATE]
    assert all(a.status == "text" and not a.periods for a in files[:-1])
    assert found(example, files) == set()


def test_innovation_plan_declared_without_its_certificate(example):
    assert found(example, statements()) == {("PV403", F1, "G43", "warning")}
    (message,) = messages(example, statements(), "PV403")
    assert "④ 経営革新計画等の認定書の写し" in message and "加点" in message


def test_certificate_attached_while_the_list_says_no(edited):
    plan = edited({F1: {"G43": "無"}})
    assert found(plan, COMPLETE) == {("PV406", F1, "G43", "warning")}
    (f,) = [f for f in check(plan, attachments=COMPLETE).findings if f.rule == "PV406"]
    assert f.attachment == "経営革新計画承認通知.pdf"


def test_certificate_attached_while_not_declared(edited):
    plan = edited({F1: {"D29": "無", "G43": "無"}})
    assert found(plan, COMPLETE) == {("PV406", F1, "D29", "warning")}


def test_partnership_declaration(edited, example):
    declaration = doc("partnership_declaration", name="宣言.pdf")
    assert found(example, COMPLETE + [declaration]) == {("PV406", F1, "D30", "warning")}
    plan = edited({F1: {"D30": "有", "G44": "有"}})
    assert found(plan, COMPLETE) == {("PV403", F1, "G44", "warning")}
    assert found(plan, COMPLETE + [declaration]) == set()


def test_consent_attached_by_a_corporation(example):
    consent = doc("consent", name="同意書.pdf")
    assert found(example, COMPLETE + [consent]) == {("PV406", F1, "D14", "warning")}


def test_financials_attached_while_the_list_says_no(edited):
    plan = edited({F1: {"G41": "無"}})
    assert found(plan, COMPLETE) == {("PV406", F1, "G41", "warning")}


def test_unreadable_files(example):
    files = COMPLETE + [attach("別表二.pdf", encrypted_pdf(["x"])), attach("資料.pdf", broken_pdf()),
                        attach("スキャン.pdf", scan_pdf())]
    report = check(example, attachments=files)
    unreadable = {(f.attachment, f.severity.value, f.sheet, f.cell) for f in report.findings if f.rule == "PV405"}
    assert unreadable == {("別表二.pdf", "error", None, None), ("資料.pdf", "error", None, None),
                          ("スキャン.pdf", "warning", None, None)}
    scan = next(f for f in report.findings if f.attachment == "スキャン.pdf")
    assert scan.message.startswith("「スキャン.pdf」は文字のない PDF（スキャン）のため内容を読めません。ファイル名だけで判定しました")
    assert scan.where == "スキャン.pdf"


def test_a_missing_document_names_the_files_that_could_not_be_opened(example):
    files = [attach("資料.pdf", broken_pdf()), CERTIFICATE]
    (message,) = messages(example, files, "PV403")
    assert "開けなかったファイル: 資料.pdf" in message


def test_check_file_takes_the_attachments(example_copy):
    report = check_file(example_copy, attachments=statements(years=(2025,)) + [CERTIFICATE])
    assert [(f.rule, f.cell) for f in report.findings if f.rule in RULES] == [("PV404", "G41")]


# --- 個人事業主, 組合 ---------------------------------------------------------------------------------

OWNER = "山田太郎"


def individual(years=(2023, 2024), kinds=SOLE_PROPRIETOR):
    return [attach(f"{OWNER}_{k}_{y}.pdf", text_pdf(document_lines(k, OWNER, *fiscal_year(y, 12))))
            for y in years for k in kinds]


def test_a_sole_proprietor_needs_the_tax_return(edited):
    plan = edited({F1: {"D14": "個人事業主"}})
    assert found(plan, individual() + [CERTIFICATE]) == set()
    files = individual(kinds=("income_tax_statement",)) + [CERTIFICATE]
    assert found(plan, files) == {("PV403", F1, "G41", "error")}
    (message,) = messages(plan, files, "PV403")
    assert "確定申告書 第一表・確定申告書 第二表が添付ファイルに見つかりません" in message


def test_a_sole_proprietors_statements_are_not_asked_for(edited):
    """The corporation's statements (販管費明細, 別表二 …) are no business of a 個人事業主."""
    plan = edited({F1: {"D14": "個人事業主"}})
    files = individual(kinds=("tax_return_first", "tax_return_second")) + [
        attach(f"収支内訳書_{y}.pdf", scan_pdf()) for y in ("R4", "R5")] + [CERTIFICATE]
    assert {k for k in found(plan, files) if k[0] != "PV405"} == set()


def test_a_sole_proprietor_with_one_year(edited):
    plan = edited({F1: {"D14": "個人事業主"}})
    assert found(plan, individual(years=(2024,)) + [CERTIFICATE]) == {("PV404", F1, "G41", "warning")}


def test_a_cooperative_needs_its_articles(edited):
    plan = edited({F1: {"D14": "組合"}})
    name = "能登木工協同組合"
    files = statements(name, kinds=("balance_sheet", "income_statement")) + [CERTIFICATE]
    assert found(plan, files) == {("PV403", F1, "G41", "error")}
    assert "定款" in messages(plan, files, "PV403")[0]
    files.append(attach("定款.pdf", text_pdf(document_lines("articles", name, *fiscal_year(2024)))))
    assert found(plan, files) == set()
    assert "articles" in COOPERATIVE


# --- グループ（4者以上） ------------------------------------------------------------------------------

MEMBERS = [(COMPANY, "石川県七尾市"), ("加賀工芸株式会社", "石川県加賀市"),
           ("金沢デザイン合同会社", "石川県金沢市"), ("白山精機株式会社", "石川県白山市")]


def group_edits(members=MEMBERS):
    sheet = {}
    for row, (name, address) in enumerate(members, start=8):
        sheet.update({f"C{row}": name, f"E{row}": address, f"F{row}": "代表 太郎", f"G{row}": "試作",
                      f"H{row}": "該当", f"I{row}": dt.datetime(2025, 5, 20)})
    return {F1: {"D14": "グループ（4者以上）", "G42": "有"}, CONSENT: sheet}


def test_a_group_where_every_member_has_statements(edited):
    plan = edited(group_edits())
    files = [a for name, _ in MEMBERS for a in statements(name)] + [CERTIFICATE]
    assert found(plan, files) == set()


def test_a_group_member_without_statements(edited):
    plan = edited(group_edits())
    files = [a for name, _ in MEMBERS[:3] for a in statements(name)] + [CERTIFICATE]
    assert found(plan, files) == {("PV403", CONSENT, "C11", "error")}          # named in the plan: ② requires them
    (message,) = messages(plan, files, "PV403")
    assert "白山精機株式会社" in message


def test_a_group_member_found_by_the_file_name_without_its_legal_form(edited):
    plan = edited(group_edits())
    files = [a for name, _ in MEMBERS[:3] for a in statements(name)] + [CERTIFICATE]
    files += [attach("白山精機/決算書R5.pdf", scan_pdf()), attach("白山精機/決算書R6.pdf", scan_pdf())]
    assert {k for k in found(plan, files) if k[0] != "PV405"} == set()


def test_a_group_member_with_one_period(edited):
    plan = edited(group_edits())
    files = [a for name, _ in MEMBERS[:3] for a in statements(name)] + statements("白山精機株式会社", years=(2025,))
    assert found(plan, files + [CERTIFICATE]) == {("PV404", CONSENT, "C11", "warning")}


def test_a_group_without_any_statements(edited):
    plan = edited(group_edits())
    assert found(plan, [CERTIFICATE]) == {("PV403", F1, "G41", "error")}


def test_a_group_without_members_in_the_workbook_needs_the_consent_file(edited):
    plan = edited({F1: {"D14": "グループ（4者以上）", "G42": "有"}})
    files = statements() + [CERTIFICATE]
    assert ("PV403", F1, "G42", "error") in found(plan, files)
    assert ("PV403", F1, "G42", "error") not in found(plan, files + [doc("consent", name="同意書.pdf")])


def test_member_names_without_their_legal_form():
    assert member_key("株式会社 北陸精機") == member_key("(株)北陸精機") == member_key("北陸精機㈱") == "北陸精機"
    assert Attachment("北陸精機_決算書.pdf", "scan").mentions("北陸精機株式会社")
    assert not Attachment("決算書.pdf", "scan").mentions("株式会社")        # nothing left to look for


# --- the rules' documentation and the program data ------------------------------------------------

def test_the_rules_command_shows_the_rule():
    from planvalidator.cli import main

    result = CliRunner().invoke(main, ["rules", "PV403"])
    assert result.exit_code == 0, result.output
    assert "公募要領 6.(3)" in result.output and "損益計算書" in result.output and "{" not in result.output


def test_the_program_data_names_known_kinds_documents_and_org_types():
    documents = {d.id for d in PROGRAM.documents}
    assert {k.document for k in VOCAB.kinds.values()} <= documents
    assert set(VOCAB.required) == set(PROGRAM.org_types)
    assert VOCAB.periods == 2
    assert VOCAB.financial_documents == {"financials"}


@pytest.mark.parametrize("change, key", [
    (lambda t: t.replace("corporation: [balance_sheet,", "corporation: [balance_shet,"), "attachments.required.corporation.0"),
    (lambda t: t.replace("document: partnership", "document: partnershp"), "attachments.kinds.partnership_declaration.document"),
    (lambda t: t.replace("    group: []\n", "    groups: []\n"), "attachments.required.groups"),
])
def test_a_wrong_attachments_section_is_one_line_naming_the_key(tmp_path, change, key):
    folder = tmp_path / "schemas" / "r7"
    shutil.copytree(ROOT / "schemas" / "r7", folder)
    path = folder / "program.yaml"
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(CannotCheck) as caught:
        load_program(folder)
    assert f"program.yaml の {key}: " in str(caught.value)
