"""The batch summary (planvalidator.summary): 受付チェック.xlsx, CSV, JSON and JSON Lines.

Four applications: a clean one, one with errors and missing documents, one that could not be
checked and a hostile one (formula-looking names and messages, XML control characters)."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from planvalidator.findings import Finding, Severity
from planvalidator.summary import FORMATS, Application, rule_counts, write
from planvalidator.summary.columns import APPLICATION_COLUMNS

HOSTILE_NAME = '=HYPERLINK("http://example.com","x")'
HOSTILE_APPLICANT = "@SUM(1+1)"
HOSTILE_MESSAGE = "-1+2 は計算式ではありません"


def finding(rule, name, severity, sheet, cell, message, *, reference="公募要領", accepted=None, attachment=None,
            value=None):
    return Finding(rule, name, Severity(severity), sheet, cell, message, reference, value=value,
                   accepted=accepted, attachment=attachment).to_dict()


@pytest.fixture
def applications(tmp_path):
    annotated = tmp_path / "注記済み"
    annotated.mkdir()
    (annotated / "株式会社かがや_チェック済み.xlsx").write_bytes(b"")
    clean = Application(
        id="001_株式会社のと", source=str(tmp_path / "intake" / "001_株式会社のと"), workbook="事業計画書.xlsx",
        attachments=["決算書.pdf", "見積書.pdf"], template="r7", verdict="問題は見つかりませんでした",
        applicant="株式会社のと", city="七尾市", category="1 新商品開発", project_name="能登の塩を使った菓子の開発",
        eligible=3_000_000.0, requested=2_000_000.0, cap=5_000_000, limit=2_000_000,
        findings=[finding("PV503", "thin-section", "info", "計画様式3", "B10", "記述が短めです")], infos=1)
    errors = Application(
        id="002_株式会社かがや", source=str(tmp_path / "intake" / "002_株式会社かがや.zip"), workbook="計画書.xlsx",
        attachments=["登記簿.pdf"], template="r7", verdict="要修正", applicant="株式会社かがや", city="金沢市",
        category="2 販路開拓", project_name="加賀友禅の海外販路開拓", eligible=1_500_000.5, requested=1_200_000.0,
        cap=1_000_000, limit=1_000_000, errors=3, warnings=1, accepted=1,
        missing_documents=["決算書（直近2期分）", "見積書"],
        findings=[
            finding("PV208", "cap-exceeded", "error", "計画様式1", "E40", "助成金申請額 1,200,000円 が限度額を超えています",
                    value=1_200_000),
            finding("PV401", "document-missing", "error", None, None, "決算書（直近2期分）が添付されていません"),
            finding("PV401", "document-missing", "error", None, None, "見積書が添付されていません"),
            finding("PV109", "tax-included", "warning", "計画様式7", "D12", "税込の金額の可能性があります"),
            finding("PV110", "quote-missing", "warning", "計画様式7", "D13", "見積書がありません",
                    accepted="見積書は後日提出と電話で確認"),
        ],
        annotated=str(annotated / "株式会社かがや_チェック済み.xlsx"))
    cannot = Application(
        id="003_壊れたファイル.xlsx", source=str(tmp_path / "intake" / "003_壊れたファイル.xlsx"),
        error="ファイルが壊れているため開けません（zip として読めません）", verdict="チェックできません")
    hostile = Application(
        id="=cmd|' /C calc'!A0", source=str(tmp_path / "intake" / "=cmd"), workbook="=1+1.xlsx", template="r7",
        verdict="要修正", applicant=HOSTILE_APPLICANT, city="+81", category="#N/A",
        project_name=HOSTILE_NAME, eligible=-5.0, requested=0.0, cap=5_000_000, limit=0, errors=1,
        missing_documents=["=2+3"],
        findings=[finding("PV004", "out-of-range", "error", "計画様式1", "E38", HOSTILE_MESSAGE + "\x01\x1b",
                          value="=1+1"),
                  finding("PV208", "cap-exceeded", "error", "計画様式1", "E40", "=SUM(A1:A9)")])
    return [clean, errors, cannot, hostile]


# 受付チェック.xlsx ---------------------------------------------------------------------------------

@pytest.fixture
def book_path(tmp_path, applications):
    out = tmp_path / "受付チェック.xlsx"
    write("xlsx", applications, out)
    return out


def sheet_xml(path: Path, title: str) -> str:
    """The raw XML of the sheet named ``title``."""
    with zipfile.ZipFile(path) as zf:
        book = zf.read("xl/workbook.xml").decode()
        rels = zf.read("xl/_rels/workbook.xml.rels").decode()
        rid = re.search(rf'<sheet[^>]*name="{title}"[^>]*r:id="(rId\d+)"', book).group(1)
        target = re.search(rf'<Relationship[^>]*Id="{rid}"[^>]*Target="([^"]+)"', rels) or \
            re.search(rf'<Relationship[^>]*Target="([^"]+)"[^>]*Id="{rid}"', rels)
        name = target.group(1).lstrip("/")
        return zf.read(name if name.startswith("xl/") else f"xl/{name}").decode()


def headers(ws) -> list[str]:
    return [c.value for c in ws[1]]


def column(ws, header: str) -> int:
    return headers(ws).index(header) + 1


def row_of(ws, application: str) -> int:
    """The row of 申請一覧 that is ``application``'s."""
    ids = [ws.cell(r, column(ws, "申請")).value for r in range(2, ws.max_row + 1)]
    return ids.index(application) + 2


