"""Writing into a workbook without lxml (the check page under Pyodide has none): planvalidator/xmltree.py.

The annotate tests run again here with lxml made unimportable (``sys.modules["lxml"] = None``, as
in Pyodide), so every part is edited by the standard library; the same tests run with lxml in
their own modules. Then: the namespace declarations of every edited part of the official
template and the 記入例 (and of an Excel-saved 記入例, whose roots carry ``mc:Ignorable``)
survive, every part annotating does not edit is byte-identical, annotating twice equals once,
LibreOffice opens the result, and 21 parts written the way other tools write them
(tests/support/xml_cases.py) come out the same under both backends and keep what they carried.
(``PLANVALIDATOR_XML=stdlib pytest …`` runs any test file with the standard library too.)
"""

from __future__ import annotations

import functools
import re
import shutil
import sys
import zipfile
from collections import Counter

import pytest

import test_annotate
import test_annotate_libreoffice
import test_button
from support.helpers import EXAMPLE, TEMPLATE, parts, write_parts
from support.package_diff import differences
from support.xml_cases import (
    CASES, MC, SHEET, STYLES, WORKBOOK, X14AC, XR, XR2, XR3, X16R2, build, declared, excel_root, ignorable,
    root_tag, wrong_example,
)
from test_annotate import highlights, wrong  # noqa: F401 — the reruns' fixture
from planvalidator import xmltree
from planvalidator.annotate import annotate_file
from planvalidator.engine import check_file
from planvalidator.package import Package
from planvalidator.partxml import DTD_REFUSED, PackageError, is_xml_part, parse_part


def _block_lxml(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "lxml", None)
    monkeypatch.setitem(sys.modules, "lxml.etree", None)
    xmltree.select(None)                  # decided again: lxml cannot be imported now
    assert xmltree.backend() == "stdlib"


@pytest.fixture
def without_lxml(monkeypatch):
    _block_lxml(monkeypatch)
    yield
    xmltree.select(None)


# --- the annotate tests again, without lxml -------------------------------------------------
_RERUN = [
    test_annotate.test_every_finding_at_its_cell_and_on_the_results_sheet,
    test_annotate.test_annotating_twice_equals_once_and_checking_is_unchanged,
    test_annotate.test_in_place_twice_is_byte_identical,
    test_annotate.test_nothing_lost_part_by_part,
    test_annotate.test_nothing_lost_in_a_macro_enabled_workbook,
    test_annotate.test_applicant_notes_stay_and_ours_come_and_go,
    test_annotate.test_threaded_comments_and_unknown_parts_are_kept,
    test_annotate.test_an_applicants_own_sheet_named_like_ours_is_kept,
    test_button.test_the_shipped_workbook_is_what_the_command_builds,
    test_button.test_the_button_workbook_checks_like_the_template_and_annotates_without_loss,
    test_annotate_libreoffice.test_results_sheet_and_notes_are_in_the_pdf,
    test_annotate_libreoffice.test_highlights_survive_libreoffice_resave_and_annotate_again,
]


def _without_lxml(test):
    """``test`` under another name, run with lxml blocked (the original keeps its own marks only)."""
    @functools.wraps(test)
    def rerun(*args, **kwargs):
        return test(*args, **kwargs)
    rerun.__name__ = f"{test.__name__}_without_lxml"
    return pytest.mark.usefixtures("without_lxml")(rerun)


for _test in _RERUN:
    globals()[f"{_test.__name__}_without_lxml"] = _without_lxml(_test)
annotated = test_annotate_libreoffice.annotated           # the LibreOffice reruns' fixture


# --- declarations, untouched parts, twice = once ---------------------------------------------
def excel_saved(source, target):
    """``source`` with the roots of its sheets, workbook.xml and styles.xml as Excel writes them."""
    contents = parts(source)
    sheet_uris = {"x14ac": X14AC, "xr": XR, "xr2": XR2, "xr3": XR3}
    for name in contents:
        if re.match(r"xl/worksheets/sheet\d+\.xml$", name):
            contents[name] = excel_root(contents[name], "x14ac xr xr2 xr3", sheet_uris)
    contents[WORKBOOK] = excel_root(contents[WORKBOOK], "xr xr2", {"xr": XR, "xr2": XR2})
    contents[STYLES] = excel_root(contents[STYLES], "x14ac x16r2 xr", {"x14ac": X14AC, "x16r2": X16R2, "xr": XR})
    return write_parts(target, contents)


def _wrong_example(tmp_path):
    return write_parts(tmp_path / "記入例-J9.xlsx", wrong_example(parts(EXAMPLE)))


SOURCES = {"official-template": lambda tmp: TEMPLATE, "kinyurei": lambda tmp: EXAMPLE,
           "kinyurei-J9-error": _wrong_example,
           "kinyurei-excel-saved": lambda tmp: excel_saved(_wrong_example(tmp), tmp / "excel.xlsx")}


