"""The latest two 決算期 at the application date (PV407) and a group member's statements (PV403).

公募要領 6.(3) ② asks for 「直近2期分の決算書等」 — for a 法人 its 貸借対照表, 損益計算書 … of the latest
two fiscal years, for a 個人事業主 its 確定申告書 of the latest two calendar years (「令和5年分」), for a
「4者以上のグループ」 those 「代表申請者を含む構成員全ての」. The application date is the workbook's 提出日
(計画様式1), else the 募集期間 (6.(1) 「令和7年4月21日(月)~令和7年6月13日(金)16時【必着】」, or the window of the
profile --program names), else today. A period that ended less than three months before it may not be
closed yet (法人税の申告期限: 2 月、延長で 3 月), so the pair one older is then a warning, not an error.

Every case is an application as ISICO receives it: the official 記入例 (提出日 2025-06-02, a 3月決算 法人)
with its 提出日 (計画様式1!H4), 組織形態 and 別紙1 changed by openpyxl, and 決算書 / 確定申告書 PDFs built by
tests/support/pdfs.py and read back as ``planvalidator batch`` reads them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest

from support.helpers import EXAMPLE, ROOT, edit
from support.pdfs import (blue_return, document_lines, financial_statements, fiscal_year, scan_pdf, tax_return, text_pdf)
from planvalidator import application_date
from planvalidator.attachments import read_attachment
from planvalidator.engine import Options, check
from planvalidator.profiles import profiles
from planvalidator.program import load_program
from planvalidator.reader import read

PROGRAM = load_program(ROOT / "schemas" / "r7")
SEEDS = ROOT / "schemas" / "sources"           # the public source documents, kept with the data they ground
F1, CONSENT = "計画様式1", "別紙1"
COMPANY = "株式会社のと木工房"                 # the 記入例's applicant
OWNER = "能登 太郎"
FINANCIALS = "G41"                           # 計画様式1: the 添付 cell of ② 直近2期分の決算書等
WINDOW = "募集期間（令和7年4月21日(月)~令和7年6月13日(金)16時【必着】）"
CERTIFICATE = read_attachment("経営革新計画承認書.pdf", text_pdf(document_lines(
    "innovation_certificate", COMPANY, *fiscal_year(2024))), PROGRAM)


def attach(name: str, data: bytes):
    return read_attachment(name, data, PROGRAM)


def name_of(end: dt.date, company: str = "") -> str:
    return f"{company + '_' if company else ''}決算書_{end.year}年{end.month}月期.pdf"


def corporate(*ends, month: int = 3, western: bool = False, company: str = COMPANY, named: bool = False):
    """One 決算書 PDF per fiscal year ending in ``month`` of each year (貸借対照表, 損益計算書, 販管費明細,
    株主資本等変動計算書, 別表二), named as accountants name them."""
    def make():
        out = []
        for year in ends:
            start, end = fiscal_year(year, month)
            out.append(attach(name_of(end, company if named else ""),
                              financial_statements(company, start, end, western=western)))
        return out
    return make


def individual(*years):
    """A 個人事業主's 確定申告書（第一表・第二表）and 青色申告決算書, one PDF each per 「…年分」."""
    def make():
        out = []
        for year in years:
            out.append(attach(f"確定申告書_{year}年分.pdf", tax_return(OWNER, year)))
            out.append(attach(f"青色申告決算書_{year}年分.pdf", blue_return(OWNER, year)))
        return out
    return make


def joined(*makers):
    return lambda: [a for make in makers for a in make()]


@dataclass
class Case:
    id: str
    files: object                               # () -> [Attachment]
    submitted: dt.date | None = dt.date(2025, 6, 2)
    org: str = "法人"
    severity: str | None = None                 # PV407's, None: no PV407 finding
    attachment: str | None = None               # the file the finding names (its stale period's)
    found: tuple = ()                           # the periods named as found, as the files write them
    expected: tuple = ()                        # the periods named as the latest
    words: tuple = ()                           # more the message must say
    program: str | None = None                  # --program
    cell: str = FINANCIALS


def R(*words):
    return tuple(words)


