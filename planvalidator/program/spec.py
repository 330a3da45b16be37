"""The shape of program.yaml: pydantic models that forbid unknown keys, and the one-line Japanese
message naming the file and the key a wrong value is at (「schemas/r7/program.yaml の categories.7.rate:
整数の組 [分子, 分母] にしてください」). pydantic is imported only when a file is first validated.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Literal

from planvalidator.errors import CannotCheck


def ratio(value) -> Fraction:
    """[分子, 分母] → Fraction (the way program.yaml writes 2/3)."""
    from pydantic_core import PydanticCustomError

    if (isinstance(value, (list, tuple)) and len(value) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) for v in value) and value[1] > 0):
        return Fraction(value[0], value[1])
    raise PydanticCustomError("ratio", "整数の組 [分子, 分母] にしてください（例: [2, 3]）")


def _models():
    """The pydantic models of program.yaml (built on first load: pydantic is imported only then)."""
    from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainValidator, StrictInt

    Ratio = Annotated[Fraction, PlainValidator(ratio)]
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

    class NextSteps(Model):
        source: str = ""
        submit: str                     # how to submit, in the applicant's words
        reviewers: Words                # what only the reviewers judge

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
        edition_words: Words = []      # after a product line, its edition or body (「ハイエース バン」「弥生会計 オンライン」)

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
        consumption_tax_rate: Ratio | None = None      # 消費税と地方消費税の標準税率: PV109 の修正（税込 → 税抜）
        whole_outsourcing_share: Ratio
        content: Content
        documents: Documents
        next_steps: NextSteps | None = None
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


