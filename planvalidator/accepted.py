"""Findings a reviewer has accepted (確認済み), kept in the workbook itself — like ``# noqa``, but
where the user works.

The results sheet (チェック結果) lists every finding with two more columns: 「確認済み」, where a
reviewer types anything (「済」, a name, a date), and 「確認時の値」, the value of the finding's cell
when the sheet was written. The next check reads that table back from the workbook: a finding
of the same rule at the same cell whose cell still holds that value stays accepted — listed,
but left out of the counts, the verdict and the exit code. When the value changes, the finding
is raised again. The table is plain cells, so it survives re-annotation, a re-save by Excel or
LibreOffice, and the Excel button alike. ``annotate --accept PV110@計画様式7!M12`` marks from the
command line.
"""

from __future__ import annotations

import datetime as dt

from planvalidator.findings import Finding
from planvalidator.normalize import is_blank
from planvalidator.address import parse_a1
from planvalidator.grid import Grid
from planvalidator.results_sheet import (  # noqa: F401 (the table's words, where the marks are read)
    ACCEPT_COLUMN, COMMAND_MARK, RESULTS_SHEET, RESULTS_SHEET_ALT, TABLE_HEADER, TITLE, VALUE_COLUMN,
)
from planvalidator.structs import Frozen, replace

Key = tuple[str, str, str]        # (rule, sheet, cell — or the message for a finding without a cell)


class Mark(Frozen):
    """A finding the reviewer marked 確認済み, and the value it was marked at."""
    note: str       # what the reviewer wrote in 確認済み
    value: str      # 確認時の値
    row: tuple = ()  # the whole row of the table as read (written back as it was when its rule did not run)


def key(finding: Finding) -> Key:
    return finding.rule, finding.sheet or "", finding.cell or finding.message


def value_text(grid: Grid, sheet: str | None, cell: str | None) -> str:
    """A cell's value as text that reads back the same after any re-save (「6000」 for 6000.0)."""
    if not sheet or not cell or sheet not in grid.sheets:
        return ""
    rc = parse_a1(cell)
    value = grid.sheets[sheet].value(*rc) if rc else None
    if is_blank(value):
        return ""
    if isinstance(value, float):        # 15 significant digits, as Excel and LibreOffice keep them
        return str(int(value)) if value.is_integer() else f"{value:.15g}"
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value).strip()


def read_marks(grid: Grid, sheet_names: tuple[str, ...], title: str) -> dict[Key, Mark]:
    """The 確認済み marks of the results sheet a previous annotation left in ``grid`` (by its title)."""
    for name in sheet_names:
        sheet = grid.sheets.get(name)
        if sheet is None or sheet.value(1, 1) != title:
            continue
        header = next((r for r in range(1, min(sheet.max_row, 60) + 1)
                       if tuple(sheet.value(r, c + 1) for c in range(ACCEPT_COLUMN)) == TABLE_HEADER[:ACCEPT_COLUMN]),
                      None)
        if header is None:
            return {}
        marks: dict[Key, Mark] = {}
        for r in range(header + 1, sheet.max_row + 1):
            note = sheet.value(r, ACCEPT_COLUMN + 1)
            if not _marked(note):
                continue
            text = lambda c: "" if is_blank(sheet.value(r, c)) else str(sheet.value(r, c)).strip()  # noqa: E731
            cell, message = text(4), text(5)
            row = tuple(text(c) for c in range(1, len(TABLE_HEADER) + 1))
            marks[(text(2), text(3), cell or message)] = Mark(str(note).strip(), text(VALUE_COLUMN + 1), row)
        return marks
    return {}


def _marked(note) -> bool:
    """Something written in 確認済み — not a cleared check box (FALSE) or a 0."""
    if is_blank(note) or note is False or note == 0:
        return False
    return str(note).strip().upper() not in ("FALSE", "0")


def parse_spec(spec: str) -> tuple[str, str | None, str | None]:
    """「PV110」 → (PV110, None, None); 「quote-missing@計画様式7!$M$12」 → (PV110, 計画様式7, M12).
    Raises ValueError (in Japanese) for a rule that does not exist or a cell that is not one."""
    from planvalidator import rules
    from planvalidator.address import a1

    name, _, where = spec.partition("@")
    rule = rules.get(name.strip())
    if rule is None:
        raise ValueError(f"規則「{name.strip()}」はありません")
    sheet, _, cell = where.rpartition("!") if "!" in where else (where, "", "")
    sheet, cell = sheet.strip().strip("'") or None, cell.strip().replace("$", "").upper() or None
    if cell is not None:
        rc = parse_a1(cell)
        if rc is None:
            raise ValueError(f"「{cell}」はセル番地ではありません")
        cell = a1(*rc)
    elif sheet is not None and parse_a1(sheet.replace("$", "")) is not None:
        raise ValueError(f"「{sheet}」の前にシート名を書いてください（例: 計画様式7!{sheet}）")
    return rule.code, sheet, cell


def apply(findings: list[Finding], grid: Grid, marks: dict[Key, Mark], specs: tuple[str, ...] = ()
          ) -> tuple[list[Finding], list[str]]:
    """``findings`` with those accepted marked (``accepted`` = the reviewer's note), and the specs
    (``--accept``) that matched no finding."""
    wanted = [(spec, parse_spec(spec)) for spec in specs]
    used: set[str] = set()
    out = []
    for f in findings:
        mark = marks.get(key(f))
        hits = [spec for spec, (rule, sheet, cell) in wanted
                if rule == f.rule and sheet in (None, f.sheet) and cell in (None, f.cell)]
        used.update(hits)
        if mark is not None and mark.value == value_text(grid, f.sheet, f.cell):
            f = replace(f, accepted=mark.note)
        elif hits:
            f = replace(f, accepted=COMMAND_MARK)
        out.append(f)
    return out, [spec for spec, _ in wanted if spec not in used]
