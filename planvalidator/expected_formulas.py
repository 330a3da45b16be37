"""The official template's formulas at the application's addresses: which formula each cell should hold.

Applicants insert rows (and a revised template may add a column), so the template's formula of J9 may be
that of J10 in the application, with its references moved as Excel moves them. The rows are mapped by
:func:`planvalidator.rowmap.row_map` (where the applicant renumbered No, the reading the sheet's formulas
agree with most), the columns by :func:`planvalidator.colmap.column_map`. PV012 compares the application's
formulas with these; the money rules' fixes write them back where a total was typed over. Built once per
check (``Context.expected_formulas``).
"""

from __future__ import annotations

from planvalidator.formula import move
from planvalidator.plan import Plan
from planvalidator.structs import Struct, field


class ExpectedFormulas(Struct):
    """The template's formulas where an application's cells should have them."""
    # (application sheet, row, col) → (template sheet, the template's formula as written there)
    cells: dict[tuple[str, int, int], tuple[str, str]] = field(default_factory=dict)
    names: dict = field(default_factory=dict)      # template sheet → (application sheet, {template row: row})
    unmoved: bool = True                            # no row inserted and no column moved anywhere
    translate: object = None                        # (formula, template sheet) → moved formula or None
    _moved: dict = field(default_factory=dict)

    def at(self, sheet: str, row: int, col: int) -> str | None:
        """The template's formula of this cell of the application, its references moved as the rows (and
        columns) were; None: the template has none here, or a row or column it refers to is not in the
        application. Moved when first asked (most cells are compared as written: :attr:`unmoved`)."""
        known = self.cells.get((sheet, row, col))
        if known is None:
            return None
        if known not in self._moved:
            self._moved[known] = self.translate(known[1], known[0])
        return self._moved[known]

    def renamed(self, text: str) -> str:
        """Sheet names in a formula as the template's (a renamed sheet is the same sheet)."""
        back = {ours: theirs for theirs, (ours, _rows) in self.names.items() if ours != theirs}
        for ours, theirs in back.items():
            text = text.replace(f"'{ours}'!", f"{theirs}!").replace(f"{ours}!", f"{theirs}!")
        return text


def expected_formulas(plan: Plan, reference, official_placement) -> ExpectedFormulas:
    """Where the template's formulas are in ``plan`` (``reference``: the official template's grid, None: unknown)."""
    from planvalidator.layout import find_sheet
    from planvalidator.rowmap import GAPS, renumbered, row_map

    out = ExpectedFormulas()
    if reference is None:
        return out
    template_rows(plan.layout, reference)
    names = out.names
    for spec in plan.layout.sheets:
        theirs, ours = find_sheet(reference, spec), plan.sheet_names.get(spec.name)
        if theirs is not None and ours is not None:
            names[theirs] = (ours, None)
    columns = _column_maps(plan, official_placement, names)

    for theirs, (ours, _rows) in names.items():
        names[theirs] = (ours, row_map(reference.sheets[theirs], plan.grid.sheets[ours],
                                       columns=columns.get(theirs)))

    def mapping(theirs: str) -> dict[int, int]:
        return names[theirs][1]

    def column(theirs: str, col: int) -> int | None:
        moved = columns.get(theirs)
        return col if moved is None else moved.to_workbook(col)

    # where the applicant renumbered No, the numbers no longer mark the template's rows: of the
    # readings without them (rows inserted in the middle, at the top or the bottom of each run), the
    # one the sheet's formulas agree with most
    for theirs, (ours, by_numbers) in list(names.items()):
        if not renumbered(reference.sheets[theirs], plan.grid.sheets[ours]):
            continue                        # (the usual file: No left as Excel leaves it marks the rows)

        def disagreements(rows, theirs=theirs, ours=ours) -> int:
            names[theirs] = (ours, rows)
            sheet = plan.grid.sheets[ours]
            if all(r == tr for tr, r in rows.items()) and not columns:
                return sum(1 for pos, text in reference.sheets[theirs].formulas.items()
                           if (actual := sheet.formulas.get(pos)) is not None and actual != text)
            return sum(1 for (tr, c), text in reference.sheets[theirs].formulas.items()
                       if (r := rows.get(tr)) is not None
                       and (actual := sheet.formulas.get((r, column(theirs, c)))) is not None
                       and actual != _translated(text, theirs, names, mapping, column))
        best, fewest = by_numbers, disagreements(by_numbers)
        for inserted in GAPS:
            if not fewest:
                break
            rows = row_map(reference.sheets[theirs], plan.grid.sheets[ours], numbers=False, inserted=inserted,
                           columns=columns.get(theirs))
            if (count := disagreements(rows)) < fewest:
                best, fewest = rows, count
        names[theirs] = (ours, best)
    out.unmoved = not columns and all(r == tr for _ours, rows in names.values() for tr, r in rows.items())

    out.translate = lambda text, theirs: _translated(text, theirs, names, mapping, column)
    for theirs, (ours, rows) in names.items():
        for (tr, tc), text in sorted(reference.sheets[theirs].formulas.items()):
            r, c = rows.get(tr), column(theirs, tc)
            if r is not None and c is not None:
                out.cells[(ours, r, c)] = (theirs, text)
    return out


