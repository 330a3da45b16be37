"""Excel, live: the 「申請書をチェック」 button.

The button's macro runs ``RunPython "import planvalidator.xl; planvalidator.xl.main()"``;
:func:`main` checks the workbook that called it. :func:`check_book` works on any
``xlwings.Book``: desktop Excel (COM / AppleScript), or xlwings' remote interpreter (a JSON
payload from Excel on the web, answered with a list of actions).

Reading goes through xlwings (values, and formulas where the engine gives them); the checks
are the same as ``planvalidator check``; writing goes through :class:`XlwingsAnnotator`, the
live-book backend of the one annotation interface (:mod:`planvalidator.annotate`).
"""

from __future__ import annotations

import datetime as dt
import re

from planvalidator.accepted import ACCEPT_COLUMN
from planvalidator.annotate import RESULTS_SHEET, RESULTS_SHEET_ALT, annotate
from planvalidator.annotate.results import (
    HIGHLIGHT_MARK, MARKER, ROLE_STYLE, SEVERITY_RGB, TABLE_HEADER, TITLE, ResultsSheet, highlight_formula,
)
from planvalidator.address import col_letter
from planvalidator.grid import Grid, SheetGrid

_SHEET, _CELL = TABLE_HEADER.index("シート"), TABLE_HEADER.index("セル")
COLORS = {severity: "#" + rgb for severity, rgb in SEVERITY_RGB.items()}
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(T[\d:.]+Z?)?$")


def grid_from_book(book) -> Grid:
    """The values (and formulas, where the engine gives them) of every sheet of a live book."""
    sheets: dict[str, SheetGrid] = {}
    for sheet in book.sheets:
        grid = SheetGrid(sheet.name, merges_known=False)
        used = _bounded(sheet, grid)
        values = used.options(ndim=2).value or []
        try:
            formulas = used.formula
        except (NotImplementedError, AttributeError):   # the remote interpreter sends values only
            formulas = None
        if isinstance(formulas, str):          # a one-cell used range
            formulas = ((formulas,),)
        top, left = used.row, used.column
        for i, row in enumerate(values):
            for j, value in enumerate(row):
                pos = (top + i, left + j)
                formula = formulas[i][j] if formulas and i < len(formulas) and j < len(formulas[i]) else None
                if isinstance(formula, str) and formula.startswith("="):
                    grid.formulas[pos] = formula
                    if value not in (None, ""):
                        grid.cached[pos] = value
                elif value not in (None, ""):
                    grid.values[pos] = _value(value)
        sheets[sheet.name] = grid
    return Grid(source=book.name, sheets=sheets)


_FORM_COLUMNS = 256     # far more than any 計画様式 uses


