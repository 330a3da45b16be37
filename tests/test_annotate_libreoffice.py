"""The annotated workbook in a real spreadsheet program (LibreOffice, headless).

It prints the results sheet and the notes to PDF, keeps the highlights through its own re-save,
and a re-saved copy annotates again without doubling anything.
"""

import shutil
import subprocess

import openpyxl
import pytest

from support.helpers import R7, finding_keys as keyset
from planvalidator.annotate import annotate_file
from planvalidator.engine import check_file
from test_annotate import highlights, notes

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")
pytestmark = pytest.mark.skipif(SOFFICE is None or PDFTOTEXT is None,
                                reason="LibreOffice and poppler-utils are not installed (.ci/run installs them)")


def convert(source, outdir, target, tmp_path):
    subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--calc",
                    "--convert-to", target, "--outdir", str(outdir), str(source)],
                   check=True, capture_output=True, timeout=240)
    return outdir / f"{source.stem}.{target.split(':')[0]}"


@pytest.fixture
def annotated(tmp_path):
    source = tmp_path / "ineligible-expenses.xlsx"
    shutil.copy(R7 / "invalid" / "ineligible-expenses.xlsx", source)
    report, out = annotate_file(source)
    return source, report, out


def test_results_sheet_and_notes_are_in_the_pdf(annotated, tmp_path):
    from pypdf import PdfReader

    _source, report, out = annotated
    pdf = convert(out, tmp_path / "pdf", 'pdf:calc_pdf_Export:{"ExportNotes":{"type":"boolean","value":"true"}}',
                  tmp_path)
    text = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    first_page = text.split("\f")[0]
    assert "planvalidator チェック結果" in first_page
    for f in report.findings:
        assert f.rule in first_page and f.message[:20] in first_page
    note_texts = [a.get_object().get("/Contents", "") for page in PdfReader(pdf).pages
                  for a in (page.get("/Annots") or []) if a.get_object().get("/Subtype") == "/Text"]
    for f in report.findings:
        assert any(f.rule in t and f.message[:20] in t for t in note_texts), f.rule


def test_highlights_survive_libreoffice_resave_and_annotate_again(annotated, tmp_path):
    source, report, out = annotated
    rank = ["info", "warning", "error"]        # a cell with two findings is marked as the worse (L6: PV106, PV014)
    expected = {}
    for f in report.findings:
        expected[f.cell] = max(expected.get(f.cell, "info"), f.severity.value, key=rank.index)
    assert highlights(out, "計画様式7") == expected
    resaved = convert(out, tmp_path / "lo", "xlsx", tmp_path)
    assert highlights(resaved, "計画様式7") == expected
    assert keyset(check_file(resaved)) == keyset(check_file(source))
    again = tmp_path / "again.xlsx"
    annotate_file(resaved, again)
    assert highlights(again, "計画様式7") == expected
    assert openpyxl.load_workbook(again, read_only=True).sheetnames.count("チェック結果") == 1
    texts = notes(again, "計画様式7")
    assert set(texts) == set(expected)
    assert all(t.count("【planvalidator】") == 1 for t in texts.values())


def test_a_workbook_with_a_stray_value_at_the_last_cell_annotates_and_opens(tmp_path):
    """The PV009 note sits at XFD1048576: LibreOffice opens the annotated copy and re-saves it,
    and the re-saved copy checks the same."""
    from support.helpers import EXAMPLE, parts, write_parts

    contents = parts(EXAMPLE)
    contents["xl/worksheets/sheet7.xml"] = contents["xl/worksheets/sheet7.xml"].replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>')
    source = write_parts(tmp_path / "stray.xlsx", contents)
    report, out = annotate_file(source)
    assert [(f.rule, f.cell) for f in report.findings] == [("PV009", "XFD1048576")]
    resaved = convert(out, tmp_path / "lo", "xlsx", tmp_path)
    assert resaved.stat().st_size > 0
    again = check_file(resaved)
    assert not [f for f in again.findings if f.severity.value == "error"]
