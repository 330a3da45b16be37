"""The pandera schema of each sheet (schemas/<version>/sheets/<sheet>.yaml) and running it.

A sheet file holds one pandera schema per frame: ``fields`` (the sheet's single input
cells, checked as a one-row frame) and one per table of the layout. Failure cases come
back as findings at the cell that failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

import planvalidator.checks  # noqa: F401  (registers the custom checks with pandera)
from planvalidator.findings import Finding
from planvalidator.layout import Layout
from planvalidator.plan import Plan


@dataclass(frozen=True)
class ColumnType:
    """What the reader needs to know of a column: its title, how to parse it, its choices."""
    title: str
    kind: str                      # "text", "int", "number", "date"
    choices: tuple[str, ...] = ()


def _kind(dtype) -> str:
    name = str(dtype)
    if name.startswith("datetime"):
        return "date"
    if name in ("Int64", "int64"):
        return "int"
    if name in ("Float64", "float64"):
        return "number"
    return "text"


@lru_cache(maxsize=None)
def sheet_schemas(folder: Path) -> dict:
    """{sheet: {frame: DataFrameSchema}} for one template version."""
    from pandera.io.pandas_io import deserialize_schema

    out: dict[str, dict] = {}
    for path in sorted((folder / "sheets").glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        out[path.stem] = {frame: deserialize_schema(spec) for frame, spec in raw.items()}
    return out


def schemas_for(layout: Layout) -> dict:
    return sheet_schemas(layout.folder)


def column_types(layout: Layout, sheet: str, frame: str) -> dict[str, ColumnType]:
    schema = schemas_for(layout).get(sheet, {}).get(frame)
    if schema is None:
        return {}
    out = {}
    for name, column in schema.columns.items():
        choices = ()
        for check in column.checks:
            if check.name == "isin":
                choices = tuple(check.statistics.get("allowed_values", ()))
        out[name] = ColumnType(column.title or name, _kind(column.dtype), choices)
    return out


def validate(plan: Plan) -> list[Finding]:
    """Run every sheet's schema over the plan; each failure case becomes a finding at its cell."""
    import pandas as pd
    import pandera.errors
    from planvalidator.rules.form import finding_for_failure

    from planvalidator.rules.form import INVALID_TYPE

    findings: list[Finding] = []
    unreadable = {(f.sheet, f.cell) for f in plan.problems if f.rule == INVALID_TYPE.code}
    schemas = schemas_for(plan.layout)
    for sheet, frames in schemas.items():
        if sheet not in plan.sheet_names:
            continue
        for frame, schema in frames.items():
            if frame == "fields":
                fields = plan.fields.get(sheet, {})
                if not fields:
                    continue
                types = column_types(plan.layout, sheet, "fields")
                df = typed_frame({name: [f.value] for name, f in fields.items() if name in schema.columns},
                                 pd.Index([0]), types)

                def locate(_index, column, _fields=fields):
                    f = _fields.get(column)
                    return (f.cell, f.title) if f else (None, column)
            else:
                table = plan.table(sheet, frame)
                if table is None or table.df.empty:
                    continue
                df = table.df

                def locate(index, column, _table=table):
                    return _table.cell(index, column), _table.titles.get(column, column)
            for case in _failure_cases(schema, df, pandera.errors.SchemaErrors):
                column = case.get("column")
                if column not in df.columns:
                    continue
                index = case.get("index")
                cell, title = locate(index, column)
                value = df.at[index, column] if index in df.index else None
                f = finding_for_failure(
                    check=str(case.get("check") or ""), sheet=plan.actual(sheet), cell=cell,
                    title=title, value=value, column=schema.columns[column])
                if f and not (f.rule != INVALID_TYPE.code and (f.sheet, f.cell) in unreadable):
                    findings.append(f)
    return findings


_CASES = None   # OrderedDict: frame content -> pandera failure cases (created on first use)
_CASES_MAX = 512


def _failure_cases(schema, df, errors_type) -> list[dict]:
    """pandera's failure cases of one frame, remembered by the frame's content.

    A warm process (the Excel button pressed again after a small edit) re-validates only the
    frames that changed; an unchanged frame gives the same failure cases by construction."""
    global _CASES
    from collections import OrderedDict

    if _CASES is None:
        _CASES = OrderedDict()
    key = (id(schema), tuple(df.columns), tuple(map(str, df.dtypes)), tuple(df.index),
           tuple(df.itertuples(index=False, name=None)))
    cases = _CASES.get(key)
    if cases is None:
        try:
            schema.validate(df, lazy=True)
            cases = []
        except errors_type as exc:
            cases = exc.failure_cases.to_dict("records")
        _CASES[key] = cases
        if len(_CASES) > _CASES_MAX:
            _CASES.popitem(last=False)
    else:
        _CASES.move_to_end(key)
    return cases


def typed_array(values: list, ctype: ColumnType | None):
    """A column of parsed values in the dtype its schema declares (an array: no index to align)."""
    import numpy as np
    import pandas as pd

    kind = ctype.kind if ctype else "text"
    if kind == "int":
        return pd.array(values, dtype="Int64")
    if kind == "number":
        return pd.array(values, dtype="Float64")
    if kind == "date":
        return np.array([np.datetime64(v, "ns") if v is not None else np.datetime64("NaT", "ns") for v in values],
                        dtype="datetime64[ns]")
    return pd.array(values, dtype="str")


def typed_frame(columns: dict[str, list], index, types: dict[str, ColumnType]):
    """A DataFrame of parsed columns, each in its schema's dtype."""
    import pandas as pd

    return pd.DataFrame({c: typed_array(values, types.get(c)) for c, values in columns.items()}, index=index)


def typed_series(values: list, index: list, ctype: ColumnType | None):
    """One column as a Series (see :func:`typed_array`)."""
    import pandas as pd

    return pd.Series(typed_array(values, ctype), index=index)
