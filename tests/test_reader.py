"""The reader: template identification, fields and tables found by label, moved layouts."""

import datetime as dt

import openpyxl
import pytest

from planvalidator.errors import CannotCheck
from planvalidator.reader import read
from support.helpers import EXAMPLE, TEMPLATE, edit


def test_reads_every_field_with_its_cell():
    plan = read(EXAMPLE)
    assert plan.template == "r7"
    f = plan.field("計画様式1", "corporate_number")
    assert (f.cell, f.value) == ("D13", "1200001012345")
    assert plan.field("計画様式1", "phone").cell == "D15"
    assert plan.field("計画様式1", "contact_phone").cell == "D35"       # same label, later section
    assert plan.value("計画様式1", "submitted_on") == dt.date(2025, 6, 2)
    assert plan.value("計画様式2", "capital") == 10_000_000
    assert plan.field("計画様式3", "background").cell == "B5"           # label above its input
    assert plan.field("計画様式7", "grand_total").cell == "J52"


def test_tables_are_indexed_by_excel_row_and_know_their_cells():
    plan = read(EXAMPLE)
    t = plan.table("計画様式7", "expenses")
    assert t.labels == list(range(6, 18))            # 12 filled rows, blank rows dropped
    assert t.value(8, "unit_price") == 350_000
    assert t.cell(8, "unit_price") == "I8"
    assert t.value(6, "order_date") == dt.date(2025, 10, 1)
    sales = plan.table("計画様式9", "sales_plan")             # one record per column
    assert sales.labels == ["C", "D", "E", "F", "G"]
    assert sales.cell("E", "cost") == "E9"


def test_formula_cells_are_not_inputs():
    plan = read(EXAMPLE)
    t = plan.table("計画様式7", "expenses")
    assert all(v is None for v in t.columns["amount"])                          # 金額 are formulas
    assert plan.field("計画様式1", "eligible_total").formula == "=計画様式8!C9"


def _insert_expense_row(book):
    ws = book["計画様式7"]
    ws.insert_rows(8)
    moved = []
    for rng in list(ws.merged_cells.ranges):
        if rng.min_row >= 8:
            moved.append((rng.min_row, rng.min_col, rng.max_row, rng.max_col))
            ws.merged_cells.remove(rng)
    for r1, c1, r2, c2 in moved:
        ws.merge_cells(start_row=r1 + 1, start_column=c1, end_row=r2 + 1, end_column=c2)


def test_inserted_row_and_sheet_in_front_still_read(tmp_path):
    def prepare(book):
        _insert_expense_row(book)
        book.create_sheet("メモ", 0)["A1"] = "申請者のメモ"
    path = edit(EXAMPLE, tmp_path / "moved.xlsx", {"計画様式7": {
        "C8": "1年目", "D8": "試作・開発費", "E8": "原材料費", "F8": "追加の板材",
        "G8": 10, "H8": "枚", "I8": 5000, "L8": dt.datetime(2025, 10, 1), "M8": "有"}}, prepare=prepare)
    plan = read(path)
    t = plan.table("計画様式7", "expenses")
    assert 8 in t.labels and t.value(8, "description") == "追加の板材"
    assert t.value(9, "description") == "薄挽き加工用専用治具"     # the old row 8 moved down
    assert plan.field("計画様式7", "grand_total").cell == "J53"
    assert plan.sheet_names["計画様式7"] == "計画様式7"


def test_renamed_sheet_is_found_by_its_marker(tmp_path):
    def prepare(book):
        book["計画様式7"].title = "経費明細"
    plan = read(edit(EXAMPLE, tmp_path / "renamed.xlsx", {}, prepare=prepare))
    assert plan.actual("計画様式7") == "経費明細"
    assert len(plan.table("計画様式7", "expenses")) == 12


def test_reworded_label_with_a_suffix_still_reads(tmp_path):
    plan = read(edit(EXAMPLE, tmp_path / "reworded.xlsx", {"計画様式1": {"B13": "法人番号（13桁・半角）"}}))
    assert plan.field("計画様式1", "corporate_number").cell == "D13"


def test_blank_template_reads_without_crash():
    plan = read(TEMPLATE)
    assert plan.value("計画様式1", "name") is None
    assert plan.table("計画様式7", "expenses").empty


def test_unknown_workbook_is_refused(tmp_path):
    path = tmp_path / "other.xlsx"
    book = openpyxl.Workbook()
    book.active["A1"] = "売上報告"
    book.save(path)
    with pytest.raises(CannotCheck) as exc:
        read(path)
    assert "様式" in str(exc.value) and "other.xlsx" in str(exc.value)


@pytest.mark.parametrize("content, needle", [
    (b"not a workbook at all", "Excelブック"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, ".xls"),
])
def test_not_a_workbook(tmp_path, content, needle):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    with pytest.raises(CannotCheck) as exc:
        read(path)
    assert needle in str(exc.value)


