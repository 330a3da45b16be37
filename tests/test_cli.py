"""The command line: exit codes, the table, the JSON keys other tools read, bad input."""

import json

import openpyxl
from click.testing import CliRunner

from planvalidator.cli import main
from support.helpers import EXAMPLE, R7, TEMPLATE

WRONG = R7 / "invalid" / "wrong-amount.xlsx"


def run(*args):
    return CliRunner().invoke(main, list(map(str, args)))


def test_valid_example_exits_0_with_a_summary():
    result = run("check", EXAMPLE)
    assert result.exit_code == 0, result.output
    assert "エラー 0 件" in result.output


def test_findings_exit_1_and_show_sheet_cell_code_message():
    result = run("check", "--no-color", WRONG)
    assert result.exit_code == 1
    line = next(l for l in result.output.splitlines() if "計画様式7!J9" in l)
    assert "PV201" in line and "エラー" in line and "240,000" in line


def test_json_for_one_file_has_the_stable_keys():
    result = run("check", "--format", "json", WRONG)
    data = json.loads(result.output)
    assert set(data) == {"file", "template", "error", "summary", "accepted", "incomplete", "findings", "money",
                         "next_steps", "advice", "analyser", "analyser_note"}
    assert (data["analyser"], data["analyser_note"]) == ("sudachi", None)   # (the test venv has SudachiPy)
    assert data["template"] == "r7"
    assert data["summary"] == {"error": 1, "warning": 0, "info": 0}
    (finding,) = data["findings"]
    assert set(finding) == {"rule", "name", "severity", "sheet", "cell", "message", "reference",
                            "row", "column", "field", "value", "expected", "accepted", "accepted_note", "attachment",
                            "fix", "label", "place", "written", "advice", "help"}
    assert (finding["rule"], finding["name"], finding["sheet"], finding["cell"]) == \
        ("PV201", "amount-mismatch", "計画様式7", "J9")
    # the machine fields: where (numbers and the layout key), what was read, what was expected
    assert (finding["row"], finding["column"], finding["field"]) == (9, 10, "expenses.expenses.amount")
    assert (finding["value"], finding["expected"], finding["accepted"]) == (250000, 240000, False)
    assert finding["fix"]["safety"] == "safe"          # planvalidator fix puts J9's formula back
    # for the applicant: the field's name with its cell, the value as they see it, what to change, the rule's page
    assert finding["place"] == "計画様式7 経費明細 No.4 金額（税抜・円）（J9）"
    assert (finding["written"], finding["help"]) == ("250,000", "PV201")
    assert finding["advice"].startswith("金額の欄を公式の様式の計算式")


def test_json_for_several_files():
    result = run("check", "--format", "json", EXAMPLE, WRONG)
    data = json.loads(result.output)
    assert [f["summary"]["error"] for f in data["files"]] == [0, 1]
    assert result.exit_code == 1


def test_blank_template_exits_1_with_required_errors():
    result = run("check", "--format", "json", TEMPLATE)
    assert result.exit_code == 1
    # a blank form: empty required cells, the two always-required documents not marked as attached,
    # and no 開発 / 販路開拓 activity (公募要領 3. 注) — nothing about arithmetic or keywords
    assert {f["rule"] for f in json.loads(result.output)["findings"]} == {"PV001", "PV401", "PV501", "PV502"}


