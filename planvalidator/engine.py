"""One way through: workbook → Plan → calculation → rules (selected, graded) → accepted marks → Report."""

from __future__ import annotations

from pathlib import Path

from planvalidator.address import parse_a1
from planvalidator.context import Context
from planvalidator.findings import Finding, Severity, sort_findings
from planvalidator.plan import Plan
from planvalidator.selection import Selection, running
from planvalidator.structs import Frozen, Struct, field, replace


class Options(Frozen):
    """How to check: which rules, at which severity, and findings accepted from the command line."""
    selection: Selection = field(default_factory=Selection)
    accept: tuple[str, ...] = ()        # 「PV110」「PV110@計画様式7!M12」 (annotate --accept)
    course: str | None = None           # --program ID[:COURSE]: a profile's course (schemas/programs/); None: the 事業区分's


class Report(Struct):
    """One file checked: its findings, the template it follows, the plan and money it read."""
    file: str
    template: str
    findings: list[Finding]                       # every finding, accepted ones marked
    plan: Plan | None = None
    context: Context | None = None
    kept_marks: list = field(default_factory=list)        # 確認済み rows of rules that did not run
    unmatched_accepts: list[str] = field(default_factory=list)        # --accept specs that matched no finding
    # the money (calc.MoneySummary) and what it comes to without the rows found ineligible (reduction.CutSummary),
    # computed once the findings are final; None when the workbook's money could not be computed
    money: object | None = None
    cut: object | None = None
    ran: frozenset[str] = frozenset()    # the codes of the rules that ran
    # what comes next (planvalidator.guidance.next_steps): the 提出書類 to attach, how to submit, what reviewers judge
    next_steps: dict | None = None

    @property
    def money_verdict(self) -> str | None:
        """The money in one sentence that agrees with the figures (reduction.verdict); None without money."""
        from planvalidator.reduction import verdict
        return None if self.money is None else verdict(self.money, self.cut)

    @property
    def open_findings(self) -> list[Finding]:
        """The findings nobody has accepted: what counts, decides the verdict and the exit code."""
        return [f for f in self.findings if f.accepted is None]

    @property
    def accepted(self) -> list[Finding]:
        return [f for f in self.findings if f.accepted is not None]

    @property
    def counts(self) -> dict[str, int]:
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
        return "確認してください" if self.counts["warning"] else "問題は見つかりませんでした"

    def to_dict(self) -> dict:
        return {
            "file": self.file,
            "template": self.template,
            "error": None,
            "summary": self.counts,            # (the JSON key stays: a stable name users read)
            "accepted": len(self.accepted),
            "incomplete": self.incomplete,
            "findings": [f.to_dict() for f in self.findings],
            "money": money_dict(self.money, self.cut),
            "next_steps": self.next_steps,
            "advice": None,                    # (a file that could not be checked: what the applicant does)
            "analyser": analyser(),
            "analyser_note": analyser_note(),
        }


def analyser() -> str:
    """How the expense lines were read: 「sudachi」 (SudachiPy: words and the object bought) or 「fallback」
    (the word lists alone, as in Pyodide: more findings on words only mentioned — docs/checks.md)."""
    from planvalidator.japanese import installed
    return "sudachi" if installed() else "fallback"


FALLBACK_NOTE = ("この環境には日本語の解析器（SudachiPy）がないため、品名・内容は語の一覧と行の終わり（「…の試作」「…の印刷」は作業）"
                 "だけで判断しています。長い語の一部（「パソコン教室」の「パソコン」）も数えるので、汎用品の指摘（PV102）が"
                 "コマンドラインのチェックより多く出ることがあります（ラベル付きの 944 行で、指摘なしが正解の 351 行のうち"
                 "コマンドラインは 1 行、この環境は 16 行に指摘。docs/checks.md）")


def analyser_note() -> str | None:
    """What differs when the expense lines are read without SudachiPy (None when it is there), for the page."""
    return FALLBACK_NOTE if analyser() == "fallback" else None


