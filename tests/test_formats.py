"""The machine formats of ``check --format``: sarif, junit, jsonl, github — on the bundled examples."""

import io
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from support.helpers import EXAMPLE, R7, ROOT, edit, insert_rows_like_excel
from planvalidator.cli import main
from planvalidator.engine import check_file
from planvalidator.findings import Finding, Severity
from planvalidator.formats import FORMATS, Outcome

WRONG = R7 / "invalid" / "wrong-amount.xlsx"                 # exactly one finding: PV201 at 計画様式7!J9
EXPENSES = R7 / "invalid" / "ineligible-expenses.xlsx"        # several (PV106, PV102, PV110 warning, PV103, PV014 info)
SCHEMA = ROOT / "tests" / "data" / "sarif-schema-2.1.0.json"  # OASIS sarif-spec, sarif-2.1/schema (errata 01)
MACHINE = ["sarif", "junit", "jsonl", "github"]


def run(*args):
    result = CliRunner().invoke(main, list(map(str, args)))
    return result


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.fixture
def in_root(monkeypatch):
    """Run from the repository's root, so that the examples are given as relative paths, as in CI."""
    monkeypatch.chdir(ROOT)


@pytest.fixture
def not_a_workbook(tmp_path):
    path = tmp_path / "メモ.xlsx"                       # a text file renamed .xlsx
    path.write_text("これは Excel ではありません\n", encoding="utf-8")
    return path


def test_every_format_is_registered():
    assert set(MACHINE) <= set(FORMATS)


# --- SARIF -----------------------------------------------------------------------------------------

def validate_sarif(log: dict) -> None:
    import jsonschema
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(schema)
    problems = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not problems, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in problems[:10])


def test_the_vendored_schema_is_the_official_sarif_2_1_0():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    assert schema["id"].startswith("https://docs.oasis-open.org/sarif/sarif/v2.1.0/")


def test_sarif_of_one_finding_validates_and_points_at_the_cell(in_root):
    result = run("check", "--format", "sarif", rel(WRONG))
    assert result.exit_code == 1                                   # as with every format: an error → 1
    log = json.loads(result.output)
    validate_sarif(log)
    assert log["version"] == "2.1.0"
    (run_,) = log["runs"]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "planvalidator" and driver["version"]
    rules = {r["id"]: r for r in driver["rules"]}
    pv201 = rules["PV201"]
    assert pv201["name"] == "amount-mismatch" and pv201["defaultConfiguration"]["level"] == "error"
    assert pv201["shortDescription"]["text"] and "何を" in pv201["fullDescription"]["text"]
    catalogue = {r["code"]: r for r in json.loads(run("rules", "--format", "json").output)}
    assert set(rules) == set(catalogue)                 # the whole catalogue, its texts as `rules` renders them
    for code, rule in rules.items():
        assert rule["shortDescription"]["text"] == catalogue[code]["summary"]
        assert rule["fullDescription"]["text"] == catalogue[code]["doc"]
        assert rule["help"]["text"].endswith(f"出典: {catalogue[code]['reference']}")
    (res,) = run_["results"]
    assert res["ruleId"] == "PV201" and res["level"] == "error"
    assert driver["rules"][res["ruleIndex"]]["id"] == "PV201"
    assert "240,000" in res["message"]["text"] and "計画様式7!J9" in res["message"]["text"]
    (loc,) = res["locations"]
    assert loc["physicalLocation"]["artifactLocation"]["uri"] == "templates/r7/invalid/wrong-amount.xlsx"
    assert loc["physicalLocation"]["region"] == {"startLine": 9, "startColumn": 10}
    (logical,) = loc["logicalLocations"]
    assert logical["name"] == "計画様式7!J9" and logical["kind"] == "element"
    assert logical["fullyQualifiedName"] == "'[wrong-amount.xlsx]計画様式7'!J9"
    assert len(res["partialFingerprints"]["planvalidator/v1"]) == 64
    assert run_["invocations"] == [{"executionSuccessful": True}]


def test_sarif_of_several_findings_validates_with_warnings_as_warnings(in_root):
    result = run("check", "--format", "sarif", rel(EXPENSES))
    assert result.exit_code == 1
    log = json.loads(result.output)
    validate_sarif(log)
    results = log["runs"][0]["results"]
    got = {(r["ruleId"], r["level"], r["locations"][0]["logicalLocations"][0]["name"]) for r in results}
    assert got == {("PV106", "error", "計画様式7!L6"), ("PV102", "error", "計画様式7!F8"),
                   ("PV110", "warning", "計画様式7!M11"), ("PV103", "error", "計画様式7!N16"),
                   ("PV014", "note", "計画様式7!L6")}                  # info (the text date at L6) is SARIF's note
    prints = [r["partialFingerprints"]["planvalidator/v1"] for r in results]
    assert len(set(prints)) == len(prints)