def template_rows(layout, reference) -> None:
    """Give each sheet of the official template ``reference`` the template's side of the row alignment
    (:class:`planvalidator.rowmap.TemplateRows`) as worked out once per template version and kept in the
    user's cache (:func:`planvalidator.datacache.remembered`), under the digest of the template grid's
    cells (:func:`_cells_digest`) and of the alignment's code: a changed template, a change to how it is
    read or to how rows are aligned works them out again."""
    known = _KNOWN.get(id(reference))
    if known is None or known[0] is not reference:
        from planvalidator.rowmap import TemplateRows

        rows = {name: TemplateRows.from_plain(plain)
                for name, plain in _remembered_rows(layout, reference).items() if name in reference.sheets}
        known = _KNOWN[id(reference)] = (reference, rows)
    from planvalidator.rowmap import know

    for name, rows in known[1].items():
        know(reference.sheets[name], rows)


_KNOWN: dict[int, tuple] = {}       # id of a template grid → (the grid, {sheet: TemplateRows})


def _remembered_rows(layout, reference) -> dict[str, dict]:
    from planvalidator import normalize, rowmap
    from planvalidator.datacache import remembered
    from planvalidator.resources import templates_dir

    def make() -> dict[str, dict]:
        return {name: rowmap.TemplateRows.of(sheet).plain() for name, sheet in reference.sheets.items()}

    path = templates_dir() / layout.template / (layout.reference or "")
    if not layout.reference or not path.is_file():
        return make()
    return remembered(path, "rowmap", make, (rowmap.__file__, normalize.__file__), _cells_digest(reference))


def _cells_digest(grid) -> str:
    """The sha256 of a grid's sheets, values (with their types) and formulas: what its rows follow from."""
    from planvalidator.datacache import sha256

    h = sha256()
    for name, sheet in grid.sheets.items():
        h.update(repr((name, sorted((k, type(v).__name__, repr(v)) for k, v in sheet.values.items()),
                       sorted(sheet.formulas.items()))).encode("utf-8"))
    return h.hexdigest()


def _column_maps(plan: Plan, official, names) -> dict:
    """{template sheet name: ColumnMap} of the sheets whose columns moved (a revised template's new column)."""
    from planvalidator.colmap import column_map

    if official is None or plan.placement is None:
        return {}
    maps = {}
    for spec in plan.layout.sheets:
        theirs, ours = official.sheets.get(spec.name), plan.placement.sheets.get(spec.name)
        if theirs is None or ours is None or theirs.name not in names:
            continue
        moved = column_map(theirs, ours)
        if moved is not None:
            maps[theirs.name] = moved
    return maps


def _translated(text: str, own: str, names, mapping, column=None) -> str | None:
    """The template's formula as it reads after the application's inserted rows (and columns: ``column``,
    template sheet and column → the workbook's column or None) (None when a row or column it refers to
    is not in the application)."""
    lost = False

    def mover(sheet, row, col, _row_fixed, _col_fixed):
        nonlocal lost
        theirs = own if sheet is None else sheet
        if theirs not in names:
            lost = True
            return row, col
        mapped = mapping(theirs).get(row)
        moved = col if column is None else column(theirs, col)
        if mapped is None or moved is None:
            lost = True
            return row, col
        return mapped, moved

    moved = move(text, mover)
    return None if lost else moved
