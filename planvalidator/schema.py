"""The pandera schema of each sheet (schemas/<version>/sheets/<sheet>.yaml), read: each column's type (what
the reader parses a cell as) and its checks. Running them over a plan is :mod:`planvalidator.validation`.

A sheet file holds one pandera schema per frame: ``fields`` (the sheet's single input
cells, checked as a one-row frame) and one per table of the layout.

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
from functools import cached_property, lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from planvalidator import predicates
from planvalidator.layout import Layout
from planvalidator.datacache import load_yaml
from planvalidator.structs import Frozen, Struct, compared_on

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


class ColumnCheck(Frozen):
    """One check of a column, as the YAML names it (pandera's Check name and statistics)."""
    name: str
    statistics: dict
    __eq__, __hash__ = compared_on("name")

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


class ColumnType(Frozen):
    """What the reader needs to know of a column: its title, how to parse it, its choices."""
    title: str
    kind: str                      # "text", "int", "number", "date"
    choices: tuple[str, ...] = ()


class ColumnSchema(Frozen):
    """A column (or field) of a sheet's schema: its type and the checks on its values."""
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


class FrameSchema(Struct, dict=True):
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

    @cached_property
    def types(self) -> MappingProxyType:
        """{column: ColumnType}, made once per frame (the reader asks for it on every sheet of every check;
        read-only, as every caller shares it)."""
        return MappingProxyType({name: column.type for name, column in self.columns.items()})


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


def column_types(layout: Layout, sheet: str, frame: str) -> Mapping[str, ColumnType]:
    """The column types of one frame of a version's schemas (read-only: made once per version)."""
    schema = schemas_for(layout).get(sheet, {}).get(frame)
    if schema is None:
        return _NO_TYPES
    return schema.types


_NO_TYPES: Mapping[str, ColumnType] = MappingProxyType({})


# --- running a schema --------------------------------------------------------------------------
