"""The pandera schema of each sheet (schemas/<version>/sheets/<sheet>.yaml) and running it.

A sheet file holds one pandera schema per frame: ``fields`` (the sheet's single input
cells, checked as a one-row frame) and one per table of the layout. Failure cases come
back as findings at the cell that failed.

The files are pandera's own YAML, and pandera deserializes them (``FrameSchema.pandera``).
Every check the schemas use is element-wise, so a frame is checked here directly, value by
value, with pandera's semantics (nulls fail only ``nullable: false``; checks skip nulls):
that needs neither pandas nor pandera at run time, which keeps a cold ``planvalidator check``
under a second and the Excel button's work under 100 ms. A schema that uses anything else
pandera offers (a frame-wide check, ``unique``, check options …) is run by pandera itself, so
a maintainer may write any pandera YAML. ``tests/test_schema_engine.py`` runs both on every
test workbook and asserts identical failure cases.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from planvalidator import predicates
from planvalidator.findings import Finding
from planvalidator.layout import Layout
from planvalidator.resources import load_yaml
from planvalidator.plan import Plan

# keys of a column that are not checks (pandera.io._flat_checks.COMPONENT_RESERVED_KEYS)
_COLUMN_KEYS = frozenset({
    "title", "description", "dtype", "nullable", "checks", "name", "unique", "coerce", "required",
    "regex", "default", "report_duplicates", "drop_invalid_rows", "dims", "alias", "ordered_dims",
    "sizes", "shape", "coords", "schema_type", "version",
})
# column keys the direct run understands; any other reserved key hands the frame to pandera
_DIRECT_COLUMN_KEYS = frozenset({"title", "description", "dtype", "nullable", "name", "checks"})
# frame keys the direct run understands (a frame-wide check, index, strict … go to pandera)
_DIRECT_FRAME_KEYS = frozenset({"columns", "title", "description", "name", "schema_type", "version"})


def _in_range(v, min_value, max_value, include_min=True, include_max=True):
    low = operator.le if include_min else operator.lt
    high = operator.ge if include_max else operator.gt
    return low(min_value, v) and high(max_value, v)


def _str_length(v, min_value=None, max_value=None, exact_value=None):
    n = len(v)
    if exact_value is not None:
        return n == exact_value
    return (min_value is None or n >= min_value) and (max_value is None or n <= max_value)


# pandera's built-in element-wise checks: name -> (predicate(value, **statistics), statistic names)
BUILTIN = {
    "equal_to": (lambda v, value: v == value, ("value",)),
    "not_equal_to": (lambda v, value: v != value, ("value",)),
    "greater_than": (lambda v, min_value: v > min_value, ("min_value",)),
    "greater_than_or_equal_to": (lambda v, min_value: v >= min_value, ("min_value",)),
    "less_than": (lambda v, max_value: v < max_value, ("max_value",)),
    "less_than_or_equal_to": (lambda v, max_value: v <= max_value, ("max_value",)),
    "in_range": (_in_range, ("min_value", "max_value", "include_min", "include_max")),
    "isin": (lambda v, allowed_values: v in allowed_values, ("allowed_values",)),
    "notin": (lambda v, forbidden_values: v not in forbidden_values, ("forbidden_values",)),
    "str_matches": (lambda v, pattern: re.match(pattern, v) is not None, ("pattern",)),
    "str_contains": (lambda v, pattern: re.search(pattern, v) is not None, ("pattern",)),
    "str_startswith": (lambda v, string: v.startswith(string), ("string",)),
    "str_endswith": (lambda v, string: v.endswith(string), ("string",)),
    "str_length": (_str_length, ("min_value", "max_value", "exact_value")),
}
_ORDERED = frozenset({"greater_than", "greater_than_or_equal_to", "less_than", "less_than_or_equal_to",
                      "in_range", "equal_to", "not_equal_to"})


@dataclass(frozen=True)
class ColumnCheck:
    """One check of a column, as the YAML names it (pandera's Check name and statistics)."""
    name: str
    statistics: dict = field(hash=False, compare=False)

    def passes(self, value) -> bool:
        if self.name in BUILTIN:
            predicate, _ = BUILTIN[self.name]
            return bool(predicate(value, **self.statistics))
        predicate, statistic = predicates.CUSTOM[self.name]
        return bool(predicate(value, self.statistics[statistic]) if statistic in self.statistics
                    else predicate(value))

    def __str__(self) -> str:
        args = ", ".join(repr(v) for v in self.statistics.values())
        return f"{self.name}({args})"


@dataclass(frozen=True)
class ColumnType:
    """What the reader needs to know of a column: its title, how to parse it, its choices."""
    title: str
    kind: str                      # "text", "int", "number", "date"
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class ColumnSchema:
    name: str
    title: str
    dtype: str
    nullable: bool
    checks: tuple[ColumnCheck, ...]

    @property
    def kind(self) -> str:
        return _kind(self.dtype)

    @property
    def type(self) -> ColumnType:
        choices = next((tuple(c.statistics["allowed_values"]) for c in self.checks if c.name == "isin"), ())
        return ColumnType(self.title, self.kind, choices)


@dataclass
class FrameSchema:
    """One frame's pandera schema: its columns, and whether it can be run directly."""
    raw: dict                      # the YAML mapping, as pandera reads it
    columns: dict[str, ColumnSchema]
    direct: bool                   # every check element-wise and known here

    @cached_property
    def pandera(self):
        """The pandera DataFrameSchema of the same YAML (pandas and pandera are imported here)."""
        import copy

        from pandera.io.pandas_io import deserialize_schema
        predicates.register_with_pandera()
        return deserialize_schema(copy.deepcopy(self.raw))


def _kind(dtype) -> str:
    name = str(dtype)
    if name.startswith("datetime"):
        return "date"
    if name in ("Int64", "int64"):
        return "int"
    if name in ("Float64", "float64"):
        return "number"
    return "text"


def _statistics(name: str, value) -> dict | None:
    """A flat YAML check value as {statistic: value}; None where only pandera can tell."""
    names = BUILTIN[name][1] if name in BUILTIN else (predicates.CUSTOM[name][1],)
    if isinstance(value, dict):
        if "options" in value or not set(value) <= set(names):
            return None           # check options (raise_warning, ignore_na …): pandera's to run
        return dict(value)
    if value is None:
        return {}
    return {names[0]: value}


def _column(name: str, spec: dict) -> tuple[ColumnSchema, bool]:
    direct = set(spec) & _COLUMN_KEYS <= _DIRECT_COLUMN_KEYS
    dtype = str(spec.get("dtype", "str"))
    found: list[ColumnCheck] = []
    entries = [(k, v) for k, v in spec.items() if k not in _COLUMN_KEYS]
    for entry in spec.get("checks") or []:          # pandera's list form: {stats…, options: {check_name}}
        options = dict(entry.get("options") or {})
        check_name = options.pop("check_name", None)
        if options or not check_name:
            direct = False
            continue
        stats = {k: v for k, v in entry.items() if k != "options"}
        entries.append((check_name, stats.get("value", stats) if set(stats) == {"value"} else stats))
    for key, value in entries:
        if key not in BUILTIN and key not in predicates.CUSTOM:
            direct = False        # a check pandera has and this module does not (or a typo: pandera decides)
            continue
        stats = _statistics(key, value)
        if stats is None or (key in _ORDERED and _kind(dtype) == "date"):
            direct = False        # dates compared with pandera's own timestamp parsing
            continue
        if key in ("isin", "notin"):
            stats = {k: tuple(v) for k, v in stats.items()}
        found.append(ColumnCheck(key, stats))
    column = ColumnSchema(name, str(spec.get("title") or name), dtype,
                          bool(spec.get("nullable", False)), tuple(found))
    return column, direct


def frame_schema(raw: dict) -> FrameSchema:
    direct = set(raw) <= _DIRECT_FRAME_KEYS
    columns = {}
    for name, spec in (raw.get("columns") or {}).items():
        columns[name], ok = _column(name, spec or {})
        direct = direct and ok
    return FrameSchema(raw, columns, direct)


@lru_cache(maxsize=None)
def sheet_schemas(folder: Path) -> dict[str, dict[str, FrameSchema]]:
    """{sheet: {frame: FrameSchema}} for one template version."""
    out: dict[str, dict[str, FrameSchema]] = {}
    for path in sorted((folder / "sheets").glob("*.yaml")):
        raw = load_yaml(path) or {}
        out[path.stem] = {frame: frame_schema(spec) for frame, spec in raw.items()}
    return out


def schemas_for(layout: Layout) -> dict[str, dict[str, FrameSchema]]:
    return sheet_schemas(layout.folder)


def column_types(layout: Layout, sheet: str, frame: str) -> dict[str, ColumnType]:
    schema = schemas_for(layout).get(sheet, {}).get(frame)
    if schema is None:
        return {}
    return {name: column.type for name, column in schema.columns.items()}


# --- running a schema --------------------------------------------------------------------------

@dataclass
class Frame:
    """Typed values by column, one per record label (the plain-Python form of a pandera frame)."""
    index: list
    columns: dict[str, list]
    _at: dict | None = field(default=None, init=False, repr=False, compare=False)

    def value(self, label, column):
        if self._at is None:
            self._at = {}
            for i, known in enumerate(self.index):
                self._at.setdefault(known, i)
        i = self._at.get(label)
        values = self.columns.get(column)
        return None if i is None or values is None else values[i]

    def to_pandas(self, types: dict[str, ColumnType]):
        """The DataFrame pandera validates: each column in its schema's dtype."""
        import pandas as pd
        by_rows = all(isinstance(label, int) for label in self.index)
        index = pd.Index(self.index, dtype="int64" if by_rows else object)
        return pd.DataFrame({c: _typed_array(values, types.get(c)) for c, values in self.columns.items()},
                            index=index)


def _typed_array(values: list, ctype: ColumnType | None):
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


def failure_cases(schema: FrameSchema, frame: Frame) -> list[dict]:
    """Every failure of a frame as {column, check, index, failure_case}: pandera's record shape."""
    if not schema.direct:
        return pandera_failure_cases(schema, frame)
    out = []
    for name, values in frame.columns.items():
        column = schema.columns.get(name)
        if column is None:
            continue
        for label, value in zip(frame.index, values):
            if predicates.is_empty(value):
                if not column.nullable:
                    out.append({"column": name, "check": "not_nullable", "index": label, "failure_case": None})
                continue
            for check in column.checks:
                if not check.passes(value):
                    out.append({"column": name, "check": str(check), "index": label, "failure_case": value})
    return out


def pandera_failure_cases(schema: FrameSchema, frame: Frame) -> list[dict]:
    """The same failure cases, as pandera itself finds them."""
    import pandera.errors

    types = {name: column.type for name, column in schema.columns.items()}
    try:
        schema.pandera.validate(frame.to_pandas(types), lazy=True)
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases.to_dict("records")
        for case in cases:
            case["failure_case"] = _plain(case.get("failure_case"))
        return cases
    return []


def _plain(value):
    """A pandera failure case as a plain Python value (None for NA; a Timestamp as a date)."""
    if predicates.is_empty(value):
        return None
    if type(value).__name__ == "Timestamp":
        return value.date()
    if hasattr(value, "item"):
        value = value.item()
    return value


def frames(plan: Plan):
    """(sheet, frame name, FrameSchema, Frame, locate) for every frame of the plan that has data.

    ``locate(label, column)`` gives the (cell, title) of one value."""
    for sheet, by_name in schemas_for(plan.layout).items():
        if sheet not in plan.sheet_names:
            continue
        for name, schema in by_name.items():
            if name == "fields":
                fields = plan.fields.get(sheet, {})
                if not fields:
                    continue
                frame = Frame([0], {n: [f.value] for n, f in fields.items() if n in schema.columns})

                def locate(_label, column, _fields=fields):
                    f = _fields.get(column)
                    return (f.cell, f.title) if f else (None, column)
            else:
                table = plan.table(sheet, name)
                if table is None or table.empty:
                    continue
                frame = Frame(table.labels, table.columns)

                def locate(label, column, _table=table):
                    return _table.cell(label, column), _table.titles.get(column, column)
            yield sheet, name, schema, frame, locate


def validate(plan: Plan) -> list[Finding]:
    """Run every sheet's schema over the plan; each failure case becomes a finding at its cell."""
    from planvalidator.rules.form import INVALID_TYPE, finding_for_failure

    findings: list[Finding] = []
    unreadable = {(f.sheet, f.cell) for f in plan.problems if f.rule == INVALID_TYPE.code}
    for sheet, _name, schema, frame, locate in frames(plan):
        for case in failure_cases(schema, frame):
            column = case.get("column")
            if column not in frame.columns:
                continue
            index = case.get("index")
            cell, title = locate(index, column)
            f = finding_for_failure(
                check=str(case.get("check") or ""), sheet=plan.actual(sheet), cell=cell,
                title=title, value=frame.value(index, column), column=schema.columns[column])
            if f and not (f.rule != INVALID_TYPE.code and (f.sheet, f.cell) in unreadable):
                findings.append(f)
    return findings
