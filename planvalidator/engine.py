"""One way through: workbook → Plan → calculation → rules (selected, graded) → accepted marks → Report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from planvalidator.findings import Finding, Severity, sort_findings
from planvalidator.normalize import canon, date_or_none
from planvalidator.plan import Plan
from planvalidator.selection import Selection
from planvalidator.address import parse_a1


@dataclass(frozen=True)
class Options:
    """How to check: which rules, at which severity, and findings accepted from the command line."""
    selection: Selection = field(default_factory=Selection)
    accept: tuple[str, ...] = ()        # 「PV110」「PV110@計画様式7!M12」 (annotate --accept)
    program: str | None = None          # --program ID[:COURSE] (schemas/programs/); None: the 事業区分's course


@dataclass
class Context:
    """What several rules share, computed once per plan: the program, the 事業区分, the arithmetic."""
    plan: Plan
    # the files submitted with the workbook (planvalidator.attachments.Attachment each), when they were
    # given (``planvalidator batch``); None: not known, and the attachment rules say nothing
    attachments: list | None = None
    program_name: str | None = None     # --program ID[:COURSE]: check under that course's figures
    figures: dict | None = None         # a JSON plan's figures (the numeric eligibility tests), when given

    @cached_property
    def course(self):
        """The program course (planvalidator.profiles.Course) the plan is checked under: the one --program
        names, else the one the workbook's 事業区分 names in its template's profile (None if none)."""
        from planvalidator import profiles

        if self.program_name:
            return profiles.resolve(self.program_name, self.plan.value("applicant", "category"))
        return profiles.default_course(self.plan.template, self.plan.value("applicant", "category"))

    @cached_property
    def audiences(self) -> tuple[str, ...]:
        """The 対象者 (schemas/applicants.yaml names) of the course the plan is checked under; with no course
        (a 事業区分 left out or unknown), those of every course of its template's profile."""
        from planvalidator import profiles

        if self.course is not None:
            return self.course.org_types
        names: dict[str, None] = {}
        for profile in profiles.profiles().values():
            if profile.template == self.plan.template:
                for course in profile.courses.values():
                    names.update(dict.fromkeys(course.org_types))
        return tuple(names)

    @cached_property
    def program(self):
        from planvalidator.program import load_program
        return load_program(self.plan.layout.folder)

    @cached_property
    def calculator(self):
        """The template's arithmetic, as the workbook's own formulas do it — with the 事業区分 it names, also
        under --program (its 助成金申請可能額（目安） follows that 事業区分, not the course checked against)."""
        from planvalidator.calc import calculate
        return calculate(self.plan, self.program, self.named_category)

    @cached_property
    def money(self):
        """The money summary (助成対象経費, the most that can be requested, 申請額) for reports."""
        from planvalidator.calc import money_summary
        return money_summary(self.plan, self.calculator, self.category)

    def keywords(self, family: str):
        """The words of one family of the template's program (PV102 汎用品 …), less the categories the course
        takes out (its ``expenses.remove``)."""
        removed = self.course.removed_categories if self.course is not None else frozenset()
        return self.program.keywords(family, removed)

    @cached_property
    def reading(self):
        """folded text → its Japanese reading (planvalidator/japanese.py), or None without SudachiPy."""
        from planvalidator import japanese

        if not japanese.installed():
            return None
        vocabulary = self.program.reading_vocabulary
        return lambda folded: japanese.read(folded, vocabulary)   # (the dictionary loads on the first text read)

    @cached_property
    def named_category(self):
        """The 事業区分 (program Category) the workbook names, or None."""
        return self.program.category(self.plan.value("applicant", "category"))

    @cached_property
    def category(self):
        """What the plan is checked against: the 事業区分 the applicant chose; under --program, that course."""
        return self.course.as_category() if self.program_name else self.named_category

    @cached_property
    def period_start(self) -> dt.date | None:
        """事業実施期間（開始） as a date, when the applicant wrote one (not 「交付決定日」)."""
        return date_or_none(self.plan.value("applicant", "period_start"))

    @cached_property
    def period_end(self) -> dt.date | None:
        return date_or_none(self.plan.value("applicant", "period_end"))

    @cached_property
    def grant_date(self) -> dt.date:
        """The earliest day the project can start: 交付決定 (or the later start date written)."""
        earliest = self.program.earliest_grant_date
        return max(earliest, self.period_start) if self.period_start else earliest

    @cached_property
    def org_type(self) -> str | None:
        """The key of the 組織形態 chosen (corporation, sole_proprietor …), or None."""
        value = self.plan.value("applicant", "org_type")
        for key, name in self.program.org_types.items():
            if value is not None and canon(value) == canon(name):
                return key
        return None


