"""Read a workbook into a :class:`~planvalidator.plan.Plan`.

workbook (file or live book) → :class:`Grid` → which template version (by its labels) →
where every field and table is (:mod:`planvalidator.locate`, by label) → the located cells
parsed by the column types of the sheet schemas (全角, 円, 和暦, serial dates …).
"""

from __future__ import annotations

from planvalidator import normalize
from planvalidator.errors import CannotCheck
from planvalidator.layout import Layout, find_sheet, identify_layout, nearest_layout
from planvalidator.locate import SheetPlace, TablePlace, locate
from planvalidator.plan import Field, Plan, Problem, Table
from planvalidator.schema import ColumnType, column_types
from planvalidator.address import a1, col_letter
from planvalidator.grid import Grid, SheetGrid
from planvalidator.reference import reference_grid
from planvalidator.workbook import load_grid

NUMERIC = ("int", "number")
PARSERS = {
    "int": normalize.to_int,
    "number": normalize.to_number,
    "date": normalize.to_date,
}


def read(path) -> Plan:
    """Read a workbook file (.xlsx / .xlsm)."""
    return read_grid(load_grid(path))


def identify(grid: Grid) -> Layout:
    """The template version the workbook follows, by its signature labels."""
    layout = identify_layout(grid)
    if layout is None:
        nearest, absent = nearest_layout(grid)
        if len(absent) < len(nearest.signature):      # some of a version is there: name it and what differs
            raise CannotCheck(
                f"対応している事業計画書の様式ではありません（いちばん近い様式 {nearest.template} と比べて、"
                f"{'、'.join(absent[:3])}{' ほか' if len(absent) > 3 else ''}が見つかりません。新しい年度の様式なら "
                f"planvalidator template verify で違いを確かめてください）", file=grid.source)
        raise CannotCheck(
            "対応している事業計画書の様式ではありません（計画様式1〜9 の見出しが見つかりません）",
            file=grid.source)
    return layout


def read_grid(grid: Grid, layout: Layout | None = None, *, refuse_too_far: bool = True) -> Plan:
    """Two steps: where everything is (:func:`planvalidator.locate.locate`, by labels), then every
    located cell read and typed by the sheet schemas. ``layout``: the version to read it as (default:
    the one it is identified as). A template revised from that version reads with one warning (PV013);
    one too far from it raises CannotCheck (:mod:`planvalidator.revision`), unless ``refuse_too_far`` is
    False (``template verify`` reads a candidate template however far it is)."""
    from planvalidator.revision import judge

    layout = layout or identify(grid)
    if any(not sheet.merges_known for sheet in grid.sheets.values()):
        borrow_merges(grid, layout)
    placement = locate(grid, layout)
    revision = judge(placement)
    if revision.too_much and refuse_too_far:
        raise CannotCheck(revision.refusal(), file=grid.source)
    plan = Plan(source=grid.source, layout=layout, grid=grid, sheet_names={}, fields={}, tables={},
                placement=placement)
    if revision.revised:            # the template's doing: one warning, never an error against the applicant
        plan.problems.append(revision.problem())
    else:                           # the version itself: what is missing was deleted
        plan.problems += [_layout_problem(a.actual or a.sheet, None, a.message) for a in placement.missing
                          if a.kind != "section"]
    for name, place in placement.sheets.items():
        plan.sheet_names[name] = place.name
        _read_sheet(plan, place, grid.sheets[place.name])
    return plan




def borrow_merges(grid: Grid, layout: Layout) -> None:
    """Give a live book's sheets the merged label cells of the official template.

    Labels are found by text and their input cell lies right of (or below) the merged label,
    so a reader that does not get merged ranges (xlwings' remote interpreter) takes each merged
    label's shape from the same label in the template, wherever the applicant's book has it.
    """
    if all(sheet.merges_known for sheet in grid.sheets.values()):
        return                  # (a file read with its merged ranges: the template need not be read for this)
    reference = reference_grid(layout)
    if reference is None:
        return
    for spec in layout.sheets:
        live_name, ref_name = find_sheet(grid, spec), find_sheet(reference, spec)
        if live_name is None or ref_name is None or grid.sheets[live_name].merges_known:
            continue
        live, ref = grid.sheets[live_name], reference.sheets[ref_name]
        where: dict[str, list[tuple[int, int]]] = {}
        for r, c, text in live.texts():
            where.setdefault(normalize.canon(text), []).append((r, c))
        for r1, c1, r2, c2 in ref.merged:
            text = ref.value(r1, c1)
            if not isinstance(text, str) or not text.strip():
                continue
            spots = where.get(normalize.canon(text))
            if not spots:
                continue
            r, c = min(spots, key=lambda p: (abs(p[0] - r1) + abs(p[1] - c1)))
            live.add_merge((r, c, r + r2 - r1, c + c2 - c1))
        live.merges_known = True
        live.merges_borrowed = True


LAYOUT_MISSING, INVALID_TYPE = "PV007", "PV002"     # the rules (planvalidator/rules/form.py) of what reading finds


def _layout_problem(sheet: str | None, cell: str | None, message: str) -> Problem:
    return Problem(LAYOUT_MISSING, sheet, cell, message)


def _unreadable(sheet: str, cell: str, title: str, raw, reason: str) -> Problem:
    return Problem(INVALID_TYPE, sheet, cell, f"「{title}」: {reason}（入力値: {raw}）", value=raw)


def parse(kind_type: ColumnType, raw):
    """Parse one raw value by its column type; raises normalize.Unreadable."""
    if kind_type.kind == "text":
        if kind_type.choices:
            return normalize.to_choice(raw, kind_type.choices)
        return normalize.to_text(raw)
    return PARSERS[kind_type.kind](raw)