def _edited_parts(source, report) -> set[str]:
    """The parts annotating may change: the workbook's lists, styles, the sheets with a finding or
    a selected tab (its selection moves to the results sheet)."""
    pkg = Package(source, editable=False)
    by_name = {name: part for name, _el, part in pkg.sheets()}
    edited = {WORKBOOK, STYLES, "[Content_Types].xml", "xl/_rels/workbook.xml.rels"}
    edited |= {by_name[f.sheet] for f in report.findings if f.sheet in by_name}
    contents = parts(source)
    edited |= {part for part in by_name.values() if re.search(rb'tabSelected="(1|true)"', contents[part])}
    return edited | {Package.rels_name(p) for p in edited}


@pytest.mark.parametrize("make", SOURCES.values(), ids=SOURCES.keys())
def test_declarations_kept_untouched_parts_identical_and_twice_equals_once(tmp_path, make, without_lxml):
    source = make(tmp_path)
    copy = tmp_path / "申請書.xlsx"
    shutil.copy(source, copy)
    report, _out = annotate_file(copy, in_place=True)
    before, after = parts(source), parts(copy)
    assert set(before) <= set(after)
    changed = {name for name in before if before[name] != after[name]}
    assert changed <= _edited_parts(source, report), "a part annotating does not edit was rewritten"
    assert changed, "nothing was annotated"
    for name in changed:
        assert after[name].startswith(b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>"), name
        lost = Counter(declared(before[name])) - Counter(declared(after[name]))
        assert not lost, f"{name}: namespace declarations lost: {dict(lost)}"
        kept_root = {p for p, _uri in declared(root_tag(after[name]))}
        assert ignorable(before[name]) <= kept_root, f"{name}: a prefix mc:Ignorable names is no longer declared"
        assert ignorable(before[name]) == ignorable(after[name])
    assert differences(source, copy) == []
    once = parts(copy)
    annotate_file(copy, in_place=True)
    assert parts(copy) == once


def test_the_excel_saved_variant_really_carries_mc_ignorable(tmp_path):
    """The test above is not empty for Excel's files: every sheet, workbook.xml and styles.xml of
    the variant name prefixes in ``mc:Ignorable`` that nothing in the part uses."""
    contents = parts(excel_saved(EXAMPLE, tmp_path / "excel.xlsx"))
    assert ignorable(contents[SHEET]) == {"x14ac", "xr", "xr2", "xr3"}
    assert ignorable(contents[STYLES]) == {"x14ac", "x16r2", "xr"}
    assert (f'xmlns:mc="{MC}"'.encode() in root_tag(contents[WORKBOOK])
            and b"x14ac:" not in contents[SHEET].replace(b"xmlns:x14ac", b""))


@pytest.mark.skipif(test_annotate_libreoffice.SOFFICE is None, reason="LibreOffice is not installed (.ci/run installs it)")
def test_libreoffice_opens_the_excel_saved_workbook_annotated_without_lxml(tmp_path, without_lxml):
    source = excel_saved(_wrong_example(tmp_path), tmp_path / "excel.xlsx")
    report, out = annotate_file(source)
    resaved = test_annotate_libreoffice.convert(out, tmp_path / "lo", "xlsx", tmp_path)
    expected = {f.cell: f.severity.value for f in report.findings if f.sheet == "計画様式7"}
    assert expected["J9"] == "error"
    assert highlights(resaved, "計画様式7") == expected


# --- parts other tools write ---------------------------------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_part_as_other_tools_write_it_annotates_alike_and_keeps_what_it_carried(tmp_path, monkeypatch, case):
    source = build(case, tmp_path / f"{case.name}.xlsx")
    original = parts(source)[case.part]
    written = {}
    if _lxml_importable():
        xmltree.select("lxml")
        _report, out = annotate_file(source, tmp_path / "lxml.xlsx")
        written["lxml"] = parts(out)[case.part]
    _block_lxml(monkeypatch)
    try:
        report, out = annotate_file(source, tmp_path / "stdlib.xlsx")
    finally:
        xmltree.select(None)
    part = written["stdlib"] = parts(out)[case.part]
    assert ("PV201", "計画様式7", "J9") in {(f.rule, f.sheet, f.cell) for f in report.findings}
    assert highlights(out, "計画様式7")["J9"] == "error"
    assert part != original, "the case's part was not edited"
    for kept in case.kept:
        assert kept in part, kept
    lost = Counter(declared(original)) - Counter(declared(part))
    assert not lost, f"namespace declarations lost: {dict(lost)}"
    assert ignorable(original) <= {p for p, _uri in declared(root_tag(part))}
    if "lxml" in written:
        assert written["stdlib"] == written["lxml"]


def _lxml_importable() -> bool:
    try:
        xmltree._import_lxml()
    except ImportError:
        return False
    return True


def test_every_xml_part_of_the_official_files_is_written_back_as_lxml_writes_it():
    """Parsed and written again without any edit, each XML part of the template, the 記入例 and
    the cases gives the same bytes under both backends (the standard library's serializer is
    held to lxml's: declarations, escapes, empty elements)."""
    pytest.importorskip("lxml")
    sources = [parts(TEMPLATE), parts(EXAMPLE)]
    sources += [{c.part: c.rewrite(parts(EXAMPLE)[c.part])} for c in CASES]
    compared = 0
    try:
        for contents in sources:
            for name, data in contents.items():
                if not is_xml_part(name) or name.endswith(".vml"):
                    continue
                out = {}
                for backend in ("lxml", "stdlib"):
                    xmltree.select(backend)
                    out[backend] = xmltree.tostring(parse_part(data, name, sheet=True))
                assert out["stdlib"] == out["lxml"], name
                compared += 1
    finally:
        xmltree.select(None)
    assert compared > 40


# --- bounds and safety of the standard library's parse ---------------------------------------
NESTED = b"<a>" * 300 + b"</a>" * 300
BOMB = b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><styleSheet>&b;</styleSheet>'
HIDDEN_DTD = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE s [<!ENTITY a SYSTEM "file:///etc/passwd">]>'
              '<styleSheet>&a;</styleSheet>').encode("utf-16")


