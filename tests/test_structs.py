"""The value classes (planvalidator/structs.py: msgspec Structs): what dataclasses gave the project and the
rules and reports rely on — a finding's identity, immutability, replace, asdict, a round trip through pickle
(batch workers hand findings back) — and that none of the project's modules builds a dataclass again."""

from __future__ import annotations

import ast
import pickle
from pathlib import Path

import pytest

from planvalidator.findings import Edit, Finding, Fix, Severity, sort_findings
from planvalidator.grid import SheetGrid
from planvalidator.plan import Table
from planvalidator.selection import Selection
from planvalidator.structs import Frozen, Struct, asdict, replace

ROOT = Path(__file__).resolve().parents[1]


def _finding(**changes) -> Finding:
    base = Finding("PV201", "amount-mismatch", Severity.ERROR, "計画様式7", "J9", "金額が合いません",
                   "公募要領 5.(1)", field="expenses.amount")
    return replace(base, **changes)


def test_a_finding_is_the_same_finding_whatever_it_read_or_offers():
    """sort_findings keeps one of two findings that differ only in what the rule read or expected, the fix,
    the reviewer's note and the words for the applicant."""
    a = _finding(value=100, expected=90, label="経費明細 No.1 金額", advice="90 にします")
    b = _finding(value=120, expected=80, accepted="確認済み", written="120",
                 fix=Fix("safe", (Edit("計画様式7", "J9", value=80),), "80 にします"))
    assert a == b and hash(a) == hash(b)
    assert sort_findings([a, b]) in ([a], [b])


@pytest.mark.parametrize("change", [{"cell": "J10"}, {"rule": "PV202"}, {"severity": Severity.WARNING},
                                    {"message": "別の文"}, {"field": None}, {"attachment": "決算書.pdf"},
                                    {"sheet": "計画様式8"}, {"reference": "公募要領 5.(2)"}])
def test_findings_at_other_places_or_of_other_rules_stay_two(change):
    a, b = _finding(), _finding(**change)
    assert a != b
    assert len(sort_findings([a, b])) == 2


def test_a_finding_cannot_be_changed_once_made():
    f = _finding()
    with pytest.raises(AttributeError):
        f.cell = "A1"
    moved = replace(f, cell="K9")
    assert (f.cell, moved.cell, moved.rule, moved.message) == ("J9", "K9", "PV201", f.message)


def test_asdict_turns_the_structs_inside_into_dicts_as_dataclasses_did():
    fix = Fix("unsafe", (Edit("計画様式7", "J9", formula="=G9*I9"),), "様式の計算式に戻します")
    d = asdict(_finding(fix=fix))
    assert d["fix"] == {"safety": "unsafe", "summary": "様式の計算式に戻します",
                        "edits": ({"sheet": "計画様式7", "cell": "J9", "value": None, "formula": "=G9*I9"},)}
    assert d["severity"] is Severity.ERROR and d["cell"] == "J9"


def test_a_finding_comes_back_from_pickle_whole():
    f = _finding(value=dt_value(), expected=90, fix=Fix("safe", (Edit("計画様式7", "J9", value=90),)), advice="直す")
    back = pickle.loads(pickle.dumps(f))
    assert asdict(back) == asdict(f)


def dt_value():
    import datetime as dt
    return dt.date(2025, 7, 1)


def test_what_a_value_remembers_of_itself_does_not_make_it_different():
    t1 = Table("計画様式7", "expenses", "rows", [6, 7], {"amount": [1, 2]}, {"amount": 10}, {"amount": "金額"})
    t2 = Table("計画様式7", "expenses", "rows", [6, 7], {"amount": [1, 2]}, {"amount": 10}, {"amount": "金額"})
    t1.rows()                       # remembers its rows
    assert t1 == t2
    with pytest.raises(TypeError):  # its fields may be set: not hashable
        hash(t1)
    assert Selection(severity={"PV1": "warning"}) == Selection(severity={"PV1": "error"})


def test_a_sheet_keeps_its_merges_through_pickle():
    g = SheetGrid("計画様式1", values={(1, 1): "x"}, merged=[(1, 1, 1, 3)])
    back = pickle.loads(pickle.dumps(g))
    assert back.merged == [(1, 1, 1, 3)] and back.values == {(1, 1): "x"}
    assert back.span(1, 2) == (1, 1, 1, 3) and back.span(2, 2) == (2, 2, 2, 2)


def test_every_keyword_group_is_the_same_after_pickle():
    """__post_init__ runs again when a Struct is unpickled: the groups' folding must give the same words."""
    from planvalidator.program import load_program

    program = load_program(ROOT / "schemas" / "r7")
    families = [f for f in program.spec.keywords if f != "items"]
    assert len(families) >= 7
    for family in families:
        kws = program.keywords(family)
        assert kws.groups
        for group in kws.groups:
            again = pickle.loads(pickle.dumps(group))
            assert again == group and again.terms == group.terms and again.models == group.models


def test_the_project_makes_no_dataclass():
    """Every value class is a Struct (planvalidator/structs.py says why): a dataclass costs its module's import
    ~0.4 ms a class, and a check imports ~90 of them."""
    users = []
    for path in sorted((ROOT / "planvalidator").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                if "dataclasses" in names:
                    users.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert users == []


def test_structs_are_frozen_or_settable_as_declared():
    class P(Frozen):
        a: int

    class M(Struct):
        a: int

    m = M(1)
    m.a = 2
    assert m.a == 2
    with pytest.raises(AttributeError):
        P(1).a = 2
    assert hash(P(1)) == hash(P(1))