def _read_sheet(plan: Plan, place: SheetPlace, sheet: SheetGrid) -> None:
    name = place.spec.name
    types = column_types(plan.layout, name, "fields")
    fields: dict[str, Field] = {}
    for fname, where in place.fields.items():
        ctype = types.get(fname, ColumnType(fname, "text"))
        row, col = where.row, where.col
        field = Field(name, fname, ctype.title, a1(row, col), row, col, formula=sheet.formulas.get((row, col)))
        if field.formula is None:
            field.value = _parse_cell(plan, sheet.name, field.cell, ctype, sheet.value(row, col))
        fields[fname] = field
    plan.fields[name] = fields
    plan.tables[name] = {tname: _read_table(plan, name, sheet, tplace) for tname, tplace in place.tables.items()}


def _parse_cell(plan: Plan, sheet: str, cell: str | tuple[int, int], ctype: ColumnType, raw, memo: dict | None = None):
    """The typed value of one cell (``cell``: its A1 address, or (row, col), named only when
    something is recorded: an unreadable value, a number typed as text). ``memo``: the outcomes of
    one column's parser by value (:func:`parsed`), shared by the cells of that column."""
    value, reason = parsed(ctype, raw, memo)
    if reason is not None:
        where = cell if isinstance(cell, str) else a1(*cell)
        plan.problems.append(_unreadable(sheet, where, ctype.title, raw, reason))
        return None
    as_text = _read_from_text(plan, ctype, raw, value)
    if as_text is not None:
        as_text[(sheet, cell if isinstance(cell, str) else a1(*cell))] = raw
    return value


def _read_from_text(plan: Plan, ctype: ColumnType, raw, value) -> dict | None:
    """Where a cell whose text was read as a number (PV010) or a date (PV014) is recorded — the
    spreadsheet sees text there; None for any other cell."""
    if value is None or not isinstance(raw, str):
        return None
    if ctype.kind in NUMERIC:
        return plan.typed_as_text
    return plan.dates_as_text if ctype.kind == "date" else None


def parsed(ctype: ColumnType, raw, memo: dict | None = None) -> tuple[object, str | None]:
    """:func:`parse` of one raw value as (value, None), or (None, why it is unreadable). ``memo``
    (one dict per column type, within one read): a value is parsed once per distinct value
    (:func:`planvalidator.normalize.value_key`) — a table repeats its 年度, 経費区分 and 単位 thousands of times."""
    if memo is None:
        return _outcome(ctype, raw)
    return normalize.by_value(memo, raw, _outcome, ctype)


def _outcome(ctype: ColumnType, raw) -> tuple[object, str | None]:
    try:
        return parse(ctype, raw), None
    except normalize.Unreadable as exc:
        return None, str(exc)


def _read_table(plan: Plan, sheet_name: str, sheet: SheetGrid, place: TablePlace) -> Table:
    spec, positions, by_rows = place.spec, place.positions, place.by_rows
    numbers = range(place.first, place.last + 1)

    types = column_types(plan.layout, sheet_name, spec.name)
    # only the columns whose heading was found (a missing one is a PV007 finding above)
    fixed = {c.name for c in spec.columns if c.fixed and c.name in positions}
    computed = {c.name for c in spec.columns if c.computed and c.name in positions}
    titles = {c: types[c].title if c in types else c for c in positions}

    kept: list[int] = []
    columns: dict[str, list] = {c: [] for c in positions}
    all_records: list[int] = []
    # per column, once: where it is, how to parse it (a table is thousands of rows × 13 columns)
    ctypes = {c: types[c] if c in types else ColumnType(c, "text") for c in positions}
    inputs = [(positions[c], c in computed) for c in positions if c not in fixed]
    computed_at = [positions[c] for c in computed]
    fixed_at = [positions[c] for c in fixed]
    # ... with its outcomes by value (:func:`parsed`), and the values that read as themselves in every
    # cell of the column — nothing recorded about them (:func:`_read_from_text`, unreadable): value_key → value
    cells = [(columns[c], p, ctypes[c], ctypes[c].kind == "number", {}, {}) for c, p in positions.items()]
    values, formulas = sheet.values, sheet.formulas
    blank, value_key = normalize.is_blank, normalize.value_key

    for number in numbers:
        for p, is_computed in inputs:
            pos = (number, p) if by_rows else (p, number)
            if pos in formulas:
                continue
            value = values.get(pos)
            if is_computed and value in (0, 0.0):
                continue        # a computed cell showing 0 (a live book gives results, not formulas)
            if not blank(value):
                break           # something typed in the row
        else:
            if any(((number, p) if by_rows else (p, number)) in formulas for p in computed_at) or any(
                    not blank(values.get((number, p) if by_rows else (p, number))) for p in fixed_at):
                all_records.append(number)
            continue
        all_records.append(number)
        kept.append(number)
        for values_of, p, ctype, is_number, memo, same in cells:
            pos = (number, p) if by_rows else (p, number)
            raw = values.get(pos)
            value = None                        # (an empty cell: every parser's None, nothing to record)
            if raw is not None and pos not in formulas:
                key = value_key(raw)
                if key in same:
                    value = same[key]
                else:
                    value = _parse_cell(plan, sheet.name, pos, ctype, raw, memo)
                    if is_number and value is not None:
                        value = float(value)    # as the column's Float64 holds it
                    if key is not None and memo[key][1] is None and _read_from_text(plan, ctype, raw, value) is None:
                        same[key] = value
            values_of.append(value)
    labels = kept if by_rows else [col_letter(n) for n in kept]
    return Table(sheet_name, spec.name, spec.records, labels, columns, positions, titles, all_records,
                 place.total_record, place.first)

