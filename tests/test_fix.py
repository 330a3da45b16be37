"""``planvalidator fix``: the fixes the findings carry, written into a copy of the workbook.

For every rule that declares fixes, each failing case of its case file (tests/rules/cases/, edits of the
official 記入例) is fixed: the finding a fix was offered for is gone from the check of the copy, the copy
differs from the case's workbook only in the cells the fixes name (and the saved results of the formulas
that read them), every other finding stays as it was, and fixing the copy again changes nothing. The safe
fixes of the rows-inserted version (tests/support/revisions.py ``moved``) are the template's formulas moved
as the rows were. The bundled invalid examples fix (and --diff) from the command line; hostile files are
refused with the line ``check`` gives them.
"""

from __future__ import annotations

import json
import shutil
import stat
import zipfile

import pytest
from click.testing import CliRunner

from planvalidator import rules
from planvalidator.cli import main
from planvalidator.engine import Options, check_file
from planvalidator.fixes import fix_file
from planvalidator.reader import read
from support import rule_cases as RC
from support.helpers import EXAMPLE, R7, make_xlsm, parts

INVALID = R7 / "invalid"


def _fixable() -> list[str]:
    rules.load_all()
    return sorted(code for code, rule in rules.REGISTRY.items() if rule.fixes)


def _cases():
    out = []
    for code in _fixable():
        for case in RC.load(RC.CASES_DIR / f"{code}.yaml").cases:
            if case.passing or case.attachments or case.figures:
                continue
            for version in ("r7", "moved"):
                if version in case.versions and (version == "r7" or code.startswith("PV20")):
                    out.append(pytest.param(case, version, id=f"{case.id}@{version}"))
    return out


def _keys(report, *, without=()):
    return {(f.rule, f.sheet, f.cell, f.severity.value) for f in report.findings} - set(without)


def _same(value):
    """A value as a user compares it: a date whatever its time part."""
    import datetime as dt
    return value.date() if isinstance(value, dt.datetime) else value


def _cells(path) -> dict:
    """Every cell as the checker reads it: (sheet, row, col) → its formula, else its value."""
    grid = read(path).grid
    out = {}
    for name, sheet in grid.sheets.items():
        for pos, value in sheet.values.items():
            if pos not in sheet.formulas:
                out[(name, *pos)] = _same(value)
        for pos, text in sheet.formulas.items():
            out[(name, *pos)] = text
    return out


def _fixed_cells(result) -> dict:
    from planvalidator.address import parse_a1

    out = {}
    for change in result.changes:
        e = change.edit
        out[(e.sheet, *parse_a1(e.cell))] = e.formula if e.formula is not None else _same(e.value)
    return out


@pytest.mark.parametrize("case, version", _cases())
def test_a_fix_removes_its_finding_and_changes_only_its_cells(case, version, tmp_path):
    path = RC.build(case, version, tmp_path)
    options = Options(course=case.program)
    before = check_file(path, options)
    offered = {(f.rule, f.sheet, f.cell, f.severity.value): f.fix for f in before.findings if f.rule == case.rule}
    assert set(offered) == RC.expected(case, version)          # the case's own findings, as test_cases asserts
    if not any(offered.values()):
        pytest.skip(f"{case.id}: no fix for this finding (rightly: a warning, or an ineligible word only in the 備考)")
    result = fix_file(path, tmp_path / "fixed.xlsx", unsafe=True, options=options)
    fixed = {k for k, fix in offered.items() if fix is not None}
    # the case's own findings fixed (a fix's consequence, e.g. a request over the rate after a lower 単価, is fixed
    # in a next pass, as ruff does)
    assert fixed & {(c.finding.rule, c.finding.sheet, c.finding.cell, c.finding.severity.value) for c in result.changes}
    after = check_file(result.target, options)
    assert not fixed & _keys(after), f"{case.id}: the fixed finding is still reported"
    # no new finding; the others as they were, but for those on a fixed cell's row that the fix made moot
    # (an amount typed into an empty row is why its other cells were required)
    assert _keys(after) <= _keys(before, without=fixed), f"new findings: {_keys(after) - _keys(before)}"
    rows = {(c.edit.sheet, c.edit.cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) for c in result.changes}
    kept = {k for k in _keys(before, without=fixed)
            if (k[1], (k[2] or "").lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) not in rows}
    if all(c.finding.fix.safe for c in result.changes):
        assert kept <= _keys(after), f"findings lost: {kept - _keys(after)}"
    # only the cells named changed, to what the fix says
    old, new = _cells(path), _cells(result.target)
    edited = _fixed_cells(result)
    changed = {k for k in old.keys() | new.keys() if old.get(k) != new.get(k)}
    assert changed <= set(edited), f"cells changed that no fix names: {sorted(changed - set(edited))[:5]}"
    assert all(new.get(k) == v for k, v in edited.items())
    # fixing twice equals fixing once
    again = fix_file(result.target, tmp_path / "twice.xlsx", unsafe=True, options=options)
    assert again.changes == [] and parts(again.target) == parts(result.target)