# the 記入例's fiscal year: April to March
MAR_LATEST = R("令和5年4月1日〜令和6年3月31日", "令和6年4月1日〜令和7年3月31日")
DEC_LATEST = R("令和5年1月1日〜令和5年12月31日", "令和6年1月1日〜令和6年12月31日")

CASES = [
    # --- 3月決算, 提出日 令和7年6月2日 (the 記入例's): the period that ended 令和7年3月31日 may still be open
    Case("3月・直近2期", corporate(2024, 2025)),
    Case("3月・1期前・期末から2か月", corporate(2023, 2024), severity="warning", attachment=name_of(dt.date(2023, 3, 31)),
         found=R("令和4年4月1日〜令和5年3月31日", "令和5年4月1日〜令和6年3月31日"), expected=MAR_LATEST,
         words=R("1 期前", "令和7年3月31日に終わった期", "3か月以内")),
    Case("3月・1期前・期末から3か月の最後の日", corporate(2023, 2024), submitted=dt.date(2025, 6, 30), severity="warning",
         attachment=name_of(dt.date(2023, 3, 31)), found=R("令和4年4月1日〜令和5年3月31日", "令和5年4月1日〜令和6年3月31日"),
         expected=MAR_LATEST),
    Case("3月・1期前・期末から3か月を過ぎた", corporate(2023, 2024), submitted=dt.date(2025, 7, 1), severity="error",
         attachment=name_of(dt.date(2023, 3, 31)), found=R("令和4年4月1日〜令和5年3月31日", "令和5年4月1日〜令和6年3月31日"),
         expected=MAR_LATEST, words=R("提出日（令和7年7月1日）",)),
    Case("3月・期末の10日後に1期前", corporate(2023, 2024), submitted=dt.date(2025, 4, 10), severity="warning",
         found=R("令和4年4月1日〜令和5年3月31日", "令和5年4月1日〜令和6年3月31日"), expected=MAR_LATEST),
    Case("3月・2期前", corporate(2022, 2023), severity="error", attachment=name_of(dt.date(2022, 3, 31)),
         found=R("令和3年4月1日〜令和4年3月31日", "令和4年4月1日〜令和5年3月31日"), expected=MAR_LATEST,
         words=R("提出日（令和7年6月2日）の時点の直近2期ではありません",)),
    Case("3月・直近1期と古い1期", corporate(2022, 2025), severity="error", attachment=name_of(dt.date(2022, 3, 31)),
         found=R("令和3年4月1日〜令和4年3月31日", "令和6年4月1日〜令和7年3月31日"), expected=MAR_LATEST,
         words=R("見つからない期: 令和5年4月1日〜令和6年3月31日",)),
    Case("3月・平成の期", corporate(2019, 2020), severity="error", attachment=name_of(dt.date(2019, 3, 31)),
         found=R("平成30年4月1日〜平成31年3月31日", "平成31年4月1日〜令和2年3月31日"), expected=MAR_LATEST),
    Case("3月・西暦の決算書・直近2期", corporate(2024, 2025, western=True)),
    Case("3月・西暦の決算書・2期前", corporate(2022, 2023, western=True), severity="error",
         attachment=name_of(dt.date(2022, 3, 31)), found=R("2021年4月1日〜2022年3月31日", "2022年4月1日〜2023年3月31日"),
         expected=R("2023年4月1日〜2024年3月31日", "2024年4月1日〜2025年3月31日")),
    # --- 12月決算: the period that ended 令和6年12月31日 has been closed for months by 6月
    Case("12月・直近2期", corporate(2023, 2024, month=12)),
    Case("12月・1期前・期末から5か月", corporate(2022, 2023, month=12), severity="error",
         attachment=name_of(dt.date(2022, 12, 31)), found=R("令和4年1月1日〜令和4年12月31日", "令和5年1月1日〜令和5年12月31日"),
         expected=DEC_LATEST),
    Case("12月・1期前・期末から6週間", corporate(2022, 2023, month=12), submitted=dt.date(2025, 2, 14), severity="warning",
         attachment=name_of(dt.date(2022, 12, 31)), found=R("令和4年1月1日〜令和4年12月31日", "令和5年1月1日〜令和5年12月31日"),
         expected=DEC_LATEST, words=R("令和6年12月31日に終わった期",)),
    Case("12月・3期前", corporate(2020, 2021, month=12), severity="error",
         found=R("令和2年1月1日〜令和2年12月31日", "令和3年1月1日〜令和3年12月31日"), expected=DEC_LATEST),
    # --- 9月決算
    Case("9月・直近2期", corporate(2023, 2024, month=9)),
    Case("9月・1期前・期末から8か月", corporate(2022, 2023, month=9), severity="error",
         attachment=name_of(dt.date(2022, 9, 30)), found=R("令和3年10月1日〜令和4年9月30日", "令和4年10月1日〜令和5年9月30日"),
         expected=R("令和4年10月1日〜令和5年9月30日", "令和5年10月1日〜令和6年9月30日")),
    Case("9月・1期前・期末から3週間", corporate(2023, 2024, month=9), submitted=dt.date(2025, 10, 20), severity="warning",
         attachment=name_of(dt.date(2023, 9, 30)), found=R("令和4年10月1日〜令和5年9月30日", "令和5年10月1日〜令和6年9月30日"),
         expected=R("令和5年10月1日〜令和6年9月30日", "令和6年10月1日〜令和7年9月30日")),
    # --- 6月決算: on 令和7年6月2日 the period ending 令和7年6月30日 has not ended
    Case("6月・期末の前の提出", corporate(2023, 2024, month=6)),
    Case("6月・期末の2週間後に1期前", corporate(2023, 2024, month=6), submitted=dt.date(2025, 7, 15), severity="warning",
         attachment=name_of(dt.date(2023, 6, 30)), found=R("令和4年7月1日〜令和5年6月30日", "令和5年7月1日〜令和6年6月30日"),
         expected=R("令和5年7月1日〜令和6年6月30日", "令和6年7月1日〜令和7年6月30日")),
    Case("6月・期末の2週間後に直近2期", corporate(2024, 2025, month=6), submitted=dt.date(2025, 7, 15)),
    Case("6月・2期前", corporate(2021, 2022, month=6), severity="error", attachment=name_of(dt.date(2021, 6, 30)),
         found=R("令和2年7月1日〜令和3年6月30日", "令和3年7月1日〜令和4年6月30日"),
         expected=R("令和4年7月1日〜令和5年6月30日", "令和5年7月1日〜令和6年6月30日")),
    # --- 個人事業主: 確定申告書 by calendar year, filed by 3月15日
    Case("個人・直近2年分", individual(2023, 2024), org="個人事業主"),
    Case("個人・1年前", individual(2022, 2023), org="個人事業主", severity="error", attachment="確定申告書_2022年分.pdf",
         found=R("令和4年分", "令和5年分"), expected=R("令和5年分", "令和6年分")),
    Case("個人・確定申告の期限前に1年前", individual(2022, 2023), org="個人事業主", submitted=dt.date(2025, 2, 20),
         severity="warning", found=R("令和4年分", "令和5年分"), expected=R("令和5年分", "令和6年分"),
         words=R("令和6年分の確定申告がまだ済んでいなければ", "令和6年分の確定申告書等が必要です")),
    Case("個人・直近1年と古い1年", individual(2021, 2024), org="個人事業主", severity="error",
         attachment="確定申告書_2021年分.pdf", found=R("令和3年分", "令和6年分"), expected=R("令和5年分", "令和6年分"),
         words=R("見つからない期: 令和5年分",)),
    # --- no 提出日: the 募集期間 (公募要領 6.(1))
    Case("提出日なし・3月・1期前", corporate(2023, 2024), submitted=None, severity="warning",
         found=R("令和4年4月1日〜令和5年3月31日", "令和5年4月1日〜令和6年3月31日"), expected=MAR_LATEST,
         words=R(f"{WINDOW}の最終日（令和7年6月13日）",)),
    Case("提出日なし・12月・1期前", corporate(2022, 2023, month=12), submitted=None, severity="error",
         found=R("令和4年1月1日〜令和4年12月31日", "令和5年1月1日〜令和5年12月31日"), expected=DEC_LATEST,
         words=R(f"{WINDOW}の初日（令和7年4月21日）",)),
    # a 1月決算: on the window's first day the last period (ended 1月31日) may be open, on its last day not
    Case("提出日なし・1月・期間の途中で古くなる", corporate(2023, 2024, month=1), submitted=None, severity="warning",
         found=R("令和4年2月1日〜令和5年1月31日", "令和5年2月1日〜令和6年1月31日"),
         expected=R("令和5年2月1日〜令和6年1月31日", "令和6年2月1日〜令和7年1月31日"),
         words=R(f"{WINDOW}の最終日（令和7年6月13日）", "募集期間の初日（令和7年4月21日）の時点では足りている")),
    # --program: the window of the profile's document
    Case("高付加価値化の公募期間", corporate(2019, 2020), submitted=None, program="kofukakachi", severity="error",
         found=R("平成30年4月1日〜平成31年3月31日", "平成31年4月1日〜令和2年3月31日"),
         expected=R("令和2年4月1日〜令和3年3月31日", "令和3年4月1日〜令和4年3月31日"),
         words=R("募集期間（令和4年6月24日(金) ~ 令和4年7月29日(金)）の初日（令和4年6月24日）",)),
    Case("高付加価値化の公募期間・直近2期", corporate(2021, 2022), submitted=None, program="kofukakachi"),
    # 3月決算: on its first day (令和4年6月24日) the period ended 令和4年3月31日 may be open, on its last not
    Case("高付加価値化の公募期間・期間の途中で古くなる", corporate(2020, 2021), submitted=None, program="kofukakachi",
         severity="warning", found=R("平成31年4月1日〜令和2年3月31日", "令和2年4月1日〜令和3年3月31日"),
         expected=R("令和2年4月1日〜令和3年3月31日", "令和3年4月1日〜令和4年3月31日"),
         words=R("の最終日（令和4年7月29日）", "募集期間の初日（令和4年6月24日）の時点では足りている")),
    Case("金沢市の締切だけの募集期間", corporate(2021, 2022), submitted=None, program="kanazawa-shinseihin:tandoku-priority",
         severity="warning", found=R("令和2年4月1日〜令和3年3月31日", "令和3年4月1日〜令和4年3月31日"), expected=MAR_LATEST,
         words=R("募集期間（令和7年7月4日(金)まで）の最終日（令和7年7月4日）", "初日が分からず")),
    # --- how the periods are found
    Case("決算期を変えた法人（9か月の期）", lambda: [
        attach("決算書_2024年3月期.pdf", financial_statements(COMPANY, *fiscal_year(2024))),
        attach("決算書_2024年12月期.pdf", financial_statements(COMPANY, dt.date(2024, 4, 1), dt.date(2024, 12, 31)))]),
    Case("スキャン・ファイル名の年だけ", lambda: [attach("決算書R2.pdf", scan_pdf()), attach("決算書R3.pdf", scan_pdf())],
         severity="warning", attachment="決算書R2.pdf", found=R("R2", "R3"), expected=MAR_LATEST,
         words=R("ファイル名の年",)),
]