def test_sheets_headers_and_layout(book_path):
    wb = openpyxl.load_workbook(book_path)
    assert wb.sheetnames == ["受付の概要", "申請一覧", "指摘一覧", "規則別件数", "提出ファイル"]
    assert wb.active.title == "申請一覧"                  # it opens where staff work
    ws = wb["申請一覧"]
    assert headers(ws)[:3] == ["No", "申請", "判定"]
    for h in ("申請者", "所在地の市町", "事業区分", "助成事業名", "助成対象経費", "助成金申請額", "申請可能額", "限度額",
              "エラー", "警告", "不足書類", "主な指摘", "事業計画書", "注記済みのブック",
              "受付状態", "担当者", "連絡日", "メモ", "前回から"):
        assert h in headers(ws)
    assert headers(wb["指摘一覧"]) == ["申請", "申請者", "規則", "規則名", "重要度", "シート", "セル", "添付ファイル",
                                      "指摘", "根拠", "確認済み"]
    assert headers(wb["規則別件数"]) == ["規則", "規則名", "内容", "重要度", "件数", "申請数"]
    assert ws.freeze_panes == "C2"                    # header row and the No / 申請 columns
    assert wb["指摘一覧"].freeze_panes == "A2" and wb["規則別件数"].freeze_panes == "A2"
    # 申請一覧 is an Excel table (its own filter buttons), the other sheets have a filter
    last = openpyxl.utils.get_column_letter(ws.max_column)
    assert [t.ref for t in ws.tables.values()] == [f"A1:{last}5"] and ws.auto_filter.ref is None
    assert wb["指摘一覧"].auto_filter.ref == "A1:K10"         # 8 findings and the one that could not be checked
    assert wb["規則別件数"].auto_filter.ref == "A1:F6"
    for title in ("申請一覧", "指摘一覧", "規則別件数", "提出ファイル"):
        sheet = wb[title]
        assert sheet["A1"].font.b and sheet["A1"].fill.fgColor.rgb.endswith("DDEBF7")
        for letter, dim in sheet.column_dimensions.items():
            assert dim.hidden or 5 <= dim.width <= 60, (sheet.title, letter, dim.width)
    # widths count East Asian characters as two
    assert ws.column_dimensions[openpyxl.utils.get_column_letter(column(ws, "申請者"))].width >= 2 * len("株式会社かがや")


def test_application_list_prints_a4_landscape_one_page_wide_with_its_header_on_every_page(book_path):
    ws = openpyxl.load_workbook(book_path)["申請一覧"]
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)     # one page wide, as many tall as needed
    assert ws.print_title_rows == "$1:$1"
    # the hidden 照合用 column (the files' digest) is not printed and takes no room
    assert ws.column_dimensions[openpyxl.utils.get_column_letter(column(ws, "照合用"))].hidden