def test_every_rule_with_a_safe_fix_has_a_case_it_fixes(tmp_path):
    """Every rule whose fixes say 「安全」 fixes at least one failing case of its own (the test above runs it)."""
    rules.load_all()
    safe = {code for code in _fixable() if rules.REGISTRY[code].fixes.startswith("安全")}
    assert safe >= {"PV010", "PV014", "PV201", "PV202", "PV203", "PV205"}
    covered = set()
    for code in sorted(safe):
        for case in RC.load(RC.CASES_DIR / f"{code}.yaml").cases:
            if case.passing or case.attachments or case.figures or "r7" not in case.versions:
                continue
            report = check_file(RC.build(case, "r7", tmp_path), Options(course=case.program))
            if any(f.fix is not None and f.fix.safe for f in report.findings if f.rule == code):
                covered.add(code)
                break
    # PV204 and PV206: the template computes 売上高 and 出資比率 with formulas the 記入例 keeps, so no case
    # of theirs types over one; their fix is the same code as PV201's
    assert safe - covered <= {"PV204", "PV206"}, f"safe fixes without a case that uses them: {sorted(safe - covered)}"


def test_a_formula_restored_below_inserted_rows_is_moved_as_they_were(tmp_path):
    case = next(c for c in RC.load(RC.CASES_DIR / "PV201.yaml").cases if c.name == "a-wrong-amount")
    path = RC.build(case, "moved", tmp_path)
    sheet, cell = RC.moved("moved", "計画様式7", "J9")
    result = fix_file(path, tmp_path / "fixed.xlsx")
    [change] = result.changes
    row = int("".join(ch for ch in cell if ch.isdigit()))
    assert (change.edit.sheet, change.edit.cell) == (sheet, cell) and cell != "J9"
    assert f"G{row}" in change.edit.formula and "*" in change.edit.formula   # 数量 × 単価 of its own row
    assert not {f.rule for f in result.after.findings} & {"PV201", "PV202", "PV203", "PV205"}


# --- the package: what else is kept ---------------------------------------------------------------------

def test_every_other_part_is_byte_identical_and_macros_are_kept(tmp_path):
    source = make_xlsm(INVALID / "wrong-amount.xlsx", tmp_path / "wrong-amount.xlsm")
    result = fix_file(source)
    assert result.target == tmp_path / "wrong-amount_修正案.xlsm"
    old, new = parts(source), parts(result.target)
    assert set(old) == set(new)
    differ = {name for name in old if old[name] != new[name]}
    # 計画様式7 (J9 and the totals reading it) and, when it did not ask for it yet, the calculation flag
    assert "xl/worksheets/sheet7.xml" in differ and differ <= {"xl/worksheets/sheet7.xml", "xl/workbook.xml"}
    assert new["xl/vbaProject.bin"] == old["xl/vbaProject.bin"]
    assert b'fullCalcOnLoad="1"' in new["xl/workbook.xml"]
    with zipfile.ZipFile(result.target) as zf:
        assert zf.testzip() is None