# --- the plans --------------------------------------------------------------------------------

_PLANS: dict = {}


@pytest.fixture(scope="module")
def plans(tmp_path_factory):
    """plans(edits) → the 記入例 with those edits, read (each set of edits saved once)."""
    folder = tmp_path_factory.mktemp("periods")

    def make(edits: dict):
        key = repr(sorted((sheet, sorted(cells.items())) for sheet, cells in edits.items()))
        if key not in _PLANS:
            _PLANS[key] = read(edit(EXAMPLE, folder / f"case{len(_PLANS)}.xlsx", edits))
        return _PLANS[key]
    return make


def edits_of(submitted, org: str = "法人", **sheets) -> dict:
    out = {F1: {"H4": dt.datetime.combine(submitted, dt.time()) if submitted else None, "D14": org}}
    for sheet, cells in sheets.items():
        out.setdefault(sheet, {}).update(cells)
    return out


def findings(plan, files, rule: str, program: str | None = None):
    report = check(plan, Options(course=program), attachments=files + [CERTIFICATE])
    return [f for f in report.findings if f.rule == rule]


def in_order(message: str, texts) -> bool:
    """Whether the message names the texts, in that order."""
    at = 0
    for text in texts:
        at = message.find(text, at)
        if at < 0:
            return False
        at += len(text)
    return True


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_the_periods_are_the_latest_at_the_application_date(plans, case):
    plan = plans(edits_of(case.submitted, case.org))
    found = findings(plan, case.files(), "PV407", case.program)
    if case.severity is None:
        assert found == [], [f.message for f in found]
        return
    (f,) = found
    assert (f.severity.value, f.sheet, f.cell) == (case.severity, F1, case.cell), f.message
    if case.attachment:
        assert f.attachment == case.attachment
    message = f.message
    assert in_order(message, case.found), message
    assert in_order(message, case.expected), message
    assert f.value == list(case.found) and f.expected == list(case.expected)
    for word in case.words:
        assert word in message, message


