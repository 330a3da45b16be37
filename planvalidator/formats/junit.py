"""JUnit XML for CI test reports (Jenkins, GitLab, GitHub test-report actions).

- one ``<testsuite>`` per file (its name the file, the template version as a property);
- one ``<testcase>`` per rule that ran on it (``classname`` = the file, ``name`` = 「PV201 amount-mismatch」):
  the rules that apply to the workbook's program (program.yaml ``rules``), and any rule with a finding;
  not the rules on the submitted files (PV403–PV407) when none were given (``check`` rather than ``batch``).
  (The format does not see the command line's --select / --ignore, so a rule switched off there is
  still listed, as passing.)
- a rule with open **errors** fails: one ``<failure type="error">`` whose ``message`` is the findings'
  messages with their cells and whose text has one line per finding (cell, message, clause).
- **warnings and info** do not fail the test case, just as they do not fail the exit code: they are
  the test case's ``<system-out>`` (「警告 計画様式7!M11: …」), with the accepted (確認済み) findings and
  the reviewer's note. A rule that failed to run (PV900) is an ``<error>``, not a failure.
- a file that could not be checked: one test case 「ファイルのチェック」 with an ``<error>`` (the Japanese line).

Built with xml.etree (no hand-made XML).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import IO

from planvalidator.findings import Severity

CANNOT_CHECK = "ファイルのチェック"


def write(outcomes, out: IO[str], *, color=None) -> None:
    root = junit_tree(outcomes)
    ET.indent(root)
    out.write(ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n")


def junit_tree(outcomes) -> ET.Element:
    root = ET.Element("testsuites", name="planvalidator")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for outcome in outcomes:
        suite = _suite(outcome)
        for key in totals:
            totals[key] += int(suite.get(key))
        root.append(suite)
    for key, n in totals.items():
        root.set(key, str(n))
    return root


def _suite(outcome) -> ET.Element:
    suite = ET.Element("testsuite", name=outcome.file)
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    report = outcome.report
    if report is None:
        case = ET.SubElement(suite, "testcase", classname=outcome.file, name=CANNOT_CHECK)
        ET.SubElement(case, "error", type="cannot-check", message=outcome.error or "").text = outcome.error
        counts.update(tests=1, errors=1)
    else:
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="template", value=report.template)
        ET.SubElement(props, "property", name="verdict", value=report.verdict)
        by_rule: dict[str, list] = {}
        for f in report.findings:
            by_rule.setdefault(f.rule, []).append(f)
        for rule in ran(report):
            counts["tests"] += 1
            case = ET.SubElement(suite, "testcase", classname=outcome.file, name=f"{rule.code} {rule.name}")
            findings = by_rule.get(rule.code, [])
            open_errors = [f for f in findings if f.accepted is None and f.severity is Severity.ERROR]
            if open_errors:
                from planvalidator.rules import RULE_FAILED

                kind = "error" if rule.code == RULE_FAILED.code else "failure"
                counts["errors" if kind == "error" else "failures"] += 1
                ET.SubElement(case, kind, type="error",
                              message=" / ".join(_line(f) for f in open_errors)).text = \
                    "\n".join(f"{_line(f)}（{f.reference}）" for f in open_errors)
            rest = [f for f in findings if f not in open_errors]
            if rest:
                ET.SubElement(case, "system-out").text = "\n".join(_note(f) for f in rest)
    for key, n in counts.items():
        suite.set(key, str(n))
    return suite


def ran(report) -> list:
    """The rules that ran on the report's workbook (those selected that apply to its program; the rules on
    submitted files only when they were given), and any with a finding; in code order."""
    from planvalidator import rules as catalogue

    found = {f.rule for f in report.findings}
    # the rules on the submitted files (PV403–PV407) say nothing when the files were not given (check)
    unseen = set() if report.context is not None and report.context.attachments is not None else _attachment_rules()
    return [r for r in catalogue.all_rules() if r.code in found or (r.code in report.ran and r.code not in unseen)]


def _attachment_rules() -> set[str]:
    from planvalidator.rules import Rule, attachment_periods, attachments

    return {v.code for module in (attachments, attachment_periods) for v in vars(module).values() if isinstance(v, Rule)}


def _line(f) -> str:
    """「計画様式7!J9: message」 (the attachment's name for a finding about a submitted file)."""
    return f"{f.where}: {f.message}" if f.where else f.message


def _note(f) -> str:
    """A finding that does not fail its test case: 「警告 計画様式7!M11: …」, an accepted one with the note."""
    if f.accepted is not None:
        return f"確認済み {_line(f)}（{f.accepted}）"
    return f"{f.severity.label} {_line(f)}"
