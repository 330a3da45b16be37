"""Cells are read as openpyxl reads them.

planvalidator reads a file with python-calamine (values, merged ranges) plus one lxml pass over
each sheet's XML (which cells are formulas, error values). openpyxl, an independent reader,
is the reference here: the typed values, the formula cells and the merged ranges must agree on
every shipped workbook, on odd values (booleans, times, percentages, errors typed as values,
huge numbers, text that looks like a number), on a macro-enabled copy and on a LibreOffice
re-save (which gives formulas cached values and shares them differently).
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import openpyxl
import pytest

from support.helpers import EXAMPLE, R7, TEMPLATE, edit, make_xlsm, parts, write_parts
from planvalidator.errors import CannotCheck
from planvalidator.package import Package
from planvalidator.sheetxml import scan_sheet
from planvalidator.workbook import load_grid

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def openpyxl_cells(path):
    """{sheet: ({pos: value}, {formula positions}, {merged ranges})} as openpyxl reads them."""
    book = openpyxl.load_workbook(path, data_only=False)
    out = {}
    for ws in book.worksheets:
        values, formulas = {}, set()
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                if cell.data_type == "f" or not isinstance(cell.value, (str, int, float, bool, dt.date, dt.time)):
                    formulas.add((cell.row, cell.column))
                else:
                    values[(cell.row, cell.column)] = cell.value
        merged = {(r.min_row, r.min_col, r.max_row, r.max_col) for r in ws.merged_cells.ranges}
        out[ws.title] = (values, formulas, merged)
    return out


def _same(a, b) -> bool:
    if isinstance(a, dt.datetime) and not isinstance(b, dt.datetime) and isinstance(b, dt.date):
        return a == dt.datetime(b.year, b.month, b.day)
    if isinstance(b, dt.datetime) and not isinstance(a, dt.datetime) and isinstance(a, dt.date):
        return _same(b, a)
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b or abs(a - b) <= 1e-9 * max(abs(a), abs(b))
    return type(a) is type(b) and a == b


def assert_reads_like_openpyxl(path):
    grid = load_grid(path)
    reference = openpyxl_cells(path)
    assert list(grid.sheets) == list(reference)
    for name, (values, formulas, merged) in reference.items():
        sheet = grid.sheets[name]
        assert set(sheet.formulas) == formulas, name
        assert set(sheet.values) == set(values), name
        wrong = {pos: (values[pos], sheet.values[pos]) for pos in values if not _same(values[pos], sheet.values[pos])}
        assert wrong == {}, name
        assert set(sheet.merged) == merged, name


@pytest.mark.parametrize("path", [TEMPLATE, EXAMPLE, *sorted((R7 / "invalid").glob("*.xlsx"))],
                         ids=lambda p: p.stem)
def test_shipped_workbooks(path):
    assert_reads_like_openpyxl(path)


ODD = {"計画様式9": {"C6": True, "D6": dt.time(10, 30), "E6": 0.25, "F6": "#N/A", "G6": 123456789012,
                   "C7": "0123", "D7": dt.datetime(2025, 10, 1, 12, 0), "E7": 1e-7, "F7": 2.5, "G7": -0.0,
                   "C8": "=1/0", "D8": "＝全角で始まる文字", "E8": "  "}}


@pytest.fixture
def odd(tmp_path):
    def prepare(book):
        book["計画様式9"]["F6"].data_type = "e"
    return edit(EXAMPLE, tmp_path / "odd.xlsx", ODD, prepare=prepare)


def test_odd_values(odd):
    assert_reads_like_openpyxl(odd)
    sheet = load_grid(odd).sheets["計画様式9"]
    assert sheet.value(6, 3) is True and sheet.value(6, 4) == dt.time(10, 30)
    assert sheet.value(6, 7) == 123456789012 and sheet.value(7, 3) == "0123"
    assert sheet.is_formula(8, 3) and not sheet.is_formula(8, 4)


def test_macro_enabled_copy(tmp_path):
    assert_reads_like_openpyxl(make_xlsm(EXAMPLE, tmp_path / "記入例.xlsm"))


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed")
def test_libreoffice_resave(odd, tmp_path):
    out = tmp_path / "lo"
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--convert-to", "xlsx", "--outdir", str(out), str(odd)],
                   check=True, capture_output=True, timeout=180)
    resaved = out / odd.name
    assert_reads_like_openpyxl(resaved)
    sheet = load_grid(resaved).sheets["計画様式8"]
    assert any(sheet.cached.get(pos) is not None for pos in sheet.formulas)   # LibreOffice cached results


def test_cells_without_addresses_follow_the_one_before():
    xml = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
           b'<row r="3"><c t="e"><v>#REF!</v></c><c><f>A3</f><v>0</v></c></row>'
           b'<row><c r="C4"><f t="shared" si="0"/></c></row></sheetData></worksheet>')
    scan = scan_sheet(xml)
    assert scan.formulas == {(3, 2): "=A3", (4, 3): "="}
    assert scan.errors == {(3, 1): "#REF!"}


def test_a_styled_empty_cell_still_places_an_unaddressed_cell_after_it():
    """Styled empty cells are dropped before the scan only when every cell names its address:
    here the unaddressed formula follows the empty B5, so it is C5."""
    xml = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
           b'<row r="5"><c r="A5" s="1"/><c r="B5" s="2" t="n"></c><c><f>A5</f><v>0</v></c></row>'
           b'<row r="6"><c r="A6" s="1"/><c r="B6" s="2"><f>A6</f><v>1</v></c></row></sheetData></worksheet>')
    scan = scan_sheet(xml)
    assert scan.formulas == {(5, 3): "=A5", (6, 2): "=A6"}
    assert scan_sheet(xml.replace(b"<c><f>", b'<c r="C5"><f>')).formulas == scan.formulas


def test_entities_are_not_expanded(tmp_path):
    """A sheet declaring entities (how XML attacks read files) is refused: nothing is expanded,
    and the applicant gets one line naming the file and the sheet."""
    xml = (b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
           b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
           b'<row r="1"><c r="A1" t="e"><v>&e;</v></c></row></sheetData></worksheet>')
    with pytest.raises(ValueError):
        scan_sheet(xml)
    part = dict((n, p) for n, _el, p in Package(EXAMPLE, editable=False).sheets())["計画様式3"]
    contents = parts(EXAMPLE)
    contents[part] = contents[part].replace(b"?>", b"?><!DOCTYPE w [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>", 1)
    with pytest.raises(CannotCheck) as refused:
        load_grid(write_parts(tmp_path / "entity.xlsx", contents))
    assert refused.value.sheet == "計画様式3" and "root:" not in str(refused.value)


def test_a_workbook_held_in_memory_reads_and_annotates_as_the_file_does(tmp_path):
    """The check page's path: bytes in, findings and an annotated workbook out, nothing on disk."""
    import io

    from planvalidator.annotate import annotate
    from planvalidator.annotate.file import FileAnnotator
    from planvalidator.engine import check, check_file
    from planvalidator.reader import read_grid
    from planvalidator.workbook import InMemory

    wrong = R7 / "invalid" / "wrong-amount.xlsx"
    source = InMemory("wrong-amount.xlsx", wrong.read_bytes())
    report = check(read_grid(load_grid(source)), file=source.name)
    expected = [(f.rule, f.sheet, f.cell, f.message) for f in check_file(wrong).findings]
    assert [(f.rule, f.sheet, f.cell, f.message) for f in report.findings] == expected
    annotator = FileAnnotator(source)
    annotate(annotator, report)
    out = io.BytesIO()
    annotator.save(out)
    again = check(read_grid(load_grid(InMemory("annotated.xlsx", out.getvalue()))))
    assert [(f.rule, f.sheet, f.cell) for f in again.findings] == [e[:3] for e in expected]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("data, words", [(b"", "空のファイル"), (b"%PDF-1.4 x", "PDF ファイル"),
                                         (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, ".xls"),
                                         (b"PK\x03\x04broken", "zip として壊れて"), (b"hello", "Excelブック")])
def test_a_bad_upload_held_in_memory_gets_the_files_one_line(data, words):
    from planvalidator.workbook import InMemory

    with pytest.raises(CannotCheck) as caught:
        load_grid(InMemory("アップロード.xlsx", data))
    assert words in str(caught.value) and "アップロード.xlsx" in str(caught.value)
