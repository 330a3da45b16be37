"""Subsidy program profiles (schemas/programs/*.yaml): each program of the source documents, its
courses (区分・枠・コース) and their figures — rate, cap, years, yearly caps, minimum, limits per kind of
expense, numeric eligibility tests — each with the clause it comes from.

``planvalidator check --program ID[:COURSE]`` checks a plan under a course's figures; without it the
course is the one the workbook's 事業区分 names in the profile of its template version. A file is
validated when loaded (pydantic, unknown keys refused): a mistake is one line naming the file and key.
Validated once per content: the values are remembered in the user's cache (planvalidator.program.store),
and a check without --program loads only the profiles of its template's version (:func:`templates`).
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from planvalidator.normalize import nfkc
from planvalidator.datacache import load_yaml
from planvalidator.resources import schemas_dir
from planvalidator.structs import Frozen, field


class ProfileError(ValueError):
    """A profile or course that does not exist or cannot be read (one Japanese line)."""


def _models():
    from pydantic import BaseModel, ConfigDict, Field, PlainValidator, StrictInt

    from planvalidator.program.spec import ratio, window_model

    Window = window_model()
    Ratio = Annotated[Fraction, PlainValidator(ratio)]
    Yen = Annotated[StrictInt, Field(ge=0)]

    class Model(BaseModel):
        model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    class Open(BaseModel):                 # data kept for people and later rules (targets, questions …)
        model_config = ConfigDict(extra="allow", frozen=True)

    class RatioFig(Model):
        value: Ratio
        source: str

    class YenFig(Model):
        value: Yen
        source: str

    class YearsFig(Model):
        value: Annotated[StrictInt, Field(ge=1)]
        source: str

    class YenList(Model):
        value: list[Yen]
        source: str
        severity: str = "error"

    class Words(Model):
        value: list[str]
        source: str

    class ItemLimit(Model):
        name: str
        categories: list[str] = []         # ids of schemas/expenses.yaml: the words of this kind of expense
        items: list[str] = []              # 経費内訳 of the template that are this kind whatever the words
        max: Yen | None = None
        max_share: Ratio | None = None
        severity: str = "error"
        source: str
        only_in: object = None
        note: str = ""

    class Eligibility(Open):
        pass

    class Removal(Model):
        category: str
        source: str

    class Expenses(Model):
        remove: list[Removal] = []         # categories of the template's rules this course does not flag

    class ExpenseList(Model):
        source: str
        value: dict[str, list[str]]
        closed: bool = False               # the document lists every eligible kind: any other is not eligible
        # the template's 経費内訳 → the kinds of this list it is ([] none: not eligible; absent: undecided)
        from_template: dict[str, list[str]] = {}

    class Course(Model):
        name: str
        rate: RatioFig
        cap: YenFig
        years: YearsFig | None = None
        yearly_caps: YenList | None = None
        min_eligible: YenFig | None = None
        min_requested: YenFig | None = None
        org_types: Words | None = None
        max_employees: YenFig | None = None
        item_limits: list[ItemLimit] = []
        eligibility: Eligibility | None = None
        excluded: list = []
        documents: list = []
        notes: list = []
        match: list[str] = []
        expenses: Expenses | None = None
        expense_categories: ExpenseList | None = None
        targets: object = None
        questions: object = None
        examples: object = None
        source: str = ""

    class Document(Model):
        file: str
        title: str

    class Profile(Model):
        id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
        name: str
        issuer: str = ""
        document: Document
        template: str | None = None
        window: Window | None = None       # 募集期間, only where the document states one
        courses: dict[str, Course]

    return Profile


class ItemLimit(Frozen):
    """A limit on a kind of expense (its categories and 経費内訳) in a program profile."""
    name: str
    categories: tuple[str, ...]      # ids of the expense vocabulary (schemas/expenses.yaml)
    items: tuple[str, ...]           # 経費内訳 that are this kind of expense whatever the words
    max: int | None
    max_share: Fraction | None
    source: str
    severity: str = "error"          # warning where the document's words leave room
    only_in: dict | None = None      # {courses: [...]} or {industries: [...]}: allowed only there


class ExpenseList(Frozen):
    """The kinds of expense a course's document lists (対象経費), and which template 経費内訳 each is."""
    source: str
    allowed: tuple[str, ...]
    closed: bool
    from_template: dict[str, tuple[str, ...]]      # template 経費内訳 → kinds (() : none of them)


