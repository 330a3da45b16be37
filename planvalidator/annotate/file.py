"""The file backend of the annotation interface: an .xlsx / .xlsm edited part by part.

- **Highlights** are conditional formats (an always-true rule with a fill) on the cells, not
  changes to the cells' own styles: the applicant's formatting stays exactly as it was, and
  clearing removes our rules, recognised by their formula 「"planvalidator:…"<>""」.
- **Notes** are cell comments written by the author ``planvalidator``. A cell that already has
  the applicant's note keeps it; ours is appended after a 【planvalidator】 line and removed
  from there on when cleared. Cells with a threaded comment (modern Excel) are left alone:
  their finding is still highlighted and listed on the results sheet.
- **The results sheet** is a new worksheet part, first and active; removing it restores the
  active sheet recorded in its hidden state cell.

This module decides what is written where; the SpreadsheetML of it is :mod:`planvalidator.ooxml`'s,
and everything else in the package is written back byte for byte (see :mod:`planvalidator.package`).
"""

from __future__ import annotations

import json
from pathlib import Path

from planvalidator.annotate.results import (
    HIGHLIGHT_MARK, MARKER, ROLE_STYLE, SEVERITY_RGB, TITLE, ResultsSheet, highlight_formula,
)
from planvalidator.ooxml import conditional, sheets
from planvalidator.ooxml.cells import cell_texts, write_cell
from planvalidator.ooxml.comments import SheetComments
from planvalidator.ooxml.styles import BUILTIN_NUMBER_FORMATS, Styles
from planvalidator.ooxml.worksheet import NewWorksheet, wrapped_row_height
from planvalidator.package import Package
from planvalidator.address import a1, col_letter

AUTHOR = "planvalidator"
COLORS = {severity: "FF" + rgb for severity, rgb in SEVERITY_RGB.items()}   # ARGB, as styles.xml has them
STATE = "planvalidator-state:"        # the hidden cell of the results sheet: STATE + JSON


