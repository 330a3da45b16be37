"""The typed context a rule reads (``def rule(plan: Plan, context: Context)``).

Everything here is built once per plan, when a rule first asks: the template's program (program.yaml) and
the course (schemas/programs/) the plan is checked under, the 事業区分, the template's arithmetic, the words
of an expense family, the application period. The engine makes one per check; the rules only read it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING

from planvalidator.calc import Calculator, MoneySummary, calculate, money_summary
from planvalidator.expected_formulas import ExpectedFormulas, expected_formulas
from planvalidator.grid import Grid
from planvalidator.normalize import canon, date_or_none
from planvalidator.plan import Plan
from planvalidator.program import Category, Program, load_program
from planvalidator.structs import Struct, compared_on

if TYPE_CHECKING:
    from planvalidator.attachments import Attachment
    from planvalidator.keywords import KeywordSet
    from planvalidator.locate import Placement
    from planvalidator.profiles import Course


class Context(Struct, dict=True):
    """What a rule may read beside the plan, computed once per plan and only when first asked for: the program
    (program.yaml) and the course (a profile's) it is checked under, the 事業区分, the arithmetic, the words."""
    plan: Plan
    # the files submitted with the workbook (planvalidator.attachments.Attachment each), when they were
    # given (``planvalidator batch``); None: not known, and the attachment rules say nothing
    attachments: list[Attachment] | None = None
    course_name: str | None = None      # --program ID[:COURSE]: check under that profile course's figures
    figures: dict | None = None         # a JSON plan's figures (the numeric eligibility tests), when given
    # the version's official blank template and where everything is in it, read when a rule first asks (PV012
    # compares formulas with it); None: not given, or the version has no template file
    template: Callable[[], tuple[Placement, Grid] | None] | None = None
    _keyword_texts: dict[str, bool] = {}      # (remembered: could_hold_keyword's answers)
    _keyword_rows: dict[tuple, tuple] = {}    # (remembered: keyword_rows' answers)
    __eq__, __hash__ = compared_on("plan", "attachments", "course_name", "figures", "template", hashable=False)

    @cached_property
    def _official(self) -> tuple[Placement, Grid] | None:
        return self.template() if self.template is not None else None

    @property
    def reference(self) -> Grid | None:
        """The official template of the plan's version as a grid (values, formulas, merges), or None."""
        return self._official[1] if self._official else None

    @property
    def reference_placement(self) -> Placement | None:
        """Where the official template has each field and table (to compare a moved column with), or None."""
        return self._official[0] if self._official else None

    @cached_property
    def course(self) -> Course | None:
        """The program course (planvalidator.profiles.Course) the plan is checked under: the one --program
        names, else the one the workbook's 事業区分 names in its template's profile (None if none)."""
        from planvalidator import profiles

        if self.course_name:
            return profiles.resolve(self.course_name, self.plan.value("applicant", "category"))
        return profiles.default_course(self.plan.template, self.plan.value("applicant", "category"))

    @cached_property
    def audiences(self) -> tuple[str, ...]:
        """The 対象者 (schemas/applicants.yaml names) of the course the plan is checked under; with no course
        (a 事業区分 left out or unknown), those of every course of its template's profile."""
        from planvalidator import profiles

        if self.course is not None:
            return self.course.org_types
        names: dict[str, None] = {}
        for profile in profiles.of_template(self.plan.template):
            for course in profile.courses.values():
                names.update(dict.fromkeys(course.org_types))
        return tuple(names)

    @cached_property
    def program(self) -> Program:
        return load_program(self.plan.layout.folder)

    @cached_property
    def calculator(self) -> Calculator:
        """The template's arithmetic, as the workbook's own formulas do it — with the 事業区分 it names, also
        under --program (its 助成金申請可能額（目安） follows that 事業区分, not the course checked against)."""
        return calculate(self.plan, self.program, self.named_category)

    @cached_property
    def expected_formulas(self) -> ExpectedFormulas:
        """The official template's formulas at this workbook's addresses (rows inserted, columns moved):
        what PV012 compares with and what a fix writes back where a total was typed over."""
        return expected_formulas(self.plan, self.reference, self.reference_placement)

    @cached_property
    def money(self) -> MoneySummary:
        """The money summary (助成対象経費, the most that can be requested, 申請額) for reports."""
        return money_summary(self.plan, self.calculator, self.category)

    def keywords(self, family: str) -> KeywordSet:
        """The words of one family of the template's program (PV102 汎用品 …), less the categories the course
        takes out (its ``expenses.remove``)."""
        return self.program.keywords(family, self._removed_categories)

    def could_hold_keyword(self, text: str) -> bool:
        """False when no term of any family of :meth:`keywords` occurs in ``text`` (the families' literals in one
        prefilter, planvalidator.keywords.union): asked once per text in a check, however many families read it."""
        seen = self._keyword_texts
        if text not in seen:
            seen[text] = self._keyword_union.could_match(text)
        return seen[text]

    def keyword_rows(self, table, columns: tuple[str, ...]) -> list[tuple[object, dict]]:
        """The rows of ``table`` (:meth:`planvalidator.plan.Table.rows`) with a text in one of ``columns`` that
        :meth:`could_hold_keyword`: the rows any family's words can be found in, picked once per check."""
        key = (id(table), columns)
        known = self._keyword_rows.get(key)
        if known is None or known[0] is not table:
            rows = [(record, row) for record, row in table.rows()
                    if any(row.get(c) and self.could_hold_keyword(str(row[c])) for c in columns)]
            known = self._keyword_rows[key] = (table, rows)
        return known[1]

    @cached_property
    def _keyword_union(self):
        return self.program.keyword_union(self._removed_categories)

    @property
    def _removed_categories(self) -> frozenset[str]:
        return self.course.removed_categories if self.course is not None else frozenset()

    @cached_property
    def reading(self) -> Callable[[str], object] | None:
        """folded text → its Japanese reading (planvalidator/japanese.py), or None without SudachiPy."""
        from planvalidator import japanese

        if not japanese.installed():
            return None
        vocabulary = self.program.reading_vocabulary
        return lambda folded: japanese.read(folded, vocabulary)   # (the dictionary loads on the first text read)

    @cached_property
    def rough_kind(self) -> Callable[[str], str] | None:
        """Without SudachiPy, folded text → 「job」 when the line pays for a job (japanese.rough_kind); None with it."""
        from planvalidator import japanese

        if japanese.installed():
            return None
        vocabulary = self.program.reading_vocabulary
        return lambda folded: japanese.rough_kind(folded, vocabulary)

    @cached_property
    def named_category(self) -> Category | None:
        """The 事業区分 (program Category) the workbook names, or None."""
        return self.program.category(self.plan.value("applicant", "category"))

    @cached_property
    def category(self) -> Category | None:
        """What the plan is checked against: the 事業区分 the applicant chose; under --program, that course."""
        return self.course.as_category() if self.course_name else self.named_category

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
