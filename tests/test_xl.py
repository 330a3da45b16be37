"""The Excel button's Python side, without Excel: xlwings' remote interpreter on real payloads.

A payload is what Excel sends (values from A1, dates as ISO strings, sheets, note cells); the
answer is the list of actions xlwings returns for Excel to carry out.
"""

import xlwings

from support.helpers import EXAMPLE, R7, finding_keys
from planvalidator.engine import check_file
from planvalidator.xl import COLORS, check_book, grid_from_book
from support.xl_payload import actions, cell_of, payload, sheet_payload

# the same mistakes as templates/r7/invalid/ineligible-expenses.xlsx, typed into the 記入例 in Excel
TYPED = {"計画様式7": {"F8": "ノートPC（データ解析用）", "N16": "振込手数料を含む", "L6": "令和7年7月1日",
                       "M11": "無"}}


def names(p):
    return [s["name"] for s in p["sheets"]]


def test_same_findings_as_the_file_check():
    report = check_book(xlwings.Book(json=payload(EXAMPLE, edits=TYPED)))
    expected = check_file(R7 / "invalid" / "ineligible-expenses.xlsx")
    assert finding_keys(report) == finding_keys(expected)
    assert check_book(xlwings.Book(json=payload(EXAMPLE))).findings == []


def test_actions_mark_exactly_the_finding_cells():
    p = payload(EXAMPLE, edits=TYPED)
    sheets = names(p)                      # before the run: xlwings adds the results sheet to the payload
    book = xlwings.Book(json=p)
    report = check_book(book)
    acts = actions(book)
    fills = {cell_of(a, sheets): a["args"][0] for a in acts if a["func"] == "addConditionalFormat"}
    rank = ["info", "warning", "error"]    # a cell with two findings is filled as the worse (L6: PV106 error, PV014 info)
    expected = {}
    for f in report.findings:
        expected[(f.sheet, f.cell)] = max(expected.get((f.sheet, f.cell), "info"), f.severity.value, key=rank.index)
    assert set(fills) == set(expected)
    for key, rule in fills.items():
        assert rule["fill_color"].lower() == COLORS[expected[key]].lower()
        assert f"planvalidator:{expected[key]}" in rule["formula"]
    added = {a["args"][0].replace("$", ""): a["args"][1] for a in acts if a["func"] == "addNote"}
    for f in report.findings:
        assert f.rule in added[f.cell] and f.message in added[f.cell] and f.reference in added[f.cell]
    # the results sheet: added first, filled with the findings, activated
    add = next(i for i, a in enumerate(acts) if a["func"] == "addSheet")
    assert acts[add]["args"] == [0, "チェック結果"]
    values = next(a["values"] for a in acts[add:] if a["func"] == "setValues")
    table = [row for row in values if row[1] in {f.rule for f in report.findings}]
    assert [(r[1], r[2], r[3]) for r in table] == [(f.rule, f.sheet, f.cell) for f in report.findings]
    links = [a["args"][0] for a in acts if a["func"] == "addHyperlink"]
    assert links == [f"#'計画様式7'!{f.cell}" for f in report.findings]
    assert acts[-1]["func"] == "activateSheet" and acts[-1]["args"] == [0]


def test_second_run_replaces_the_first():
    # the book as Excel has it after the first run: a results sheet in front, our notes on the cells
    first = xlwings.Book(json=payload(EXAMPLE, edits=TYPED))
    report = check_book(first)
    results_values = next(a["values"] for a in actions(first) if a["func"] == "setValues")
    noted = {f.cell for f in report.findings}
    p = payload(EXAMPLE, edits=TYPED, notes={"計画様式7": sorted(noted | {"F6"})},   # F6: the applicant's own
                first_sheets=[sheet_payload("チェック結果", results_values)])
    sheets = names(p)
    book = xlwings.Book(json=p)
    check_book(book)
    acts = actions(book)
    deleted = {cell_of(a, sheets)[1] for a in acts if a["func"] == "deleteNote"}
    assert deleted == noted                                  # ours go, the applicant's F6 stays
    cleared = {cell_of(a, sheets)[1] for a in acts if a["func"] == "clearConditionalFormats"}
    assert cleared == noted
    delete_sheet = [i for i, a in enumerate(acts) if a["func"] == "sheetDelete"]
    add_sheet = [i for i, a in enumerate(acts) if a["func"] == "addSheet"]
    assert len(delete_sheet) == 1 and acts[delete_sheet[0]]["sheet_position"] == 0
    assert len(add_sheet) == 1 and delete_sheet[0] < add_sheet[0]
    # every finding is marked again, once
    added = [a for a in acts if a["func"] == "addNote"]
    assert len(added) == len(noted)


def test_applicant_note_on_a_flagged_cell_is_not_overwritten():
    p = payload(EXAMPLE, edits=TYPED, notes={"計画様式7": ["F8"]})      # the applicant's note on F8
    sheets = names(p)
    book = xlwings.Book(json=p)
    check_book(book)
    acts = actions(book)
    assert not any(a["func"] == "deleteNote" for a in acts)
    assert "$F$8" not in [a["args"][0] for a in acts if a["func"] == "addNote"]
    assert any(a["func"] == "addConditionalFormat" and cell_of(a, sheets) == ("計画様式7", "F8") for a in acts)


def test_live_book_without_merged_ranges_reads_like_the_file():
    # xlwings' remote interpreter gives no merged ranges: labels borrow them from the official template
    grid = grid_from_book(xlwings.Book(json=payload(EXAMPLE)))
    assert all(not s.merged for s in grid.sheets.values())
    from planvalidator.reader import read, read_grid
    live, file = read_grid(grid), read(EXAMPLE)
    for sheet, fields in file.fields.items():
        assert {n: f.cell for n, f in live.fields[sheet].items()} == {n: f.cell for n, f in fields.items()}


def test_a_used_range_far_beyond_the_form_is_read_in_part(monkeypatch):
    """A live book hands over its whole used range: one stray value far below the form would make
    Excel send billions of cells. Past limits.MAX_GRID_CELLS the part from A1 that fits is read,
    the used range's last cell is named (PV009), and the application is checked as usual."""
    from planvalidator import limits

    monkeypatch.setattr(limits, "MAX_GRID_CELLS", 100_000)       # 計画様式7 reaches N52: 728 cells
    book = xlwings.Book(json=payload(EXAMPLE, edits={"計画様式7": {"N9000": "x", "I9": 90000}}))
    findings = check_book(book).findings
    assert [(f.rule, f.severity.value, f.sheet, f.cell) for f in findings if f.rule == "PV009"] == [
        ("PV009", "warning", "計画様式7", "N9000")]
    assert ("PV201", "計画様式7", "J9") in {(f.rule, f.sheet, f.cell) for f in findings}
