"""Named workbook builders and preparations the case files (tests/rules/cases/*.yaml) may name.

``builder: <name>``: ``fn(source, directory) -> Path`` — a file made from the case's workbook (``source``: the
記入例 itself when the case edits nothing) by what openpyxl cannot write, e.g. a cached error value in the
sheet's XML as a spreadsheet program saves it. ``prepare: <name>``: ``fn(book)`` — run on the openpyxl
workbook before the case's edits (e.g. a sheet deleted). Both run on the r7 version only.
"""

from __future__ import annotations

import re
from pathlib import Path

from support.helpers import parts, write_parts

SHEET7 = "xl/worksheets/sheet7.xml"       # 計画様式7 in the 記入例


def cell_xml(xml: str, ref: str) -> str:
    return re.search(rf'<c r="{ref}"[^>]*>.*?</c>', xml).group(0)


def cached_error(xml: str, ref: str, code: str) -> str:
    """The cell's formula kept, its saved result replaced by an error value (as Excel saves it)."""
    old = cell_xml(xml, ref)
    formula = re.search(r"<f[^>]*>.*?</f>", old).group(0)
    style = re.search(r' s="\d+"', old).group(0)
    return xml.replace(old, f'<c r="{ref}"{style} t="e">{formula}<v>{code}</v></c>')


def with_sheet7(source: Path, target: Path, change) -> Path:
    contents = parts(source)
    contents[SHEET7] = change(contents[SHEET7].decode()).encode()
    return write_parts(target, contents)


def cached_ref_error_in_j8(source: Path, directory: Path) -> Path:
    """計画様式7!J8 (=G8*I8) saved with the result #REF! (tests/rules/test_rules_cells.py)."""
    return with_sheet7(source, directory / "ref.xlsx", lambda x: cached_error(x, "J8", "#REF!"))


def cached_div0_chain_from_j8(source: Path, directory: Path) -> Path:
    """#DIV/0! in J8 and in the totals built on it (J47, J51, J52): only the first of the chain is named."""
    def change(xml):
        for ref in ("J8", "J47", "J51", "J52"):
            xml = cached_error(xml, ref, "#DIV/0!")
        return xml
    return with_sheet7(source, directory / "chain.xlsx", change)


def stray_value_at_the_last_cell(source: Path, directory: Path) -> Path:
    """A value at 計画様式7!XFD1048576, far outside the form."""
    return with_sheet7(source, directory / "stray.xlsx", lambda x: x.replace(
        "</sheetData>", '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'))


def drop_schedule_sheet(book) -> None:
    """計画様式6 deleted."""
    del book["計画様式6"]


def insert_expense_row_without_moving_formulas(book) -> None:
    """openpyxl's insert_rows in 計画様式7 at row 8: cells move, formulas do not (the total misses a row)."""
    book["計画様式7"].insert_rows(8)


def insert_rows_like_excel(book) -> None:
    """Rows inserted as Excel inserts them (formulas move): inside and below the expense rows, above 計画様式8's table."""
    from support.helpers import insert_rows_like_excel as insert

    insert(book, "計画様式7", 8)
    insert(book, "計画様式7", 47, 2)
    insert(book, "計画様式8", 3)


def reword_project_name_label(book) -> None:
    """計画様式1!B19 「助成事業名」 reworded 「助成事業の名称」 (as tests/support/revisions.py rewords it)."""
    book["計画様式1"]["B19"].value = "助成事業の名称"
