"""A read workbook as a plan of data (the shape: :mod:`planvalidator.plans.shape`).

* :func:`export` — a read :class:`~planvalidator.plan.Plan` as a JSON-plain dict;
* :func:`export_file` — the same of a workbook file.
"""

from __future__ import annotations

import datetime as dt
import math

from planvalidator.layout import TableSpec
from planvalidator.normalize import is_blank
from planvalidator.plans.shape import TableForm, form


def plain(value):
    """A cell's raw value as JSON holds it: dates as ISO text, whole floats as integers."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return int(value) if value.is_integer() and abs(value) < 2 ** 53 else value
    return str(value)


def export(plan) -> dict:
    """The plan as data (see the module's docstring for the shape)."""
    layout = plan.layout
    shapes = form(layout)
    out: dict = {"template": layout.template, "program": None}
    for spec in layout.sheets:
        sheet_form = shapes.get(spec.key)
        actual = plan.sheet_names.get(spec.name)
        grid = plan.grid.sheets.get(actual) if actual else None
        fields, overrides = {}, {}
        for fspec in spec.fields:
            f = plan.fields.get(spec.name, {}).get(fspec.name)
            if f is None or grid is None:
                if not fspec.computed:
                    fields[fspec.name] = None
                continue
            if fspec.computed:
                if f.formula is None:
                    raw = grid.value(f.row, f.col)
                    there = sheet_form.fields.get(fspec.name) if sheet_form else None
                    if not is_blank(raw) or (there is not None and there in sheet_form.formulas):
                        overrides[fspec.name] = plain(raw)
                continue
            fields[fspec.name] = plain(grid.shown(f.row, f.col))
        tables = {}
        for tspec in spec.tables:
            table = plan.tables.get(spec.name, {}).get(tspec.name)
            shape = sheet_form.tables.get(tspec.name) if sheet_form else None
            formulas = sheet_form.formulas if sheet_form else frozenset()
            tables[tspec.name] = [] if table is None or grid is None else _export_table(table, tspec, shape, grid,
                                                                                         formulas)
        if sheet_form is not None and sheet_form.is_list or (sheet_form is None and not fields and len(tables) == 1):
            (name, records), = tables.items()
            out[spec.key] = {name: records, **overrides} if overrides else records
        else:
            out[spec.key] = {**fields, **overrides, **tables}
    return out


def _export_table(table, spec: TableSpec, shape: TableForm | None, grid, formulas: frozenset) -> list[dict]:
    fixed = {c.name for c in spec.columns if c.fixed}
    computed = {c.name for c in spec.columns if c.computed}
    label_column = shape.label_column if shape else None
    records = []
    for i, label in enumerate(table.labels):
        record = {}
        if label_column and label_column in table.positions:
            record[label_column] = plain(grid.value(*table.rowcol(label, label_column)))
        target = None
        if shape is not None:
            target = shape.named(record[label_column]) if label_column and record.get(label_column) is not None \
                else (shape.numbers[i] if i < len(shape.numbers) else None)
        for column in table.positions:
            if column in fixed:
                continue
            r, c = table.rowcol(label, column)
            if column in computed:
                if grid.is_formula(r, c):
                    continue
                raw = grid.value(r, c)
                template_formula = (shape is not None and target is not None and column in shape.positions
                                    and shape.at(target, column) in formulas)
                if not is_blank(raw) or template_formula:
                    record[column] = plain(raw)
                continue
            value = plain(grid.shown(r, c))
            if value is not None and not (isinstance(value, str) and value == ""):
                record[column] = value
        records.append(record)
    return records


def export_file(path) -> dict:
    from planvalidator.reader import read
    return export(read(path))
