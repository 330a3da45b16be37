"""Loading a program: program.yaml read, validated (once per content), its cross-references checked
(keywords name categories of the expense vocabulary, attachments name documents and 組織形態), its
事業区分 taken from the file or from the profile it names.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from planvalidator.program.model import Category, Program
from planvalidator.program.spec import ProgramFileError
from planvalidator.program.store import validated
from planvalidator.datacache import load_yaml


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
    spec = validated(raw, path)
    _check_attachments(spec, path)
    _check_keywords(spec, path)
    if spec.get("profile"):
        from planvalidator.profiles import ProfileError, profile

        try:
            named = profile(spec.profile)           # its file alone: a check loads no other profile
            if named is None:
                raise KeyError(spec.profile)
        except (KeyError, ProfileError) as exc:
            raise ProgramFileError(path, "profile", str(exc) if isinstance(exc, ProfileError) else
                                   f"schemas/programs/ に {spec.profile}.yaml がありません") from None
        cats = {key: course.as_category() for key, course in named.courses.items()}
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