class FileAnnotator:
    """Annotates a workbook file; :meth:`save` writes the result (the input is only read)."""

    def __init__(self, path: str | Path):
        self.pkg = Package(path)
        self.styles = Styles(self.pkg)
        self._highlights: dict[str, dict[str, list[str]]] = {}   # sheet -> severity -> cells
        self._notes: dict[str, dict[str, str]] = {}              # sheet -> cell -> text
        self.skipped_notes: list[tuple[str, str]] = []           # cells with a threaded comment

    def sheet_of(self, part: str) -> str | None:
        """The sheet whose worksheet part ``part`` is (for a message), or None."""
        try:
            return next((name for name, _el, p in self.pkg.sheets() if p == part), None)
        except Exception:  # noqa: BLE001 — only a message's wording depends on it
            return None

    # --- the interface ---------------------------------------------------------------
    def clear(self) -> None:
        self._remove_results_sheet()
        mark = HIGHLIGHT_MARK.encode()
        for _name, _el, part in self.pkg.sheets():
            # a sheet is parsed only when its bytes carry our highlights (most sheets are never touched)
            if self.pkg.has(part) and (self.pkg.parsed(part) or mark in self.pkg.data[part]):
                conditional.remove_formats(self.pkg.xml(part), HIGHLIGHT_MARK)
            self._comments(part).strip_ours()

    def highlight(self, sheet: str, cell: str, severity: str) -> None:
        self._highlights.setdefault(sheet, {}).setdefault(severity, []).append(cell)

    def note(self, sheet: str, cell: str, text: str) -> None:
        self._notes.setdefault(sheet, {})[cell] = text

    def write_results(self, results: ResultsSheet) -> None:
        self._results = results

    def save(self, target: str | Path) -> None:
        for sheet, by_severity in self._highlights.items():
            part = self.pkg.sheet_part(sheet)
            if part:
                self._write_highlights(part, by_severity)
        for sheet, notes in self._notes.items():
            part = self.pkg.sheet_part(sheet)
            if part:
                comments = self._comments(part)
                for cell, text in notes.items():
                    if not comments.add(cell, text):
                        self.skipped_notes.append((sheet, cell))
                comments.save()
        if getattr(self, "_results", None) is not None:
            self._add_results_sheet(self._results)
        self.pkg.save(target)

    # --- highlights and notes -----------------------------------------------------------
    def _write_highlights(self, part: str, by_severity: dict[str, list[str]]) -> None:
        """One conditional format a severity, after the sheet's own rules."""
        ws = self.pkg.xml(part)
        priority = conditional.last_priority(ws)
        for severity in ("error", "warning", "info"):
            cells = by_severity.get(severity)
            if cells:
                priority += 1
                conditional.add_expression_format(ws, cells, self.styles.dxf(COLORS[severity]), priority,
                                                  highlight_formula(severity))

    def _comments(self, part: str) -> SheetComments:
        return SheetComments(self.pkg, part, author=AUTHOR, marker=MARKER)

    # --- the results sheet ----------------------------------------------------------------
    def _results_entry(self):
        """Our results sheet: named チェック結果 and carrying our title (an applicant's own sheet of
        that name is never touched)."""
        from planvalidator.results_sheet import RESULTS_SHEET, RESULTS_SHEET_ALT
        for name, el, part in self.pkg.sheets():
            if name in (RESULTS_SHEET, RESULTS_SHEET_ALT) and self._is_ours(part):
                return name, el, part
        return None

    def _is_ours(self, part: str) -> bool:
        return any(text and (text == TITLE or text.startswith(STATE))
                   for text in cell_texts(self.pkg, self.pkg.xml(part)))

    def _read_state(self, part: str) -> dict:
        """What the results sheet recorded of the workbook before it was added."""
        for text in cell_texts(self.pkg, self.pkg.xml(part)):
            if text and text.startswith(STATE):
                try:
                    return json.loads(text.split(":", 1)[1])
                except ValueError:
                    return {}
        return {}

    def _remove_results_sheet(self) -> None:
        """Remove our results sheet and give back the active and selected tabs it took."""
        entry = self._results_entry()
        if entry is None:
            return
        _name, el, part = entry
        state = self._read_state(part)
        sheets.remove_sheet(self.pkg, el, part)
        if state.get("created_names"):
            sheets.drop_empty_defined_names(self.pkg)
        sheets.set_active_tab(self.pkg, state.get("activeTab"))
        selected = state.get("selected", {})
        for name, _el, p in self.pkg.sheets():
            if name in selected:
                sheets.set_tab_selected(self.pkg, p, selected[name])

    def _add_results_sheet(self, results: ResultsSheet) -> None:
        """The results sheet, first, active and alone selected, with a filter on its findings table."""
        from planvalidator.results_sheet import RESULTS_SHEET, RESULTS_SHEET_ALT

        pkg = self.pkg
        state = {"activeTab": sheets.active_tab(pkg), "selected": sheets.deselect_tabs(pkg)}
        taken = {n for n, _el, _p in pkg.sheets()}
        results.name = name = RESULTS_SHEET if RESULTS_SHEET not in taken else RESULTS_SHEET_ALT
        part = sheets.insert_sheet(pkg, name, 0)
        state["created_names"] = sheets.add_local_name(
            pkg, "_xlnm._FilterDatabase", 0,
            f"'{name}'!$A${results.table_header}:${col_letter(results.columns)}${results.table_last}")
        sheets.set_active_tab(pkg, 0, scroll=True)
        pkg.put_xml(part, self._results_xml(results, state))

    def _role_styles(self) -> dict[str, int]:
        """The cell format of each results-sheet role (:data:`ROLE_STYLE`)."""
        st = self.styles
        border = st.border()

        def xf(style: dict, role: str) -> int:
            color = style.get("color")
            font = st.font(bold=style.get("bold", False), size=str(style["size"]) if "size" in style else None,
                           color="FF" + color if color else None, underline=style.get("underline", False))
            fill = st.fill("FF" + style["fill"]) if "fill" in style else 0
            return st.xf(font=font, fill=fill, border=0 if role == "title" else border,
                         num_fmt=BUILTIN_NUMBER_FORMATS.get(style.get("number_format"), 0),
                         wrap=style.get("wrap", False), vertical="center" if role in ("title", "header") else "top")
        return {role: xf(style, role) for role, style in ROLE_STYLE.items()}

    def _results_xml(self, results: ResultsSheet, state: dict):
        """The results sheet's rows: a label spans four merged columns, a finding's cell links to
        it; the state (JSON) is in a hidden column after the table."""
        roles = self._role_styles()
        state_col = results.columns + 2
        ws = NewWorksheet()
        ws.properties(tab_color="FFC00000", fit_to_page=True)
        ws.dimension(f"A1:{col_letter(state_col)}{len(results.rows)}")
        ws.freeze_rows(results.table_header, selected=True)
        ws.default_row_height(15)
        for i, width in enumerate(results.widths, start=1):
            ws.column(i, width)
        ws.column(state_col, 10, hidden=True)
        merges, links = [], []
        for r, cells in enumerate(results.rows, start=1):
            wrapped = [cell.value if cell.role == "wrap" else None for cell in cells]
            row = ws.row(r, 24 if r == 1 else wrapped_row_height(wrapped, results.widths))
            col = 1
            for cell in cells:
                if cell.role == "label":
                    for c in range(col, col + 4):
                        write_cell(row, a1(r, c), roles["label"], cell.value if c == col else None)
                    merges.append(f"{a1(r, col)}:{a1(r, col + 3)}")
                    col += 4
                    continue
                write_cell(row, a1(r, col), roles.get(cell.role, roles["text"]), cell.value)
                if cell.link:
                    sheet, target = cell.link
                    links.append((a1(r, col), f"'{sheet}'!{target}", str(cell.value)))
                col += 1
            if r == 1:
                write_cell(row, a1(1, state_col), roles["muted"], STATE + json.dumps(state, ensure_ascii=False))
        ws.merge(merges)
        ws.auto_filter(f"A{results.table_header}:{col_letter(results.columns)}{results.table_last}")
        ws.hyperlinks(links)
        ws.page_margins(left=0.4, right=0.4, top=0.5, bottom=0.5, header=0.3, footer=0.3)
        ws.page_setup(paperSize=9, orientation="landscape", fitToWidth=1, fitToHeight=0)
        return ws.root
