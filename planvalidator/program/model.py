"""The program as the rules read it: typed views of program.yaml's validated values (事業区分, 期間,
申請者, 経費, 提出書類). Nothing here reads a file or knows a rule; :mod:`planvalidator.program.load`
builds a :class:`Program` and :mod:`planvalidator.selection` decides which rules apply to it.
"""

from __future__ import annotations

import datetime as dt
import re
from fractions import Fraction
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from planvalidator.normalize import canon, nfkc
from planvalidator.structs import Frozen, compared_on
from planvalidator.wareki import wareki_year

if TYPE_CHECKING:
    from planvalidator.program.store import Record


class Category(Frozen):
    """A 事業区分 (or a course of another program): its rate, cap and who may apply."""
    code: str          # "7" / "8"
    name: str
    rate: Fraction
    cap: int
    source: str
    org_types: tuple[str, ...] = ()
    max_employees: int | None = None
    title: str | None = None         # a course of another program (--program): its name, not 「区分7」

    @property
    def rate_text(self) -> str:
        return f"{self.rate.numerator}/{self.rate.denominator}"

    @property
    def label(self) -> str:
        """「区分7」, as the 公募要領 names a category."""
        return f"区分{self.code}"

    @property
    def called(self) -> str:
        """How a message names it: 「事業区分7」, or a course's name (「高付加価値化」)."""
        return self.title or f"事業区分{self.code}"


class SmeLimit(Frozen):
    """The 中小企業者 limits (capital, employees)."""
    capital: int
    employees: int


class NextSteps(Frozen):
    """What comes after a check without errors: how to submit, what only the reviewers judge (公募要領)."""
    submit: str
    reviewers: tuple[str, ...]
    source: str = ""


class Document(Frozen):
    """A document to submit (提出書類), and the keywords that recognise its file."""
    id: str
    name: str
    keywords: tuple[str, ...]
    when: str          # always / group / innovation_plan / partnership

    def matches(self, title: str | None) -> bool:
        text = canon(title or "")
        return any(canon(k) in text for k in self.keywords)


class AttachmentKind(Frozen):
    """A kind of submitted document (program.yaml ``attachments.kinds``): 貸借対照表, 同意書 …

    The word lists are kept folded (:func:`canon`: NFKC, no white space, case-folded), the form
    the text of a PDF and a file name are compared in (planvalidator/attachments.py)."""
    id: str
    name: str
    document: str                      # the documents entry it belongs to (financials, consent …)
    words: tuple[str, ...]             # in the text or the file name
    file_words: tuple[str, ...] = ()   # in the file name only
    titles: tuple[str, ...] = ()       # at the head of a page only
    with_: tuple[str, ...] = ()        # the text must also have one of these


class AttachmentBundle(Frozen):
    """A file name that stands for several documents when only the name is known (「決算書.pdf」)."""
    words: tuple[str, ...]
    kinds: tuple[str, ...]


class AttachmentVocabulary(Frozen):
    """What the submitted files are recognised by and what each applicant must submit
    (program.yaml ``attachments``, 公募要領 6.(3))."""
    source: str
    periods: int                                  # 直近2期分 → 2
    kinds: dict[str, AttachmentKind]
    bundles: tuple[AttachmentBundle, ...]
    required: dict[str, tuple[str, ...]]         # org type key → the kind ids of ② it must submit
    # the months after a period's end during which its 決算 may still be open (attachments.recency);
    # None: the program says nothing, and whether the periods are the latest is not judged
    closing_months: int | None = None

    def kinds_of(self, document: str) -> tuple[str, ...]:
        """The kind ids that belong to one documents entry (「innovation」→ 経営革新計画の承認書)."""
        return tuple(k for k, kind in self.kinds.items() if kind.document == document)

    @property
    def financial_documents(self) -> frozenset[str]:
        """The documents entries the required kinds belong to (② 直近2期分の決算書等)."""
        return frozenset(self.kinds[k].document for kinds in self.required.values() for k in kinds)

    def names(self, kinds) -> str:
        """「損益計算書・法人税申告書 別表二」."""
        return "・".join(self.kinds[k].name for k in kinds if k in self.kinds)


