"""Arithmetic rules (PV201–PV206): each fires at the wrong cell and stays quiet on a right one."""

import json
import shutil
import subprocess

import pytest

from planvalidator.engine import check_file
from support.helpers import EXAMPLE, R7, errors


def test_example_with_cached_values_is_consistent():
    # the 記入例 was saved by a spreadsheet program: every cached total is checked, none differs
    assert errors(check_file(EXAMPLE)) == set()


@pytest.mark.parametrize("edits, expected", [
    ({"計画様式7": {"J9": 250000}}, {("PV201", "計画様式7", "J9")}),
    ({"計画様式7": {"J9": None}}, {("PV201", "計画様式7", "J9")}),               # formula deleted
    ({"計画様式7": {"J52": 3900000}}, {("PV202", "計画様式7", "J52")}),
    ({"計画様式7": {"J47": 1990000}}, {("PV202", "計画様式7", "J47")}),
    ({"計画様式7": {"J51": 1}}, {("PV202", "計画様式7", "J51")}),
    ({"計画様式8": {"C7": 1800000}}, {("PV203", "計画様式8", "C7")}),
    ({"計画様式8": {"H6": 1}}, {("PV203", "計画様式8", "H6")}),
    ({"計画様式8": {"D9": 2500000}}, {("PV203", "計画様式8", "D9")}),
    ({"計画様式8": {"C11": "3/4"}}, {("PV203", "計画様式8", "C11")}),
    ({"計画様式8": {"C12": 1500000}}, {("PV203", "計画様式8", "C12")}),
    ({"計画様式8": {"C13": 2600000}}, {("PV203", "計画様式8", "C13")}),
    ({"計画様式9": {"C8": 1050000}}, {("PV204", "計画様式9", "C8")}),
    ({"計画様式9": {"D10": 1}}, {("PV204", "計画様式9", "D10")}),
    ({"計画様式1": {"D23": 3900000}}, {("PV205", "計画様式1", "D23")}),
    ({"計画様式1": {"D24": 2600000}}, {("PV205", "計画様式1", "D24")}),
    ({"計画様式2": {"F24": 50}}, {("PV206", "計画様式2", "F24")}),
    ({"計画様式2": {"E34": 9000000}}, {("PV206", "計画様式2", "E34")}),
])
def test_each_wrong_cell_is_named_once(example_with, edits, expected):
    assert errors(example_with(edits)) == expected


def test_amount_typed_in_an_empty_row(example_with):
    found = errors(example_with({"計画様式7": {"J18": 50000}}))    # 金額 without 数量・単価
    assert ("PV201", "計画様式7", "J18") in found
    assert ("PV001", "計画様式7", "G18") in found and ("PV001", "計画様式7", "I18") in found


@pytest.mark.parametrize("edits", [
    {"計画様式7": {"J9": 240000}},                      # the right value typed over the formula
    {"計画様式1": {"D24": "2,593,000円"}},              # the right value, typed as text
    {"計画様式2": {"F24": 60}},
    {"計画様式8": {"C11": "2/3", "C12": 3000000, "C13": 2593000}},
])
def test_right_values_typed_over_formulas_pass(example_with, edits):
    assert errors(example_with(edits)) == set()


def test_changed_input_with_stale_cached_total(tmp_path):
    """A file whose cached totals no longer match its inputs (edited by a tool that did not recalc)."""
    from planvalidator.workbook import load_grid
    from planvalidator.reader import read_grid
    from planvalidator.engine import check

    grid = load_grid(EXAMPLE)
    grid.sheets["計画様式7"].values[(6, 9)] = 7000          # 単価 6,000 → 7,000; cached J6 stays 240,000
    findings = check(read_grid(grid)).findings
    # J6 is named for its stale value; the 1年目 資金計画 no longer covers the new 助成対象経費
    # (2,040,000 from the inputs) and is named at its 自己資金 — both are real for the applicant
    assert {(f.rule, f.cell) for f in findings if f.severity.value == "error"} == {("PV201", "J6"), ("PV209", "E6")}


soffice = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(soffice is None, reason="LibreOffice is not installed (.ci/run installs it)")
@pytest.mark.parametrize("name", ["wrong-amount", "form-errors", "overwritten-totals"])
def test_openpyxl_saved_and_libreoffice_resaved_give_the_same_findings(tmp_path, name):
    source = R7 / "invalid" / f"{name}.xlsx"           # saved by openpyxl: no cached values
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--calc", "--convert-to", "xlsx", "--outdir", str(tmp_path / "lo"), str(source)],
                   check=True, capture_output=True, timeout=180)
    resaved = tmp_path / "lo" / f"{name}.xlsx"          # recalculated and saved by LibreOffice
    from planvalidator.workbook import load_grid
    assert load_grid(resaved).sheets["計画様式7"].cached, "LibreOffice should have written cached values"
    assert not load_grid(source).sheets["計画様式7"].cached

    def findings(path):
        return [(f.rule, f.severity.value, f.sheet, f.cell, f.message) for f in check_file(path).findings]
    assert findings(resaved) == findings(source)
    expected = json.loads((R7 / "invalid" / f"{name}.json").read_text(encoding="utf-8"))["expected"]
    assert {(e["rule"], e["sheet"], e["cell"]) for e in expected} == {(f[0], f[2], f[3]) for f in findings(resaved)}


def test_a_row_with_an_unreadable_quantity_or_price_is_left_out_of_the_years_money(example_with):
    """A row whose 単価 (or 数量) could not be read (the reader reported the cell) is uncertain, with its
    年度, and out of 助成対象経費 (calc._expenses looks the cells up among the sheet's reported ones)."""
    report = example_with({"計画様式7": {"I8": "abc", "G9": "三"}})
    calc = report.context.calculator
    assert {r: calc.uncertain_rows[r] for r in (8, 9)} == {8: "1年目", 9: "1年目"}
    assert 8 not in calc.eligible_rows and 9 not in calc.eligible_rows and 6 in calc.eligible_rows
    assert "1年目" in calc.uncertain_years