def test_rows_are_sorted_as_staff_work_them_with_short_labels(book_path, applications):
    ws = openpyxl.load_workbook(book_path)["申請一覧"]
    ids = [ws.cell(r, 2).value for r in range(2, 6)]
    # チェック不可 → 要修正 (by 申請者: 「@…」 before 「株式会社かがや」) → 問題なし
    assert ids == ["003_壊れたファイル.xlsx", "=cmd|' /C calc'!A0", "002_株式会社かがや", "001_株式会社のと"]
    assert [ws.cell(r, 1).value for r in range(2, 6)] == [1, 2, 3, 4]
    assert [ws.cell(r, column(ws, "判定")).value for r in range(2, 6)] == ["チェック不可", "要修正", "要修正", "問題なし"]
    assert ws.cell(row_of(ws, "001_株式会社のと"), column(ws, "事業区分")).value == "1 新商品開発"   # no course: as written


def test_application_rows(book_path, applications):
    ws = openpyxl.load_workbook(book_path)["申請一覧"]
    r = row_of(ws, "002_株式会社かがや")
    row = {h: ws.cell(r, column(ws, h)) for h in headers(ws)}
    assert row["判定"].value == "要修正"
    assert row["申請者"].value == "株式会社かがや" and row["所在地の市町"].value == "金沢市"
    assert row["助成対象経費"].value == 1_500_000.5 and row["助成金申請額"].value == 1_200_000
    assert row["申請可能額"].value == 1_000_000 and row["限度額"].value == 1_000_000
    for h in ("助成対象経費", "助成金申請額", "申請可能額", "限度額"):
        assert row[h].number_format == '#,##0"円"'
        assert isinstance(row[h].value, (int, float))
    assert (row["エラー"].value, row["警告"].value, row["確認済み"].value) == (3, 1, 1)
    assert row["不足書類"].value == "決算書（直近2期分）、見積書"
    assert row["主な指摘"].value.split("\n") == [
        "PV208 計画様式1!E40 助成金申請額 1,200,000円 が限度額を超えています",
        "PV401 決算書（直近2期分）が添付されていません",
        "PV401 見積書が添付されていません"]
    assert row["主な指摘"].alignment.wrap_text
    assert ws.row_dimensions[r].height and ws.row_dimensions[r].height >= 45
    # staff's columns: a new summary starts every application 未確認, the rest empty
    assert row["受付状態"].value == "未確認" and row["担当者"].value is None and row["メモ"].value is None
    assert row["前回から"].value is None
    # marked rows: errors (light red), cannot check (orange), the clean one unfilled
    assert row["申請者"].fill.fgColor.rgb.endswith("FFC7CE")
    c = row_of(ws, "003_壊れたファイル.xlsx")
    cannot = {h: ws.cell(c, column(ws, h)) for h in headers(ws)}
    assert cannot["判定"].value == "チェック不可"
    assert cannot["主な指摘"].value.startswith("ファイルが壊れている")          # why, where the findings go
    assert cannot["申請"].fill.fgColor.rgb.endswith("F8CBAD")
    clean = row_of(ws, "001_株式会社のと")
    assert ws.cell(clean, column(ws, "申請者")).fill.fill_type is None
    assert ws.cell(clean, column(ws, "助成対象経費")).value == 3_000_000
    assert cannot["助成対象経費"].value is None and cannot["エラー"].value == 0
    # the negative amount stays a number
    assert ws.cell(row_of(ws, "=cmd|' /C calc'!A0"), column(ws, "助成対象経費")).value == -5


def test_the_status_is_a_drop_down_of_the_staff_vocabulary(book_path):
    import yaml

    from support.helpers import ROOT

    ws = openpyxl.load_workbook(book_path)["申請一覧"]
    letter = openpyxl.utils.get_column_letter(column(ws, "受付状態"))
    values = yaml.safe_load((ROOT / "schemas" / "staff.yaml").read_text(encoding="utf-8"))["statuses"]
    assert values == ["未確認", "問い合わせ中", "差戻し", "受理"]
    (check,) = ws.data_validations.dataValidation
    assert check.type == "list" and check.formula1 == '"未確認,問い合わせ中,差戻し,受理"'
    assert f"{letter}2" in str(check.sqref) and not check.showErrorMessage       # other words may be written too