class ApplicationWindow(Frozen):
    """When applications are received (募集期間), as a program's document states it."""
    start: dt.date | None       # None: only the last day is given (「令和7年7月4日(金)まで」)
    end: dt.date
    written: str                # as the document writes it
    source: str                 # its clause

    @classmethod
    def of(cls, spec) -> "ApplicationWindow | None":
        """The window of validated YAML (a Record or a pydantic model), or None."""
        if spec is None:
            return None
        get = spec.get if isinstance(spec, dict) else lambda key: getattr(spec, key)
        return cls(get("start"), get("end"), get("written"), get("source"))


class Organisation(Frozen):
    """The organisation that runs the program."""
    name: str          # 公益財団法人石川県産業創出支援機構
    short: str         # ISICO


class Region(Frozen):
    """Where applicants must have an office (公募要領 2.): a prefecture and its municipalities."""
    prefecture: str
    municipalities: tuple[str, ...]
    prefectures: tuple[str, ...]   # every prefecture (an address starting with another one is outside)


class DeemedLarge(Frozen):
    """The shares above which an SME counts as a large company (みなし大企業)."""
    single_owner_share: Fraction   # ① 同一の大企業が所有
    combined_share: Fraction       # ② 大企業が合わせて所有
    officer_share: Fraction        # ③ 大企業の役員・職員を兼ねる役員
    not_large: tuple[str, ...]     # ③ただし書き: 大企業として扱わない者


class ContentRules(Frozen):
    """What the plan's written sections must hold (length, no placeholders, activity kinds)."""
    min_section_chars: int
    placeholders: tuple[str, ...]
    activity_kinds: dict[str, str]  # development / research / sales → 計画様式4 の区分


class Contradiction(Frozen):
    """A wording that plainly contradicts an 経費内訳's definition (program.yaml category_fit)."""
    label: str
    terms: tuple[str, ...]
    with_: tuple[str, ...]       # all of: one of terms, one of these (when given), none of unless
    unless: tuple[str, ...]
    severity: str


class ItemFit(Frozen):
    """A 経費内訳 and the words that contradict its definition."""
    item: str                    # the 経費内訳 as program.yaml writes it
    definition: str
    contradicts: tuple[Contradiction, ...]