def test_not_a_workbook_exits_2_with_one_line_and_no_traceback(tmp_path):
    bad = tmp_path / "申請書.xlsx"
    bad.write_text("hello")
    result = CliRunner().invoke(main, ["check", str(bad)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = [l for l in result.output.splitlines() if l.strip()]
    assert len(lines) == 1 and "申請書.xlsx" in lines[0] and "Excelブック" in lines[0]


def test_missing_file_exits_2(tmp_path):
    result = run("check", tmp_path / "nothing.xlsx")
    assert result.exit_code == 2 and "見つかりません" in result.output


def test_one_bad_file_among_good_ones_exits_2_but_reports_the_rest(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04broken")
    result = run("check", "--format", "json", EXAMPLE, bad)
    assert result.exit_code == 2
    out = result.output[result.output.index("{"):]
    files = json.loads(out)["files"]
    assert files[0]["summary"]["error"] == 0 and files[0]["error"] is None
    assert files[1]["error"] and files[1]["template"] is None
    assert set(files[0]) == set(files[1])                     # one shape for a checked and an unreadable file


def test_rules_lists_and_explains():
    listing = run("rules")
    assert listing.exit_code == 0 and "PV201" in listing.output and "amount-mismatch" in listing.output
    one = run("rules", "PV006")
    assert one.exit_code == 0 and "チェックデジット" in one.output and "出典" in one.output
    assert run("rules", "PV999").exit_code == 2


def test_help_shows_an_example():
    assert "planvalidator check" in run("check", "--help").output


def test_installed_console_script_and_package_data():
    """The package works installed: the console script runs and the shipped data is found."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    from planvalidator.resources import schemas_dir, templates_dir
    assert (schemas_dir() / "r7" / "layout.yaml").is_file()
    assert (templates_dir() / "r7" / "kinyurei-r7.xlsx").is_file()
    script = shutil.which("planvalidator", path=str(Path(sys.executable).parent)) or shutil.which("planvalidator")
    if script is None:
        import pytest
        pytest.skip("planvalidator is not installed as a command here")
    result = subprocess.run([script, "check", str(EXAMPLE)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_several_files_end_with_one_overview_for_staff():
    from support.helpers import R7
    files = [EXAMPLE, R7 / "invalid" / "ineligible-expenses.xlsx", R7 / "invalid" / "wrong-amount.xlsx"]
    result = run("check", "--no-color", *files)
    assert result.exit_code == 1
    overview = result.output[result.output.index("まとめ"):]
    for path in files:
        assert str(path) in overview
    assert "PV102×1" in overview and "3 件中 2 件が要修正" in overview


HEAVY = ("pandas", "pandera", "numpy", "openpyxl", "lxml")


def test_check_imports_only_what_it_needs():
    """A check runs without pandas, pandera or openpyxl (importing them alone takes over a second
    here; issue 5: a cold check in 1 s; a frame only pandera can check would load them), and
    without lxml, which only writing into a workbook needs."""
    import subprocess
    import sys
    code = ("import sys\nfrom planvalidator.cli import main\n"
            "try:\n    main(['check', '--format', 'json', sys.argv[1], sys.argv[2]])\nexcept SystemExit as e:\n"
            f"    print(e.code, sorted(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", code, str(EXAMPLE), str(WRONG)], capture_output=True, text=True)
    assert json.loads(done.stdout)["files"][1]["findings"][0]["rule"] == "PV201"
    assert done.stderr.strip() == "1 []"


def test_a_command_imports_its_own_module_only_and_every_command_is_listed():
    """`planvalidator check` imports no other command's module (planvalidator.cli.COMMANDS: each is imported when
    it is looked up); the help lists every command, each found by its name and named in Japanese as before."""
    import subprocess
    import sys

    from planvalidator.cli import COMMANDS

    code = ("import sys\nfrom planvalidator.cli import main\n"
            "try:\n    main(['check', sys.argv[1]])\nexcept SystemExit as e:\n"
            "    print(e.code, sorted(m for m in sys.modules if m.startswith('planvalidator.cli.')), file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", code, str(EXAMPLE)], capture_output=True, text=True)
    assert done.stderr.strip() == "0 ['planvalidator.cli.checking', 'planvalidator.cli.click_ja', 'planvalidator.cli.common']"
    listed = CliRunner().invoke(main, ["--help"]).output.split("コマンド:\n", 1)[1]
    assert [line.split()[0] for line in listed.splitlines() if line.strip()] == sorted(COMMANDS)
    for name in COMMANDS:
        command = main.get_command(None, name)
        assert command.name == name and command.options_metavar == "[オプション]"
    from planvalidator.cli import serve
    assert serve is main.get_command(None, "serve")


def test_a_missing_package_gets_one_line_saying_how_to_install_it(tmp_path):
    """Checking and writing need no lxml (without it a workbook is edited with the standard library,
    as in the browser's Pyodide); a package the check does need, missing, is one line saying what
    to install."""
    import subprocess
    import sys
    code = ("import sys\nsys.modules['lxml'] = None\nfrom planvalidator.cli import main\n"
            "main(sys.argv[1:])\n")
    checked = subprocess.run([sys.executable, "-c", code, "check", str(EXAMPLE)], capture_output=True, text=True)
    assert checked.returncode == 0 and "エラー 0 件" in checked.stdout
    out = tmp_path / "out.xlsx"
    written = subprocess.run([sys.executable, "-c", code, "annotate", "-o", str(out), str(WRONG)],
                             capture_output=True, text=True)
    assert written.returncode == 1 and "Traceback" not in written.stderr, written.stderr
    assert "エラー 1 件" in written.stdout and str(out) in written.stdout
    from test_annotate import highlights
    assert highlights(out, "計画様式7") == {"J9": "error"}                  # PV201, written without lxml
    assert openpyxl.load_workbook(out, read_only=True).sheetnames[0] == "チェック結果"
    no_reader = code.replace("'lxml'", "'python_calamine'")
    refused = subprocess.run([sys.executable, "-c", no_reader, "check", str(EXAMPLE)], capture_output=True, text=True)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "パッケージ python-calamine がインストールされていません" in refused.stderr and "pip install" in refused.stderr


def test_form_findings_carry_the_value_read_and_the_choices_expected():
    data = json.loads(run("check", "--format", "json", R7 / "invalid" / "form-errors.xlsx").output)
    by_rule = {f["rule"]: f for f in data["findings"]}
    assert (by_rule["PV002"]["value"], by_rule["PV002"]["field"]) == ("約200", "expenses.expenses.quantity")
    assert (by_rule["PV003"]["value"], by_rule["PV003"]["expected"]) == ("令和7年度", "1年目・2年目・3年目")