def test_hyperlink_to_the_annotated_copy(book_path):
    ws = openpyxl.load_workbook(book_path)["申請一覧"]
    c = column(ws, "注記済みのブック")
    r = row_of(ws, "002_株式会社かがや")
    cell = ws.cell(r, c)
    assert cell.value == "株式会社かがや_チェック済み.xlsx"
    assert cell.hyperlink.target == "注記済み/株式会社かがや_チェック済み.xlsx"       # relative to the summary
    assert (book_path.parent / cell.hyperlink.target).exists()
    assert [ws.cell(r, c).hyperlink for r in range(2, 6) if r != row_of(ws, "002_株式会社かがや")] == [None] * 3
    with zipfile.ZipFile(book_path) as zf:
        rels = "".join(zf.read(n).decode() for n in zf.namelist() if n.endswith(".rels"))
    assert "example.com" not in rels                      # nothing the applicant wrote is a link


def test_links_to_each_applications_folder_and_files_are_relative(book_path):
    wb = openpyxl.load_workbook(book_path)
    ws = wb["申請一覧"]
    folder = ws.cell(row_of(ws, "001_株式会社のと"), column(ws, "申請"))
    assert folder.hyperlink.target == "intake/001_株式会社のと"             # the summary moves with the intake
    zipped = ws.cell(row_of(ws, "002_株式会社かがや"), column(ws, "事業計画書"))
    assert zipped.value == "計画書.xlsx" and zipped.hyperlink.target == "intake/002_株式会社かがや.zip"
    files = [[c.value for c in row] + [row[1].hyperlink.target if row[1].hyperlink else None]
             for row in wb["提出ファイル"].iter_rows(min_row=2)]
    assert ["001_株式会社のと", "決算書.pdf", "添付", "intake/001_株式会社のと/決算書.pdf"] in files
    assert ["001_株式会社のと", "事業計画書.xlsx", "事業計画書", "intake/001_株式会社のと/事業計画書.xlsx"] in files
    assert ["002_株式会社かがや", "登記簿.pdf", "添付", "intake/002_株式会社かがや.zip"] in files   # inside the zip


def test_a_finding_links_to_its_cell_in_the_annotated_copy(book_path):
    ws = openpyxl.load_workbook(book_path)["指摘一覧"]
    rows = {(ws.cell(r, 1).value, ws.cell(r, 3).value, ws.cell(r, 7).value): ws.cell(r, 7) for r in range(2, ws.max_row + 1)}
    cell = rows[("002_株式会社かがや", "PV208", "E40")]
    assert cell.hyperlink.target == "注記済み/株式会社かがや_チェック済み.xlsx"
    assert cell.hyperlink.location == "'計画様式1'!E40"
    assert rows[("001_株式会社のと", "PV503", "B10")].hyperlink is None          # no annotated copy: no link


def test_the_cover_says_when_what_and_lists_what_could_not_be_checked(tmp_path, applications):
    import datetime as dt

    from planvalidator import __version__
    from planvalidator.summary import Run

    out = tmp_path / "受付チェック.xlsx"
    started = dt.datetime(2026, 6, 2, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=9), "JST"))
    write("xlsx", applications, out, Run(started=started, intake=str(tmp_path / "intake"),
                                         program="新商品・新サービス開発支援事業助成金", skipped=["受付簿.docx"]))
    ws = openpyxl.load_workbook(out)["受付の概要"]
    table = {r[0]: r[1:] for r in ws.iter_rows(values_only=True) if r[0]}
    assert table["実行日時"][0] == "2026-06-02 09:30（JST）"
    assert table["受付フォルダ"][0] == str(tmp_path / "intake")
    assert table["制度・コース"][0] == "新商品・新サービス開発支援事業助成金"
    assert table["様式の版"][0] == "r7（3 件）" and table["planvalidator の版"][0] == __version__
    assert table["申請の数"][0] == "4 件"
    assert [table[v][0] for v in ("チェック不可", "要修正", "要確認", "問題なし")] == [1, 2, 0, 1]
    assert table["003_壊れたファイル.xlsx"][0].startswith("ファイルが壊れているため開けません")
    assert "受付簿.docx" in table["読まなかったファイル"][0]