def test_a_date_fix_keeps_the_cells_date_format(tmp_path):
    import openpyxl

    source = shutil.copy(INVALID / "ineligible-expenses.xlsx", tmp_path / "e.xlsx")
    result = fix_file(source, unsafe=True)
    [change] = [c for c in result.changes if c.finding.rule == "PV106"]
    cell = openpyxl.load_workbook(result.target)["計画様式7"][change.edit.cell]
    assert cell.is_date and cell.value.date().isoformat() == "2025-09-01"
    assert "PV106" not in {f.rule for f in result.after.findings}


def test_unsafe_fixes_only_when_asked(tmp_path):
    import datetime as dt

    source = shutil.copy(INVALID / "ineligible-expenses.xlsx", tmp_path / "e.xlsx")
    result = fix_file(source)
    # the safe fix of L6 (PV014: the text 「令和7年7月1日」 made the date it says), not PV106's earliest date
    assert [(c.finding.rule, c.edit.cell, c.edit.value) for c in result.changes] == [("PV014", "L6", dt.date(2025, 7, 1))]
    assert sorted(f.rule for f in result.unsafe_left) == ["PV102", "PV106"]   # (the ノートPC line taken out: unsafe)
    assert "PV106" in {f.rule for f in result.after.findings} and "PV014" not in {f.rule for f in result.after.findings}


def test_in_place_keeps_the_files_permissions(tmp_path):
    source = shutil.copy(INVALID / "wrong-amount.xlsx", tmp_path / "w.xlsx")
    source.chmod(0o640)
    result = fix_file(source, in_place=True)
    assert result.target == source and stat.S_IMODE(source.stat().st_mode) == 0o640
    assert "PV201" not in {f.rule for f in check_file(source).findings}


# --- the command ---------------------------------------------------------------------------------------

def run(*args):
    return CliRunner().invoke(main, list(map(str, args)))


@pytest.mark.parametrize("name", sorted(p.stem for p in INVALID.glob("*.xlsx")))
def test_fix_and_diff_on_the_bundled_invalid_examples(name, tmp_path):
    source = shutil.copy(INVALID / f"{name}.xlsx", tmp_path / f"{name}.xlsx")
    expected = json.loads((INVALID / f"{name}.json").read_text(encoding="utf-8"))["expected"]
    shown = run("fix", "--diff", source)
    assert shown.exit_code == 1 and sorted(p.name for p in tmp_path.iterdir()) == [f"{name}.xlsx"]  # nothing written
    fixable = [f for f in check_file(source).findings if f.fix is not None and f.fix.safe]
    for f in fixable:
        assert f"{f.sheet}!{f.cell}: " in shown.output and " → " in shown.output
    done = run("fix", "--format", "json", source)
    out = tmp_path / f"{name}_修正案.xlsx"
    assert out.exists()
    report = json.loads(done.stdout)[0] if done.stdout.lstrip().startswith("[") else json.loads(done.stdout)
    left = {(f["rule"], f["sheet"], f["cell"]) for f in report["findings"]}
    want = {(e["rule"], e["sheet"], e["cell"]) for e in expected} - {(f.rule, f.sheet, f.cell) for f in fixable}
    assert left == want
    assert done.exit_code == (1 if want and any(e["severity"] == "error" for e in expected
                                                if (e["rule"], e["sheet"], e["cell"]) in want) else 0)


def test_the_diff_lines_say_sheet_cell_before_and_after(tmp_path):
    source = shutil.copy(INVALID / "overwritten-totals.xlsx", tmp_path / "o.xlsx")
    result = run("fix", "--diff", source)
    assert "計画様式8!C6: 1,900,000 → =計画様式7!J47（PV203）" in result.output
    assert "計画様式1!D24: 2,600,000 → =計画様式8!D9（PV205）" in result.output


