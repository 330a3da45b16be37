"""A fixed workbook in a real spreadsheet program (LibreOffice, headless): it opens, recalculates, and the
results it saves agree with the inputs — also where the input had saved results of its own (a workbook
last saved by a spreadsheet program, whose totals were computed from the amount typed over)."""

import shutil
import subprocess

import openpyxl
import pytest

from planvalidator.engine import check_file
from planvalidator.fixes import fix_file
from support.helpers import EXAMPLE, edit

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed (.ci/run installs it)")
MONEY = {"PV201", "PV202", "PV203", "PV205", "PV011"}


def resave(source, outdir, tmp_path):
    """``source`` opened and saved again by LibreOffice (its formulas computed, their results saved)."""
    subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--calc",
                    "--convert-to", "xlsx", "--outdir", str(outdir), str(source)],
                   check=True, capture_output=True, timeout=240)
    return outdir / f"{source.stem}.xlsx"


def test_libreoffice_recalculates_the_fixed_workbook(tmp_path):
    typed = edit(EXAMPLE, tmp_path / "typed.xlsx", {"計画様式7": {"J9": 250000}, "計画様式8": {"C7": 1}})
    saved = resave(typed, tmp_path / "saved", tmp_path)             # totals saved as computed from 250,000
    before = check_file(saved)
    assert {(f.rule, f.cell) for f in before.findings} >= {("PV201", "J9"), ("PV203", "C7")}
    result = fix_file(saved, tmp_path / "fixed.xlsx")
    assert {(c.edit.sheet, c.edit.cell) for c in result.changes} == {("計画様式7", "J9"), ("計画様式8", "C7")}
    assert not {f.rule for f in result.after.findings} & MONEY     # no stale saved total is left to mismatch
    opened = resave(result.target, tmp_path / "lo", tmp_path)
    values = openpyxl.load_workbook(opened, data_only=True)
    s1, s7, s8 = values["計画様式1"], values["計画様式7"], values["計画様式8"]
    assert s7["J9"].value == 3 * 80_000                               # 数量 × 単価
    year1 = sum(s7[f"J{r}"].value or 0 for r in range(6, 46) if s7[f"C{r}"].value == "1年目")
    assert s7["J47"].value == year1 == s8["C6"].value == 2_000_000
    assert s8["C7"].value == s7["J48"].value                            # 2年目 back to its formula
    assert s1["D23"].value == s8["C9"].value == s7["J52"].value
    assert not {f.rule for f in check_file(opened).findings} & MONEY  # LibreOffice's results agree with the inputs