@dataclass
class Report:
    file: str
    template: str
    findings: list[Finding]                       # every finding, accepted ones marked
    plan: Plan | None = field(default=None, repr=False)
    context: Context | None = field(default=None, repr=False)
    kept_marks: list = field(default_factory=list, repr=False)        # 確認済み rows of rules that did not run
    unmatched_accepts: list[str] = field(default_factory=list)        # --accept specs that matched no finding
    # the money (calc.MoneySummary) and what it comes to without the rows found ineligible (reduction.CutSummary),
    # computed once the findings are final; None when the workbook's money could not be computed
    money: object | None = field(default=None, repr=False)
    cut: object | None = field(default=None, repr=False)
    ran: frozenset[str] = field(default=frozenset(), repr=False)     # the codes of the rules that ran

    @property
    def open_findings(self) -> list[Finding]:
        """The findings nobody has accepted: what counts, decides the verdict and the exit code."""
        return [f for f in self.findings if f.accepted is None]

    @property
    def accepted(self) -> list[Finding]:
        return [f for f in self.findings if f.accepted is not None]

    @property
    def summary(self) -> dict[str, int]:
        counts = {s.value: 0 for s in Severity}
        for f in self.open_findings:
            counts[f.severity.value] += 1
        return counts

    @property
    def incomplete(self) -> bool:
        """A rule failed (PV900): the other findings stand, but the check is not complete."""
        from planvalidator.rules import RULE_FAILED
        return any(f.rule == RULE_FAILED.code for f in self.findings)

    @property
    def has_errors(self) -> bool:
        return any(f.severity is Severity.ERROR for f in self.open_findings)

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
            "error": None,
            "summary": self.summary,
            "accepted": len(self.accepted),
            "incomplete": self.incomplete,
            "findings": [f.to_dict() for f in self.findings],
            "money": money_dict(self.money, self.cut),
        }


def money_dict(money, cut) -> dict | None:
    """The money of a report for JSON (stable keys): the summary over every row, and without the rows
    found ineligible (the expected 減額)."""
    from planvalidator.findings import plain

    if money is None:
        return None
    d = {"category": money.category, "rate": money.rate, "cap": money.cap, "eligible": plain(money.eligible),
         "limit": money.limit, "requested": plain(money.requested), "within": money.within,
         "eligible_after_cut": None, "limit_after_cut": None, "reduction": None, "per_year": [], "excluded_rows": []}
    if cut is not None:
        d.update(
            eligible_after_cut=plain(cut.eligible_after_cut), limit_after_cut=cut.limit_after_cut,
            reduction=plain(cut.reduction),
            per_year=[{"year": y.year, "eligible": plain(y.eligible), "eligible_after_cut": plain(y.eligible_after_cut),
                       "limit_after_cut": y.limit_after_cut, "requested": plain(y.requested),
                       "reduction": plain(y.reduction)} for y in cut.per_year],
            excluded_rows=[{"cell": e.where, "row": e.row, "year": e.year, "rule": e.rule, "rules": list(e.rules),
                            "amount": plain(e.amount)} for e in cut.excluded])
    return d


def selected(context: Context, selection: Selection) -> set[str]:
    """The codes of the rules that run: those that apply to the program and that the user selected."""
    from planvalidator import rules

    return {r.code for r in rules.all_rules() if context.program.applies(r.code) and selection.enabled(r)}