class Program(Frozen, dict=True):
    """The program as the rules read it, built from program.yaml's validated values."""
    name: str
    categories: dict[str, Category]
    estimate_rounding: int
    raw: dict                           # the YAML as read (validated)
    spec: "Record" = None               # the validated values
    __eq__, __hash__ = compared_on("name", "categories", "estimate_rounding")

    def category(self, value) -> Category | None:
        """The 事業区分 a 計画様式1 value names (「7 中小企業等…」, 「７」, 「区分8」)."""
        if value is None:
            return None
        text = nfkc(str(value)).strip()
        for code, cat in self.categories.items():
            if text.startswith(code) or text == f"区分{code}" or text == f"事業区分{code}":
                return cat
        return None

    @property
    def small_category(self) -> Category | None:
        """The category limited by employee numbers (区分8 小規模企業者), if the program has one."""
        return next((c for c in self.categories.values() if c.max_employees is not None), None)

    # --- 実施主体 ---------------------------------------------------------------
    @property
    def organisation(self) -> Organisation:
        o = self.spec.organisation
        return Organisation(o.name, o.short)

    # --- 事業実施期間 --------------------------------------------------------
    @property
    def earliest_grant_date(self) -> dt.date:
        return self.spec.period.earliest_grant_date

    @property
    def grant_notice(self) -> str:
        """When the 審査結果通知 is due, as the 公募要領 writes it (「令和7年9月」)."""
        return self.spec.period.grant_notice

    @cached_property
    def first_fiscal_year(self) -> int:         # (asked for every row's 年度)
        return self.spec.period.first_fiscal_year

    @property
    def max_years(self) -> int:
        return self.spec.period.max_years

    @cached_property
    def application_window(self) -> ApplicationWindow | None:
        """The 募集期間 (program.yaml ``application_window``), or None when the file gives none."""
        return ApplicationWindow.of(self.spec.get("application_window"))

    def fiscal_year(self, year_label: str | None) -> tuple[dt.date, dt.date] | None:
        """First and last day of 「1年目」「2年目」…: 1年目 = the fiscal year of the first 交付決定."""
        if not year_label:
            return None
        return _fiscal_year(self.first_fiscal_year, str(year_label))

    def fiscal_year_name(self, n: int) -> str:
        """The 和暦 name of the n-th year of the project: 1 → 「令和7年度」."""
        return f"{wareki_year(dt.date(self.first_fiscal_year + n - 1, 4, 1))}度"

    # --- 申請者 -----------------------------------------------------------------
    @cached_property
    def sme_limits(self) -> dict[str, SmeLimit]:
        return {canon(k): SmeLimit(v.capital, v.employees) for k, v in self.spec.sme.industries.items()}

    @property
    def sme_industries(self) -> dict[str, SmeLimit]:
        """{主たる業種 as written in program.yaml: limits}, in the file's order."""
        return {k: SmeLimit(v.capital, v.employees) for k, v in self.spec.sme.industries.items()}

    def sme_limit(self, industry: str | None) -> SmeLimit | None:
        return self.sme_limits.get(canon(industry or ""))

    @property
    def sme_judged_org_types(self) -> tuple[str, ...]:
        """The 組織形態 judged by the 中小企業者 limits (法人, 個人事業主)."""
        return tuple(self.spec.sme.judged_org_types)

    @cached_property
    def deemed_large(self) -> DeemedLarge:
        d = self.spec.deemed_large
        return DeemedLarge(d.single_owner_share, d.combined_share, d.officer_share, tuple(d.not_large))

    @cached_property
    def region(self) -> Region:
        r = self.spec.region
        return Region(r.prefecture, tuple(r.municipalities), tuple(r.prefectures))

    @cached_property
    def org_types(self) -> dict[str, str]:
        """{key: 組織形態 as 計画様式1 offers it}: corporation, sole_proprietor, cooperative, group."""
        return dict(self.spec.org_types)

    def org_type(self, key: str) -> str:
        return self.org_types[key]

    @property
    def group_min_members(self) -> int:
        return self.spec.group.min_members

    # --- 経費 -------------------------------------------------------------------
    @cached_property
    def expense_items(self) -> dict[str, tuple[str, ...]]:
        return {k: tuple(v) for k, v in self.spec.expense_categories["items"].items()}

    @property
    def rental_items(self) -> tuple[str, ...]:
        return tuple(self.spec.expense_categories.rental_items)

    @property
    def rental_words(self) -> tuple[str, ...]:
        return tuple(self.spec.expense_categories.rental_words)

    @property
    def rental_purposes(self) -> tuple[str, ...]:
        return tuple(self.spec.expense_categories.rental_purposes)

    @property
    def outsourcing_items(self) -> tuple[str, ...]:
        return tuple(self.spec.expense_categories.outsourcing_items)

    @property
    def asset_register_price(self) -> int:
        """取得財産等管理台帳の対象となる 1 件あたりの取得価格（税抜）."""
        return self.spec.asset_register_price

    @property
    def consumption_tax_rate(self) -> Fraction | None:
        """消費税及び地方消費税の標準税率（1/10）; None: not given (no 税込 → 税抜 fix)."""
        return self.spec.consumption_tax_rate

    @property
    def whole_outsourcing_share(self) -> Fraction:
        return self.spec.whole_outsourcing_share

    # --- 計画の内容・提出書類 -----------------------------------------------------
    @cached_property
    def content(self) -> ContentRules:
        c = self.spec.content
        return ContentRules(c.min_section_chars, tuple(c.placeholders), dict(c.activity_kinds))

    @cached_property
    def documents(self) -> list[Document]:
        return [Document(d.id, d.name, tuple(d.keywords), d.when) for d in self.spec.documents.entries]

    @cached_property
    def next_steps(self) -> NextSteps | None:
        """How to submit and what only the reviewers judge (program.yaml ``next_steps``), or None."""
        n = self.spec.get("next_steps")
        return None if n is None else NextSteps(n.submit.strip(), tuple(n.reviewers), n.get("source", ""))

    @cached_property
    def attachments(self) -> AttachmentVocabulary | None:
        """The vocabulary of submitted files (program.yaml ``attachments``), or None when the program has none."""
        a = self.spec.get("attachments")
        if a is None:
            return None
        folded = lambda words: tuple(canon(w) for w in words or ())  # noqa: E731
        kinds = {k: AttachmentKind(k, v.name, v.document, folded(v.words), folded(v.get("file_words")),
                                   folded(v.get("titles")), folded(v.get("with_")))
                 for k, v in a.kinds.items()}
        bundles = tuple(AttachmentBundle(folded(b.words), tuple(b.kinds)) for b in a.get("bundles") or ())
        required = {org: tuple(v) for org, v in a.required.items()}
        recency = a.get("recency")
        return AttachmentVocabulary(a.get("source", ""), a.periods, kinds, bundles, required,
                                    recency.closing_months if recency else None)

    @cached_property
    def category_fit(self) -> dict[str, "ItemFit"]:
        """{経費内訳 (folded): its definition and the wordings that contradict it} (program.yaml category_fit)."""
        from planvalidator.keywords import fold

        out = {}
        for item, spec in self.spec.category_fit["items"].items():
            out[fold(item)] = ItemFit(item, spec["definition"], tuple(
                Contradiction(c["label"], tuple(map(fold, c["terms"])), tuple(map(fold, c.get("with_") or ())),
                              tuple(map(fold, c.get("unless") or ())), c.get("severity", "error"))
                for c in spec["contradicts"]))
        return out

    @cached_property
    def reading_vocabulary(self):
        """The words that shape an expense line (program.yaml expense_reading), for japanese.read."""
        from planvalidator.japanese import Vocabulary
        from planvalidator.keywords import fold

        r = self.spec.expense_reading
        words = lambda key: frozenset(fold(w) for w in r[key])  # noqa: E731
        return Vocabulary(words("purchase_words"), words("job_words"), words("rental_words"), words("model_words"),
                          words("edition_words"))

    @cached_property
    def _keyword_sets(self) -> dict:
        return {}

    def keywords(self, family: str, removed: frozenset[str] = frozenset()):
        """The compiled words of one family (汎用品, 間接経費 …): the expense vocabulary's categories the family
        names, less those a course takes out (``removed``); built once per program and set."""
        from planvalidator.expense_vocabulary import vocabulary
        from planvalidator.keywords import KeywordSet

        sets = self._keyword_sets
        key = (family, removed)
        if key not in sets:
            spec = getattr(self.spec.keywords, family)
            sets[key] = KeywordSet.of(vocabulary(), [c for c in spec.categories if c not in removed],
                                      source=spec.source, unsure_text=spec.unsure_text,
                                      object_only=spec.object_only, skip_jobs=spec.skip_jobs)
        return sets[key]

    def keyword_union(self, removed: frozenset[str] = frozenset()):
        """Every family's literals in one prefilter (:func:`planvalidator.keywords.union`): a cell none of
        them occurs in is passed over by every family at once; built once per program and set."""
        from planvalidator.keywords import union

        sets = self._keyword_sets
        key = (None, removed)
        if key not in sets:
            sets[key] = union(self.keywords(family, removed) for family in self.spec.keywords)
        return sets[key]

    def keyword_family(self, family: str):
        """A family as program.yaml writes it (source, categories …)."""
        return getattr(self.spec.keywords, family)


@lru_cache(maxsize=1 << 10)
def _fiscal_year(first_fiscal_year: int, year_label: str) -> tuple[dt.date, dt.date] | None:
    """:meth:`Program.fiscal_year` of one 年度 text (remembered: every row of a table names its 年度)."""
    m = re.fullmatch(r"\s*(\d+)\s*年目\s*", nfkc(year_label))
    if not m:
        return None
    start = first_fiscal_year + int(m.group(1)) - 1
    return dt.date(start, 4, 1), dt.date(start + 1, 3, 31)
