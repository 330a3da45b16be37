"""Choosing rules: --select / --ignore / --severity and planvalidator.toml, on check and annotate."""

from __future__ import annotations

import json

import openpyxl
import pytest
from click.testing import CliRunner

from support.helpers import R7
from planvalidator.cli import main

EXPENSES = R7 / "invalid" / "ineligible-expenses.xlsx"   # PV106, PV102, PV103 errors; PV110 warning; PV014 info (form)
FORM = R7 / "invalid" / "form-errors.xlsx"               # PV001–PV006 and PV101


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def rules_of(result) -> dict[str, str]:
    """{rule: severity} of the JSON output of one file."""
    return {f["rule"]: f["severity"] for f in json.loads(result.output)["findings"]}


def test_without_options_every_rule_runs():
    assert set(rules_of(run("check", "--format", "json", EXPENSES))) == {"PV106", "PV102", "PV103", "PV110", "PV014"}


@pytest.mark.parametrize("args, expected", [
    (["--select", "PV102"], {"PV102"}),
    (["--select", "PV1", "--ignore", "PV102,PV103"], {"PV106", "PV110"}),
    (["--ignore", "expenses"], {"PV014"}),                                 # (a form rule: the text date)
    (["--ignore", "expenses,PV014"], set()),
    (["--select", "general-purpose-item,PV110"], {"PV102", "PV110"}),
    (["--select", "PV10", "--ignore", "PV1"], {"PV102", "PV103", "PV106"}),   # the more specific wins
    (["--select", "PV102", "--ignore", "PV1"], {"PV102"}),
])
def test_select_and_ignore_by_code_prefix_family_and_name(args, expected):
    result = run("check", "--format", "json", *args, EXPENSES)
    assert set(rules_of(result)) == expected


def test_form_rules_are_selectable_like_any_other():
    assert set(rules_of(run("check", "--format", "json", "--select", "PV0", FORM))) == \
        {"PV001", "PV002", "PV003", "PV004", "PV005", "PV006"}
    assert set(rules_of(run("check", "--format", "json", "--ignore", "PV001,PV006", FORM))) == \
        {"PV002", "PV003", "PV004", "PV005", "PV101"}


def test_ignoring_every_error_rule_exits_0():
    result = run("check", "--ignore", "PV102,PV103,PV106", EXPENSES)
    assert result.exit_code == 0
    assert "警告 1 件" in result.output


def test_severity_regrades_a_rule_and_the_exit_code_follows():
    result = run("check", "--format", "json", "--severity", "PV106=warning", "--severity", "PV110=info",
                 "--ignore", "PV102,PV103", EXPENSES)
    assert rules_of(result) == {"PV106": "warning", "PV110": "info", "PV014": "info"}
    assert result.exit_code == 0


@pytest.mark.parametrize("args, named", [
    (["--select", "PV1O2"], "PV1O2"),
    (["--ignore", "no-such-rule"], "no-such-rule"),
    (["--severity", "PV999=error"], "PV999"),
    (["--severity", "PV110=fatal"], "fatal"),
    (["--severity", "PV110"], "PV110"),
    (["--select", ""], "--select"),
])
def test_an_unknown_code_or_severity_exits_2_with_one_line(args, named):
    result = run("check", *args, EXPENSES)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and named in lines[0] and "Traceback" not in result.output


def test_the_config_file_in_the_current_folder_is_used(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "planvalidator.toml").write_text('ignore = ["PV102"]\n[severity]\nPV110 = "info"\n', encoding="utf-8")
    assert rules_of(run("check", "--format", "json", EXPENSES)) == {"PV106": "error", "PV103": "error", "PV110": "info",
                                                                 "PV014": "info"}
    # the command line replaces the file's ignore list
    assert set(rules_of(run("check", "--format", "json", "--ignore", "PV103", EXPENSES))) == {"PV106", "PV102", "PV110",
                                                                                                   "PV014"}


def test_pyproject_tool_section_and_an_explicit_config(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n[tool.planvalidator]\nselect = ["PV103"]\n',
                                             encoding="utf-8")
    (tmp_path / "other.toml").write_text('select = "PV110"\n', encoding="utf-8")
    assert set(rules_of(run("check", "--format", "json", EXPENSES))) == {"PV103"}
    assert set(rules_of(run("check", "--format", "json", "--config", "other.toml", EXPENSES))) == {"PV110"}