def test_an_application_that_could_not_be_checked_is_in_the_findings_too(book_path):
    ws = openpyxl.load_workbook(book_path)["指摘一覧"]
    first = dict(zip(headers(ws), [c.value for c in ws[2]]))
    assert first["申請"] == "003_壊れたファイル.xlsx" and first["重要度"] == "チェック不可"
    assert first["指摘"].startswith("ファイルが壊れているため開けません")


def test_hostile_text_stays_text(book_path):
    wb = openpyxl.load_workbook(book_path)
    ws = wb["申請一覧"]
    r = row_of(ws, "=cmd|' /C calc'!A0")
    row = {h: ws.cell(r, column(ws, h)) for h in headers(ws)}
    expected = {"申請": "=cmd|' /C calc'!A0", "申請者": HOSTILE_APPLICANT, "助成事業名": HOSTILE_NAME,
                "所在地の市町": "+81", "事業区分": "#N/A", "不足書類": "=2+3"}
    for h, text in expected.items():
        assert row[h].value == text and row[h].data_type == "s", h
        assert row[h].quotePrefix, h
    assert row["主な指摘"].value.startswith("PV004 計画様式1!E38 -1+2")
    findings = wb["指摘一覧"]
    messages = {findings.cell(r, 9).value: findings.cell(r, 9) for r in range(2, findings.max_row + 1)}
    assert HOSTILE_MESSAGE in messages                     # the control characters dropped
    assert messages[HOSTILE_MESSAGE].data_type == "s" and messages[HOSTILE_MESSAGE].quotePrefix
    assert messages["=SUM(A1:A9)"].data_type == "s"
    assert findings.cell(findings.max_row, 2).value == "株式会社のと"        # the clean one last, as in 申請一覧
    # the saved XML holds no formula at all
    for title in wb.sheetnames:
        xml = sheet_xml(book_path, title)
        assert "<f>" not in xml and "<f " not in xml, title
        assert 't="e"' not in xml, title
    # the project name's cell is a string (inline or shared), its text as written
    letter = openpyxl.utils.get_column_letter(column(ws, "助成事業名"))
    own = re.search(rf'<c r="{letter}{r}"[^>]*>.*?</c>', sheet_xml(book_path, "申請一覧")).group(0)
    assert re.search(r't="(inlineStr|s)"', own)
    with zipfile.ZipFile(book_path) as zf:
        strings = "".join(zf.read(n).decode() for n in zf.namelist() if n.endswith(".xml"))
    assert re.search(r'=HYPERLINK\((&quot;|")http://example.com(&quot;|"),(&quot;|")x(&quot;|")\)', strings)
    assert "\x01" not in strings and "\x1b" not in strings


