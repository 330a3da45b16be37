"""Template versions side by side in schemas/: told apart by their signatures, sorted as versions."""

from __future__ import annotations

import shutil

import pytest
import yaml

from support.helpers import EXAMPLE, edit
from planvalidator import layout as layout_module
from planvalidator.engine import check_file
from planvalidator.layout import version_key
from planvalidator.resources import schemas_dir


@pytest.fixture
def schemas(tmp_path, monkeypatch):
    """A schemas/ folder holding r7 and copies of it; ``add(name, layout=…, program=…)`` edits a copy."""
    root = tmp_path / "schemas"
    shutil.copytree(schemas_dir() / "r7", root / "r7")
    monkeypatch.setattr(layout_module, "schemas_dir", lambda: root)
    layout_module.known_layouts.cache_clear()

    def add(name, *, layout=None, program=None):
        folder = root / name
        shutil.copytree(root / "r7", folder)
        for file, change in (("layout.yaml", layout), ("program.yaml", program)):
            data = yaml.safe_load((folder / file).read_text(encoding="utf-8"))
            if change:
                change(data)
            if file == "layout.yaml":
                data["template"] = name
            (folder / file).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        layout_module.known_layouts.cache_clear()
        return folder
    yield add
    layout_module.known_layouts.cache_clear()


def _year_signature(data):
    data["signature"].append({"sheet": "計画様式1", "label": "令和8年度 事業計画書"})


def _later_grant(data):
    data["period"]["earliest_grant_date"] = "2026-09-01"
    data["period"]["grant_notice"] = "令和8年9月"
    data["period"]["first_fiscal_year"] = 2026


def test_versions_sort_as_numbers_not_text():
    assert sorted(["r10", "r7", "r8", "r9"], key=version_key) == ["r7", "r8", "r9", "r10"]


def test_an_r8_copy_with_its_own_signature_leaves_the_r7_example_r7_with_no_findings(schemas):
    schemas("r8", layout=_year_signature, program=_later_grant)
    report = check_file(EXAMPLE)
    assert report.template == "r7"
    assert report.findings == []


def test_a_workbook_carrying_the_r8_signature_reads_as_r8_with_r8_dates(schemas, tmp_path):
    schemas("r8", layout=_year_signature, program=_later_grant)
    r8_book = edit(EXAMPLE, tmp_path / "r8.xlsx", {"計画様式1": {"B3": "令和8年度 事業計画書"}})
    report = check_file(r8_book)
    assert report.template == "r8"
    # the 記入例's orders of 2025 are before r8's earliest 交付決定: said with r8's date, not r7's
    before = [f for f in report.findings if f.rule == "PV106"]
    assert before and all("令和8年9月1日" in f.message and "令和8年9月" in f.message and "令和7年9月" not in f.message
                          for f in before)        # (the order's own date, 令和7年…, is the applicant's)


def test_of_equal_signatures_the_newest_version_wins_r10_over_r7(schemas):
    schemas("r10")
    assert check_file(EXAMPLE).template == "r10"
