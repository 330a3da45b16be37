"""The bundled examples: the 記入例 passes; each invalid example gives exactly its findings."""

import json
import subprocess
import sys

import pytest

from planvalidator.engine import check_file
from support.helpers import EXAMPLE, R7, ROOT

INVALID = sorted((R7 / "invalid").glob("*.xlsx"))


def test_kinyurei_has_no_error():
    report = check_file(EXAMPLE)
    assert not report.has_errors and report.findings == []


def test_there_are_invalid_examples():
    assert len(INVALID) >= 3


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_example_gives_exactly_its_findings(path):
    expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))["expected"]
    report = check_file(path)
    got = {(f.rule, f.severity.value, f.sheet, f.cell) for f in report.findings}
    assert got == {(e["rule"], e["severity"], e["sheet"], e["cell"]) for e in expected}


def test_examples_are_up_to_date_with_their_script():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_examples.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
