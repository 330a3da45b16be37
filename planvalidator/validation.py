"""Running the sheets' pandera schemas (:mod:`planvalidator.schema`) over a plan: each failure case a finding
at the cell that failed (PV001–PV006).

Every check the schemas use is element-wise, so a frame is checked here directly, value by value, with
pandera's semantics (nulls fail only ``nullable: false``; checks skip nulls): that needs neither pandas nor
pandera at run time. A schema that uses anything else pandera offers is run by pandera itself;
``tests/test_schema_engine.py`` runs both on every test workbook and asserts identical failure cases.
"""

from __future__ import annotations


from planvalidator import predicates
from planvalidator.findings import Finding
from planvalidator.plan import Plan
from planvalidator.normalize import each_by_value
from planvalidator.schema import ColumnSchema, ColumnType, FrameSchema, schemas_for
from planvalidator.structs import Struct, compared_on


class Frame(Struct):
    """Typed values by column, one per record label (the plain-Python form of a pandera frame)."""
    index: list
    columns: dict[str, list]
    _at: dict | None = None       # (remembered: each label's position)
    __eq__, __hash__ = compared_on("index", "columns", hashable=False)

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
        # the column's failures by value (normalize.each_by_value): each distinct value judged once
        for label, value, failed in zip(frame.index, values, each_by_value(values, _failed, column)):
            for check in failed:
                out.append({"column": name, "check": check, "index": label,
                            "failure_case": None if check == NOT_NULLABLE else value})
    return out


NOT_NULLABLE = "not_nullable"


def _failed(column: ColumnSchema, value) -> tuple[str, ...]:
    """The names of the checks one value fails (pandera's: ``not_nullable`` for a missing required value)."""
    if predicates.is_empty(value):
        return () if column.nullable else (NOT_NULLABLE,)
    return tuple(str(check) for check in column.checks if not check.passes(value))


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