def test_the_output_may_not_be_the_input(tmp_path):
    source = shutil.copy(INVALID / "wrong-amount.xlsx", tmp_path / "w.xlsx")
    result = run("fix", source, "-o", source)
    assert result.exit_code == 2 and "出力先が入力ファイルと同じです" in result.output
    assert parts(source) == parts(INVALID / "wrong-amount.xlsx")


def test_select_limits_the_fixes_to_the_rules_chosen(tmp_path):
    source = shutil.copy(INVALID / "overwritten-totals.xlsx", tmp_path / "o.xlsx")
    result = run("fix", "--diff", "--select", "PV203", source)
    assert "計画様式8!C6" in result.output and "計画様式1!D24" not in result.output


def test_a_clean_workbook_fixes_to_itself_with_exit_0(tmp_path):
    source = shutil.copy(EXAMPLE, tmp_path / "k.xlsx")
    result = run("fix", source)
    assert result.exit_code == 0
    assert parts(tmp_path / "k_修正案.xlsx") == parts(source)


def test_hostile_files_are_refused_as_check_refuses_them(tmp_path):
    from planvalidator.outcome import failure
    from support.hostile import build_corpus

    refused = 0
    for case in build_corpus(tmp_path / "hostile"):
        if case.skip or case.exits != frozenset({2}):
            continue
        try:
            check_file(case.path)
        except Exception as exc:  # noqa: BLE001
            want = failure(exc, str(case.path)).line
        else:
            continue
        with pytest.raises(Exception) as raised:
            fix_file(case.path, tmp_path / f"{case.name}_fixed.xlsx")
        assert failure(raised.value, str(case.path)).line == want, case.name
        assert not (tmp_path / f"{case.name}_fixed.xlsx").exists()
        refused += 1
    assert refused >= 5


# --- where the findings are shown ----------------------------------------------------------------------

def test_json_findings_carry_their_fix():
    result = run("check", "--format", "json", INVALID / "overwritten-totals.xlsx")
    findings = json.loads(result.output)["findings"]
    by_cell = {(f["sheet"], f["cell"]): f["fix"] for f in findings}
    assert by_cell[("計画様式8", "C6")] == {"safety": "safe", "summary": "様式の計算式 =計画様式7!J47 に戻します",
                                           "edits": [{"sheet": "計画様式8", "cell": "C6", "formula": "=計画様式7!J47"}]}
    unfixable = json.loads(run("check", "--format", "json", INVALID / "form-errors.xlsx").output)["findings"]
    assert unfixable and all(f["fix"] is None for f in unfixable)


def test_sarif_results_carry_fixes_that_validate():
    from test_formats import validate_sarif

    log = json.loads(run("check", "--format", "sarif", INVALID / "wrong-amount.xlsx").output)
    validate_sarif(log)
    [r] = log["runs"][0]["results"]
    [fix] = r["fixes"]
    [change] = fix["artifactChanges"]
    assert change["artifactLocation"]["uri"] == r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    [replacement] = change["replacements"]
    assert replacement["deletedRegion"] == {"startLine": 9, "startColumn": 10, "endLine": 9, "endColumn": 11}
    assert replacement["insertedContent"]["text"] == '=IF(OR(G9="",I9=""),"",G9*I9)'
    assert replacement["properties"]["sheet"] == "計画様式7" and fix["properties"]["safety"] == "safe"


def test_the_rule_doc_says_which_fixes_it_has():
    shown = run("rules", "PV201")
    assert "修正（planvalidator fix）: 安全" in shown.output
    unsafe = json.loads(run("rules", "--format", "json", "PV106").output)[0]
    assert unsafe["fixes"].startswith("確認が必要（--unsafe）")
    assert json.loads(run("rules", "--format", "json", "PV104").output)[0]["fixes"] is None
    assert json.loads(run("rules", "--format", "json", "PV102").output)[0]["fixes"].startswith("確認が必要（--unsafe）")