def money_dict(money, cut) -> dict | None:
    """The money of a report for JSON (stable keys): the summary over every row, and without the rows
    found ineligible (the expected 減額)."""
    from planvalidator.findings import plain

    if money is None:
        return None
    from planvalidator.reduction import verdict

    d = {"category": money.category, "rate": money.rate, "cap": money.cap, "eligible": plain(money.eligible),
         "limit": money.limit, "requested": plain(money.requested), "within": money.within,
         "verdict": verdict(money, cut),
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
    return set(running(context.program, selection))


def run_rules(plan: Plan, context: Context, selection: Selection, wanted: set[str]) -> list[Finding]:
    """The findings of the ``wanted`` rules at their graded severity, texts rendered for the program;
    a rule that raises becomes one PV900 finding."""
    from planvalidator import rules, validation

    catalogue = {r.code: r for r in rules.all_rules()}
    findings = [catalogue[p.rule].finding(p.sheet, p.cell, p.message, Severity(p.severity) if p.severity else None,
                                          value=p.value) for p in plan.problems]
    if wanted & set(rules.SCHEMA_RULES):
        findings += rules.run("PV001〜PV006（シートのスキーマ）", validation.validate, plan)
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
            from planvalidator.facts import render      # (here: a file without such findings never needs it)

            f = replace(f, reference=render(f.reference, context.program, plan.layout))
        out.append(f)
    return out


def check(plan: Plan, options: Options | None = None, *, file: str | None = None,
          attachments: list | None = None, figures: dict | None = None) -> Report:
    """Check a read plan: the findings, sorted by sheet and cell, accepted ones marked.
    ``attachments``: the files submitted with it (planvalidator.attachments), when known; ``figures``: a JSON
    plan's figures for the numeric eligibility tests (planvalidator/rules/applicant_figures.py)."""
    from planvalidator import accepted

    options = options or Options()
    context = Context(plan, attachments, options.course, figures, template=_template(plan))
    if options.course:
        from planvalidator.errors import CannotCheck
        from planvalidator.profiles import ProfileError
        try:
            context.course                      # the course --program names, or the plan's 事業区分 in it
        except ProfileError as exc:
            raise CannotCheck(f"--program {options.course}: {exc}", file=file or plan.source) from None
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
    findings, steps = _guidance(plan, context, findings)
    return Report(file=file or plan.source, template=plan.template, findings=findings, plan=plan, context=context,
                  kept_marks=kept, unmatched_accepts=unmatched, money=money, cut=cut, ran=frozenset(ran),
                  next_steps=steps)


def _guidance(plan: Plan, context: Context, findings: list[Finding]) -> tuple[list[Finding], dict | None]:
    """The findings with their field's name, the value as written and the advice; and what comes next.
    Like the money, what comes next must not lose the findings (a workbook it cannot read gets none)."""
    from planvalidator import guidance

    findings = guidance.described(findings, plan, context)
    try:
        steps = guidance.next_steps(plan, context)
    except Exception:  # noqa: BLE001 — the findings stand without it
        steps = None
    return findings, steps


def _template(plan: Plan):
    """The official template (where everything is, its grid) for the rules that compare with it (PV012),
    read when first asked for."""
    def read():
        from planvalidator.locate import official_placement
        return official_placement(plan.layout)
    return read


def _money(plan: Plan, context: Context, findings: list[Finding]):
    """The money summary and the cut (the rows found ineligible taken out), from the final findings.
    A workbook whose money cannot be computed gets none: the findings stand (the money rules that
    could not run are named as PV900)."""
    from planvalidator.reduction import cut_summary

    try:
        return context.money, cut_summary(plan, context.calculator, context.category, findings)
    except Exception:  # noqa: BLE001 — the summary must not lose the findings
        return None, None


def check_file(path: str | Path, options: Options | None = None, *, attachments: list | None = None,
               file: str | None = None, figures: dict | None = None) -> Report:
    from planvalidator.reader import read

    return check(read(path), options, file=file or str(path), attachments=attachments, figures=figures)