def test_at_least_twenty_cases_of_each_kind_asked_for():
    assert len(CASES) >= 20
    assert {c.severity for c in CASES} == {None, "warning", "error"}


# --- today as the last resort -----------------------------------------------------------------

def test_without_a_submission_date_or_a_window_the_day_is_today(plans, monkeypatch):
    """金沢市 海外販路開拓支援事業 receives applications 「随時」: no window; the check says it judged at today."""
    assert profiles()["kanazawa-kaigai"].window is None
    monkeypatch.setattr(application_date, "today", lambda: dt.date(2025, 9, 1))
    plan = plans(edits_of(None))
    (f,) = findings(plan, corporate(2022, 2023)(), "PV407", "kanazawa-kaigai:expo-domestic")
    assert f.severity.value == "warning" and f.cell == FINANCIALS          # today is only the latest day it may have been
    assert "今日（令和7年9月1日。提出日が書かれておらず、制度の募集期間も分からないため）" in f.message
    assert in_order(f.message, ("令和3年4月1日〜令和4年3月31日", "令和4年4月1日〜令和5年3月31日", *MAR_LATEST))
    assert findings(plan, corporate(2024, 2025)(), "PV407", "kanazawa-kaigai:expo-domestic") == []


def test_a_profile_without_a_window_does_not_borrow_the_templates(plans, monkeypatch):
    """challenge-special's document gives no 募集期間: the r7 program's (another program's) is not used."""
    monkeypatch.setattr(application_date, "today", lambda: dt.date(2025, 9, 1))
    plan = plans(edits_of(None))
    (f,) = findings(plan, corporate(2023, 2024)(), "PV407", "challenge-special:crafts")
    assert "今日（令和7年9月1日" in f.message
    assert PROGRAM.application_window.written not in f.message and "令和7年6月13日" not in f.message