def test_password_protected_workbook(tmp_path):
    pytest.importorskip("msoffcrypto")
    from msoffcrypto.format.ooxml import OOXMLFile
    target = tmp_path / "locked.xlsx"
    with open(EXAMPLE, "rb") as src, open(target, "wb") as out:
        OOXMLFile(src).encrypt("secret", out)
    with pytest.raises(CannotCheck) as exc:
        read(target)
    assert "パスワード" in str(exc.value)


def test_deleted_sheet_or_label_is_reported_as_layout_missing(example_with):
    def drop_schedule(book):
        del book["計画様式6"]
    report = example_with({}, prepare=drop_schedule)
    assert any(f.rule == "PV007" and "計画様式6" in (f.sheet or "") + f.message for f in report.findings)
    report = example_with({"計画様式1": {"B13": None}})               # the 法人番号 label cleared
    layout = [f for f in report.findings if f.rule == "PV007"]
    assert layout and all(f.severity.value == "error" for f in layout)
    assert any("法人番号" in f.message for f in layout)


def test_merges_borrowed_from_the_template_follow_inserted_rows(tmp_path):
    """A live book gives no merged ranges; the labels' shapes come from the official template,
    wherever the applicant's rows have moved them."""
    from planvalidator.reader import read_grid
    from planvalidator.workbook import load_grid

    def prepare(book):
        _insert_expense_row(book)
        book["計画様式1"].insert_rows(3)                      # everything on sheet 1 moves down a row
        ws = book["計画様式1"]
        moved = [(r.min_row, r.min_col, r.max_row, r.max_col) for r in list(ws.merged_cells.ranges)]
        for rng in list(ws.merged_cells.ranges):
            ws.merged_cells.remove(rng)
        for r1, c1, r2, c2 in moved:
            shift = 1 if r1 >= 3 else 0
            ws.merge_cells(start_row=r1 + shift, start_column=c1, end_row=r2 + shift, end_column=c2)
    path = edit(EXAMPLE, tmp_path / "moved.xlsx", {}, prepare=prepare)
    with_merges = read(path)
    grid = load_grid(path)
    for sheet in grid.sheets.values():
        sheet.clear_merges()
        sheet.merges_known = False
    borrowed = read_grid(grid)
    assert borrowed.field("計画様式1", "postal_code").cell == "D9"    # one row lower than in the template
    for sheet, fields in with_merges.fields.items():
        assert {n: f.cell for n, f in borrowed.fields[sheet].items()} == {n: f.cell for n, f in fields.items()}
    assert borrowed.table("計画様式7", "expenses").labels == with_merges.table("計画様式7", "expenses").labels


def test_a_missing_computed_heading_is_one_layout_finding(example_with):
    """Found by fuzzing: 計画様式7's 「金額」 heading overwritten made the reader raise KeyError, and
    the money rules then saw 0 円 of 助成対象経費 (which come from 数量 × 単価, not from 金額)."""
    report = example_with({"計画様式7": {"J5": 0}})
    assert [(f.rule, f.severity.value, f.sheet) for f in report.findings] == [("PV007", "error", "計画様式7")]


def test_a_columns_remembered_outcomes_are_those_of_parsing_each_cell_alone():
    """The reader parses a text, date or empty cell once per distinct value in a column (reader.parsed):
    over every column type of the template's tables and values as the 記入例 and applicants write them,
    the remembered outcome is the one parsing the cell alone gives, numbers (1, 1.0, True, -0.0) never
    sharing one."""
    from planvalidator.reader import parsed
    from planvalidator.schema import column_types

    plan = read(EXAMPLE)
    raws = [None, "", "  ", "1年目", "１年目", "2年目", "原材料費", "式", "個", "1", "１", "1.0", "abc", "△1,000",
            "２４０，０００円", "令和7年10月1日", "R8.1.5", "2025/13/1", "2025/10/1", 1, 1.0, True, False, 0, 0.0, -0.0,
            float("nan"), float("inf"), 45900, 2.5, dt.datetime(2025, 10, 1), dt.datetime(2025, 10, 1, 9, 30),
            dt.date(2025, 10, 1)]
    for t in plan.tables["計画様式7"].values():                      # the table's own values too
        raws += [v for column in t.columns.values() for v in column]
    types = [ct for sheet, tables in plan.tables.items() for name in tables
             for ct in column_types(plan.layout, sheet, name).values()]
    assert {ct.kind for ct in types} >= {"text", "int", "number", "date"} and any(ct.choices for ct in types)
    for ctype in types:
        memo: dict = {}
        for raw in raws * 2:                        # (the second time from the memo)
            alone = parsed(ctype, raw)
            remembered = parsed(ctype, raw, memo)
            assert (type(remembered[0]), remembered) == (type(alone[0]), alone) or (
                remembered[0] != remembered[0] and alone[0] != alone[0]), (ctype, raw)
            if isinstance(alone[0], float):
                assert str(remembered[0]) == str(alone[0]), (ctype, raw)      # (-0.0 stays -0.0)