class Course(Frozen):
    """One course of a program, as the checks read it."""
    profile: str                       # the profile's id
    key: str                           # the course's id ("7", "main", "crafts")
    name: str
    rate: Fraction
    cap: int
    sources: dict[str, str]            # figure → its clause
    years: int | None = None
    yearly_caps: tuple[int, ...] = ()
    yearly_severity: str = "error"
    min_eligible: int | None = None
    min_requested: int | None = None
    org_types: tuple[str, ...] = ()
    max_employees: int | None = None
    item_limits: tuple[ItemLimit, ...] = ()
    eligibility: dict = field(default_factory=dict)
    match: tuple[str, ...] = ()
    notes: tuple = ()
    questions: tuple = ()              # what the plan answers (figures.answers), as the file writes them
    targets: dict = field(default_factory=dict)     # ratio targets (県外需要 ①〜③), as the file writes them
    removed_categories: frozenset = frozenset()     # expense categories the template's rules do not flag here
    expense_list: "ExpenseList | None" = None       # the kinds of expense the document lists

    @property
    def id(self) -> str:
        return f"{self.profile}:{self.key}"

    def as_category(self):
        """The course as the money rules read a 事業区分 (planvalidator.program.Category)."""
        from planvalidator.program.model import Category

        title = None if self.match else self.name          # 「事業区分7」 where the workbook names it so
        return Category(self.key, self.name, self.rate, self.cap, self.sources.get("rate", ""), self.org_types,
                        self.max_employees, title)

    def matches(self, value) -> bool:
        """Whether a 事業区分 written in a plan names this course: one of its ``match`` words
        (「7 中小企業等…」, 「区分7」), or — for a course no template names — its id or its name."""
        if value is None:
            return False
        text = nfkc(str(value)).strip()
        if not self.match:
            return text in (self.key, nfkc(self.name).strip())
        return any(text == m or text.startswith(m + " ") or text.startswith(m + "\u3000") or
                   (m.isdigit() and text.startswith(m) and not text[len(m):len(m) + 1].isdigit()) for m in self.match)


class Profile(Frozen):
    """A program profile (schemas/programs/): its courses, limits and issuer."""
    id: str
    name: str
    issuer: str
    document: str                      # the source document's file (schemas/sources/…)
    title: str
    template: str | None
    courses: dict[str, Course]
    path: Path
    window: object = None              # planvalidator.program.ApplicationWindow (募集期間), or None

    def course(self, key: str | None = None, category=None) -> Course:
        """A course by its id; without one, the only course, or the one the plan's 事業区分 (``category``)
        names; only when neither decides, a ProfileError asking for it."""
        if key is None:
            if len(self.courses) == 1:
                return next(iter(self.courses.values()))
            named = [c for c in self.courses.values() if c.matches(category)]
            if len(named) == 1:
                return named[0]
            said = (f"事業計画書の事業区分「{category}」からは決まりません。" if category not in (None, "") else
                    "事業計画書に事業区分がありません。")
            raise ProfileError(f"{self.id} には {len(self.courses)} のコースがあります。{said}--program {self.id}:コース で選んでください"
                               f"（{'、'.join(self.courses)}）")
        if key not in self.courses:
            raise ProfileError(f"{self.id} にコース「{key}」はありません（{'、'.join(self.courses)}）")
        return self.courses[key]


def _course(profile_id: str, key: str, c) -> Course:
    """A course of the validated values (a Record: nested values as plain data again)."""
    from planvalidator.program.store import _plain

    sources = {name: getattr(c, name).source for name in ("rate", "cap", "years", "yearly_caps", "min_eligible",
                                                           "min_requested", "org_types", "max_employees")
               if getattr(c, name) is not None}
    limits = tuple(ItemLimit(l.name, tuple(l.categories), tuple(l["items"]), l.max, l.max_share, l.source, l.severity,
                             _plain(l.only_in) if isinstance(l.only_in, dict) else None) for l in c.item_limits)
    listed = c.expense_categories
    expense_list = ExpenseList(listed.source, tuple(n for names in listed.value.values() for n in names), listed.closed,
                               {k: tuple(v) for k, v in listed.from_template.items()}) if listed else None
    return Course(
        profile_id, key, c.name, c.rate.value, c.cap.value, sources,
        years=c.years.value if c.years else None,
        yearly_caps=tuple(c.yearly_caps.value) if c.yearly_caps else (),
        yearly_severity=c.yearly_caps.severity if c.yearly_caps else "error",
        min_eligible=c.min_eligible.value if c.min_eligible else None,
        min_requested=c.min_requested.value if c.min_requested else None,
        org_types=tuple(c.org_types.value) if c.org_types else (),
        max_employees=c.max_employees.value if c.max_employees else None,
        item_limits=limits,
        eligibility=_plain(c.eligibility) if c.eligibility else {},
        match=tuple(c.match), notes=tuple(_plain(c.notes)),
        questions=tuple(_plain(c.questions)) if isinstance(c.questions, list) else (),
        targets=_plain(c.targets) if isinstance(c.targets, dict) else {},
        removed_categories=frozenset(r.category for r in c.expenses.remove) if c.expenses else frozenset(),
        expense_list=expense_list)