@pytest.mark.parametrize("data, reason", [
    (BOMB, DTD_REFUSED), (HIDDEN_DTD, DTD_REFUSED),
    (NESTED, "XML の入れ子が深すぎて書き換えられません（256 段まで）"),
    (b"<styleSheet><fonts></styleSheet>", "XML として壊れています（1 行目）"),
], ids=["entity-expansion", "external-entity-in-utf16", "nesting-300-deep", "broken"])
def test_what_the_standard_library_will_not_edit_is_one_japanese_reason(data, reason, without_lxml):
    with pytest.raises(PackageError) as refused:
        parse_part(data, "xl/styles.xml")
    assert refused.value.reason == reason and refused.value.part == "xl/styles.xml"


def test_a_refused_part_is_one_line_naming_the_file_and_part_without_a_traceback(tmp_path, without_lxml):
    """A sheet nested too deep for editing: the check reads it, annotating says which part, exit 2."""
    from click.testing import CliRunner

    from planvalidator.cli import main

    contents = parts(EXAMPLE)
    deep = b"<extLst><ext uri=\"{x}\">" + b"<a>" * 300 + b"</a>" * 300 + b"</ext></extLst></worksheet>"
    contents[SHEET] = contents[SHEET].replace(b"</worksheet>", deep, 1)
    source = write_parts(tmp_path / "深い.xlsx", wrong_example(contents))
    assert any(f.cell == "J9" for f in check_file(source).findings)
    result = CliRunner().invoke(main, ["annotate", "-o", str(tmp_path / "out.xlsx"), str(source)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "深い.xlsx" in result.output and "256 段まで" in result.output
    assert not (tmp_path / "out.xlsx").exists()


def test_the_tree_of_a_part_is_built_by_the_standard_library_when_lxml_is_blocked(without_lxml):
    import xml.etree.ElementTree as ET

    root = parse_part(zipfile.ZipFile(EXAMPLE).read(SHEET), SHEET, sheet=True)
    assert type(root) is ET.Element and "lxml" not in repr(type(root))
    assert xmltree.declarations(root)["mc"] == MC


@pytest.mark.parametrize("backend", ["lxml", "stdlib"])
def test_only_the_selected_tab_is_parsed_to_be_deselected_and_clearing_selects_it_again(tmp_path, monkeypatch,
                                                                                          backend):
    """Deselecting the tabs reads a sheet that is plainly not selected from its bytes (it stays
    byte-identical, its tree never built); the selected one is deselected and given back on clear."""
    from planvalidator.annotate.file import FileAnnotator

    if backend == "stdlib":
        _block_lxml(monkeypatch)
    else:
        pytest.importorskip("lxml")
        xmltree.select("lxml")
    contents = wrong_example(parts(EXAMPLE))
    third = "xl/worksheets/sheet3.xml"
    contents[third] = contents[third].replace(b'tabSelected="false"', b'tabSelected="true"', 1)
    first = "xl/worksheets/sheet1.xml"                       # the 記入例's selected tab: not any more
    contents[first] = contents[first].replace(b'tabSelected="true"', b'tabSelected="false"', 1)
    source = write_parts(tmp_path / "選択.xlsx", contents)
    try:
        from planvalidator.annotate import annotate

        annotator = FileAnnotator(source)
        annotate(annotator, check_file(source))
        out = tmp_path / "out.xlsx"
        annotator.save(out)
        parsed = {p for _n, _el, p in annotator.pkg.sheets() if annotator.pkg.parsed(p)}
        assert parsed == {third, SHEET, annotator.pkg.sheet_part("チェック結果")}   # selected, annotated, ours
        after = parts(out)
        assert b'tabSelected="false"' in after[third] and b'tabSelected="true"' not in after[third]
        assert after["xl/worksheets/sheet5.xml"] == contents["xl/worksheets/sheet5.xml"]
        cleared = FileAnnotator(out)
        cleared.clear()
        cleared.save(tmp_path / "cleared.xlsx")
        assert b'tabSelected="true"' in parts(tmp_path / "cleared.xlsx")[third]
    finally:
        xmltree.select(None)
