"""Subsidy program profiles (schemas/programs/*.yaml): each program of the source documents, its
courses (区分・枠・コース) and their figures — rate, cap, years, yearly caps, minimum, limits per kind of
expense, numeric eligibility tests — each with the clause it comes from.

``planvalidator check --program ID[:COURSE]`` checks a plan under a course's figures; without it the
course is the one the workbook's 事業区分 names in the profile of its template version. A file is
validated when loaded (pydantic, unknown keys refused): a mistake is one line naming the file and key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from planvalidator.normalize import nfkc
from planvalidator.resources import load_yaml, schemas_dir


class ProfileError(ValueError):
    """A profile or course that does not exist or cannot be read (one Japanese line)."""


def _models():
    from pydantic import BaseModel, ConfigDict, Field, PlainValidator, StrictInt

    from planvalidator.program import _ratio, window_model

    Window = window_model()
    Ratio = Annotated[Fraction, PlainValidator(_ratio)]
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
        words: list[str]
        max: Yen | None = None
        max_share: Ratio | None = None
        severity: str = "error"
        source: str
        only_in: object = None
        note: str = ""

    class Eligibility(Open):
        pass

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
        expense_categories: object = None
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


@dataclass(frozen=True)
class ItemLimit:
    name: str
    words: tuple[str, ...]
    max: int | None
    max_share: Fraction | None
    source: str
    severity: str = "error"          # warning where the document's words leave room
    only_in: dict | None = None      # {courses: [...]} or {industries: [...]}: allowed only there


@dataclass(frozen=True)
class Course:
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

    @property
    def id(self) -> str:
        return f"{self.profile}:{self.key}"

    def as_category(self):
        """The course as the money rules read a 事業区分 (planvalidator.program.Category)."""
        from planvalidator.program import Category

        title = None if self.match else self.name          # 「事業区分7」 where the workbook names it so
        return Category(self.key, self.name, self.rate, self.cap, self.sources.get("rate", ""), self.org_types,
                        self.max_employees, title)

    def matches(self, value) -> bool:
        """Whether a 事業区分 written in a workbook (「7 中小企業等…」, 「区分7」) names this course."""
        if value is None:
            return False
        text = nfkc(str(value)).strip()
        return any(text == m or text.startswith(m + " ") or text.startswith(m + "\u3000") or
                   (m.isdigit() and text.startswith(m) and not text[len(m):len(m) + 1].isdigit()) for m in self.match)


@dataclass(frozen=True)
class Profile:
    id: str
    name: str
    issuer: str
    document: str                      # the source document's file (../shared/seeds/…)
    title: str
    template: str | None
    courses: dict[str, Course]
    path: Path
    window: object = None              # planvalidator.program.ApplicationWindow (募集期間), or None

    def course(self, key: str | None = None) -> Course:
        if key is None:
            if len(self.courses) == 1:
                return next(iter(self.courses.values()))
            raise ProfileError(f"{self.id} にはコースが {len(self.courses)} つあります。--program {self.id}:コース で選んでください"
                               f"（{'、'.join(self.courses)}）")
        if key not in self.courses:
            raise ProfileError(f"{self.id} にコース「{key}」はありません（{'、'.join(self.courses)}）")
        return self.courses[key]


def _course(profile_id: str, key: str, c) -> Course:
    sources = {name: getattr(c, name).source for name in ("rate", "cap", "years", "yearly_caps", "min_eligible",
                                                           "min_requested", "org_types", "max_employees")
               if getattr(c, name) is not None}
    limits = tuple(ItemLimit(l.name, tuple(l.words), l.max, l.max_share, l.source, l.severity,
                             l.only_in if isinstance(l.only_in, dict) else None) for l in c.item_limits)
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
        eligibility=c.eligibility.model_dump() if c.eligibility else {},
        match=tuple(c.match), notes=tuple(c.notes),
        questions=tuple(c.questions) if isinstance(c.questions, list) else (),
        targets=c.targets if isinstance(c.targets, dict) else {})


def load_profile(path: Path) -> Profile:
    from pydantic import ValidationError

    path = Path(path)
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
    from planvalidator.program import ApplicationWindow

    courses = {key: _course(spec.id, key, c) for key, c in spec.courses.items()}
    return Profile(spec.id, spec.name, spec.issuer, spec.document.file, spec.document.title, spec.template, courses, path,
                   ApplicationWindow.of(spec.window))


@lru_cache(maxsize=None)
def profiles(folder: Path | None = None) -> dict[str, Profile]:
    """Every profile of schemas/programs/, by id."""
    folder = Path(folder) if folder else schemas_dir() / "programs"
    return {p.id: p for p in (load_profile(f) for f in sorted(folder.glob("*.yaml")))}


def resolve(name: str) -> Course:
    """「kofukakachi」, 「challenge-special:crafts」, 「shinseihin:7」 → the course."""
    profile_id, _, key = name.partition(":")
    known = profiles()
    if profile_id not in known:
        raise ProfileError(f"制度「{profile_id}」はありません（planvalidator programs で一覧: {'、'.join(known)}）")
    return known[profile_id].course(key or None)


def default_course(template: str, category_value) -> Course | None:
    """The course a workbook's 事業区分 names, in the profile that reads its template version."""
    for profile in profiles().values():
        if profile.template == template:
            for course in profile.courses.values():
                if course.matches(category_value):
                    return course
    return None

