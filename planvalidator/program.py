"""Program parameters (schemas/<version>/program.yaml): rates, caps, periods, expense lists, keywords.

Everything a rule needs to know about the program lives in that file, with the clause it comes
from; this module gives it types. The file is validated when it is loaded (pydantic models that
forbid unknown keys): a misspelt key or a value of the wrong type stops the check with one line
naming the file and the key (「schemas/r7/program.yaml の categories.7.rate: 整数の組 [分子, 分母]
にしてください」), never a rule that fails later on a missing value.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Annotated, Literal

from planvalidator.errors import CannotCheck
from planvalidator.normalize import canon, nfkc
from planvalidator.resources import load_yaml


# --- the file's shape (validated when loaded) ---------------------------------------------------

def _ratio(value) -> Fraction:
    """[分子, 分母] → Fraction (the way program.yaml writes 2/3)."""
    from pydantic_core import PydanticCustomError

    if (isinstance(value, (list, tuple)) and len(value) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) for v in value) and value[1] > 0):
        return Fraction(value[0], value[1])
    raise PydanticCustomError("ratio", "整数の組 [分子, 分母] にしてください（例: [2, 3]）")


def _models():
    """The pydantic models of program.yaml (built on first load: pydantic is imported only then)."""
    from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainValidator, StrictInt

    Ratio = Annotated[Fraction, PlainValidator(_ratio)]
    Count = Annotated[StrictInt, Field(ge=0)]
    Words = list[str]

    class Model(BaseModel):
        model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    class Organisation(Model):
        name: str                       # 公益財団法人石川県産業創出支援機構
        short: str                      # ISICO
        source: str = ""

    class CategorySpec(Model):
        name: str
        rate: Ratio
        cap: Count
        source: str = ""
        org_types: Words = []
        max_employees: Count | None = None

    class Period(Model):
        earliest_grant_date: dt.date
        grant_notice: str               # 審査結果通知の時期（令和7年9月）
        first_fiscal_year: Annotated[StrictInt, Field(ge=1989)]
        max_years: Annotated[StrictInt, Field(ge=1)]
        source: str = ""

    class SmeLimitSpec(Model):
        capital: Count
        employees: Count

    class Sme(Model):
        source: str = ""
        industries: dict[str, SmeLimitSpec]
        judged_org_types: Words

    class DeemedLarge(Model):
        source: str = ""
        single_owner_share: Ratio
        combined_share: Ratio
        officer_share: Ratio
        not_large: Words = []

    class RegionSpec(Model):
        source: str = ""
        prefecture: str
        municipalities: Words
        prefectures: Words

    class OrgTypes(Model):
        corporation: str
        sole_proprietor: str
        cooperative: str
        group: str

    class Group(Model):
        source: str = ""
        min_members: Annotated[StrictInt, Field(ge=1)]

    class ExpenseCategories(Model):
        source: str = ""
        items: dict[str, Words]
        rental_items: Words = []
        rental_words: Words = []
        rental_purposes: Words = []     # what an office machine is rented for, where 借損料 takes it
        outsourcing_items: Words = []

    class ActivityKinds(Model):
        development: str
        research: str
        sales: str

    class Content(Model):
        source: str = ""
        min_section_chars: Count
        placeholders: Words = []
        activity_kinds: ActivityKinds

    class DocumentSpec(Model):
        id: str
        name: str
        keywords: Words
        when: Literal["always", "group", "innovation_plan", "partnership"]

    class Documents(Model):
        source: str = ""
        entries: list[DocumentSpec] = Field(alias="list")

    class AttachmentKindSpec(Model):
        name: str
        document: str                   # the id of a documents entry (financials, consent …)
        words: Words = []
        file_words: Words = []
        titles: Words = []
        with_: Words = Field(default=[], alias="with")

    class AttachmentBundle(Model):
        words: Words
        kinds: Words

    class Recency(Model):
        source: str = ""
        closing_months: Count           # after a period ends, the months its 決算 may still be open
        closing_source: str = ""

    class AttachmentsSpec(Model):
        source: str = ""
        periods: Annotated[StrictInt, Field(ge=1)]
        recency: Recency | None = None
        required: dict[str, Words]
        kinds: dict[str, AttachmentKindSpec]
        bundles: list[AttachmentBundle] = []

    class Window(Model):
        start: dt.date | None = None    # None: the document gives only the last day (「…まで」)
        end: dt.date
        written: str                    # as the document writes it
        source: str

    class KeywordFamily(Model):
        source: str
        categories: Words                # ids of schemas/expenses.yaml
        unsure_text: Words = []
        object_only: bool = False
        skip_jobs: bool = False

    class Contradiction(Model):
        label: str
        terms: Words
        with_: Words = Field(default=[], alias="with")
        unless: Words = []
        severity: Literal["error", "warning"] = "error"

    class ItemFit(Model):
        definition: str
        contradicts: list[Contradiction]

    class CategoryFit(Model):
        source: str = ""
        items: dict[str, ItemFit]

    class ExpenseReading(Model):
        source: str = ""
        purchase_words: Words
        job_words: Words
        rental_words: Words
        model_words: Words = []

    class Keywords(Model):
        general_purpose: KeywordFamily
        indirect: KeywordFamily
        filing_fee: KeywordFamily
        inappropriate: KeywordFamily
        tax_included: KeywordFamily
        already_ordered: KeywordFamily
        whole_outsourcing: KeywordFamily

    Selector = Annotated[str, Field(pattern=r"^PV\d{0,3}$")]

    class Rules(Model):
        select: list[Selector] = ["PV"]
        ignore: list[Selector] = []

    def _codes(value):
        # a 事業区分 written as 7 instead of "7" is the same category
        return {str(k): v for k, v in value.items()} if isinstance(value, dict) else value

    class ProgramSpec(Model):
        program: str
        fiscal_year: str = ""
        organisation: Organisation
        rules: Rules = Rules()
        # 事業区分: the courses of a profile (schemas/programs/<profile>.yaml), or written here
        profile: str | None = None
        categories: Annotated[dict[str, CategorySpec], BeforeValidator(_codes)] = {}
        estimate_rounding: Annotated[StrictInt, Field(ge=1)] = 1
        period: Period
        application_window: Window | None = None
        sme: Sme
        deemed_large: DeemedLarge
        region: RegionSpec
        org_types: OrgTypes
        group: Group
        expense_categories: ExpenseCategories
        expense_reading: ExpenseReading
        category_fit: CategoryFit
        asset_register_price: Count
        whole_outsourcing_share: Ratio
        content: Content
        documents: Documents
        attachments: AttachmentsSpec | None = None
        keywords: Keywords

    return ProgramSpec, Window


_SPEC_MODEL = None
_WINDOW_MODEL = None


def _spec_model():
    global _SPEC_MODEL, _WINDOW_MODEL
    if _SPEC_MODEL is None:
        _SPEC_MODEL, _WINDOW_MODEL = _models()
    return _SPEC_MODEL


def window_model():
    """The pydantic model of an application window (募集期間), shared with the profiles (schemas/programs/)."""
    _spec_model()
    return _WINDOW_MODEL


_MESSAGES = {
    "extra_forbidden": "知らない項目です（綴りを確かめてください）",
    "missing": "必須の項目がありません",
    "int_type": "整数にしてください",
    "int_parsing": "整数にしてください",
    "int_from_float": "整数にしてください",
    "string_type": "文字列にしてください",
    "list_type": "一覧（[a, b, …]）にしてください",
    "dict_type": "「項目: 値」の形にしてください",
    "model_type": "「項目: 値」の形にしてください",
    "date_type": "日付（例: 2025-09-01）にしてください",
    "date_parsing": "日付（例: 2025-09-01）にしてください",
    "date_from_datetime_parsing": "日付（例: 2025-09-01）にしてください",
    "literal_error": "次のどれかにしてください: {expected}",
    "greater_than_equal": "{ge} 以上にしてください",
    "string_pattern_mismatch": "規則のコードかその先頭（PV、PV1、PV201 など）にしてください",
}


def _explain(error: dict) -> tuple[str, str]:
    """(dotted key, Japanese reason) of one pydantic error."""
    key = ".".join(str(p) for p in error["loc"] if p != "[key]") or "（ファイル全体）"
    kind = error["type"]
    if kind == "ratio":
        return key, error["msg"]
    template = _MESSAGES.get(kind)
    if template is None:
        return key, f"値が正しくありません（{error['msg']}）"
    ctx = error.get("ctx") or {}
    words = {k: str(v).replace("'", "").replace(" or ", "・").replace(", ", "・") for k, v in ctx.items()}
    return key, template.format(**words)


def _shown_path(path: Path) -> str:
    """The file as a person finds it: schemas/r7/program.yaml in the shipped data, else the path."""
    from planvalidator.resources import schemas_dir

    try:
        return str(Path("schemas") / path.resolve().relative_to(schemas_dir().resolve()))
    except ValueError:
        return str(path)


class ProgramFileError(CannotCheck):
    """program.yaml is not as the program expects: 「<file> の <key>: <reason>」, one line.

    The line names the program file itself (``reason`` too), so that a command that reports it
    after the workbook's name (「申請書.xlsx: schemas/r7/program.yaml の …」) still says which file is wrong.
    """

    def __init__(self, path: Path, key: str | None, reason: str):
        self.program_file = _shown_path(path)
        self.key = key
        super().__init__(f"{self.program_file} の {key}: {reason}" if key else f"{self.program_file}: {reason}")


def validate(raw, path: Path):
    """The validated program.yaml (its pydantic model); ProgramFileError naming the first wrong key."""
    from pydantic import ValidationError

    if not isinstance(raw, dict):
        raise ProgramFileError(path, None, "「項目: 値」の形の YAML ではありません")
    try:
        return _spec_model().model_validate(raw)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        # a misspelt key is two errors (the unknown key, the missing one): name what was written
        first = min(errors, key=lambda e: e["type"] != "extra_forbidden")
        key, reason = _explain(first)
        others = len(errors) - 1
        if first["type"] == "extra_forbidden" and (meant := _meant(first, errors)):
            reason = f"知らない項目です（{meant} の書き間違いではありませんか）"
            others -= 1                      # the missing key it stands for is the same mistake
        more = f"（ほかに {others} 件）" if others else ""
        raise ProgramFileError(path, key, reason + more) from None


def _meant(extra: dict, errors: list[dict]) -> str | None:
    """The required key next to an unknown one that it resembles (earliest_grant_dat → earliest_grant_date)."""
    import difflib

    parent, written = extra["loc"][:-1], str(extra["loc"][-1])
    missing = [str(e["loc"][-1]) for e in errors if e["type"] == "missing" and e["loc"][:-1] == parent]
    close = difflib.get_close_matches(written, missing, n=1, cutoff=0.6)
    return close[0] if close else None


# --- typed views -------------------------------------------------------------------------------

def _takes(category: "Category", org_key: str) -> bool:
    """Whether one of a category's 対象者 (schemas/applicants.yaml names) covers the 組織形態 ``org_key``."""
    from planvalidator.eligibility import vocabulary

    words = vocabulary()
    return any(org_key in words.audience(name).org_types for name in category.org_types)


