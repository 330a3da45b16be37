"""One way through: workbook → Plan → sheet schemas + rules → findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from planvalidator.findings import Finding, Severity, sort_findings
from planvalidator.plan import Plan


@dataclass
class Context:
    """What several rules share, computed once per plan."""
    plan: Plan

    @cached_property
    def calculator(self):
        from planvalidator.rules.money import calculate
        return calculate(self.plan)


@dataclass
class Report:
    file: str
    template: str
    findings: list[Finding]
    plan: Plan | None = field(default=None, repr=False)

    @property
    def summary(self) -> dict[str, int]:
        counts = {s.value: 0 for s in Severity}
        for f in self.findings:
            counts[f.severity.value] += 1
        return counts

    @property
    def has_errors(self) -> bool:
        return any(f.severity is Severity.ERROR for f in self.findings)

    def to_dict(self) -> dict:
        return {
            "file": self.file,
            "template": self.template,
            "summary": self.summary,
            "findings": [f.to_dict() for f in self.findings],
        }


def check_plan(plan: Plan) -> list[Finding]:
    from planvalidator import rules, schema

    rules.load_all()
    findings = list(plan.problems)
    findings += schema.validate(plan)
    context = Context(plan)
    for _rule, fn in rules.CHECKS:
        findings += list(fn(plan, context))
    order = [plan.actual(s.name) for s in plan.layout.sheets]
    return sort_findings(findings, order)


def check_file(path: str | Path) -> Report:
    from planvalidator.reader import read

    plan = read(path)
    return Report(file=str(path), template=plan.template, findings=check_plan(plan), plan=plan)
