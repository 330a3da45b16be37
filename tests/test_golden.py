"""Every finding of every example workbook, word for word, against its golden file
(templates/<版>/golden/*.json, written by scripts/golden.py: run it when a change is intended)."""

import importlib.util
import subprocess
import sys

import pytest

from support.helpers import ROOT


def _golden():
    spec = importlib.util.spec_from_file_location("golden", ROOT / "scripts" / "golden.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


golden = _golden()
EXAMPLES = golden.examples()


def test_the_examples_are_the_kinyurei_and_the_invalid_ones():
    names = {p.relative_to(ROOT).as_posix() for p in EXAMPLES}
    assert "templates/r7/kinyurei-r7.xlsx" in names and "templates/r7/invalid/wrong-amount.xlsx" in names
    assert not any("/intake/" in n for n in names)


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_findings_are_the_golden_ones(example):
    path = golden.golden_path(example)
    assert path.exists(), f"{path.relative_to(ROOT)} がありません: python scripts/golden.py で作ってください"
    change = golden.diff(example)
    if change:
        pytest.fail("指摘が変わりました（意図した変更なら python scripts/golden.py で書き直す）:\n" + change,
                    pytrace=False)


def test_golden_files_have_no_machine_dependent_keys():
    for example in EXAMPLES:
        text = golden.golden_path(example).read_text(encoding="utf-8")
        assert str(ROOT) not in text and "\\\\" not in text


def test_no_golden_file_is_left_over():
    assert golden.stale() == []


def test_the_script_check_mode_agrees(tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "golden.py"), "--check"],
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
