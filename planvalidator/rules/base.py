"""What a rule is (code, name, severity, doc, clause), how one is defined and registered, and how one runs
(a rule that raises is a PV900 finding, not a lost file). The rules themselves are the family modules
beside this one; :mod:`planvalidator.rules` is their catalogue."""

from __future__ import annotations

from typing import Callable, Iterable

from planvalidator.findings import Finding, Fix, Severity
from planvalidator.structs import Frozen, replace

FAMILIES = {
    "PV0": "form", "PV1": "expenses", "PV2": "money",
    "PV3": "applicant", "PV4": "documents", "PV5": "content", "PV9": "internal",
}


class Rule(Frozen):
    """A rule of the catalogue: its code, name, severity, message and reference."""
    code: str
    name: str
    severity: Severity
    brief: str            # one line, Japanese (may quote program facts: see planvalidator/facts.py)
    doc: str              # what it checks, why, an example (Japanese, may quote program facts)
    reference: str        # the clause of the source document (may quote program facts)
    reads: tuple[str, ...] = ()   # the program.yaml keys it reads ("categories", "period.earliest_grant_date")
    fixes: str = ""       # the corrections its findings carry (Japanese: 安全な修正 / 確認が必要な修正), "" if none
    advice: str = ""      # what the applicant changes (Japanese, may quote program facts): the 直し方 of every output

    @property
    def title(self) -> str:
        return f"{self.code}（{self.name}）"

    @property
    def family(self) -> str:
        return FAMILIES.get(self.code[:3], "other")

    def rendered(self, program, layout) -> "Rule":
        """This rule with its texts filled with a program's and a template version's facts."""
        from planvalidator.facts import render
        return replace(self, brief=render(self.brief, program, layout), doc=render(self.doc, program, layout),
                       reference=render(self.reference, program, layout),
                       fixes=render(self.fixes, program, layout) if self.fixes else "",
                       advice=render(self.advice, program, layout))

    def finding(self, sheet: str | None, cell: str | None, message: str,
                severity: Severity | None = None, reference: str | None = None, *,
                field: str | None = None, value=None, expected=None, fix: Fix | None = None) -> Finding:
        """A finding of this rule; ``field`` is the layout key (「expenses.amount」), ``value`` what was
        read there and ``expected`` what the rule expected, where it knows; ``fix`` the correction
        (planvalidator fix), which only a rule whose ``fixes`` says so gives."""
        if len(message) > MAX_MESSAGE:      # a message quoting a huge value must fit a cell and a note
            message = message[:MAX_MESSAGE - 1] + "…"
        return Finding(self.code, self.name, severity or self.severity, sheet, cell, message,
                       reference or self.reference, field=field, value=value, expected=expected, fix=fix)


MAX_MESSAGE = 1_000        # characters of one finding's message

REGISTRY: dict[str, Rule] = {}
SCHEMA_RULES = ("PV001", "PV002", "PV003", "PV004", "PV005", "PV006")   # what planvalidator.validation.validate reports
IMPLEMENTATIONS: list[tuple[Rule, Callable]] = []


def define(code: str, name: str, severity: str, brief: str, reference: str, doc: str,
           reads: tuple[str, ...] = (), fixes: str = "", *, advice: str = "") -> Rule:
    """A rule registered; ``fixes``: what its findings' fixes write (shown by its doc, ``planvalidator rules``);
    ``advice`` is what the applicant changes when it finds something — written from its doc and clause,
    specific, and without blame where the template or our reading may be at fault."""
    if code in REGISTRY:
        raise ValueError(f"duplicate rule code {code}")
    rule = Rule(code, name, Severity(severity), brief, doc.strip(), reference, tuple(reads), fixes.strip(),
                advice.strip())
    REGISTRY[code] = rule
    return rule


def implements(rule: Rule):
    """Register ``fn(plan, context) -> Iterable[Finding]`` as what ``rule`` runs."""
    def wrap(fn: Callable[..., Iterable[Finding]]):
        IMPLEMENTATIONS.append((rule, fn))
        return fn
    return wrap


RULE_FAILED = define(
    "PV900", "rule-failed", "error", "規則の実行に失敗しました（チェックが完了していません）",
    "planvalidator の不具合",
    """
何を: ある規則がこのブックで予期しないエラーを起こしたとき、その規則の名前とエラーを知らせます。
ほかの規則の指摘はそのまま出し、終了コードは 2（チェックできなかった部分がある）になります。
なぜ: 1 つの規則の失敗でファイル全体の結果を失わないためです。この指摘は申請者の誤りではありません。
例: 規則 PV201 が失敗 → 「規則 PV201（amount-mismatch）を実行できませんでした（KeyError: …）」。
""",
    advice="申請者が直すことはありません。planvalidator の不具合なので、ほかの指摘を直したうえで、この指摘を {organisation_short} か planvalidator の担当に知らせてください。")


def run(what: str, fn: Callable, *args) -> list[Finding]:
    """A check's findings; if it raises, one PV900 finding naming it (``what``: 「PV201（amount-mismatch）」)."""
    try:
        return list(fn(*args))
    except Exception as exc:  # a rule's bug must not lose the file's other findings
        detail = f"{type(exc).__name__}: {exc}".strip().splitlines()[0][:200]
        return [RULE_FAILED.finding(None, None, f"規則 {what} を実行できませんでした（{detail}）。"
                                               f"ほかの規則の結果は有効です")]