def test_a_tables_repeated_values_are_read_and_recorded_as_each_cell_alone(tmp_path):
    """The reader takes a value seen before in its column from what it remembers only when nothing is
    recorded about it: a number and a date typed as text and an unreadable value, each repeated down
    計画様式7, are recorded at every cell, and every cell of the table is what parsing it alone gives."""
    from planvalidator.reader import parsed
    from planvalidator.schema import ColumnType, column_types

    repeated = {"G6": "２", "G7": "２", "G8": "２", "I8": "abc", "I9": "abc", "L10": "令和7年10月1日",
                "L11": "令和7年10月1日", "E12": "原材料費", "E13": "原材料費"}
    plan = read(edit(EXAMPLE, tmp_path / "repeated.xlsx", {"計画様式7": repeated}))
    sheet = plan.actual("計画様式7")
    assert {(sheet, c) for c in ("G6", "G7", "G8")} <= set(plan.typed_as_text)
    assert {(sheet, c) for c in ("L10", "L11")} <= set(plan.dates_as_text)
    assert {(sheet, c) for c in ("I8", "I9")} <= {(p.sheet, p.cell) for p in plan.problems if p.rule == "PV002"}
    t, grid = plan.table("計画様式7", "expenses"), plan.grid.sheets[sheet]
    types = column_types(plan.layout, "計画様式7", "expenses")
    compared = 0
    for i, label in enumerate(t.labels):
        for column, values in t.columns.items():
            pos = t.rowcol(label, column)
            raw = grid.values.get(pos)
            ctype = types.get(column, ColumnType(column, "text"))
            value, reason = (None, None) if raw is None or pos in grid.formulas else parsed(ctype, raw)
            if value is not None and ctype.kind == "number":
                value = float(value)
            assert (type(values[i]), values[i]) == (type(value), value), (label, column)
            compared += 1
    assert compared > 100


def test_a_tables_remembered_values_are_those_of_reading_each_cell_alone():
    """A table column remembers what a value reads as when reading it recorded nothing (reader._read_table):
    the 記入例's expense table, its input cells filled over and over with values as applicants type them
    (numbers and dates typed as text, unreadable ones, 1 / 1.0 / True, -0.0), reads as reading each cell
    alone (reader._parse_cell, no memo) reads it: the same values, problems, numbers and dates typed as text."""
    from planvalidator.plan import Plan
    from planvalidator.reader import _parse_cell, read_grid
    from planvalidator.schema import ColumnType, column_types
    from planvalidator.workbook import load_grid

    grid = load_grid(EXAMPLE)
    sheet = grid.sheets["計画様式7"]
    raws = ["1年目", "１年目", "abc", "△1,000", "２４０，０００円", "1", "1.0", 1, 1.0, True, -0.0, 0.0, 2.5,
            "令和7年10月1日", "2025/13/1", "2025/10/1", dt.datetime(2025, 10, 1), 45900, "式", "有", "無し"]
    for i, r in enumerate(range(6, 46)):
        for k, c in enumerate(range(3, 15)):
            if (r, c) not in sheet.formulas:
                sheet.values[(r, c)] = raws[(i * 5 + k) % len(raws)]
    plan = read_grid(grid)
    t = plan.table("計画様式7", "expenses")
    alone = Plan(source=plan.source, layout=plan.layout, grid=grid, sheet_names={}, fields={}, tables={})
    types = column_types(plan.layout, "計画様式7", "expenses")
    assert len(t.labels) == 40
    for i, r in enumerate(t.labels):                # (in the reader's order: row by row)
        for column, position in t.positions.items():
            ctype = types.get(column, ColumnType(column, "text"))
            raw = None if (r, position) in sheet.formulas else sheet.values.get((r, position))
            value = None if raw is None else _parse_cell(alone, "計画様式7", (r, position), ctype, raw)
            value = float(value) if ctype.kind == "number" and value is not None else value
            assert (type(t.columns[column][i]), t.columns[column][i]) == (type(value), value), (column, r, raw)
    assert set(alone.problems) <= set(plan.problems) and len(alone.problems) > 20
    assert [p for p in plan.problems if p.sheet == "計画様式7" and p.cell[0] not in "BJ"] == alone.problems
    assert {k: v for k, v in plan.typed_as_text.items() if k[0] == "計画様式7"} == alone.typed_as_text
    assert {k: v for k, v in plan.dates_as_text.items() if k[0] == "計画様式7"} == alone.dates_as_text
    assert alone.typed_as_text and alone.dates_as_text
