"""The one finding model every check produces and every report and annotation reads."""

from __future__ import annotations

from enum import Enum

from planvalidator.structs import Frozen, asdict, compared_on


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def label(self) -> str:
        return {"error": "エラー", "warning": "警告", "info": "情報"}[self.value]

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


def cell_key(cell: str | None) -> tuple[int, int]:
    """Sort key for an A1 address: row first, then column."""
    from planvalidator.address import parse_a1
    return parse_a1(cell) or (0, 0)


class Edit(Frozen):
    """One cell a fix writes: a value (a number, a date, a text) or a formula (「=G6*I6」)."""
    sheet: str
    cell: str
    value: object = None
    formula: str | None = None

    def to_dict(self) -> dict:
        d = {"sheet": self.sheet, "cell": self.cell}
        if self.formula is not None:
            d["formula"] = self.formula
        else:
            d["value"] = plain(self.value)
        return d

    @property
    def shown(self) -> str:
        """The new content as the applicant would type it (for --diff and the pages)."""
        if self.formula is not None:
            return self.formula
        if self.value is None or self.value == "":
            return "（空）"
        if isinstance(self.value, (int, float)) and not isinstance(self.value, bool):
            return f"{self.value:,.0f}" if float(self.value).is_integer() else f"{self.value:,}"
        return str(plain(self.value))


SAFE, UNSAFE = "safe", "unsafe"


class Fix(Frozen):
    """What a finding's rule would write to correct it: ``safety`` 「safe」 (one right answer, applied by
    ``planvalidator fix``) or 「unsafe」 (a judgement the applicant confirms: applied only with --unsafe)."""
    safety: str
    edits: tuple[Edit, ...]
    summary: str = ""          # Japanese, one line: 「様式の計算式 =G9*I9 に戻します」

    def to_dict(self) -> dict:
        return {"safety": self.safety, "summary": self.summary, "edits": [e.to_dict() for e in self.edits]}

    @property
    def safe(self) -> bool:
        return self.safety == SAFE


class Finding(Frozen):
    """One finding of a rule: where, what and how to fix it."""
    rule: str          # PVnnn
    name: str          # kebab-case
    severity: Severity
    sheet: str | None
    cell: str | None   # A1 style
    message: str       # Japanese
    reference: str     # clause of the source document
    # machine fields (frictionless-style): what the rule read and, where it knows it, what it expected
    field: str | None = None                                    # layout key: "expenses.amount", "applicant.category"
    value: object = None
    expected: object = None
    accepted: str | None = None  # the reviewer's 確認済み note
    attachment: str | None = None      # the submitted file the finding is about (planvalidator batch), e.g. 決算書.pdf
    fix: Fix | None = None   # the rule's correction, if it has one
    # for the applicant (planvalidator.guidance, once the findings are final): the field's Japanese name
    # (「計画様式7 経費明細 No.1 発注予定日」), the cell as they wrote it (「令和7年7月1日」) and what to change
    label: str | None = None
    written: str | None = None
    advice: str | None = None
    # two findings are the same finding when these are: what a rule read, what it expected, the fix it offers,
    # the reviewer's note and the words for the applicant do not make them differ (sort_findings keeps one)
    __eq__, __hash__ = compared_on("rule", "name", "severity", "sheet", "cell", "message", "reference", "field",
                                   "attachment")

    @property
    def row(self) -> int | None:
        return cell_key(self.cell)[0] or None if self.cell else None

    @property
    def column(self) -> int | None:
        return cell_key(self.cell)[1] or None if self.cell else None

    def to_dict(self) -> dict:
        d = {k: v for k, v in asdict(self).items() if k not in ("value", "expected", "accepted", "fix")}
        d["severity"] = self.severity.value
        d.update(row=self.row, column=self.column, value=plain(self.value), expected=plain(self.expected),
                 accepted=self.accepted is not None, accepted_note=self.accepted,
                 place=self.place, advice=self.advice or "", help=self.rule)
        d["fix"] = self.fix.to_dict() if self.fix is not None else None
        return d

    @property
    def where(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or self.attachment or ""

    @property
    def place(self) -> str:
        """Where, in the applicant's words: 「計画様式7 経費明細 No.1 発注予定日（L6）」; without a field's name,
        「計画様式7!L6」, the sheet or the attached file."""
        if self.label:
            return f"{self.label}（{self.cell}）" if self.cell else self.label
        return self.where


def plain(value):
    """A value as JSON holds it: dates as ISO text, whole floats as ints, fractions as 「2/3」."""
    import datetime as dt
    from fractions import Fraction

    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if value is None or isinstance(value, (int, str, bool)):
        return value
    return str(value)


def sort_findings(findings, sheet_order: list[str] | None = None) -> list[Finding]:
    order = {name: i for i, name in enumerate(sheet_order or [])}
    return sorted(
        set(findings),
        key=lambda f: (order.get(f.sheet or "", len(order)), f.sheet or "",
                       cell_key(f.cell), f.severity.rank, f.rule, f.message),
    )