def _bounded(sheet, grid: SheetGrid):
    """The sheet's used range, or — when it spans more than limits.MAX_GRID_CELLS from A1 (a stray
    value at XFD1048576 makes Excel hand over 17 billion cells) — the part of it from its first
    cell that fits, with the used range's last cell noted as unread (PV009)."""
    from planvalidator import limits

    used = sheet.used_range
    rows, cols = used.shape
    top, left = used.row, used.column
    last_row, last_col = top + rows - 1, left + cols - 1
    if last_row * last_col <= limits.MAX_GRID_CELLS:
        return used
    keep_cols = min(cols, _FORM_COLUMNS)
    keep_rows = max(1, min(rows, limits.MAX_GRID_CELLS // (left + keep_cols - 1) - top + 1))
    grid.unread.append(((last_row, last_col), "", "range"))
    return sheet.range((top, left), (top + keep_rows - 1, left + keep_cols - 1))


def _value(value):
    if isinstance(value, str) and _ISO.match(value):
        try:
            return dt.datetime.fromisoformat(value.replace("Z", ""))
        except ValueError:
            return value
    return value


class XlwingsAnnotator:
    """The annotation interface on an open ``xlwings.Book``."""

    def __init__(self, book):
        self.book = book
        self.skipped_notes: list[tuple[str, str]] = []
        self._previous: set[tuple[str, str]] = set()

    def _range(self, sheet: str, cell: str):
        return self.book.sheets[sheet][cell]

    # what the last run marked, read back from its results sheet
    def _previous_cells(self, results) -> set[tuple[str, str]]:
        rows = results.used_range.options(ndim=2).value or []
        cells, in_table = set(), False
        for row in rows:
            if tuple(row[:ACCEPT_COLUMN]) == TABLE_HEADER[:ACCEPT_COLUMN]:   # (an older sheet lacks 確認済み)
                in_table = True
                continue
            if in_table and len(row) > _CELL and row[_SHEET] and row[_CELL]:
                cells.add((str(row[_SHEET]), str(row[_CELL])))
        return cells

    def clear(self) -> None:
        names = [s.name for s in self.book.sheets]
        ours = [n for n in (RESULTS_SHEET, RESULTS_SHEET_ALT)
                if n in names and self.book.sheets[n]["A1"].value == TITLE]   # never the applicant's own
        if not ours:
            return
        results = self.book.sheets[ours[0]]
        self._previous = self._previous_cells(results)
        for sheet, cell in sorted(self._previous):
            if sheet not in names:
                continue
            rng = self._range(sheet, cell)
            self._clear_formats(rng)
            self._strip_note(rng)
        results.delete()

    def _clear_formats(self, rng) -> None:
        formats = rng.conditional_formats
        try:
            ours = [f for f in formats if HIGHLIGHT_MARK in (getattr(f, "formula", "") or "")]
        except NotImplementedError:           # remote: formats are not readable; the cell was ours
            formats.clear()
            return
        for f in ours:
            f.delete()

    def _strip_note(self, rng) -> None:
        note = rng.note
        if note is None:
            return
        try:
            text = note.text
        except NotImplementedError:           # remote: unreadable; on a cell we marked it is ours
            note.delete()
            return
        keep = text.split(MARKER)[0].rstrip("\n") if MARKER in text else text
        if keep == text:
            return
        if keep.strip():
            note.text = keep
        else:
            note.delete()

    def highlight(self, sheet: str, cell: str, severity: str) -> None:
        self._range(sheet, cell).conditional_formats.add_custom("=" + highlight_formula(severity),
                                                                  fill_color=COLORS[severity])

    def note(self, sheet: str, cell: str, text: str) -> None:
        rng = self._range(sheet, cell)
        existing = rng.note
        if existing is not None:
            try:
                own = existing.text.split(MARKER)[0].rstrip("\n")
            except NotImplementedError:
                if (sheet, cell) not in self._previous:
                    self.skipped_notes.append((sheet, cell))   # the applicant's note, unreadable here
                    return
                own = ""
            existing.delete()
            text = f"{own}\n{text}" if own.strip() else text
        rng.add_note(text)

    def write_results(self, results: ResultsSheet) -> None:
        book = self.book
        taken = [s.name for s in book.sheets]
        name = results.name if results.name not in taken else RESULTS_SHEET_ALT
        sheet = book.sheets.add(name, before=book.sheets[0])
        width = results.columns
        matrix, merges, links, styled = [], [], [], []
        for r, cells in enumerate(results.rows, start=1):
            row, col = [None] * width, 1
            for cell in cells:
                if cell.role == "label":
                    row[col - 1] = cell.value
                    merges.append(f"A{r}:D{r}")
                    styled.append((f"A{r}:D{r}", "label"))
                    col += 4
                    continue
                if col <= width:
                    row[col - 1] = cell.value
                styled.append((f"{col_letter(col)}{r}", cell.role))
                if cell.link:
                    links.append((f"{col_letter(col)}{r}", cell.link, str(cell.value)))
                col += 1
            matrix.append(row)
        sheet["A1"].value = matrix
        for i, w in enumerate(results.widths, start=1):
            sheet[f"{col_letter(i)}:{col_letter(i)}"].column_width = w
        for address in merges:
            sheet[address].merge()
        for address, role in styled:
            style, rng = ROLE_STYLE.get(role, {}), sheet[address]
            if "fill" in style:
                rng.color = "#" + style["fill"]
            if style.get("bold"):
                rng.font.bold = True
            if "color" in style and role != "link":      # a hyperlink brings its own look
                rng.font.color = "#" + style["color"]
            if "size" in style:
                rng.font.size = style["size"]
            if "number_format" in style:
                rng.number_format = style["number_format"]
            if style.get("wrap"):
                rng.wrap_text = True
        for address, (target_sheet, target_cell), text in links:
            sheet[address].add_hyperlink(f"#'{target_sheet}'!{target_cell}", text)
        _try(lambda: sheet.autofit("rows"))
        _try(lambda: sheet.freeze_panes.freeze_at(f"1:{results.table_header}"))
        sheet.activate()


def _try(action) -> None:
    try:
        action()
    except (NotImplementedError, AttributeError):
        pass


def check_book(book, *, fix: bool = False):
    """Check an open workbook and mark it in place; returns the report. ``fix``: first write the safe fixes
    into the book (as ``planvalidator fix`` writes them into a copy: :func:`apply_fixes`), then mark what remains."""
    from planvalidator.engine import check
    from planvalidator.reader import read_grid
    from planvalidator.structs import replace

    report = check(read_grid(grid_from_book(book)), file=book.name)
    if fix:
        fixed = {id(f) for f, _edit in apply_fixes(book, report)}
        if fixed:
            # Excel recomputes the book as the formulas are written; a check reading it again sees the result
            # (the remote interpreter hands over values only, so there the fixed findings are taken out instead)
            again = _recheck(book, check, read_grid)
            report = again if again is not None else replace(
                report, findings=[f for f in report.findings if id(f) not in fixed])
    annotate(XlwingsAnnotator(book), report)
    return report


def apply_fixes(book, report, *, unsafe: bool = False) -> list:
    """Write the safe fixes of ``report``'s open findings (and the unsafe ones with ``unsafe``) into the open
    book: a formula as a formula, a date as a date; returns the (finding, edit) pairs written."""
    from planvalidator.fixes import chosen

    pairs, _left = chosen(report.open_findings, unsafe=unsafe)
    for _finding, edit in pairs:
        rng = book.sheets[edit.sheet][edit.cell]
        if edit.formula is not None:
            rng.formula = edit.formula
        elif isinstance(edit.value, dt.date) and not isinstance(edit.value, dt.datetime):
            rng.value = dt.datetime.combine(edit.value, dt.time())
        else:
            rng.value = edit.value
    return pairs


def _recheck(book, check, read_grid):
    """The check of the book as Excel shows it now, or None where the formulas cannot be read back (remote)."""
    try:
        book.sheets[0].used_range.formula
    except (NotImplementedError, AttributeError):
        return None
    return check(read_grid(grid_from_book(book)), file=book.name)


def main(fix: bool = False) -> None:
    """Entry point of the button (RunPython): check the workbook that called it (``fix``: after applying the safe
    fixes, ``RunPython "import planvalidator.xl; planvalidator.xl.main(fix=True)"``)."""
    import xlwings

    from planvalidator.outcome import failure

    book = xlwings.Book.caller()
    try:
        check_book(book, fix=fix)
    except Exception as exc:  # noqa: BLE001 — the applicant sees one Japanese line, not a traceback
        try:
            book.app.alert(f"チェックできませんでした: {failure(exc).reason}", title="planvalidator")
        except Exception:
            raise exc from None