def test_a_finding_without_a_cell_is_put_on_line_1():
    from planvalidator.formats.sarif import result as sarif_result

    report = check_file(EXAMPLE)
    f = Finding("PV900", "rule-failed", Severity.ERROR, None, None, "規則 PV201 を実行できませんでした", "planvalidator の不具合")
    r = sarif_result(f, report, "0" * 64, None)
    assert r["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}
    assert "logicalLocations" not in r["locations"][0]


def test_fingerprints_are_stable_across_runs_and_rows_inserted_above(tmp_path, in_root):
    first = json.loads(run("check", "--format", "sarif", rel(WRONG)).output)
    second = json.loads(run("check", "--format", "sarif", rel(WRONG)).output)
    print_of = lambda log: log["runs"][0]["results"][0]["partialFingerprints"]["planvalidator/v1"]  # noqa: E731
    assert print_of(first) == print_of(second)

    def prepare(book):
        insert_rows_like_excel(book, "計画様式7", 8, 2)          # two rows inside the table, above J9
    moved = edit(WRONG, tmp_path / "moved.xlsx", {}, prepare=prepare)
    third = json.loads(run("check", "--format", "sarif", moved).output)
    (res,) = third["runs"][0]["results"]
    assert res["locations"][0]["logicalLocations"][0]["name"] == "計画様式7!J11"    # the cell moved …
    assert res["locations"][0]["physicalLocation"]["region"]["startLine"] == 11
    assert print_of(third) == print_of(first)                                      # … the finding did not


def test_fingerprints_tell_the_findings_of_one_rule_apart(tmp_path):
    # two wrong amounts: the same rule, sheet and field, different values → different fingerprints
    path = edit(WRONG, tmp_path / "two.xlsx", {"計画様式7": {"J10": 999}})
    log = json.loads(run("check", "--format", "sarif", path).output)
    validate_sarif(log)
    results = [r for r in log["runs"][0]["results"] if r["ruleId"] == "PV201"]
    assert len(results) == 2
    assert len({r["partialFingerprints"]["planvalidator/v1"] for r in results}) == 2


def test_sarif_accepted_findings_are_suppressed_results(tmp_path):
    out = tmp_path / "accepted.xlsx"
    annotated = run("annotate", "--accept", "PV201@計画様式7!J9", "-o", out, shutil.copy(WRONG, tmp_path / "w.xlsx"))
    assert annotated.exit_code == 0, annotated.output
    result = run("check", "--format", "sarif", out)
    assert result.exit_code == 0                       # accepted findings do not count, in every format
    log = json.loads(result.output)
    validate_sarif(log)
    (res,) = [r for r in log["runs"][0]["results"] if r["ruleId"] == "PV201"]
    (suppression,) = res["suppressions"]
    assert suppression["kind"] == "inSource" and suppression["justification"]


def test_sarif_names_a_file_that_could_not_be_checked(not_a_workbook, in_root):
    result = run("check", "--format", "sarif", not_a_workbook, rel(WRONG))
    assert result.exit_code == 2
    log = json.loads(result.output[result.output.index("{"):])
    validate_sarif(log)
    (invocation,) = log["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error" and "Excel" in note["message"]["text"]
    uri = note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.startswith("file:///") and uri.endswith(".xlsx")
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["PV201"]    # the other file is still there


def test_sarif_uris_are_relative_paths_with_forward_slashes(tmp_path, monkeypatch):
    from planvalidator.formats.sarif import artifact_uri

    assert artifact_uri("templates/r7/invalid/wrong-amount.xlsx") == "templates/r7/invalid/wrong-amount.xlsx"
    assert artifact_uri("受付\\申請 1.xlsx") == "%E5%8F%97%E4%BB%98/%E7%94%B3%E8%AB%8B%201.xlsx"
    monkeypatch.chdir(tmp_path)
    assert artifact_uri(str(tmp_path / "a" / "b.xlsx")) == "a/b.xlsx"           # under the current folder
    assert artifact_uri("/elsewhere/b.xlsx") == "file:///elsewhere/b.xlsx"


# --- JUnit -----------------------------------------------------------------------------------------

def test_junit_has_a_suite_per_file_and_a_failure_for_pv201(in_root):
    result = run("check", "--format", "junit", rel(WRONG), rel(EXAMPLE))
    assert result.exit_code == 1
    root = ET.fromstring(result.output)
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [rel(WRONG), rel(EXAMPLE)]
    wrong, clean = suites
    cases = {c.get("name"): c for c in wrong.findall("testcase")}
    assert "PV001 required-field" in cases and "PV403 attachment-missing" not in cases   # no attachments in check
    assert all(c.get("classname") == rel(WRONG) for c in cases.values())
    failure = cases["PV201 amount-mismatch"].find("failure")
    assert failure is not None and failure.get("type") == "error"
    assert "計画様式7!J9" in failure.get("message") and "240,000" in failure.text
    assert [n for n, c in cases.items() if c.find("failure") is not None] == ["PV201 amount-mismatch"]
    assert (wrong.get("tests"), wrong.get("failures"), wrong.get("errors")) == (str(len(cases)), "1", "0")
    assert clean.get("failures") == "0" and clean.findall("testcase")
    assert root.get("failures") == "1"


def test_junit_warnings_are_output_not_failures(in_root):
    root = ET.fromstring(run("check", "--format", "junit", rel(EXPENSES)).output)
    cases = {c.get("name"): c for c in root.iter("testcase")}
    quote = cases["PV110 quote-missing"]
    assert quote.find("failure") is None and "計画様式7!M11" in quote.find("system-out").text
    assert {n for n, c in cases.items() if c.find("failure") is not None} == \
        {"PV102 general-purpose-item", "PV103 indirect-cost", "PV106 ordered-before-grant"}


def test_junit_error_for_a_file_that_could_not_be_checked(not_a_workbook):
    result = run("check", "--format", "junit", not_a_workbook)
    assert result.exit_code == 2
    root = ET.fromstring(result.output[result.output.index("<?xml"):])
    (suite,) = root.findall("testsuite")
    (case,) = suite.findall("testcase")
    assert case.get("classname") == str(not_a_workbook)
    assert "Excel" in case.find("error").get("message") and suite.get("errors") == "1"


# --- JSON Lines ------------------------------------------------------------------------------------

def test_jsonl_one_line_per_finding_with_the_json_keys(in_root):
    result = run("check", "--format", "jsonl", rel(WRONG), rel(EXPENSES), rel(EXAMPLE))
    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert len(lines) == 6                                          # 1 + 5, none for the clean 記入例
    keys = set(check_file(WRONG).findings[0].to_dict()) | {"file", "template"}
    assert all(set(line) == keys for line in lines)
    first = lines[0]
    assert (first["file"], first["template"], first["rule"], first["sheet"], first["cell"], first["row"]) == \
        (rel(WRONG), "r7", "PV201", "計画様式7", "J9", 9)
    assert {line["rule"] for line in lines if line["file"] == rel(EXPENSES)} == {"PV106", "PV102", "PV110", "PV103", "PV014"}


def test_jsonl_a_line_for_a_file_that_could_not_be_checked(not_a_workbook):
    result = run("check", "--format", "jsonl", not_a_workbook)
    assert result.exit_code == 2
    lines = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert lines == [{"file": str(not_a_workbook), "error": lines[0]["error"]}] and "Excel" in lines[0]["error"]


# --- GitHub workflow commands ----------------------------------------------------------------------

def test_github_annotation_for_pv201(in_root):
    result = run("check", "--format", "github", rel(WRONG))
    assert result.exit_code == 1
    (line,) = result.output.splitlines()
    assert line.startswith("::error file=templates/r7/invalid/wrong-amount.xlsx,line=9,col=10,"
                           "title=PV201 amount-mismatch::")
    assert "240,000" in line and "(計画様式7!J9, 計画様式7 助成対象経費明細" in line


def test_github_levels_follow_the_severity(in_root):
    lines = run("check", "--format", "github", rel(EXPENSES)).output.splitlines()
    assert sorted(l.split(" ", 1)[0] for l in lines) == ["::error"] * 3 + ["::notice", "::warning"]


def test_github_escapes_newlines_percent_and_property_commas():
    from planvalidator.formats import github
    from planvalidator.engine import Report

    f = Finding("PV503", "thin-section", Severity.INFO, "計画様式3", "B5", "1 行目\n2 行目, 100%", "3.(1), 審査: 内容")
    report = Report(file="申請/a,b:c.xlsx", template="r7", findings=[f])
    out = io.StringIO()
    github.write([Outcome(report.file, report)], out)
    (line,) = out.getvalue().splitlines()
    assert line == ("::notice file=申請/a%2Cb%3Ac.xlsx,line=5,col=2,title=PV503 thin-section::"
                    "1 行目%0A2 行目, 100%25 (計画様式3!B5, 3.(1), 審査: 内容)")
    assert github.escape_property("a\r\nb") == "a%0D%0Ab"


def test_github_error_for_a_file_that_could_not_be_checked(not_a_workbook):
    result = run("check", "--format", "github", not_a_workbook)
    assert result.exit_code == 2
    (line,) = [l for l in result.output.splitlines() if l.startswith("::")]
    assert line.startswith(f"::error file={str(not_a_workbook).replace(':', '%3A')},title=") and "Excel" in line


# --- all formats -----------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["text", "json"] + MACHINE)
def test_exit_codes_do_not_depend_on_the_format(fmt, not_a_workbook):
    assert run("check", "--format", fmt, EXAMPLE).exit_code == 0
    assert run("check", "--format", fmt, WRONG).exit_code == 1
    assert run("check", "--format", fmt, not_a_workbook, WRONG).exit_code == 2
