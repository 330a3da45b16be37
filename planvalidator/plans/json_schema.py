"""The JSON Schema (draft 2020-12) of a version's plans, generated from the layout and the sheet
schemas (``scripts/plan_schema.py`` writes ``schemas/<版>/plan.schema.json``)."""

from __future__ import annotations

import json
from pathlib import Path

from planvalidator.layout import Layout, SheetSpec, TableSpec
from planvalidator.plans.shape import column_of, form

SCHEMA_FILE = "plan.schema.json"


def _value_schema(column, *, title: str | None = None) -> dict:
    kind = column.kind if column is not None else "text"
    out: dict = {"title": title or (column.title if column is not None else None)}
    if out["title"] is None:
        del out["title"]
    choices = next((list(c.statistics["allowed_values"]) for c in column.checks if c.name == "isin"), None) \
        if column is not None else None
    if kind == "date":
        out.update(type=["string", "null"], format="date")
    elif kind == "int":
        out["type"] = ["integer", "null"]
    elif kind == "number":
        out["type"] = ["number", "null"]
    elif choices:
        out["enum"] = [*choices, None]
    else:
        out["type"] = ["string", "number", "null"]
    if column is not None and kind in ("int", "number"):
        for check in column.checks:
            s = check.statistics
            if check.name == "greater_than_or_equal_to":
                out["minimum"] = s["min_value"]
            elif check.name == "greater_than":
                out["exclusiveMinimum"] = s["min_value"]
            elif check.name == "less_than_or_equal_to":
                out["maximum"] = s["max_value"]
            elif check.name == "less_than":
                out["exclusiveMaximum"] = s["max_value"]
            elif check.name == "in_range":
                out["minimum" if s.get("include_min", True) else "exclusiveMinimum"] = s["min_value"]
                out["maximum" if s.get("include_max", True) else "exclusiveMaximum"] = s["max_value"]
    date_or = next((c.statistics for c in column.checks if c.name == "date_or"), None) if column is not None else None
    if date_or:
        words = next(iter(date_or.values()))
        out.pop("type", None)
        out["anyOf"] = [{"type": "string", "format": "date"}, {"enum": list(words)}, {"type": ["string", "null"]}]
    return out


_COMPUTED = "計算式の欄。ふつうは書きません（様式の計算式が計算します）。書くと、計算式を上書きした値としてチェックします。"


def json_schema(layout: Layout) -> dict:
    """The JSON Schema (draft 2020-12) of the plans of a template version."""
    from planvalidator.schema import schemas_for

    schemas = schemas_for(layout)
    shapes = form(layout)
    sheets: dict = {}
    for spec in layout.sheets:
        frames = schemas.get(spec.name, {})
        fields_frame = frames.get("fields")
        sheet_form = shapes.get(spec.key)
        props: dict = {}
        computed_props: dict = {}
        for fspec in spec.fields:
            s = _value_schema(column_of(fields_frame, fspec.name))
            if fspec.computed:
                s["description"] = _COMPUTED
                computed_props[fspec.name] = s
            else:
                props[fspec.name] = s
        tables = {}
        for tspec in spec.tables:
            shape = sheet_form.tables.get(tspec.name) if sheet_form else None
            frame = frames.get(tspec.name)
            columns: dict = {}
            for c in tspec.columns:
                if c.fixed and not (shape and shape.label_column == c.name):
                    continue
                s = _value_schema(column_of(frame, c.name))
                if c.fixed:
                    s.pop("type", None)
                    s["enum"] = [text for text, _ in shape.labels]
                    s["description"] = "様式が印刷している見出し。この行（列）に入ります。"
                if c.computed:
                    s["description"] = _COMPUTED
                columns[c.name] = s
            table = {"type": "array", "title": _table_title(spec, tspec),
                     "items": {"type": "object", "properties": columns, "additionalProperties": False}}
            if shape is not None:
                table["maxItems"] = len(shape.numbers)
            tables[tspec.name] = table
        obj = {"type": "object", "title": spec.name, "properties": {**props, **computed_props, **tables},
               "additionalProperties": False}
        if sheet_form is not None and sheet_form.is_list:
            (only,) = tables.values()
            sheets[spec.key] = {"title": spec.name, "anyOf": [only, obj]}
        else:
            sheets[spec.key] = obj
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:planvalidator:plan:{layout.template}",
        "title": f"{layout.title} の計画データ",
        "description": ("planvalidator export が書き、planvalidator check / fill が読む事業計画書の内容。"
                        "必須の欄・選択肢・書式・金額の計算は planvalidator check が様式と同じ規則で確かめます。"),
        "type": "object",
        "required": ["template"],
        "properties": {"$schema": {"type": "string"},
                       "template": {"const": layout.template, "description": "様式の版"},
                       "program": {"type": ["string", "null"],
                                   "description": "助成制度とコース（planvalidator programs の ID、例 kofukakachi:main。null: 事業区分から）"},
                       "figures": {
                           "type": ["object", "null"],
                           "description": "数値で判定する対象者の要件（制度のプロファイルの eligibility、規則 PV308）",
                           "properties": {
                               "price": {"type": "object", "description": "主要原材料等の平均仕入価格: 比較月 base と対象月 target",
                                         "properties": {side: {"type": "object", "properties": {
                                             "month": {"type": "string"}, "amount": {"type": "number"},
                                             "quantity": {"type": "number"}, "unit": {"type": "string"}}}
                                             for side in ("base", "target")}},
                               "gross_profit": {"type": "object", "description": "粗利益: 比較する年の同月 bases と対象月 target",
                                                "properties": {"bases": {"type": "array", "items": {"type": "number"}},
                                                               "target": {"type": "number"}}}}},
                       **sheets},
        "additionalProperties": False,
    }


def _table_title(sheet: SheetSpec, table: TableSpec) -> str:
    return f"{sheet.name} {table.name}"


def schema_path(layout: Layout) -> Path:
    return layout.folder / SCHEMA_FILE


def schema_text(layout: Layout) -> str:
    return json.dumps(json_schema(layout), ensure_ascii=False, indent=2) + "\n"
