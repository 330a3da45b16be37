"""Every rule's test cases as data (tests/rules/cases/PVxxx.yaml, the format in tests/rules/README.md), each run
on every template version it applies to (tests/support/rule_cases.py VERSIONS), and the catalogue held to them:
every rule of the REGISTRY has its case file with a passing and a failing case (or says why it cannot fail).

A case asserts exactly the findings of its own rule — the set of (rule, sheet, cell, severity) — and a passing
case that its rule reports nothing. A rule that raises (a PV900 finding) fails the case naming it; a case file
that cannot be read fails its own test, not the collection."""

from __future__ import annotations

import pytest

from planvalidator import rules
from support import rule_cases as RC


def _params():
    out = []
    for path in RC.case_files():
        try:
            loaded = RC.load(path)
        except Exception as exc:                 # noqa: BLE001 — a broken file is a failing test, not a lost collection
            out.append(pytest.param(None, None, exc, id=f"{path.stem}:unreadable"))
            continue
        for case in loaded.cases:
            for version in case.versions:
                out.append(pytest.param(case, version, None, id=f"{case.id}@{version}"))
    return out


def _found(report, rule):
    return {(f.rule, f.sheet, f.cell, f.severity.value) for f in report.findings if f.rule == rule}


@pytest.mark.parametrize("case, version, problem", _params())
def test_case(tmp_path, case, version, problem):
    if problem is not None:
        pytest.fail(f"the case file cannot be read: {type(problem).__name__}: {problem}")
    report = RC.check_case(case, version, tmp_path)
    failed = [f.message for f in report.findings if f.rule == "PV900"]
    assert not failed, f"{case.rule}: a rule raised on this case: {failed}"
    got = _found(report, case.rule)
    want = RC.expected(case, version)
    assert got == want, (f"{case.id} on {version}: {case.rule} found {sorted(got, key=str)}, expected "
                         f"{sorted(want, key=str)}; messages: {[f.message for f in report.findings if f.rule == case.rule]}")


# --- the catalogue ---------------------------------------------------------------------------------------

def _load(path):
    try:
        return RC.load(path)
    except Exception as exc:                     # noqa: BLE001
        pytest.fail(f"{path.name} cannot be read: {type(exc).__name__}: {exc}")


def test_every_rule_has_a_case_file_with_a_passing_and_a_failing_case():
    rules.load_all()
    files = {path.stem: path for path in RC.case_files()}
    missing = sorted(set(rules.REGISTRY) - set(files))
    assert not missing, f"rules without tests/rules/cases/<code>.yaml: {missing}"
    short = []
    for code in sorted(rules.REGISTRY):
        loaded = _load(files[code])
        if loaded.untriggerable:
            assert isinstance(loaded.untriggerable, str) and loaded.untriggerable.strip(), code
            assert not any(not c.passing for c in loaded.cases), f"{code} is untriggerable yet has a failing case"
            continue
        if not any(c.passing for c in loaded.cases) or not any(not c.passing for c in loaded.cases):
            short.append(code)
    assert not short, f"case files without both a passing and a failing case (or untriggerable: <why>): {short}"


def test_no_case_file_names_a_rule_that_does_not_exist():
    rules.load_all()
    unknown = sorted(path.name for path in RC.case_files() if path.stem not in rules.REGISTRY)
    assert not unknown, f"case files of no rule: {unknown}"
    for path in RC.case_files():
        loaded = _load(path)
        assert all(rule in rules.REGISTRY for case in loaded.cases for rule, *_ in case.findings), path.name


def test_untriggerable_is_only_for_rules_no_input_can_fail():
    """Only the internal rule (PV900: a rule that raised) may be untriggerable: any other rule is failed by some input."""
    untriggerable = sorted(path.stem for path in RC.case_files() if _load(path).untriggerable)
    assert untriggerable == ["PV900"], untriggerable