def test_findings_and_rule_counts(book_path, applications):
    wb = openpyxl.load_workbook(book_path)
    ws = wb["指摘一覧"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert len(rows) == sum(len(a.findings) for a in applications) + 1 == 9   # + the one that could not be checked
    first = dict(zip(headers(ws), rows[3]))
    assert first == {"申請": "002_株式会社かがや", "申請者": "株式会社かがや", "規則": "PV208", "規則名": "cap-exceeded",
                     "重要度": "エラー", "シート": "計画様式1", "セル": "E40", "添付ファイル": None,
                     "指摘": "助成金申請額 1,200,000円 が限度額を超えています", "根拠": "公募要領", "確認済み": None}
    accepted = dict(zip(headers(ws), rows[7]))
    assert accepted["規則"] == "PV110" and accepted["確認済み"] == "見積書は後日提出と電話で確認"
    assert {r[4] for r in rows} == {"エラー", "警告", "情報", "チェック不可"}

    rules = wb["規則別件数"]
    table = [[c.value for c in r] for r in rules.iter_rows(min_row=2)]
    by_rule = {r[0]: r for r in table}
    assert by_rule["PV208"][4:] == [2, 2]                 # two findings in two applications
    assert by_rule["PV401"][4:] == [2, 1]
    assert by_rule["PV401"][3] == "エラー"
    assert "PV110" not in by_rule                          # accepted: not counted
    assert [r[0] for r in table] == [c["rule"] for c in rule_counts(applications)]
    assert by_rule["PV401"][2]                            # the rule's Japanese summary
    charts = rules._charts
    assert len(charts) == 1
    with zipfile.ZipFile(book_path) as zf:
        assert any(n.startswith("xl/charts/chart") for n in zf.namelist())
        chart = zf.read(next(n for n in zf.namelist() if n.startswith("xl/charts/chart"))).decode()
    assert "規則別件数" in chart and "$E$2:$E$6" in chart and "$A$2:$A$6" in chart


def test_empty_intake_and_no_path(tmp_path):
    out = tmp_path / "空.xlsx"
    write("xlsx", [], out)
    wb = openpyxl.load_workbook(out)
    assert wb["申請一覧"].max_row == 1 and not wb["規則別件数"]._charts
    with pytest.raises(ValueError):
        write("xlsx", [], None)


def test_a_huge_text_is_cut_to_excels_limit(tmp_path):
    app = Application(id="x", source="x", applicant="あ" * 40_000, verdict="要修正")
    out = tmp_path / "s.xlsx"
    write("xlsx", [app], out)
    ws = openpyxl.load_workbook(out)["申請一覧"]
    value = ws.cell(2, column(ws, "申請者")).value
    assert len(value) == 32_767


# CSV -----------------------------------------------------------------------------------------------

def test_csv(tmp_path, applications):
    out = tmp_path / "受付チェック.csv"
    write("csv", applications, out)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    header = rows[0]
    assert header == [c.header for c in APPLICATION_COLUMNS if c.csv]
    assert "指摘件数" in header and "申請" in header
    assert len(rows) == 5
    get = lambda r, h: rows[r][header.index(h)]       # noqa: E731
    assert get(2, "申請者") == "株式会社かがや" and get(2, "指摘件数") == "4"
    assert get(2, "主な指摘").count("\n") == 2                       # the multi-line cell round-trips
    assert get(2, "注記済みのブック") == "注記済み/株式会社かがや_チェック済み.xlsx"
    assert get(2, "助成対象経費") == "1500000.5" and get(1, "助成対象経費") == "3000000"
    assert get(3, "判定") == "チェックできません" and get(3, "助成対象経費") == ""
    # injection: every hostile text starts with 「'」
    assert get(4, "申請者") == "'" + HOSTILE_APPLICANT
    assert get(4, "助成事業名") == "'" + HOSTILE_NAME
    assert get(4, "申請") == "'=cmd|' /C calc'!A0"
    assert get(4, "所在地の市町") == "'+81" and get(4, "不足書類") == "'=2+3"
    for r in rows[1:]:
        for value in r:
            assert not value.startswith(("=", "+", "@", "\t", "\r")) or value == "", value
    # the negative number stays a number: not quoted, no apostrophe
    text = raw.decode("utf-8-sig")
    assert ",-5," in text and "'-5" not in text


def test_csv_to_stdout(applications, capsysbinary):
    write("csv", applications[:1], None)
    raw = capsysbinary.readouterr().out
    assert not raw.startswith(b"\xef\xbb\xbf")                      # pipes get plain UTF-8
    assert "株式会社のと" in raw.decode("utf-8")


# JSON ----------------------------------------------------------------------------------------------

def test_json(tmp_path, applications):
    out = tmp_path / "s.json"
    write("json", applications, out)
    text = out.read_text(encoding="utf-8")
    assert "株式会社かがや" in text                                   # not ASCII-escaped
    doc = json.loads(text)
    assert set(doc) == {"applications", "rules"}
    assert len(doc["applications"]) == 4
    first = doc["applications"][1]
    assert set(first) == set(applications[1].to_dict()) - {"fingerprint"} | {"top_findings"}   # as before
    assert [f["rule"] for f in first["top_findings"]] == ["PV208", "PV401", "PV401"]
    assert Application.from_dict(first) == applications[1]
    assert doc["rules"] == rule_counts(applications)
    assert doc["applications"][3]["project_name"] == HOSTILE_NAME


def test_jsonl(tmp_path, applications, capsys):
    applications[0].project_name = "改行\u2028区切り"
    out = tmp_path / "s.jsonl"
    write("jsonl", applications, out)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4
    apps = [json.loads(line) for line in lines]
    assert [a["id"] for a in apps] == [a.id for a in applications]
    assert all("top_findings" in a and "findings" in a for a in apps)
    assert apps[0]["project_name"] == "改行\u2028区切り"
    write("jsonl", applications, None)
    assert capsys.readouterr().out.count("\n") == 4


def test_formats_registry():
    assert set(FORMATS) == {"xlsx", "csv", "json", "jsonl"}

# LibreOffice prints the summary of a real batch: tests/test_batch.py


# the writer's shortcuts give what the plain definitions give --------------------------------------

def test_widths_and_heights_are_those_of_every_cell_measured_one_by_one(tmp_path, applications):
    """_finish measures the cells written in one pass; the columns' widths and the rows' heights are what
    measuring each column's cells, then each row's, gives (the definition the widths had)."""
    from planvalidator.summary import xlsx
    from planvalidator.summary.columns import FINDING_COLUMNS, display_width, text_lines

    book = xlsx.build(applications * 3, tmp_path)
    for title, columns in ((xlsx.SHEET_APPLICATIONS, [c for c in APPLICATION_COLUMNS if c.xlsx]),
                           (xlsx.SHEET_FINDINGS, FINDING_COLUMNS)):
        ws = book[title]
        rows = ws.max_row - 1
        widths = []
        for i, col in enumerate(columns, 1):
            fit = xlsx.MIN_WIDTH
            for (cell,) in ws.iter_rows(min_row=1, max_row=rows + 1, min_col=i, max_col=i):
                if cell.value is None:
                    continue
                text = format(cell.value, ",") if isinstance(cell.value, (int, float)) else str(cell.value)
                extra = 2 if cell.number_format == xlsx.YEN else 0
                fit = max(fit, max(display_width(line) for line in text.split("\n")) + extra + 2)
            cap = min(col.width or xlsx.MAX_WIDTH, xlsx.MAX_WIDTH)
            width = col.width if col.kind in ("staff", "date", "since") else min(fit, max(cap, xlsx.MIN_WIDTH))
            assert ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width == width, (title, col.header)
            widths.append(width if col.kind != "key" else 0)
        for r, row in enumerate(ws.iter_rows(min_row=1, max_row=rows + 1), 1):
            lines = max((text_lines(c.value, w) for c, w in zip(row, widths) if w and isinstance(c.value, str)),
                        default=1)
            expected = min(xlsx.LINE_HEIGHT * lines + 3, xlsx.MAX_ROW_HEIGHT) if lines > 1 else None
            assert ws.row_dimensions[r].height == expected, (title, r)


def test_display_width_is_the_sum_of_each_characters_width():
    """The cached per-character widths and the ASCII shortcut against East Asian Width itself, on the text
    of the official template and every character of the Basic Multilingual Plane."""
    import unicodedata

    from planvalidator.summary.columns import display_width
    from support.helpers import EXAMPLE

    def plain(text):
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)

    book = openpyxl.load_workbook(EXAMPLE)
    texts = [str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    texts += [chr(c) for c in range(0x10000) if not 0xD800 <= c <= 0xDFFF] + ["", "abc 123", "ＡＢＣ半角ｶﾅ", "😀x"]
    assert len(texts) > 500
    for text in texts:
        for line in text.split("\n"):
            assert display_width(line) == plain(line), line


def test_link_escapes_what_the_per_character_rule_escapes():
    from urllib.parse import quote

    from planvalidator.summary.xlsx import _ILLEGAL, _link

    def plain(path):
        return "".join(quote(ch) if ch in "#% " or ch < " " or ch == "\x7f" or _ILLEGAL.match(ch) else ch
                       for ch in path)

    chars = [chr(c) for c in range(0x10000) if not 0xD800 <= c <= 0xDFFF]
    for start in range(0, len(chars), 512):
        text = "受付/" + "".join(chars[start:start + 512]) + "/決算書 #1%.pdf"
        assert _link(text) == plain(text)
