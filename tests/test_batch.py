"""planvalidator batch: a generated intake (tests/support/intake_factory.py) of valid and defective applications
— corporations, sole proprietors, a group; attachments present, missing, scanned, encrypted; a zip; a
broken file — checked in worker processes into one summary."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from support.helpers import ROOT
from support.intake_factory import APPLICATIONS, HOSTILE_NAME
from planvalidator import batch
from planvalidator.cli import main
from planvalidator.intake import discover, files_of

SPECS = {spec.id: spec for spec in APPLICATIONS}
BUNDLED = ROOT / "templates" / "r7" / "intake"
ATTACHMENT_RULES = {"PV403", "PV404", "PV405", "PV406", "PV407"}


@pytest.fixture(scope="module")
def intake(tmp_path_factory):
    """A copy of the bundled example intake (templates/r7/intake/, made by scripts/build_intake.py)."""
    copy = tmp_path_factory.mktemp("batch") / "受付"
    shutil.copytree(BUNDLED, copy)
    return copy


def test_the_bundled_intake_is_what_the_factory_builds_now():
    assert subprocess.run([sys.executable, str(ROOT / "scripts" / "build_intake.py"), "--check"]).returncode == 0


@pytest.fixture(scope="module")
def checked(intake):
    sources, skipped = discover(intake)
    assert skipped == ["README.md", "expected.json"]
    apps, reused = batch.run(sources, batch.BatchOptions(jobs=2))
    assert reused == 0
    return {app.id: app for app in apps}


def _found(app):
    return {(f["rule"], f["sheet"], f["cell"], f["severity"]) for f in app.findings if not f["accepted"]}


def test_every_application_of_the_intake_is_a_row_in_intake_order(intake, checked):
    ids = [s.id for s in discover(intake)[0]]
    assert ids == sorted(ids) and set(ids) == {s.id if s.kind != "zip" else f"{s.id}.zip" for s in APPLICATIONS}
    assert list(checked) == ids


@pytest.mark.parametrize("spec", APPLICATIONS, ids=[s.id for s in APPLICATIONS])
def test_each_application_gets_its_planted_findings_and_no_others_from_attachments(checked, spec):
    app = checked[spec.id if spec.kind != "zip" else f"{spec.id}.zip"]
    if spec.error:
        assert app.error and app.verdict == batch.CANNOT_CHECK and app.findings == []
        return
    assert app.error is None, app.error
    found = _found(app)
    assert spec.expect <= found, found
    planted = {(rule, sheet, cell) for rule, sheet, cell, _ in spec.expect}
    extra = {k for k in found if k[0] in ATTACHMENT_RULES and k[:3] not in planted}
    assert extra == set(), extra                          # a complete application gets no attachment finding
    if not spec.expect:
        assert app.errors == 0 and app.warnings == 0, found
    for word in spec.missing:
        assert any(word in name for name in app.missing_documents), app.missing_documents


def test_a_lone_workbook_has_no_attachment_findings_because_its_attachments_are_unknown(checked):
    app = checked["A010_計画書だけ.xlsx"]
    assert app.attachments == [] and not any(f["rule"] in ATTACHMENT_RULES for f in app.findings)


def test_the_summary_row_carries_what_staff_sort_by(checked):
    app = checked["A001_のと木工房"]
    assert (app.applicant, app.city, app.template) == ("株式会社のと木工房", "七尾市", "r7")
    assert app.category.startswith("7") and app.project_name.startswith("能登産間伐材")
    assert (app.eligible, app.requested, app.cap) == (3890000, 2593000, 3000000)
    assert app.limit == 2593333 and app.verdict == "問題は見つかりませんでした"
    assert sorted(app.attachments) == sorted(name for name, _ in SPECS["A001_のと木工房"].files)


def test_zip_members_named_in_shift_jis_are_read_by_their_japanese_names(intake):
    source = next(s for s in discover(intake)[0] if s.kind == "zip")
    names = [f.name for f in files_of(source)]
    assert "A007_zip/事業計画書.xlsx" in names and any("決算書" in n for n in names)


# --- a worker that crashes or hangs -------------------------------------------------------------

def _misbehave(app, source, *args):
    if source.id == "A001_のと木工房":
        import faulthandler
        faulthandler.disable()                       # (no dump of the expected crash in the test log)
        os.abort()                                   # a native crash: the worker process dies
    if source.id == "A004_個人事業主":
        time.sleep(60)                               # a hang: stopped at the time limit
    return _real_check(app, source, *args)


_real_check = batch.application._check


def test_a_worker_that_aborts_or_hangs_becomes_a_row_and_the_batch_goes_on(intake, monkeypatch):
    monkeypatch.setattr(batch.application, "_check", _misbehave)     # forked workers inherit it
    sources = discover(intake)[0]
    apps = {a.id: a for a in batch.run(sources, batch.BatchOptions(jobs=2, timeout=5))[0]}
    assert "異常終了" in apps["A001_のと木工房"].error
    assert "打ち切りました" in apps["A004_個人事業主"].error
    assert apps["A003_経費の誤り"].error is None and apps["A003_経費の誤り"].errors >= 1
    assert len(apps) == len(sources)


# --- reuse --------------------------------------------------------------------------------------

def test_a_second_run_reuses_unchanged_applications_and_checks_a_changed_one(intake, tmp_path):
    sources = discover(intake)[0]
    options = batch.BatchOptions(jobs=2, cache_dir=tmp_path / "cache")
    first, reused = batch.run(sources, options)
    assert reused == 0
    again, reused = batch.run(sources, options)
    assert reused == len(sources)
    assert [a.to_dict() | {"reused": False} for a in again] == [a.to_dict() for a in first]
    changed = intake / "A002_書類不足" / "損益計算書.pdf"
    from support import pdfs
    from support.intake_factory import COMPANY, PERIODS
    changed.write_bytes(pdfs.financial_statements(COMPANY, *PERIODS[1], ["income_statement"]))
    try:
        third, reused = batch.run(discover(intake)[0], options)
    finally:
        changed.unlink()
    assert reused == len(sources) - 1
    app = next(a for a in third if a.id == "A002_書類不足")
    assert not app.reused and not any("損益計算書" in m for m in app.missing_documents)


# --- the command --------------------------------------------------------------------------------

def test_a_run_under_another_course_checks_again(intake, tmp_path):
    """A result is reused only under the same --program course: the course decides the caps and the
    eligible applicants, so a result under 001's 区分 is not the answer under 金沢市's course."""
    from planvalidator.engine import Options

    sources = [s for s in discover(intake)[0] if s.kind != "workbook"][:1]
    cache = tmp_path / "cache"
    assert batch.run(sources, batch.BatchOptions(jobs=1, cache_dir=cache))[1] == 0
    assert batch.run(sources, batch.BatchOptions(jobs=1, cache_dir=cache))[1] == 1
    other = batch.BatchOptions(options=Options(course="kanazawa-shinseihin"), jobs=1, cache_dir=cache)
    assert batch.run(sources, other)[1] == 0
    assert batch.run(sources, other)[1] == 1


def test_the_command_writes_the_summary_workbook_and_annotated_copies(intake, tmp_path):
    out = tmp_path / "受付チェック.xlsx"
    result = CliRunner().invoke(main, ["batch", str(intake), "-o", str(out), "--annotate", str(tmp_path / "注記"),
                                       "--no-cache", "--jobs", "2"])
    assert result.exit_code == 2, result.output          # A009 cannot be checked
    assert "A009_壊れたファイル" in result.output and "申請 10 件" in result.output
    book = openpyxl.load_workbook(out)
    rows = list(book["申請一覧"].iter_rows(values_only=True))
    assert len(rows) == 1 + len(APPLICATIONS)
    names = [c for row in rows for c in row if isinstance(c, str)]
    assert HOSTILE_NAME in names                         # written as text, not as a formula
    annotated = sorted(p.name for p in (tmp_path / "注記").iterdir())
    assert "A001_のと木工房_チェック結果.xlsx" in annotated and "A007_zip_チェック結果.xlsx" in annotated
    assert "A010_計画書だけ_チェック結果.xlsx" in annotated
    _printed_by_libreoffice(out, tmp_path)


def _printed_by_libreoffice(summary: Path, tmp_path: Path) -> None:
    """LibreOffice opens the summary and prints it: every application's row is on the pages, the
    applicant text that looks like a formula as its text."""
    import re

    from pypdf import PdfReader
    from test_annotate_libreoffice import SOFFICE, convert

    if SOFFICE is None:
        pytest.skip("LibreOffice is not installed")
    pdf = convert(summary, tmp_path / "pdf", "pdf", tmp_path)
    flat = re.sub(r"\s+", "", "\n".join(page.extract_text() for page in PdfReader(pdf).pages))
    for spec in APPLICATIONS:
        assert spec.id in flat, spec.id
    for name in ("株式会社のと木工房", "のと木工房能登太郎", "七尾市"):
        assert name in flat
    assert re.sub(r"\s+", "", HOSTILE_NAME) in flat and "チェック不可" in flat and "PV403" in flat
    # 申請一覧 is one sheet of paper wide: each page of it has its first and last columns (was 12 pages of 5)
    listing = [t for t in (re.sub(r"\s+", "", page.extract_text()) for page in PdfReader(pdf).pages) if "受付状態" in t]
    assert len(listing) == 1 and "No申請判定" in listing[0] and "メモ" in listing[0]


def test_two_applications_of_one_name_get_annotated_copies_of_their_own(tmp_path):
    from support.helpers import EXAMPLE

    intake = tmp_path / "受付"
    (intake / "A社").mkdir(parents=True)
    shutil.copy(EXAMPLE, intake / "A社" / "事業計画書.xlsx")
    with zipfile.ZipFile(intake / "A社.zip", "w") as zf:
        zf.write(EXAMPLE, "事業計画書.xlsx")
    shutil.copy(EXAMPLE, intake / "B社.xlsx")
    apps = batch.run(discover(intake)[0], batch.BatchOptions(jobs=1, annotate_dir=tmp_path / "注記"))[0]
    assert sorted(Path(a.annotated).name for a in apps) == ["A社_zip_チェック結果.xlsx", "A社_チェック結果.xlsx",
                                                            "B社_チェック結果.xlsx"]


def test_csv_output_keeps_applicant_text_from_running_as_a_formula(intake, tmp_path):
    result = CliRunner().invoke(main, ["batch", str(intake), "--format", "csv", "--no-cache", "--jobs", "2",
                                       "--select", "PV1,PV2"])
    text = result.stdout if hasattr(result, "stdout") else result.output
    rows = list(csv.reader(text.lstrip("\ufeff").splitlines()))
    cells = [c for row in rows for c in row]
    assert "'" + HOSTILE_NAME in cells and HOSTILE_NAME not in cells


def test_jsonl_output_is_one_application_per_line(intake):
    result = CliRunner().invoke(main, ["batch", str(intake), "--format", "jsonl", "--no-cache", "--jobs", "1"])
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert [d["id"] for d in lines][:2] == ["A001_のと木工房", "A002_書類不足"] and len(lines) == len(APPLICATIONS)


# --- an intake from a stranger ------------------------------------------------------------------

def test_a_zip_naming_paths_outside_is_read_in_memory_and_writes_nothing(tmp_path):
    from support.helpers import EXAMPLE

    intake = tmp_path / "受付"
    intake.mkdir()
    with zipfile.ZipFile(intake / "evil.zip", "w") as zf:
        zf.writestr("../../outside.txt", b"x")
        zf.writestr("/etc/passwd_copy", b"x")
        zf.writestr("C:\\Windows\\evil.pdf", b"%PDF-1.4 broken")
        zf.writestr("事業計画書.xlsx", EXAMPLE.read_bytes())
    before = set(tmp_path.rglob("*"))
    source = discover(intake)[0][0]
    names = sorted(f.name for f in files_of(source))
    assert names == sorted(["outside.txt", "etc/passwd_copy", "Windows/evil.pdf", "事業計画書.xlsx"])
    app = batch.Application.from_dict(batch.check_application(source))
    assert app.error is None and app.workbook == "事業計画書.xlsx"
    assert set(tmp_path.rglob("*")) == before and not (tmp_path.parent / "outside.txt").exists()


def test_a_zip_bomb_and_an_encrypted_zip_are_rows_saying_why(tmp_path):
    intake = tmp_path / "受付"
    intake.mkdir()
    with zipfile.ZipFile(intake / "bomb.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("事業計画書.xlsx", b"\0" * (300 * 1024 * 1024))
    assert (intake / "bomb.zip").stat().st_size < 2 * 1024 * 1024
    small = tmp_path / "small.zip"
    with zipfile.ZipFile(small, "w") as zf:
        zf.writestr("事業計画書.xlsx", b"PK")
    raw = bytearray(small.read_bytes())                    # the same zip with its member flagged as encrypted
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        raw[raw.find(signature) + flags_at] |= 1
    (intake / "locked.zip").write_bytes(bytes(raw))
    apps = {a.id: a for a in batch.run(discover(intake)[0], batch.BatchOptions(jobs=1))[0]}
    assert "上限" in apps["bomb.zip"].error
    assert "パスワード" in apps["locked.zip"].error


def test_an_intake_that_is_not_a_folder_is_one_line_and_exit_2(tmp_path):
    result = CliRunner().invoke(main, ["batch", str(tmp_path / "ない"), "-o", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 2 and "受付フォルダが見つかりません" in result.output
    assert "Traceback" not in result.output


def test_a_workbook_given_where_the_intake_folder_goes_is_told_so(tmp_path):
    """A file that exists is not 「見つかりません」: it is not a folder, and the line says what to do instead."""
    book = tmp_path / "事業計画書.xlsx"
    shutil.copyfile(ROOT / "templates" / "r7" / "kinyurei-r7.xlsx", book)
    result = CliRunner().invoke(main, ["batch", str(book), "-o", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"{book}: フォルダではありません" in result.output and "planvalidator check" in result.output
    assert "見つかりません" not in result.output and not (tmp_path / "x.xlsx").exists()


# --- identity, the cache, and intakes made to break the batch (issue: bounded, whatever arrives) ------

def _folders(root: Path, names, workbook: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name in names:
        (root / name).mkdir()
        shutil.copy(workbook, root / name / "事業計画書.xlsx")
    return root


def test_reused_results_keep_the_names_of_this_run(tmp_path):
    """Seven folders holding one workbook are seven rows of their own names, reused or not; a folder
    renamed since comes back under its new name; annotated copies are named from this run too."""
    from support.helpers import EXAMPLE

    names = [f"A00{i}_申請者{i}" for i in range(1, 8)]
    intake = _folders(tmp_path / "受付", names, EXAMPLE)
    options = batch.BatchOptions(jobs=2, cache_dir=tmp_path / "cache", annotate_dir=tmp_path / "注記")
    first, reused = batch.run(discover(intake)[0], options)
    again, reused_again = batch.run(discover(intake)[0], options)
    assert reused == 0 and reused_again == 7
    for apps in (first, again):
        assert [a.id for a in apps] == names
        assert [Path(a.source).name for a in apps] == names
        assert [Path(a.annotated).name for a in apps] == [f"{n}_チェック結果.xlsx" for n in names]
    (intake / names[2]).rename(intake / "A003_改名した申請者")
    third, reused_third = batch.run(discover(intake)[0], options)
    renamed = next(a for a in third if a.id == "A003_改名した申請者")
    assert Path(renamed.source).name == "A003_改名した申請者"
    assert Path(renamed.annotated).name == "A003_改名した申請者_チェック結果.xlsx" and Path(renamed.annotated).is_file()
    assert not any(a.id == names[2] for a in third)
    assert reused_third == 6 and not renamed.reused


def test_a_cache_entry_edited_by_hand_is_checked_again(tmp_path):
    wrong = ROOT / "templates" / "r7" / "invalid" / "wrong-amount.xlsx"
    intake = _folders(tmp_path / "受付", ["A001"], wrong)
    options = batch.BatchOptions(jobs=1, cache_dir=tmp_path / "cache")
    first = batch.run(discover(intake)[0], options)[0][0]
    assert first.errors and first.verdict != "問題は見つかりませんでした"
    entries = [p for p in (tmp_path / "cache").rglob("*.json")]
    assert len(entries) == 1
    entry = json.loads(entries[0].read_text(encoding="utf-8"))
    body = json.loads(entry["application"])
    body.update(verdict="問題は見つかりませんでした", errors=0, findings=[], applicant="別の会社", requested=1)
    entry["application"] = json.dumps(body, ensure_ascii=False)
    entries[0].write_text(json.dumps(entry), encoding="utf-8")
    again, reused = batch.run(discover(intake)[0], options)
    assert reused == 0
    assert again[0].to_dict() == first.to_dict()
    entries[0].write_text("{", encoding="utf-8")                      # cut short
    assert batch.run(discover(intake)[0], options)[1] == 0


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_the_cache_folder_is_private_to_the_user(tmp_path):
    from support.helpers import EXAMPLE

    intake = _folders(tmp_path / "受付", ["A001"], EXAMPLE)
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o755)
    os.chmod(cache, 0o755)
    batch.run(discover(intake)[0], batch.BatchOptions(jobs=1, cache_dir=cache))
    assert cache.stat().st_mode & 0o777 == 0o700
    assert (cache / "key").stat().st_mode & 0o777 == 0o600
    assert all(p.stat().st_mode & 0o077 == 0 for p in cache.rglob("*") if p.is_dir())


def test_names_with_control_characters_and_nul_are_rows_and_a_summary_not_a_traceback(tmp_path):
    """A folder named with control characters is checked and annotated (its copy named without them,
    its hyperlink escaped); a zip member named with a NUL or a control character is a row with the
    reason; the summary is written and opens."""
    from support.helpers import EXAMPLE

    intake = tmp_path / "受付"
    odd = "B\x01社\x1b[31m\x7f"
    _folders(intake, [odd], EXAMPLE)
    for label, cut in (("nul", "\x00"), ("ctrl", "\x02")):
        target = intake / f"C_{label}.zip"
        with zipfile.ZipFile(target, "w") as zf:
            zf.write(EXAMPLE, "事業計画書XX.xlsx")
        data = bytearray(target.read_bytes())
        marker = "事業計画書XX".encode()
        at = data.find(marker)
        while at >= 0:
            data[at + len("事業計画書".encode())] = ord(cut)
            at = data.find(marker, at + 1)
        target.write_bytes(bytes(data))
    out = tmp_path / "受付チェック.xlsx"
    result = CliRunner().invoke(main, ["batch", str(intake), "-o", str(out), "--annotate", str(tmp_path / "注記"),
                                       "--no-cache", "--jobs", "1"])
    assert result.exit_code in (1, 2), result.output
    assert "Traceback" not in result.output and "予期しない" not in result.output
    assert [p.name for p in (tmp_path / "注記").iterdir()] == ["B_社_[31m__チェック結果.xlsx"]
    book = openpyxl.load_workbook(out)
    rows = list(book["申請一覧"].iter_rows(values_only=True))
    reasons = " ".join(str(c) for row in rows for c in row if isinstance(c, str))
    assert reasons.count("制御文字") == 2
    links = [c.hyperlink.target for row in book.worksheets[0].iter_rows() for c in row if c.hyperlink]
    assert links and not any(ch < " " or ch == "\x7f" for link in links for ch in link)
    from planvalidator.summary.xlsx import _link
    assert _link("受付/B\x01社\x1b/決算書 #1.pdf") == "受付/B%01社%1B/決算書%20%231.pdf"


def test_a_symlink_at_the_top_of_the_intake_that_leaves_it_is_not_followed(tmp_path):
    from support.helpers import EXAMPLE

    outside = _folders(tmp_path / "外", ["秘密"], EXAMPLE)
    intake = _folders(tmp_path / "受付", ["A001"], EXAMPLE)
    (intake / "B_link").symlink_to(outside / "秘密", target_is_directory=True)
    (intake / "C_inside").symlink_to(intake / "A001", target_is_directory=True)
    sources, skipped = discover(intake)
    assert [s.id for s in sources] == ["A001", "C_inside"] and skipped == ["B_link"]


def test_a_pdf_that_inflates_without_end_is_a_finding_not_a_dead_worker(tmp_path):
    """A 決算書 whose page content inflates to 300 MB: measured before PDFium sees it, the batch row
    says why (PV405), and the worker was never near its memory ceiling."""
    import zlib

    from support.helpers import EXAMPLE

    intake = _folders(tmp_path / "受付", ["A001"], EXAMPLE)
    body = zlib.compress(b"0 0 m " * (50 << 20), 9)
    head = (b"%PDF-1.4\n1 0 obj<< /Type /Catalog /Pages 2 0 R >>endobj\n"
            b"2 0 obj<< /Type /Pages /Kids [3 0 R] /Count 1 >>endobj\n"
            b"3 0 obj<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>endobj\n")
    stream = b"4 0 obj<< /Filter /FlateDecode /Length " + str(len(body)).encode() + b" >>stream\n"
    pdf = head + stream + body + b"\nendstream\nendobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n"
    (intake / "A001" / "決算書_第10期.pdf").write_bytes(pdf)
    app = batch.run(discover(intake)[0], batch.BatchOptions(jobs=1))[0][0]
    assert app.error is None
    pv405 = [f for f in app.findings if f["rule"] == "PV405"]
    assert pv405 and "大きすぎ" in pv405[0]["message"] and pv405[0]["attachment"] == "決算書_第10期.pdf"


def test_workers_fit_the_machine_memory():
    from planvalidator import limits
    from planvalidator.processes import fitting

    per = limits.WORKER_MEMORY_BYTES
    assert fitting(8, memory_bytes=3 * per) == 3
    assert fitting(2, memory_bytes=16 * per) == 2
    assert fitting(4, memory_bytes=per // 2) == 1