# --- a group: each member named in 別紙1 ------------------------------------------------------

MEMBERS = [("株式会社のと木工房", "C8"), ("加賀工芸株式会社", "C9"), ("金沢デザイン合同会社", "C10"), ("白山精機株式会社", "C11")]


def group_edits(submitted=dt.date(2025, 6, 2)):
    sheet = {}
    for row, (name, _cell) in enumerate(MEMBERS, start=8):
        sheet.update({f"C{row}": name, f"E{row}": "石川県金沢市", f"F{row}": "代表 太郎", f"G{row}": "試作",
                      f"H{row}": "該当", f"I{row}": dt.datetime(2025, 5, 20)})
    out = edits_of(submitted, "グループ（4者以上）")
    out[F1]["G42"] = "有"
    out[CONSENT] = sheet
    return out


def members_files(*ends, leave_out=(), **company_ends):
    """Each member's 決算書 (its name in the file names), the ends given, or ``company_ends`` for a member."""
    makers = []
    for name, _cell in MEMBERS:
        if name in leave_out:
            continue
        makers.append(corporate(*company_ends.get(name, ends), company=name, named=True))
    return joined(*makers)


def attachment_findings(plan, files):
    report = check(plan, attachments=files + [CERTIFICATE])
    return {(f.rule, f.sheet, f.cell, f.severity.value) for f in report.findings
            if f.rule in ("PV403", "PV404", "PV405", "PV406", "PV407")}


