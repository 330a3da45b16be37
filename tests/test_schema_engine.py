"""The sheet schemas run directly give exactly pandera's failure cases.

The schemas are pandera YAML; planvalidator runs their element-wise checks itself (no pandas
at run time, see planvalidator/schema.py). These tests run pandera itself on the same frames
of real workbooks — the official template, the 記入例, every invalid example, the 記入例 with
every bad value of test_schemas, and randomly filled copies — and require the same failures.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest

from support.helpers import EXAMPLE, R7, TEMPLATE, edit
from planvalidator import schema, validation
from planvalidator.reader import read
from test_schemas import INVALID

INVALID_EXAMPLES = sorted((R7 / "invalid").glob("*.xlsx"))


def _norm(case: dict) -> tuple:
    value = case.get("failure_case")
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return (case["column"], case["index"], str(case["check"]).split("(")[0], value)


def _compare(path) -> int:
    """Assert both engines agree on every frame of a workbook; the number of failure cases."""
    plan = read(path)
    total = 0
    for sheet, name, frame_schema, frame, _locate in validation.frames(plan):
        assert frame_schema.direct, f"{sheet}/{name} would be run by pandera: keep the r7 schemas direct"
        ours = sorted(map(_norm, validation.failure_cases(frame_schema, frame)), key=repr)
        theirs = sorted(map(_norm, validation.pandera_failure_cases(frame_schema, frame)), key=repr)
        assert ours == theirs, f"{path.name}: {sheet}/{name}"
        total += len(ours)
    return total


@pytest.mark.parametrize("path", [TEMPLATE, EXAMPLE, *INVALID_EXAMPLES], ids=lambda p: p.stem)
def test_shipped_workbooks(path):
    _compare(path)


def _groups_of_distinct_cells(cases):
    groups: list[dict] = []
    for sheet, cell, value, _rule in cases:
        for group in groups:
            if cell not in group.setdefault(sheet, {}):
                group[sheet][cell] = value
                break
        else:
            groups.append({sheet: {cell: value}})
    return groups


def test_every_bad_value_of_the_schema_tests(tmp_path):
    total = 0
    for i, edits in enumerate(_groups_of_distinct_cells(INVALID)):
        total += _compare(edit(EXAMPLE, tmp_path / f"bad{i}.xlsx", edits))
    assert total >= len(INVALID) - 10      # most bad values are schema failures (others: reader, rules)


POOL = [None, "", " ", "あ", "１２３", "-5", -5, 0, 0.5, 1, 10**9, "有", "無", "〇", "●", "×", "R7.10.1",
        "令和7年13月1日", dt.datetime(2025, 10, 1), 45931, "2025/10/1", "076-267-5551", "０７６２６７５５５１",
        "920-8203", "abc@example.jp", "1200001012345", "1200001012346", "1年目", "4年目", "事業費",
        "試作・開発費", "法人", "グループ（4者以上）", "(g)その他", "交付決定日", "2024年3月", "12人"]


@pytest.mark.parametrize("seed", range(8))
def test_randomly_filled_workbooks(tmp_path, seed):
    """Random values in random input cells of every frame (types, signs, 全角, dates, choices)."""
    rng = random.Random(seed)
    plan = read(EXAMPLE)
    edits: dict[str, dict] = {}
    for sheet, fields in plan.fields.items():
        for f in fields.values():
            if f.formula is None and rng.random() < 0.5:
                edits.setdefault(plan.actual(sheet), {})[f.cell] = rng.choice(POOL)
    for sheet, tables in plan.tables.items():
        for table in tables.values():
            for number in table.all_records[:6]:
                for column in table.positions:
                    if rng.random() < 0.3:
                        cell = table.cell(table.record_label(number), column)
                        edits.setdefault(plan.actual(sheet), {})[cell] = rng.choice(POOL)
    assert _compare(edit(EXAMPLE, tmp_path / f"random{seed}.xlsx", edits)) > 0


# --- checks the r7 schemas do not use yet, on frames made for them ---------------------------

SPEC = {"columns": {
    "code": {"title": "コード", "dtype": "str", "nullable": True,
             "str_length": {"min_value": 2, "max_value": 4}, "str_matches": "^[A-Z]", "notin": ["XX"],
             "str_startswith": "A", "str_contains": "B", "str_endswith": "C"},
    "share": {"title": "比率", "dtype": "Float64", "nullable": False,
              "in_range": {"min_value": 0, "max_value": 1, "include_min": False}},
    "count": {"title": "人数", "dtype": "Int64", "nullable": True, "less_than": 10, "not_equal_to": 3,
              "greater_than": -1, "less_than_or_equal_to": 8},
    "mail": {"title": "メール", "dtype": "str", "nullable": True, "email": True},
    "start": {"title": "開始", "dtype": "str", "nullable": True, "date_or": ["交付決定日"]},
}}


def test_builtin_checks_agree_with_pandera():
    frame_schema = schema.frame_schema(SPEC)
    assert frame_schema.direct
    frame = validation.Frame([6, 7, 8, 9, 10], {
        "code": ["ABC", "XX", "A", "ABBBBC", None],
        "share": [0.0, 0.5, 1.0, 1.5, None],
        "count": [3, 9, 10, -1, None],
        "mail": ["a@b.jp", "a@b", None, "x", "ｙ＠ｅｘａｍｐｌｅ．ｊｐ"],
        "start": ["交付決定日", "2025/10/1", "いつか", None, "令和7年10月1日"],
    })
    ours = sorted(map(_norm, validation.failure_cases(frame_schema, frame)), key=repr)
    assert ours == sorted(map(_norm, validation.pandera_failure_cases(frame_schema, frame)), key=repr)
    assert ("share", 6, "in_range", 0) in ours and ("share", 10, "not_nullable", None) in ours
    assert ("count", 6, "not_equal_to", 3) in ours and ("mail", 7, "email", "a@b") in ours


def test_a_schema_using_more_of_pandera_is_run_by_pandera():
    spec = {"columns": {"name": {"title": "名称", "dtype": "str", "nullable": False, "unique": True}}}
    frame_schema = schema.frame_schema(spec)
    assert not frame_schema.direct
    cases = validation.failure_cases(schema.frame_schema(spec), validation.Frame([6, 7, 8], {"name": ["a", "a", None]}))
    assert {(c["index"], str(c["check"]).split("(")[0]) for c in cases} >= {(6, "field_uniqueness"),
                                                                             (8, "not_nullable")}


def test_a_column_judged_once_per_value_fails_where_each_cell_judged_alone_fails():
    """failure_cases judges a column once per distinct value (normalize.value_key): on the 記入例's expense
    table with its values repeated and bad ones of each column's kind mixed in (1, 1.0, -0.0, 0.0, NaN, texts,
    dates), the failure cases are those of every record checked as a frame of its own, in the same order."""
    plan = read(EXAMPLE)
    frame_schema = schema.schemas_for(plan.layout)["計画様式7"]["expenses"]
    table = plan.table("計画様式7", "expenses")
    odd = {"number": [None, 1, 1.0, -0.0, 0.0, float("nan"), -5.0, 0.5, 10 ** 12, 1e15],
           "int": [None, 1, 0, -3, 10 ** 12], "text": [None, "１年目", "x", "", "3年目", "その他"],
           "date": [None, dt.date(2020, 1, 1), dt.date(2030, 1, 1), dt.date(2025, 10, 1)]}
    types = schema.column_types(plan.layout, "計画様式7", "expenses")
    rng = random.Random(24)
    labels = list(range(6, 6 + 200))
    columns = {c: [rng.choice(values + odd[types[c].kind if c in types else "text"]) for _ in labels]
               for c, values in table.columns.items()}
    frame = validation.Frame(labels, columns)
    alone = [case for i, label in enumerate(labels)
             for case in validation.failure_cases(frame_schema, validation.Frame(
                 [label], {c: [v[i]] for c, v in columns.items()}))]
    key = {c: n for n, c in enumerate(columns)}
    judged = validation.failure_cases(frame_schema, frame)
    assert len(judged) > 50
    assert repr(judged) == repr(sorted(alone, key=lambda case: (key[case["column"]], labels.index(case["index"]))))