def _validated(path: Path) -> dict:
    """The profile file validated (pydantic, then its names looked up in the vocabularies), as plain values;
    a ProfileError naming the file and key otherwise."""
    from pydantic import ValidationError

    from planvalidator.program.store import _plain

    try:
        raw = load_yaml(path)
        spec = _models().model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise ProfileError(f"{path} の {where}: {err['msg']}") from None
    except Exception as exc:  # noqa: BLE001 — YAML syntax and the like: one line
        raise ProfileError(f"{path}: 読めません（{type(exc).__name__}: {str(exc).splitlines()[0][:120]}）") from None
    if path.stem != spec.id:
        raise ProfileError(f"{path}: id「{spec.id}」をファイル名（{path.stem}）と同じにしてください")
    from planvalidator.eligibility import VocabularyError, vocabulary
    from planvalidator.expense_vocabulary import ExpenseVocabularyError
    from planvalidator.expense_vocabulary import vocabulary as expense_words
    for key, c in spec.courses.items():
        for name in (c.org_types.value if c.org_types else ()):
            try:
                vocabulary().audience(name)     # every program names its 対象者 in the one vocabulary
            except VocabularyError as exc:
                raise ProfileError(f"{path} の courses.{key}.org_types: {exc}") from None
        named = [(f"item_limits.{i}.categories", cat) for i, l in enumerate(c.item_limits) for cat in l.categories]
        named += [("expenses.remove", r.category) for r in (c.expenses.remove if c.expenses else ())]
        for where, cat in named:
            try:
                expense_words().category(cat)   # and its kinds of expense in the one expense vocabulary
            except ExpenseVocabularyError as exc:
                raise ProfileError(f"{path} の courses.{key}.{where}: {exc}") from None
        for i, l in enumerate(c.item_limits):
            if not l.categories and not l.items:
                raise ProfileError(f"{path} の courses.{key}.item_limits.{i}: categories か items が必要です")
    return _plain(spec)


def _depends() -> tuple[Path, ...]:
    """What a profile's validation reads besides the file: the models (here and program/spec.py) and the
    two vocabularies its names are looked up in."""
    from planvalidator.program import spec
    from planvalidator.resources import schemas_dir

    return Path(__file__), Path(spec.__file__), schemas_dir() / "applicants.yaml", schemas_dir() / "expenses.yaml"


def load_profile(path: Path) -> Profile:
    """A profile file, validated when its content (or planvalidator) is new to the user's cache
    (planvalidator.program.store), else its values as validated before."""
    from planvalidator.program.model import ApplicationWindow
    from planvalidator.program.store import remembered

    path = Path(path)
    spec = remembered(path, "profile", lambda: _validated(path), _depends())
    courses = {key: _course(spec.id, key, c) for key, c in spec.courses.items()}
    return Profile(spec.id, spec.name, spec.issuer, spec.document.file, spec.document.title, spec.template, courses, path,
                   ApplicationWindow.of(spec.window))


def _folder(folder: Path | None) -> Path:
    return Path(folder) if folder else schemas_dir() / "programs"


@lru_cache(maxsize=None)
def _load(path: Path) -> Profile:
    return load_profile(path)


@lru_cache(maxsize=None)
def profiles(folder: Path | None = None) -> dict[str, Profile]:
    """Every profile of schemas/programs/, by id."""
    return {p.id: p for p in (_load(f) for f in sorted(_folder(folder).glob("*.yaml")))}


def profile(profile_id: str, folder: Path | None = None) -> Profile | None:
    """One profile by its id (its file alone loaded), or None when there is no such file."""
    path = _folder(folder) / f"{profile_id}.yaml"
    return _load(path) if path.is_file() else None


@lru_cache(maxsize=None)
def templates(folder: Path | None = None) -> dict[str, str | None]:
    """The template version (様式) each profile reads, by id — what a check without --program needs to find
    its course — remembered for the folder's content, so that a check loads only its template's profiles."""
    from planvalidator.program.store import remembered

    files = sorted(_folder(folder).glob("*.yaml"))
    if not files:
        return {}
    return dict(remembered(files[0], "profiles", lambda: {p.id: p.template for p in profiles(folder).values()},
                           (*files[1:], *_depends()), key="\n".join(f.name for f in files)))


def of_template(template: str, folder: Path | None = None) -> list[Profile]:
    """The profiles that read a template version, in the order of profiles()."""
    return [profile(pid, folder) for pid, version in templates(folder).items() if version == template]


def resolve(name: str, category=None) -> Course:
    """「kofukakachi」, 「challenge-special:crafts」, 「shinseihin:7」 → the course; 「shinseihin」 → the
    course the plan's 事業区分 (``category``) names."""
    return profile_of(name).course(name.partition(":")[2] or None, category)


def profile_of(name: str) -> Profile:
    """The profile a --program value names, its course (if given) known to it (ProfileError otherwise)."""
    profile_id, _, key = name.partition(":")
    known = profiles()
    if profile_id not in known:
        raise ProfileError(f"制度「{profile_id}」はありません（planvalidator programs で一覧: {'、'.join(known)}）")
    profile = known[profile_id]
    if key and key not in profile.courses:
        raise ProfileError(f"{profile_id} にコース「{key}」はありません（{'、'.join(profile.courses)}）")
    return profile


def default_course(template: str, category_value) -> Course | None:
    """The course a workbook's 事業区分 names, in the profile that reads its template version."""
    for found in of_template(template):
        for course in found.courses.values():
            if course.matches(category_value):
                return course
    return None