def test_a_group_whose_members_all_have_the_latest_statements(plans):
    assert attachment_findings(plans(group_edits()), members_files(2024, 2025)()) == set()


def test_a_group_member_with_old_statements(plans):
    files = members_files(2024, 2025, **{"白山精機株式会社": (2022, 2023)})()
    (f,) = findings(plans(group_edits()), files, "PV407")
    assert (f.severity.value, f.sheet, f.cell) == ("error", CONSENT, "C11")
    assert f.attachment == name_of(dt.date(2022, 3, 31), "白山精機株式会社")
    assert f.message.startswith("構成員「白山精機株式会社」の決算書等の決算期が、提出日（令和7年6月2日）の時点の直近2期ではありません")
    assert in_order(f.message, ("令和3年4月1日〜令和4年3月31日", "令和4年4月1日〜令和5年3月31日", *MAR_LATEST))


def test_a_group_member_named_in_the_plan_without_statements_is_an_error(plans):
    files = members_files(2024, 2025, leave_out=("白山精機株式会社",))()
    (f,) = findings(plans(group_edits()), files, "PV403")
    assert (f.severity.value, f.sheet, f.cell) == ("error", CONSENT, "C11")
    assert "構成員「白山精機株式会社」の決算書又は確定申告書等が添付ファイルに見つかりません" in f.message
    assert "代表申請者を含む構成員全てのもの" in f.message


def test_a_group_member_whose_name_is_only_partly_in_a_file_is_a_warning(plans):
    """加賀工芸 wrote its name 「加賀工藝」 on its statements: perhaps its own, perhaps not — a warning."""
    files = members_files(2024, 2025, leave_out=("加賀工芸株式会社",))() + corporate(
        2024, 2025, company="加賀工藝株式会社", named=True)()
    (f,) = findings(plans(group_edits()), files, "PV403")
    assert (f.severity.value, f.sheet, f.cell) == ("warning", CONSENT, "C9")
    assert "名称の一部「加賀工」だけ" in f.message and f.attachment == name_of(dt.date(2024, 3, 31), "加賀工藝株式会社")


def test_a_group_member_with_statements_that_name_nobody_is_a_warning(plans):
    """A scan named 「決算書R6.pdf」 may be 白山精機's: whose it is cannot be told."""
    files = members_files(2024, 2025, leave_out=("白山精機株式会社",))() + [attach("決算書R6.pdf", scan_pdf())]
    (f,) = findings(plans(group_edits()), files, "PV403")
    assert (f.severity.value, f.sheet, f.cell) == ("warning", CONSENT, "C11")
    assert "どの構成員の名称もないファイル" in f.message and f.attachment == "決算書R6.pdf"


def test_a_group_member_with_an_individuals_returns(plans):
    """A member that is a 個人事業主 sends 確定申告書 by 「…年分」: judged by calendar years."""
    name = "白山精機株式会社"
    files = members_files(2024, 2025, leave_out=(name,))() + [
        attach(f"{name}_確定申告書_{y}年分.pdf", tax_return(name, y)) for y in (2022, 2023)]
    (f,) = findings(plans(group_edits()), files, "PV407")
    assert (f.severity.value, f.cell) == ("error", "C11")
    assert in_order(f.message, ("令和4年分", "令和5年分", "令和5年分", "令和6年分"))


# --- the program data and its sources ---------------------------------------------------------

def _source(file: str) -> str:
    return (SEEDS / file).read_text(encoding="utf-8")


def test_the_window_and_the_grace_are_the_documents_words():
    window = PROGRAM.application_window
    text = _source("001_c24a302fdf321092.txt")
    assert (window.start, window.end) == (dt.date(2025, 4, 21), dt.date(2025, 6, 13))
    assert window.written in text and "6.(1)" in window.source
    assert "直近2期分の決算書等" in text and PROGRAM.attachments.closing_months == 3
    assert "直近2期分の決算書等" in PROGRAM.raw["attachments"]["recency"]["source"]


