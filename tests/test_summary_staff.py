"""受付チェック.xlsx as staff work it (issue 26): their own columns (受付状態, 担当者, 連絡日, メモ) carried
from run to run by the application's identity, the list printed one page wide by LibreOffice, the
CSV that Excel opens, a file at -o that is not a summary left alone.

The intake is a copy of the bundled example (templates/r7/intake, built from the official 記入例 by
tests/support/intake_factory.py); staff's edits are made with openpyxl, as Excel would save them."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from support.helpers import ROOT
from planvalidator.cli import main

BUNDLED = ROOT / "templates" / "r7" / "intake"
STAFF = ("受付状態", "担当者", "連絡日", "メモ")


@pytest.fixture
def intake(tmp_path):
    copy = tmp_path / "受付"
    shutil.copytree(BUNDLED, copy)
    return copy


def batch(intake: Path, out: Path, *more: str):
    result = CliRunner().invoke(main, ["batch", str(intake), "-o", str(out), "--jobs", "2",
                                       "--cache", str(out.parent / "cache"), *more])
    assert "Traceback" not in result.output
    return result


def listing(path: Path) -> dict[str, dict]:
    """申請一覧's rows by 申請, each {header: value}, in the order of the sheet (``_row``: its row)."""
    ws = openpyxl.load_workbook(path)["申請一覧"]
    header = [c.value for c in ws[1]]
    out = {}
    for r, row in enumerate(ws.iter_rows(min_row=2, values_only=True), 2):
        values = dict(zip(header, row))
        out[values["申請"]] = {**values, "_row": r}
    return out


def write_notes(path: Path, notes: dict[str, dict]) -> None:
    """Staff type their notes into 申請一覧 and sort the table their own way (the rows reversed)."""
    wb = openpyxl.load_workbook(path)
    ws = wb["申請一覧"]
    header = [c.value for c in ws[1]]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    for values in rows:
        for h, value in notes.get(values[header.index("申請")], {}).items():
            values[header.index(h)] = value
    for r, values in enumerate(reversed(rows), 2):
        for i, value in enumerate(values, 1):
            ws.cell(r, i).value = value
    wb.save(path)


def test_staff_notes_follow_their_application_when_rows_move_one_changes_one_is_added_and_one_leaves(
        intake, tmp_path):
    out = tmp_path / "受付チェック.xlsx"
    assert batch(intake, out).exit_code == 2                       # A009 is broken on purpose
    first = listing(out)
    assert all(row["受付状態"] == "未確認" for row in first.values())
    notes = {app: {"受付状態": status, "担当者": f"担当{i}", "連絡日": dt.datetime(2026, 6, i + 1),
                   "メモ": f"{app} に電話した"}
             for i, (app, status) in enumerate(zip(first, ["問い合わせ中", "差戻し", "受理"] * 4))}
    write_notes(out, notes)

    from support import pdfs
    from support.intake_factory import COMPANY, PERIODS

    (intake / "A002_書類不足" / "損益計算書.pdf").write_bytes(
        pdfs.financial_statements(COMPANY, *PERIODS[1], ["income_statement"]))      # the missing statement arrives
    shutil.copytree(intake / "A001_のと木工房", intake / "A000_追加の申請")            # a new application, sorted first
    shutil.rmtree(intake / "A004_個人事業主")                                        # withdrawn
    assert batch(intake, out).exit_code == 2

    again = listing(out)
    assert set(again) == set(first) | {"A000_追加の申請"}            # the withdrawn one keeps its row
    for app, wrote in notes.items():
        row = again[app]
        assert {h: row[h] for h in STAFF} == wrote, app            # every note where it belongs
    assert again["A002_書類不足"]["前回から"] == "変更あり"
    assert again["A004_個人事業主"]["前回から"] == "受付にない"
    assert again["A000_追加の申請"]["前回から"] == "新規"
    assert again["A000_追加の申請"]["受付状態"] == "未確認" and again["A000_追加の申請"]["メモ"] is None
    unchanged = set(first) - {"A002_書類不足", "A004_個人事業主"}
    assert all(again[app]["前回から"] is None for app in unchanged)
    # the gone row keeps what the list showed of it, and comes last
    assert again["A004_個人事業主"]["申請者"] == first["A004_個人事業主"]["申請者"]
    assert again["A004_個人事業主"]["_row"] == len(again) + 1
    # the changed application was checked again: its income statement is no longer missing
    assert "損益計算書" not in (again["A002_書類不足"]["不足書類"] or "")
    cover = {r[0]: r[1] for r in openpyxl.load_workbook(out)["受付の概要"].iter_rows(values_only=True) if r[0]}
    assert cover["受付にない"] == 1

    # a third run over the unchanged intake: nothing marked changed, nothing lost
    assert batch(intake, out).exit_code == 2
    third = listing(out)
    assert {app: {h: third[app][h] for h in STAFF} for app in notes} == notes
    assert third["A002_書類不足"]["前回から"] is None and third["A004_個人事業主"]["前回から"] == "受付にない"