@pytest.mark.parametrize("content, named", [
    ('selcet = ["PV1"]\n', "selcet"),
    ('select = 1\n', "select"),
    ('ignore = 3.5\n', "ignore"),
    ('select = []\n', "select"),
    ('[severity]\nPV900 = "info"\n', "PV900"),
    ('select = ["PV7"]\n', "PV7"),
    ('select = [\n', "TOML"),
])
def test_a_bad_config_file_exits_2_naming_the_file_and_the_key(tmp_path, content, named):
    config = tmp_path / "bad.toml"
    config.write_text(content, encoding="utf-8")
    result = run("check", "--config", config, EXPENSES)
    assert result.exit_code == 2
    assert named in result.output and "bad.toml" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("content, named", [
    (b"select = " + b"[" * 100_000 + b"]" * 100_000, "入れ子"),             # the parser's recursion
    (b"a = [" + b"{b = [" * 5_000 + b"]}" * 5_000 + b"]", "入れ子"),
    (b'select = "' + b"x" * 300_000 + b'"', "大きすぎ"),                     # over MAX_CONFIG_BYTES, not read whole
    (b'select = "\xff"', "UTF-8"),
    (b"[severity]\nPV102 = 1\n", "severity"),
    (b"severity = [1, 2]\n", "severity"),
    (b"select = [1, 2]\n", "select"),
    (b"select = {a = 1}\n", "select"),
])
def test_any_malformed_settings_file_is_one_line_and_exit_2(tmp_path, monkeypatch, content, named):
    """Read by default from the current folder: a settings file made to break the reader is one line."""
    (tmp_path / "planvalidator.toml").write_bytes(content)
    monkeypatch.chdir(tmp_path)
    result = run("check", EXPENSES)
    assert result.exit_code == 2 and "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "planvalidator.toml" in lines[0] and named in lines[0]


def test_a_settings_path_that_is_missing_is_one_line(tmp_path):
    result = run("check", "--config", tmp_path / "ない.toml", EXPENSES)
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1 and "ない.toml" in result.output


def test_annotate_takes_the_same_selection(tmp_path):
    target = tmp_path / "out.xlsx"
    result = run("annotate", "--select", "PV106", "--severity", "PV106=warning", "-o", target, EXPENSES)
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(target)
    assert book["計画様式7"]["L6"].comment is not None and "PV106 警告" in book["計画様式7"]["L6"].comment.text
    assert book["計画様式7"]["F8"].comment is None          # PV102 was not selected
    codes = [row[1] for row in book.worksheets[0].iter_rows(values_only=True) if row and row[1]]
    assert "PV106" in codes and "PV102" not in codes


def test_which_rules_apply_is_program_data(tmp_path, monkeypatch):
    """program.yaml rules: ignore takes a family out for that program; the user's --select cannot
    bring it back, and `rules --format json` says it does not apply."""
    import shutil

    from planvalidator import layout
    from planvalidator.resources import schemas_dir

    folder = tmp_path / "schemas" / "r7"
    shutil.copytree(schemas_dir() / "r7", folder)
    program = folder / "program.yaml"
    program.write_text(program.read_text(encoding="utf-8").replace("  ignore: []\n", "  ignore: [PV10]\n", 1),
                       encoding="utf-8")
    monkeypatch.setattr(layout, "schemas_dir", lambda: tmp_path / "schemas")
    layout.known_layouts.cache_clear()
    try:
        assert set(rules_of(run("check", "--format", "json", EXPENSES))) == {"PV110", "PV014"}
        assert set(rules_of(run("check", "--format", "json", "--select", "PV102", EXPENSES))) == set()
        listed = {r["code"]: r["applies"] for r in json.loads(run("rules", "--format", "json").output)}
        assert listed["PV102"] is False and listed["PV110"] is True and listed["PV900"] is True
    finally:
        layout.known_layouts.cache_clear()


def test_remembered_decisions_are_the_selectors_own():
    """Selection.enabled remembers its decision per selectors and rule: the same as working it out, for
    every rule under the settings a user writes (and asked twice)."""
    from planvalidator import rules, selection

    def worked_out(chosen, dropped, rule):
        if rule.code in selection.ALWAYS_ON:
            return True
        best = max((selection._specificity(s, rule) for s in chosen), default=0)
        worst = max((selection._specificity(s, rule) for s in dropped), default=0)
        return best > 0 and best > worst

    settings = [(("ALL",), ()), (("PV1",), ("PV102",)), (("expenses",), ("PV1",)), (("PV2", "PV102"), ("money",)),
                (("general-purpose-item",), ()), (("ALL",), ("PV",))]
    for chosen, dropped in settings:
        s = selection.Selection(chosen, dropped)
        for rule in rules.all_rules():
            assert s.enabled(rule) == s.enabled(rule) == worked_out(chosen, dropped, rule), (chosen, dropped, rule.code)


@pytest.mark.parametrize("select, ignore", [(("ALL",), ()), (("PV1",), ("PV102", "PV103")),
                                            (("PV10",), ("PV1",)), (("ALL",), ("expenses", "PV014"))])
def test_the_rules_that_run_remembered_per_program_and_selectors_are_those_worked_out_each_time(select, ignore):
    from planvalidator import rules
    from planvalidator.context import Context
    from planvalidator.engine import selected
    from planvalidator.reader import read
    from planvalidator.selection import Selection, of_program

    context = Context(read(R7 / "kinyurei-r7.xlsx"))
    selection = Selection(select, ignore)
    takes = of_program(context.program)            # (what program.yaml's rules select, worked out here)
    each_time = {r.code for r in rules.all_rules() if takes.enabled(r) and selection.enabled(r)}
    assert selected(context, selection) == each_time
    assert selected(context, Selection(select, ignore)) == each_time        # (the remembered answer)
    selected(context, selection).clear()                                    # a caller's copy, not the memo
    assert selected(context, selection) == each_time