def run_rules(plan: Plan, context: Context, selection: Selection, wanted: set[str]) -> list[Finding]:
    """The findings of the ``wanted`` rules at their graded severity, texts rendered for the program;
    a rule that raises becomes one PV900 finding."""
    from planvalidator import rules, schema
    from planvalidator.facts import render

    catalogue = {r.code: r for r in rules.all_rules()}
    findings = list(plan.problems)
    if wanted & set(rules.SCHEMA_RULES):
        findings += rules.run("PV001〜PV006（シートのスキーマ）", schema.validate, plan)
    for rule, fn in rules.IMPLEMENTATIONS:
        if rule.code in wanted:
            findings += rules.run(rule.title, fn, plan, context)
    out = []
    for f in findings:
        rule = catalogue.get(f.rule)
        if rule is None or f.rule not in wanted:
            continue
        f = selection.graded(f, rule)
        if f.sheet and f.cell and (rc := parse_a1(f.cell)):
            f = replace(f, field=plan.field_at(f.sheet, *rc) or f.field)
        if "{" in f.reference:              # a clause quoting the program: 「審査結果通知 {grant_notice}予定」
            f = replace(f, reference=render(f.reference, context.program, plan.layout))
        out.append(f)
    return out


def check(plan: Plan, options: Options | None = None, *, file: str | None = None,
          attachments: list | None = None, figures: dict | None = None) -> Report:
    """Check a read plan: the findings, sorted by sheet and cell, accepted ones marked.
    ``attachments``: the files submitted with it (planvalidator.attachments), when known; ``figures``: a JSON
    plan's figures for the numeric eligibility tests (planvalidator/rules/profile.py)."""
    from planvalidator import accepted

    options = options or Options()
    context = Context(plan, attachments, options.program, figures)
    if options.program:
        from planvalidator.errors import CannotCheck
        from planvalidator.profiles import ProfileError
        try:
            context.course                      # the course --program names, or the plan's 事業区分 in it
        except ProfileError as exc:
            raise CannotCheck(f"--program {options.program}: {exc}", file=file or plan.source) from None
    ran = selected(context, options.selection)
    findings = run_rules(plan, context, options.selection, ran)
    order = [plan.actual(s.name) for s in plan.layout.sheets]
    findings = sort_findings(findings, order)
    marks = accepted.read_marks(plan.grid, (accepted.RESULTS_SHEET, accepted.RESULTS_SHEET_ALT), accepted.TITLE)
    findings, unmatched = accepted.apply(findings, plan.grid, marks, options.accept)
    # marks of rules that did not run this time are kept as they were (a narrower --select must not
    # lose a reviewer's work); a mark of a rule that ran and found nothing there is done with
    kept = [mark for (rule, _sheet, _where), mark in marks.items() if rule not in ran]
    money, cut = _money(plan, context, findings)
    return Report(file=file or plan.source, template=plan.template, findings=findings, plan=plan, context=context,
                  kept_marks=kept, unmatched_accepts=unmatched, money=money, cut=cut, ran=frozenset(ran))


def _money(plan: Plan, context: Context, findings: list[Finding]):
    """The money summary and the cut (the rows found ineligible taken out), from the final findings.
    A workbook whose money cannot be computed gets none: the findings stand (the money rules that
    could not run are named as PV900)."""
    from planvalidator.reduction import cut_summary

    try:
        return context.money, cut_summary(plan, context.calculator, context.category, findings)
    except Exception:  # noqa: BLE001 — the summary must not lose the findings
        return None, None


def check_plan(plan: Plan, options: Options | None = None) -> list[Finding]:
    return check(plan, options).findings


def check_file(path: str | Path, options: Options | None = None, *, attachments: list | None = None,
               file: str | None = None, figures: dict | None = None) -> Report:
    from planvalidator.reader import read

    return check(read(path), options, file=file or str(path), attachments=attachments, figures=figures)
