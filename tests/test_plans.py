"""Plans as data (planvalidator/plans/): export → JSON → fill → check gives the workbook's findings,
located at JSON paths; the published JSON Schema; bad JSON plans get one line and exit 2."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from support.helpers import EXAMPLE, R7
from planvalidator.cli import main
from planvalidator.engine import check_file
from planvalidator.layout import known_layouts
from planvalidator.plans import check_json, export_file, fill_workbook, json_schema, schema_path, schema_text
from planvalidator.reader import read

INVALID = sorted((R7 / "invalid").glob("*.xlsx"))
EXAMPLES = [EXAMPLE, *INVALID]
LAYOUT = next(layout for layout in known_layouts() if layout.template == "r7")


def run(*args):
    return CliRunner().invoke(main, list(map(str, args)))


def said(report):
    return Counter((f.rule, f.severity.value, f.message) for f in report.findings)


def resolve(data, pointer: str):
    """The value at a JSON pointer (KeyError / IndexError when there is none)."""
    for part in pointer.split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        data = data[int(part)] if isinstance(data, list) else data[part]
    return data


@pytest.fixture(scope="module")
def example_plan():
    return export_file(EXAMPLE)


def write_plan(tmp_path: Path, data, name="plan.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


# --- export -------------------------------------------------------------------------------------

def test_export_of_the_example_has_the_applicant_and_the_twelve_expense_rows(example_plan):
    plan = example_plan
    assert plan["template"] == "r7" and plan["program"] is None
    assert plan["applicant"]["name"] == "株式会社のと木工房"
    assert plan["applicant"]["submitted_on"] == "2025-06-02"           # dates as ISO text
    expenses = plan["expenses"]                                        # a sheet of one table is its list
    assert len(expenses) == 12
    assert expenses[0] == {"year": "1年目", "category": "試作・開発費", "item": "原材料費",
                           "description": "能登産アテ間伐材（板材）", "quantity": 40, "unit": "枚",
                           "unit_price": 6000, "vendor": "七尾森林組合", "order_date": "2025-10-01", "quote": "有"}
    # the amounts are the template's formulas (数量 × 単価), not inputs: left out, computed on fill
    assert sum(e["quantity"] * e["unit_price"] for e in expenses) == 3_890_000
    assert all("amount" not in e and "row_no" not in e for e in expenses)
    # the template's computed fields are left out; the input ones are there, null when blank
    assert "eligible_total" not in plan["applicant"] and plan["applicant"]["other_subsidy_detail"] is None
    # records the template names keep their label, which places them
    assert [r["year"] for r in plan["funding"]["funding"]] == ["1年目", "2年目"]
    assert [r["year"] for r in plan["sales"]["sales_plan"]] == ["1年目", "2年目", "3年目", "4年目", "5年目"]
    assert plan["consent"] == []


def test_export_keeps_what_the_applicant_wrote_and_overwritten_totals():
    errors = export_file(R7 / "invalid" / "form-errors.xlsx")
    assert errors["expenses"][6]["quantity"] == "約200"                 # unreadable text kept as it is
    assert errors["applicant"]["postal_code"] is None
    totals = export_file(R7 / "invalid" / "overwritten-totals.xlsx")
    assert totals["applicant"]["requested_total"] == 2_600_000         # a number typed over the formula
    assert totals["funding"]["funding"][0]["eligible"] == 1_900_000
    assert export_file(R7 / "invalid" / "wrong-amount.xlsx")["expenses"][3]["amount"] == 250_000


# --- the JSON Schema ----------------------------------------------------------------------------

def test_the_published_schema_is_up_to_date_and_the_example_validates(example_plan):
    jsonschema = pytest.importorskip("jsonschema")
    path = schema_path(LAYOUT)
    assert path.read_text(encoding="utf-8") == schema_text(LAYOUT), "python scripts/plan_schema.py で作り直してください"
    schema = json_schema(LAYOUT)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    assert [e.message for e in validator.iter_errors(example_plan)] == []
    props = schema["properties"]
    assert props["applicant"]["properties"]["org_type"]["enum"][:2] == ["法人", "個人事業主"]
    assert props["applicant"]["properties"]["submitted_on"]["format"] == "date"
    assert props["expenses"]["anyOf"][0]["maxItems"] == 40
    # a mistake the checker reports is also one the schema sees
    bad = json.loads(json.dumps(example_plan))
    bad["expenses"][0]["quantity"] = "たくさん"
    assert any("quantity" in e.json_path for e in validator.iter_errors(bad)) or any(
        "expenses" in e.json_path for e in validator.iter_errors(bad))


# --- export → fill → check round trip --------------------------------------------------------------

@pytest.mark.parametrize("source", EXAMPLES, ids=lambda p: p.name)
def test_export_fill_check_gives_the_same_findings(source, tmp_path):
    original = check_file(source)
    plan_path = write_plan(tmp_path, export_file(source))
    as_json = check_json(plan_path)
    assert said(as_json) == said(original)
    assert as_json.file == str(plan_path)
    # the filled workbook itself: the same findings at the same cells, and it exports the same plan
    book = fill_workbook(json.loads(plan_path.read_text(encoding="utf-8")), tmp_path / "filled.xlsx")
    filled = check_file(book)
    assert Counter((f.rule, f.severity.value, f.message, f.sheet, f.cell) for f in filled.findings) == Counter(
        (f.rule, f.severity.value, f.message, f.sheet, f.cell) for f in original.findings)
    assert export_file(book) == export_file(source)
    # every finding of the JSON plan points at the JSON path of its cell
    data = json.loads(plan_path.read_text(encoding="utf-8"))
    for f, g in zip(as_json.findings, original.findings):
        assert f.cell is None and f.sheet.startswith("/"), f
        assert f.field == g.field
        top = f.sheet.split("/")[1]
        assert top == LAYOUT.sheet(g.sheet).key
        resolve(data, f.sheet.rsplit("/", 1)[0])          # the record (or sheet) is there


@pytest.mark.parametrize("source", [EXAMPLE, R7 / "invalid" / "wrong-amount.xlsx"], ids=lambda p: p.name)
def test_checking_a_json_plan_writes_no_file_and_finds_what_the_filled_workbook_on_disk_has(
        source, tmp_path, monkeypatch):
    """check_json fills the workbook in memory and reads it from its bytes: no file is opened for
    writing, the temporary directory stays empty, and the findings are those of the same plan filled
    into a .xlsx on disk, located at the same JSON paths."""
    import builtins
    import io
    import os
    import tempfile

    from planvalidator.plans import fill_with_places, pointed

    data = export_file(source)
    plan_path = write_plan(tmp_path, data)
    _layout, places = fill_with_places(data, tmp_path / "filled.xlsx")
    on_disk = check_file(tmp_path / "filled.xlsx")

    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    before = sorted(tmp_path.rglob("*"))
    written = []
    real_open, real_os_open = builtins.open, os.open

    def open_guarded(file, mode="r", *args, **kwargs):
        if isinstance(file, (str, bytes, os.PathLike)) and any(c in mode for c in "wax+"):
            written.append((file, mode))
        return real_open(file, mode, *args, **kwargs)

    def os_open_guarded(path, flags, *args, **kwargs):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND):
            written.append((path, flags))
        return real_os_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", open_guarded)
    monkeypatch.setattr(io, "open", open_guarded)
    monkeypatch.setattr(os, "open", os_open_guarded)
    as_json = check_json(plan_path)
    monkeypatch.undo()

    assert written == []
    assert sorted(tmp_path.rglob("*")) == before and list(temp.iterdir()) == []
    assert as_json.file == str(plan_path)
    assert as_json.findings == [pointed(f, places) for f in on_disk.findings]
    assert said(as_json) == said(on_disk) == said(check_file(source))
    assert on_disk.findings or source == EXAMPLE


def test_a_finding_of_a_table_cell_points_at_its_record():
    source = R7 / "invalid" / "wrong-amount.xlsx"
    original = [f for f in check_file(source).findings if f.rule == "PV201"]
    assert [(f.sheet, f.cell) for f in original] == [("計画様式7", "J9")]
    table = read(source).table("expenses", "expenses")
    i = table.labels.index(9)
    report = check_json(_exported(source))
    (f,) = [f for f in report.findings if f.rule == "PV201"]
    assert f.sheet == f"/expenses/{i}/amount" == "/expenses/3/amount"
    assert f.field == "expenses.expenses.amount"


def _exported(source: Path) -> Path:
    import tempfile
    path = Path(tempfile.mkdtemp()) / f"{source.stem}.json"
    path.write_text(json.dumps(export_file(source), ensure_ascii=False), encoding="utf-8")
    return path


def test_findings_of_fields_and_named_records_point_at_their_paths():
    pointers = {(f.rule, f.sheet) for f in check_json(_exported(R7 / "invalid" / "overwritten-totals.xlsx")).findings}
    assert pointers == {("PV205", "/applicant/requested_total"), ("PV203", "/funding/funding/0/eligible")}
    errors = {(f.rule, f.sheet) for f in check_json(_exported(R7 / "invalid" / "form-errors.xlsx")).findings}
    assert ("PV001", "/applicant/postal_code") in errors and ("PV002", "/expenses/6/quantity") in errors


# --- a hand-written JSON plan ----------------------------------------------------------------------

def test_a_string_in_a_number_field_is_pv002_at_its_path(tmp_path, example_plan):
    plan = json.loads(json.dumps(example_plan))
    plan["expenses"][2]["unit_price"] = "三十五万"
    path = write_plan(tmp_path, plan)
    result = run("check", "--no-color", "--format", "json", path)
    assert result.exit_code == 1, result.output
    findings = json.loads(result.output)["findings"]
    assert {(f["rule"], f["sheet"], f["cell"]) for f in findings if f["rule"] == "PV002"} == {
        ("PV002", "/expenses/2/unit_price", None)}
    text = run("check", "--no-color", path)
    assert "/expenses/2/unit_price" in text.output and "PV002" in text.output


def test_a_record_named_by_its_label_goes_into_that_row(tmp_path, example_plan):
    plan = json.loads(json.dumps(example_plan))
    plan["funding"]["funding"] = [plan["funding"]["funding"][1]]        # only 2年目
    book = fill_workbook(plan, tmp_path / "b.xlsx")
    funding = read(book).table("funding", "funding")
    assert funding.labels == [7] and funding.value(7, "requested") == 1_260_000


def test_text_is_written_as_text_never_as_a_formula(tmp_path, example_plan):
    plan = json.loads(json.dumps(example_plan))
    plan["expenses"][0]["description"] = "=HYPERLINK(\"http://example.com\")"
    book = fill_workbook(plan, tmp_path / "b.xlsx")
    assert export_file(book)["expenses"][0]["description"] == plan["expenses"][0]["description"]
    grid = read(book).grid.sheets["計画様式7"]
    assert (6, 6) not in grid.formulas


def test_a_blank_plan_fills_the_blank_template(tmp_path):
    book = fill_workbook({"template": "r7"}, tmp_path / "blank.xlsx")
    assert said(check_file(book)) == said(check_file(R7 / "jigyo-keikakusho-r7.xlsx"))


# --- bad input: one line, exit 2 -------------------------------------------------------------------

@pytest.mark.parametrize("content, words", [
    ('{"template": "r9"}', ["/template", "r9", "r7"]),
    ('{"applicant": {}}', ["/template"]),
    ('{"template": "r7",\n  "applicant": {"name": "x",}\n}', ["JSON として読めません", "2 行"]),
    ('[1, 2]', ["オブジェクト"]),
    ('{"template": "r7", "expenses": {"expenses": 3}}', ["/expenses/expenses", "配列"]),
    ('{"template": "r7", "applicant": {"nmae": "x"}}', ["/applicant/nmae", "name"]),
    ('{"template": "r7", "funding": {"funding": [{"year": "4年目"}]}}', ["/funding/funding/0/year", "4年目"]),
    ('{"template": "r7", "applicant": {"name": ["x"]}}', ["/applicant/name"]),
    ('{"template": "r7", "sales": {"launch": NaN}}', ["JSON として読めません"]),
    ('\xff', ["UTF-8"]),
])
def test_an_unreadable_plan_is_one_line_exit_2(tmp_path, content, words):
    path = tmp_path / "plan.json"
    path.write_bytes(content.encode("latin-1") if content == "\xff" else content.encode("utf-8"))
    result = run("check", path)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    assert lines[0].startswith(f"planvalidator: {path}: ")
    for word in words:
        assert word in lines[0], lines[0]


def test_too_many_expense_rows_names_the_path_and_the_rows_there_are(tmp_path, example_plan):
    plan = json.loads(json.dumps(example_plan))
    plan["expenses"] = (plan["expenses"] * 4)[:41]
    path = write_plan(tmp_path, plan)
    result = run("check", path)
    assert result.exit_code == 2
    assert "/expenses" in result.output and "41" in result.output and "40 行" in result.output
    assert "Traceback" not in result.output
    filled = run("fill", path, "-o", tmp_path / "x.xlsx")
    assert filled.exit_code == 2 and "40 行" in filled.output and not (tmp_path / "x.xlsx").exists()


# --- the commands ------------------------------------------------------------------------------------

def test_export_and_fill_commands(tmp_path, example_plan):
    out = run("export", EXAMPLE)
    assert out.exit_code == 0 and json.loads(out.output) == example_plan
    plan = tmp_path / "plan.json"
    written = run("export", EXAMPLE, "-o", plan)
    assert written.exit_code == 0 and written.output.strip() == str(plan)      # it names what it wrote
    assert json.loads(plan.read_text(encoding="utf-8")) == example_plan
    book = tmp_path / "book.xlsx"
    done = run("fill", plan, "-o", book)
    assert done.exit_code == 0, done.output
    assert book.is_file() and export_file(book) == example_plan
    again = run("fill", plan, "-o", book)                       # never overwrites without --force
    assert again.exit_code == 2 and "--force" in again.output
    assert run("fill", plan, "-o", book, "--force").exit_code == 0
    checked = run("check", "--no-color", plan, book)
    assert checked.exit_code == 0 and "エラー 0 件" in checked.output


def test_export_of_a_file_that_is_not_a_workbook_is_one_line(tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_text("not a workbook", encoding="utf-8")
    result = run("export", path)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1 and path.name in result.output


def test_an_overwritten_total_of_a_list_sheet_gives_the_sheet_its_object_form(tmp_path):
    from support.helpers import edit

    source = edit(EXAMPLE, tmp_path / "total.xlsx", {"計画様式7": {"J52": 1_000_000}})
    plan = export_file(source)
    assert plan["expenses"]["grand_total"] == 1_000_000 and len(plan["expenses"]["expenses"]) == 12
    path = write_plan(tmp_path, plan)
    original, as_json = check_file(source), check_json(path)
    assert said(as_json) == said(original) and original.findings
    assert {f.sheet for f in as_json.findings if f.field == "expenses.grand_total"} == {"/expenses/grand_total"}