@dataclass(frozen=True)
class Category:
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


@dataclass(frozen=True)
class SmeLimit:
    capital: int
    employees: int


@dataclass(frozen=True)
class Document:
    id: str
    name: str
    keywords: tuple[str, ...]
    when: str          # always / group / innovation_plan / partnership

    def matches(self, title: str | None) -> bool:
        text = canon(title or "")
        return any(canon(k) in text for k in self.keywords)


@dataclass(frozen=True)
class AttachmentKind:
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


@dataclass(frozen=True)
class AttachmentBundle:
    """A file name that stands for several documents when only the name is known (「決算書.pdf」)."""
    words: tuple[str, ...]
    kinds: tuple[str, ...]


@dataclass(frozen=True)
class AttachmentVocabulary:
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


@dataclass(frozen=True)
class ApplicationWindow:
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


@dataclass(frozen=True)
class Organisation:
    name: str          # 公益財団法人石川県産業創出支援機構
    short: str         # ISICO


@dataclass(frozen=True)
class Region:
    """Where applicants must have an office (公募要領 2.): a prefecture and its municipalities."""
    prefecture: str
    municipalities: tuple[str, ...]
    prefectures: tuple[str, ...]   # every prefecture (an address starting with another one is outside)


@dataclass(frozen=True)
class DeemedLarge:
    single_owner_share: Fraction   # ① 同一の大企業が所有
    combined_share: Fraction       # ② 大企業が合わせて所有
    officer_share: Fraction        # ③ 大企業の役員・職員を兼ねる役員
    not_large: tuple[str, ...]     # ③ただし書き: 大企業として扱わない者


