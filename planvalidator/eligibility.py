"""Who may apply, in one vocabulary for every program (schemas/applicants.yaml), judged from what a plan says.

A course lists its 対象者 by name (「中小企業者」「中小企業団体」「小規模企業者」「全企業」「中小企業者及び中小企業団体
以外」 …). Each name means the same in every program: the 組織形態 it covers, whether the 中小企業者 test
(資本金基準又は従業員基準, by 主たる業種: the template's program.yaml) applies, whether the 小規模企業者 test does,
and which other names it excludes. :func:`judge` weighs an applicant against a course's names: accepted when
one of them fits; refused — with each name's reason and how sure it is — when none does; undecided when
the plan leaves a figure out.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from planvalidator.normalize import canon, nfkc
from planvalidator.structs import Frozen


class VocabularyError(ValueError):
    """schemas/applicants.yaml, or a course's 対象者, cannot be read (one Japanese line)."""


class Audience(Frozen):
    """A name of who may apply, and the organisation types and size it takes."""
    name: str
    org_types: tuple[str, ...]          # keys of the template's org_types (corporation …)
    sme: bool = False
    small: bool = False
    excludes: tuple[str, ...] = ()
    source: str = ""


class Vocabulary(Frozen):
    """The audiences of schemas/applicants.yaml, their aliases and the small-employer counts."""
    audiences: dict[str, Audience]
    aliases: dict[str, str]
    small_employees: dict[str, int]     # canon(主たる業種) → 小規模企業者 の従業員数
    small_severity: str
    small_source: str
    path: Path

    def audience(self, name: str) -> Audience:
        key = nfkc(name).strip()
        key = self.aliases.get(key, key)
        if key not in self.audiences:
            raise VocabularyError(f"対象者「{name}」は {self.path.name} にありません（{'、'.join(self.audiences)}）")
        return self.audiences[key]


@lru_cache(maxsize=None)
def vocabulary(path: Path | None = None) -> Vocabulary:
    from planvalidator.datacache import load_yaml
    from planvalidator.resources import schemas_dir

    path = Path(path) if path else schemas_dir() / "applicants.yaml"
    try:
        raw = load_yaml(path)
        audiences = {}
        for name, spec in raw["audiences"].items():
            unknown = set(spec) - {"org_types", "sme", "small", "excludes", "source"}
            if unknown:
                raise VocabularyError(f"{path} の audiences.{name}: 「{sorted(unknown)[0]}」という項目はありません")
            audiences[nfkc(name).strip()] = Audience(name, tuple(spec["org_types"]), bool(spec.get("sme")), bool(spec.get("small")),
                                       tuple(spec.get("excludes", ())), str(spec.get("source", "")))
        small = raw["small_business"]
        vocab = Vocabulary(audiences, {nfkc(k).strip(): v for k, v in (raw.get("aliases") or {}).items()},
                           {canon(k): int(v) for k, v in small["employees"].items()},
                           str(small.get("severity", "warning")), str(small.get("source", "")), path)
    except VocabularyError:
        raise
    except Exception as exc:  # noqa: BLE001 — a missing key or a broken file: one line
        raise VocabularyError(f"{path}: 読めません（{type(exc).__name__}: {exc}）") from None
    for audience in audiences.values():
        for other in audience.excludes:
            vocab.audience(other)
    return vocab


class Applicant(Frozen):
    """What a plan says of its applicant (None where it leaves it out)."""
    org_type: str | None            # the key of its 組織形態 (corporation …)
    org_text: str | None            # the 組織形態 as written
    industry: str | None            # 主たる業種
    capital: float | None
    employees: float | None


class Reason(Frozen):
    """Why an audience does not fit the applicant, in Japanese for the message."""
    audience: str
    kind: str                       # org | sme | small | excluded
    text: str                       # Japanese, for the message
    severity: str                   # error (the plan's figures decide it) or warning (the words leave room)


class Judgement(Frozen):
    """Whether the applicant fits the program's audience, and why not."""
    accepted: bool | None           # True: one name fits; False: none does; None: a figure is missing
    by: str | None = None           # the name that fits
    reasons: tuple[Reason, ...] = ()

    @property
    def severity(self) -> str:
        """How sure a refusal is: error only when every name's reason is certain."""
        return "error" if all(r.severity == "error" for r in self.reasons) else "warning"

    @property
    def only_size(self) -> bool:
        """Refused because of size alone: some name's 組織形態 fits, its 中小企業者 test does not."""
        return any(r.kind == "sme" for r in self.reasons)


def judge(names, applicant: Applicant, program, vocab: Vocabulary | None = None) -> Judgement:
    """Whether ``applicant`` is one of ``names`` (a course's 対象者) under ``program``'s 中小企業者 table."""
    vocab = vocab or vocabulary()
    reasons: list[Reason] = []
    unknown = False
    for name in names:
        verdict = _fits(vocab.audience(name), applicant, program, vocab)
        if verdict is True:
            return Judgement(True, name)
        if verdict is None:
            unknown = True
        else:
            reasons.append(verdict)
    if unknown:
        return Judgement(None, reasons=tuple(reasons))
    return Judgement(False, reasons=tuple(reasons))


def _fits(audience: Audience, applicant: Applicant, program, vocab: Vocabulary):
    """True, None (a figure is missing) or the Reason it does not."""
    if applicant.org_type is None:
        return None
    if applicant.org_type not in audience.org_types:
        return Reason(audience.name, "org", f"組織形態「{applicant.org_text}」は{audience.name}に当たりません", "error")
    if audience.sme:
        sme = is_sme(applicant, program)
        if sme is None:
            return None
        if not sme:
            return Reason(audience.name, "sme", f"主たる業種「{applicant.industry}」の中小企業者の基準（資本金又は従業員数）を"
                                                  "満たしません", "error")
    if audience.small:
        limit = vocab.small_employees.get(canon(applicant.industry or ""))
        if limit is None or applicant.employees is None:
            return None
        if applicant.employees > limit:
            return Reason(audience.name, "small",
                          f"{applicant.industry}の小規模企業者は常時使用する従業員 {limit} 人以下ですが、"
                          f"{int(applicant.employees)} 人です（{vocab.small_source}）", vocab.small_severity)
    for other in audience.excludes:
        verdict = _fits(vocab.audience(other), applicant, program, vocab)
        if verdict is None:
            return None
        if verdict is True:
            return Reason(audience.name, "excluded", f"{other}に当たるため、{audience.name}ではありません", "error")
    return True


def is_sme(applicant: Applicant, program) -> bool | None:
    """The 中小企業者 test: 資本金基準 *or* 従業員基準 of the 主たる業種 (a 個人事業主 has no capital: employees
    alone). None when the plan leaves the 業種 or a figure out."""
    limit = program.sme_limit(applicant.industry)
    if limit is None or applicant.employees is None:
        return None
    if applicant.employees <= limit.employees:
        return True
    if applicant.org_type == "sole_proprietor":
        return False
    if applicant.capital is None:
        return None
    return applicant.capital <= limit.capital


def applicant_of(plan, org_type: str | None) -> Applicant:
    """What ``plan`` says of its applicant (``org_type``: the key of its 組織形態, the engine's Context.org_type)."""
    return Applicant(org_type, plan.value("applicant", "org_type"), plan.value("company", "industry"),
                     plan.value("company", "capital"), plan.value("company", "employees"))