@pytest.mark.parametrize("profile_id, first, last", [
    ("kengai-monozukuri", dt.date(2015, 10, 5), dt.date(2015, 10, 30)),
    ("kanazawa-shinseihin", None, dt.date(2025, 7, 4)),
    ("kofukakachi", dt.date(2022, 6, 24), dt.date(2022, 7, 29)),
    ("kanazawa-kaigai", None, None),            # 「随時」
    ("challenge-special", None, None),          # the document states none
    ("shinseihin", None, None),                 # the r7 program's own: schemas/r7/program.yaml
])
def test_each_profiles_window_is_quoted_from_its_document(profile_id, first, last):
    profile = profiles()[profile_id]
    window = profile.window
    if last is None:
        assert window is None
        return
    assert (window.start, window.end) == (first, last)
    text = _source(profile.document)
    assert window.written in text
    for quoted in re.findall("「([^」]*)」", window.source):
        assert quoted in text, quoted


# --- how the periods are named: as the files write them -----------------------------------------

@pytest.mark.parametrize("lines, written", [
    (["損益計算書", "自 令和5年4月1日 至 令和6年3月31日"], "令和5年4月1日〜令和6年3月31日"),
    (["損益計算書", "2023年4月1日～2024年3月31日"], "2023年4月1日〜2024年3月31日"),
    (["損益計算書", "令和5年4月1日から令和6年3月31日まで"], "令和5年4月1日〜令和6年3月31日"),
    (["貸借対照表", "令和6年3月31日現在"], "令和6年3月31日現在"),
    (["第12期 決算報告書", "令和6年3月期"], "令和6年3月期"),
    (["令和5年分の所得税及び復興特別所得税の確定申告書 第一表"], "令和5年分"),
    (["同族会社等の判定に関する明細書", "事業年度 令和5・4・1 ～ 令和6・3・31"], "令和5・4・1〜令和6・3・31"),
])
def test_a_period_is_named_as_the_file_writes_it(lines, written):
    from planvalidator.fiscal import found_periods

    (period,) = found_periods([attach("x.pdf", text_pdf(lines))])
    assert period.text == written and period.exact


def test_the_most_telling_writing_names_a_period():
    """A 貸借対照表 「…現在」 and a 損益計算書 「自…至…」 of one period: the span names it."""
    from planvalidator.fiscal import found_periods

    (period,) = found_periods(corporate(2025)())
    assert period.text == "令和6年4月1日〜令和7年3月31日" and period.end == dt.date(2025, 3, 31)


def test_a_year_in_a_file_name_is_a_guess_for_a_company_and_a_year_for_an_individual():
    from planvalidator.fiscal import found_periods

    scans = [attach("決算書R5.pdf", scan_pdf()), attach("2024年度決算書.pdf", scan_pdf())]
    company = found_periods(scans)
    assert [(p.text, p.end, p.exact) for p in company] == [("R5", dt.date(2024, 3, 31), False),
                                                           ("2024年度", dt.date(2025, 3, 31), False)]
    person = found_periods(scans, yearly=True)
    assert [(p.end, p.exact) for p in person] == [(dt.date(2023, 12, 31), True), (dt.date(2024, 12, 31), True)]
    # a file that gives its periods exactly: the guesses from names are not used
    assert [p.text for p in found_periods(scans + corporate(2025)())] == ["令和6年4月1日〜令和7年3月31日"]


def test_part_of_a_name_is_a_good_part_of_it():
    from planvalidator.member_files import longest_part

    kaga = corporate(2025, company="加賀工藝株式会社", named=True)()[0]
    assert longest_part("加賀工芸株式会社", kaga) == "加賀工"
    address = attach("x.pdf", text_pdf(["貸借対照表", "株式会社北陸", "石川県白山市鶴来本町"]))
    assert longest_part("白山精機株式会社", address) == ""             # 「白山」 of an address is no name