@dataclass(frozen=True)
class ContentRules:
    min_section_chars: int
    placeholders: tuple[str, ...]
    activity_kinds: dict[str, str]  # development / research / sales → 計画様式4 の区分


@dataclass(frozen=True)
class Contradiction:
    """A wording that plainly contradicts an 経費内訳's definition (program.yaml category_fit)."""
    label: str
    terms: tuple[str, ...]
    with_: tuple[str, ...]       # all of: one of terms, one of these (when given), none of unless
    unless: tuple[str, ...]
    severity: str


@dataclass(frozen=True)
class ItemFit:
    item: str                    # the 経費内訳 as program.yaml writes it
    definition: str
    contradicts: tuple[Contradiction, ...]


@dataclass(frozen=True)
class Program:
    name: str
    categories: dict[str, Category]
    estimate_rounding: int
    raw: dict = field(repr=False, hash=False, compare=False)   # the YAML as read (validated)
    spec: "Record" = field(default=None, repr=False, hash=False, compare=False)   # the validated values

    def category(self, value) -> Category | None:
        """The 事業区分 a 計画様式1 value names (「7 中小企業等…」, 「７」, 「区分8」)."""
        if value is None:
            return None
        text = nfkc(str(value)).strip()
        for code, cat in self.categories.items():
            if text.startswith(code) or text == f"区分{code}" or text == f"事業区分{code}":
                return cat
        return None

    def applies(self, code: str) -> bool:
        """Whether a rule applies to this program at all (program.yaml ``rules``: select / ignore
        written and decided as ``--select`` / ``--ignore`` are, planvalidator/selection.py).
        PV900 (a rule that failed) always applies."""
        from planvalidator import rules

        rule = rules.get(code)
        return rule is not None and self._rule_selection.enabled(rule)

    @cached_property
    def _rule_selection(self):
        from planvalidator.selection import Selection

        chosen = self.spec.rules
        return Selection(tuple(chosen.select) or ("ALL",), tuple(chosen.ignore), source="program.yaml の rules")

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

    @property
    def first_fiscal_year(self) -> int:
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
        m = re.fullmatch(r"\s*(\d+)\s*年目\s*", nfkc(str(year_label)))
        if not m:
            return None
        start = self.first_fiscal_year + int(m.group(1)) - 1
        return dt.date(start, 4, 1), dt.date(start + 1, 3, 31)

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
        return Vocabulary(words("purchase_words"), words("job_words"), words("rental_words"), words("model_words"))

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

    def keyword_family(self, family: str):
        """A family as program.yaml writes it (source, categories …)."""
        return getattr(self.spec.keywords, family)

    def facts(self) -> dict:
        """The program's facts as words for rule texts (see planvalidator/facts.py)."""
        from planvalidator.facts import man_yen, yen

        cats = list(self.categories.values())
        small = self.small_category
        others = [c for c in cats if c is not small]
        d = self.deemed_large
        years = range(1, self.max_years + 1)
        region = self.region
        # an example of an address outside: the prefecture listed before the program's (its neighbour)
        at = region.prefectures.index(region.prefecture) if region.prefecture in region.prefectures else 0
        outside = next((p for p in (region.prefectures[at - 1:at] if at else ()) + region.prefectures
                        if p != region.prefecture), "")
        content = self.content
        always = [doc.name for doc in self.documents if doc.when == "always"]
        group_docs = [doc.name for doc in self.documents if doc.when == "group"]
        return {
            "organisation": self.organisation.name,
            "organisation_short": self.organisation.short,
            # 事業区分
            "rate": _Keyed({c.code: c.rate_text for c in cats}),
            "cap": _Keyed({c.code: f"{c.cap // 1000:,}千円" for c in cats}),
            "small_category": small.label if small else "",
            "small_max_employees": str(small.max_employees) if small else "",
            "small_over_employees": str(small.max_employees + 1) if small else "",   # an example over the limit
            "small_org_types": "・".join(small.org_types) if small else "",
            "other_categories": "・".join(c.label for c in others),
            # 事業実施期間
            "grant_notice": self.grant_notice,
            "fiscal_year": _Keyed({n: self.fiscal_year_name(n) for n in years}),
            "year_start": _Keyed({n: self.fiscal_year(f"{n}年目")[0].isoformat() for n in years}),
            "year_end": _Keyed({n: self.fiscal_year(f"{n}年目")[1].isoformat() for n in years}),
            "year_names": "、".join(f"{n}年目＝{self.fiscal_year_name(n)}" for n in years),
            # 申請者
            "sme_limits": "、".join(f"{name} {_oku(v.capital)}・{v.employees:,}人"
                                    for name, v in self.sme_industries.items()),
            "deemed_single": _ratio_text(d.single_owner_share),
            "deemed_combined": _ratio_text(d.combined_share),
            "deemed_officer": _ratio_text(d.officer_share),
            "not_large": "、".join(d.not_large),
            "prefecture": region.prefecture,
            "municipality": _Keyed(dict(enumerate(region.municipalities))),
            "municipality_count": str(len(region.municipalities)),
            "outside_prefecture": outside,
            "org_type": _Keyed(self.org_types),
            "group_min_members": str(self.group_min_members),
            "group_one_short": str(self.group_min_members - 1),                       # an example too few
            # the category whose 対象者 list ends with the group (公募要領 2. 区分7 (14))
            "group_category": "・".join(c.label for c in cats if _takes(c, "group")),
            # 経費
            "expense_items": "。".join(f"{k}: {'、'.join(v)}" for k, v in self.expense_items.items()),
            "asset_price": man_yen(self.asset_register_price),
            "asset_price_yen": yen(self.asset_register_price),
            "whole_outsourcing_share": _ratio_text(self.whole_outsourcing_share),
            # 計画の内容・提出書類
            "min_section_chars": str(content.min_section_chars),
            "activity": _Keyed(content.activity_kinds),
            "documents_always": "、".join(always),
            "documents_group": "、".join(group_docs),
            # 募集期間, as the document writes it (the day the latest 決算期 are judged at without a 提出日)
            "application_window": self.application_window.written if self.application_window else "",
            **self._attachment_facts(),
        }

    def _attachment_facts(self) -> dict:
        """The facts of ``attachments`` for the attachment rules (PV403–PV407); empty words without it."""
        a = self.attachments
        docs = {d.id: d.name for d in self.documents}
        if a is None:
            return {"attachment_periods": "", "attachments_required": _Keyed({k: "" for k in self.org_types}),
                    "attachment_kinds": _Keyed(), "attachment_document": _Keyed(docs), "closing_months": ""}
        return {
            "attachment_periods": str(a.periods),
            # how long after a period's end its 決算 may still be open (attachments.recency.closing_months)
            "closing_months": str(a.closing_months) if a.closing_months is not None else "",
            # {attachments_required[corporation]} → 「貸借対照表・損益計算書・…」
            "attachments_required": _Keyed({org: a.names(a.required.get(org, ())) for org in self.org_types}),
            # {attachment_kinds[innovation]} → the names of the kinds of one documents entry
            "attachment_kinds": _Keyed({d.id: a.names(a.kinds_of(d.id)) for d in self.documents}),
            "attachment_document": _Keyed(docs),
        }