def test_an_ineligible_line_is_taken_out_only_when_asked_and_the_funding_follows(tmp_path):
    """PV102's unsafe fix takes the ノートPC line (計画様式7 row 8) out of the 明細: its typed cells emptied, its No
    and the 金額 formula kept; the next passes lower the request to the rate and balance 自己資金 (PV207, PV209), so
    the copy has none of the three. The 振込手数料 found in N16's 備考 is about part of a line: no row is taken out."""
    from planvalidator.workbook import load_grid

    source = shutil.copy(INVALID / "ineligible-expenses.xlsx", tmp_path / "e.xlsx")
    result = fix_file(source, tmp_path / "fixed.xlsx", unsafe=True)
    cleared = {c.edit.cell for c in result.changes if c.finding.rule == "PV102"}
    assert cleared == {f"{col}8" for col in "CDEFGHIKLM"}
    assert all(c.edit.value is None for c in result.changes if c.finding.rule == "PV102")
    assert not any(c.finding.rule == "PV103" for c in result.changes)
    sheet = load_grid(result.target).sheets["計画様式7"]
    assert sheet.values.get((8, 2)) == 3                                    # No stays
    assert (8, 10) in sheet.formulas and all((8, c) not in sheet.values for c in (3, 4, 5, 6, 7, 8, 9, 11, 12, 13))
    rules_after = {f.rule for f in check_file(result.target).findings}
    assert not rules_after & {"PV102", "PV207", "PV209"}
    assert "PV103" in rules_after                                           # N16 left for the applicant
    diff = run("fix", "--unsafe", "--diff", str(source))
    assert "計画様式7!F8: 「ノートPC（データ解析用）」 → （空）" in diff.output


def test_the_results_sheet_says_which_findings_fix_themselves(tmp_path):
    import openpyxl
    from planvalidator.annotate import annotate_file

    source = shutil.copy(INVALID / "ineligible-expenses.xlsx", tmp_path / "e.xlsx")
    shutil.copy(INVALID / "overwritten-totals.xlsx", tmp_path / "o.xlsx")
    messages = {}
    for name in ("e.xlsx", "o.xlsx"):
        _report, out = annotate_file(tmp_path / name)
        sheet = openpyxl.load_workbook(out)["チェック結果"]
        for row in sheet.iter_rows(values_only=True):
            if row and row[1] and str(row[1]).startswith("PV"):
                messages[(row[1], row[2], row[3])] = row[4]
    assert "→ 自動で直せます" in messages[("PV203", "計画様式8", "C6")]
    assert "=計画様式7!J47" in messages[("PV203", "計画様式8", "C6")]
    assert "→ 確認のうえ自動で直せます（planvalidator fix --unsafe）" in messages[("PV106", "計画様式7", "L6")]
    assert "→ 確認のうえ自動で直せます（planvalidator fix --unsafe）" in messages[("PV102", "計画様式7", "F8")]
    assert "直せます" not in messages[("PV103", "計画様式7", "N16")]           # a word in the 備考: no fix
    assert source.exists()


def test_the_excel_button_writes_the_safe_fixes_into_the_open_book():
    import xlwings

    from planvalidator.xl import check_book
    from support.xl_payload import payload

    book = xlwings.Book(json=payload(EXAMPLE, edits={"計画様式7": {"J9": 250000}}))
    seventh = [s.name for s in book.sheets].index("計画様式7")     # (before the results sheet goes in front)
    report = check_book(book, fix=True)
    assert not {f.rule for f in report.findings} & {"PV201", "PV202"}
    formulas = {(a["sheet_position"], a["start_row"] + 1, a["start_column"] + 1): a["values"][0][0]
                for a in book.json()["actions"] if a["func"] == "setFormula"}
    assert formulas[(seventh, 9, 10)] == '=IF(OR(G9="",I9=""),"",G9*I9)'      # J9, the template's formula
    plain = xlwings.Book(json=payload(EXAMPLE, edits={"計画様式7": {"J9": 250000}}))
    assert "PV201" in {f.rule for f in check_book(plain).findings}          # without fix: only marked
    assert not any(a["func"] == "setFormula" for a in plain.json()["actions"])