def test_a_renamed_folder_keeps_its_notes_by_its_applicant(intake, tmp_path):
    out = tmp_path / "受付チェック.xlsx"
    batch(intake, out)
    write_notes(out, {"A004_個人事業主": {"担当者": "佐藤", "メモ": "再提出を依頼"}})
    (intake / "A004_個人事業主").rename(intake / "A004_個人事業主_再提出")
    batch(intake, out)
    rows = listing(out)
    assert "A004_個人事業主" not in rows                            # the one row of this applicant that left
    assert rows["A004_個人事業主_再提出"]["担当者"] == "佐藤" and rows["A004_個人事業主_再提出"]["メモ"] == "再提出を依頼"


def test_a_file_at_the_output_that_is_not_a_summary_is_left_alone(intake, tmp_path):
    out = tmp_path / "受付チェック.xlsx"
    shutil.copy(ROOT / "templates" / "r7" / "kinyurei-r7.xlsx", out)
    before = out.read_bytes()
    result = batch(intake, out)
    assert result.exit_code == 2
    line = result.output.strip().splitlines()[-1]
    assert line.startswith(f"planvalidator: {out}") and "申請一覧" in line and "別の -o" in line
    assert out.read_bytes() == before


def test_the_csv_for_excel_starts_with_a_bom_and_keeps_the_injection_guard(intake, tmp_path):
    from support.intake_factory import HOSTILE_NAME

    out = tmp_path / "受付チェック.csv"
    batch(intake, out)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")                         # Excel on Windows reads it as UTF-8
    text = raw.decode("utf-8-sig")
    assert "'" + HOSTILE_NAME.replace('"', '""') in text and "チェックできません" in text


# --- on paper ----------------------------------------------------------------------------------------

def test_libreoffice_prints_a_long_list_one_page_wide_with_its_header_on_every_page(tmp_path):
    """Sixty applications: the list runs to several pages, every one of them the full width of the
    list (its first and last columns) under the repeated header."""
    from test_annotate_libreoffice import PDFTOTEXT, SOFFICE, convert

    from planvalidator import batch as batching
    from planvalidator.intake import discover
    from planvalidator.summary import write

    if SOFFICE is None or PDFTOTEXT is None:
        pytest.skip("LibreOffice and poppler-utils are not installed (.ci/run installs them)")
    checked = batching.run(discover(BUNDLED)[0], batching.BatchOptions(jobs=2))[0]
    many = []
    for n in range(6):
        for app in checked:
            copy = batching.Application.from_dict(app.to_dict())
            copy.id = f"{n}_{app.id}"
            many.append(copy)
    out = tmp_path / "受付チェック.xlsx"
    write("xlsx", many, out)
    pdf = convert(out, tmp_path / "pdf", "pdf", tmp_path)
    text = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = [re.sub(r"\s+", "", page) for page in text.split("\f")]
    listing_pages = [p for p in pages if "受付状態" in p]
    assert len(listing_pages) >= 2
    for page in listing_pages:
        assert "No申請判定" in page and "メモ" in page           # the first columns and the last on every page
    printed = "".join(listing_pages)
    assert all(app.id in printed for app in many)