class _Keyed(dict):
    """A fact indexed in a placeholder (``{rate[7]}``, ``{fiscal_year[1]}``): str.format passes a
    key made of digits as an int, so both forms find the entry."""

    def __missing__(self, key):
        for other in (str(key), int(key) if str(key).isdigit() else None):
            if other is not None and other != key and dict.__contains__(self, other):
                return dict.__getitem__(self, other)
        raise KeyError(key)


def _ratio_text(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


def _oku(amount: int) -> str:
    """300000000 → 「3億円」, 50000000 → 「5千万円」 (as the 公募要領 writes the SME limits)."""
    if amount >= 100_000_000 and amount % 100_000_000 == 0:
        return f"{amount // 100_000_000:,}億円"
    if amount >= 10_000_000 and amount % 10_000_000 == 0:
        return f"{amount // 10_000_000}千万円"
    if amount % 10_000 == 0:
        return f"{amount // 10_000:,}万円"
    return f"{amount:,} 円"


def wareki_year(day: dt.date) -> str:
    """The 和暦 year of a day: 2025-04-01 → 「令和7年」, 2019-05-01 → 「令和元年」."""
    from japanera import EraDate

    era = EraDate.from_date(day)
    number = int(era.strftime("%-y"))
    return f"{era.strftime('%-K')}{'元' if number == 1 else number}年"


def wareki_date(day: dt.date) -> str:
    """A day in 和暦: 2025-06-02 → 「令和7年6月2日」."""
    return f"{wareki_year(day)}{day.month}月{day.day}日"


# --- validating once per file content --------------------------------------------------------
#
# pydantic takes ~150 ms to import and build the models: more than a whole check of the 記入例. A file
# that passed is remembered by the hash of its bytes and of this module (the models), in the user's
# cache folder, as the validated values in JSON; a changed file or a new planvalidator validates again.

class Record(dict):
    """The validated values of program.yaml with attribute access (``spec.period.max_years``); a key
    that is also a dict method (``items``) is read with ``spec["items"]``."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def plain(self) -> dict:
        return _plain(self)

    @classmethod
    def of(cls, value):
        """Dicts (nested, in lists too) as Records."""
        if isinstance(value, dict):
            return cls({k: cls.of(v) for k, v in value.items()})
        if isinstance(value, list):
            return [cls.of(v) for v in value]
        return value


def _plain(value):
    """A validated model (or Record) as plain dicts, lists and values (Fractions and dates kept)."""
    fields = getattr(type(value), "model_fields", None)
    if fields is not None:
        return {name: _plain(getattr(value, name)) for name in fields}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _cache_file(path: Path) -> Path | None:
    import hashlib

    from planvalidator.resources import cache_dir

    try:
        digest = hashlib.sha256(path.read_bytes() + Path(__file__).read_bytes()).hexdigest()[:32]
    except OSError:
        return None
    return cache_dir() / f"program-{digest}.json"


def _to_json(value):
    if isinstance(value, Fraction):
        return {"__fraction__": [value.numerator, value.denominator]}
    if isinstance(value, dt.date):
        return {"__date__": value.isoformat()}
    raise TypeError(type(value).__name__)


def _from_json(d: dict):
    if set(d) == {"__fraction__"}:
        return Fraction(*d["__fraction__"])
    if set(d) == {"__date__"}:
        return dt.date.fromisoformat(d["__date__"])
    return d


def _fingerprint(raw) -> str:
    """A digest of the YAML as read: a cache entry whose file content it does not match (a damaged or
    hand-edited cache) is not used."""
    import hashlib
    import json

    return hashlib.sha256(json.dumps(raw, default=str, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:32]


def _validated(raw, path: Path) -> Record:
    """program.yaml's values validated (pydantic), or as validated before for the same bytes."""
    import json

    cache = _cache_file(path)
    if cache is not None:
        try:
            cached = json.loads(cache.read_text(encoding="utf-8"), object_hook=_from_json)
            if isinstance(cached, dict) and cached.get("__raw__") == _fingerprint(raw):
                return Record.of(cached["values"])
        except (OSError, ValueError):
            pass                                # none yet, or damaged: validate again
    values = _plain(validate(raw, path))
    if cache is not None:
        try:                                    # a read-only home only costs the next load the same time
            from planvalidator.atomic import write_bytes

            cache.parent.mkdir(parents=True, exist_ok=True)
            write_bytes(cache, json.dumps({"__raw__": _fingerprint(raw), "values": values}, default=_to_json,
                                          ensure_ascii=False).encode("utf-8"))
        except OSError:
            pass
    return Record.of(values)


@lru_cache(maxsize=None)
def load_program(folder: Path) -> Program:
    path = Path(folder) / "program.yaml"
    try:
        raw = load_yaml(path)
    except FileNotFoundError:
        raise ProgramFileError(path, None, "ファイルがありません") from None
    except Exception as exc:          # a YAML syntax error: its first line names the place
        detail = " ".join(str(exc).replace('in "<unicode string>", ', "").split())[:200]
        raise ProgramFileError(path, None, f"YAML として読めません（{detail}）") from None
    spec = _validated(raw, path)
    _check_attachments(spec, path)
    _check_keywords(spec, path)
    if spec.get("profile"):
        from planvalidator.profiles import ProfileError, profiles

        try:
            profile = profiles()[spec.profile]
        except (KeyError, ProfileError) as exc:
            raise ProgramFileError(path, "profile", str(exc) if isinstance(exc, ProfileError) else
                                   f"schemas/programs/ に {spec.profile}.yaml がありません") from None
        cats = {key: course.as_category() for key, course in profile.courses.items()}
    else:
        cats = {code: Category(code, c.name, c.rate, c.cap, c.source, tuple(c.org_types), c.max_employees)
                for code, c in spec.categories.items()}
    if not cats:
        raise ProgramFileError(path, "categories", "事業区分がありません（profile: か categories: を書いてください）")
    return Program(spec.program, cats, spec.estimate_rounding, raw, spec)


def _check_keywords(spec, path: Path) -> None:
    """``keywords`` names only categories of the expense vocabulary (schemas/expenses.yaml)."""
    from planvalidator.expense_vocabulary import ExpenseVocabularyError, vocabulary

    words = vocabulary()
    for family in ("general_purpose", "indirect", "filing_fee", "inappropriate", "tax_included", "already_ordered",
                   "whole_outsourcing"):
        for key in getattr(spec.keywords, family).categories:
            try:
                words.category(key)
            except ExpenseVocabularyError as exc:
                raise ProgramFileError(path, f"keywords.{family}.categories", str(exc)) from None


def _check_attachments(spec, path: Path) -> None:
    """``attachments`` names only kinds, documents and org types the file defines (one line naming the key)."""
    a = spec.get("attachments")
    if a is None:
        return
    documents = {d.id for d in spec.documents.entries}
    for kind, v in a.kinds.items():
        if v.document not in documents:
            raise ProgramFileError(path, f"attachments.kinds.{kind}.document",
                                   f"documents にない書類です（{'・'.join(sorted(documents))} のどれか）")
    for org, kinds in a.required.items():
        if org not in spec.org_types:
            raise ProgramFileError(path, f"attachments.required.{org}",
                                   f"org_types にない組織形態です（{'・'.join(spec.org_types)} のどれか）")
        for i, kind in enumerate(kinds):
            if kind not in a.kinds:
                raise ProgramFileError(path, f"attachments.required.{org}.{i}", f"attachments.kinds にない書類「{kind}」です")
    for n, bundle in enumerate(a.get("bundles") or ()):
        for i, kind in enumerate(bundle.kinds):
            if kind not in a.kinds:
                raise ProgramFileError(path, f"attachments.bundles.{n}.kinds.{i}", f"attachments.kinds にない書類「{kind}」です")
