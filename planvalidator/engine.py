"""One way through: workbook → Plan → sheet schemas + rules → findings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from planvalidator.normalize import date_or_none
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

    @cached_property
    def program(self):
        from planvalidator.program import load_program
        return load_program(self.plan.layout.folder)

    @cached_property
    def category(self):
        """The 事業区分 (program Category) the applicant chose, or None."""
        return self.program.category(self.plan.value("計画様式1", "category"))

    @cached_property
    def period_start(self) -> dt.date | None:
        """事業実施期間（開始） as a date, when the applicant wrote one (not 「交付決定日」)."""
        return date_or_none(self.plan.value("計画様式1", "period_start"))

    @cached_property
    def period_end(self) -> dt.date | None:
        return date_or_none(self.plan.value("計画様式1", "period_end"))

    @cached_property
    def grant_date(self) -> dt.date:
        """The earliest day the project can start: 交付決定 (or the later start date written)."""
        earliest = self.program.earliest_grant_date
        return max(earliest, self.period_start) if self.period_start else earliest

    @cached_property
    def org_type(self) -> str | None:
        from planvalidator.normalize import canon
        value = self.plan.value("計画様式1", "org_type")
        for key, name in self.program.raw["org_types"].items():
            if value is not None and canon(value) == canon(name):
                return key
        return None


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
    def incomplete(self) -> bool:
        """A rule failed (PV900): the other findings stand, but the check is not complete."""
        from planvalidator.rules import RULE_FAILED
        return any(f.rule == RULE_FAILED.code for f in self.findings)

    @property
    def has_errors(self) -> bool:
        return any(f.severity is Severity.ERROR for f in self.findings)

    @property
    def verdict(self) -> str:
        """要修正 (errors), 確認してください (warnings only) or 問題は見つかりませんでした;
        チェック未完了 when a rule failed."""
        if self.incomplete:
            return "チェック未完了"
        if self.has_errors:
            return "要修正"
        return "確認してください" if self.summary["warning"] else "問題は見つかりませんでした"

    def to_dict(self) -> dict:
        return {
            "file": self.file,
            "template": self.template,
            "summary": self.summary,
            "incomplete": self.incomplete,
            "findings": [f.to_dict() for f in self.findings],
        }


def check_plan(plan: Plan) -> list[Finding]:
    from planvalidator import rules, schema

    rules.load_all()
    findings = list(plan.problems)
    findings += rules.run("PV001〜PV006（シートのスキーマ）", schema.validate, plan)
    context = Context(plan)
    for rule, fn in rules.CHECKS:
        findings += rules.run(rule.title, fn, plan, context)
    order = [plan.actual(s.name) for s in plan.layout.sheets]
    return sort_findings(findings, order)


def check_file(path: str | Path) -> Report:
    from planvalidator.reader import read

    plan = read(path)
    return Report(file=str(path), template=plan.template, findings=check_plan(plan), plan=plan)
