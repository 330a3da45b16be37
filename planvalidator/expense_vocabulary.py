"""The one vocabulary of expenses (schemas/expenses.yaml): what each kind of expense is called.

Every program reads the same words: a rule of a template's program (PV102 汎用品, PV103 間接経費 …) names
the categories it flags (program.yaml ``keywords``), a profile's course adds its own exclusions and
limits by naming categories (``item_limits[].categories``) or takes one out (``expenses.remove``) —
none defines a word again. :func:`vocabulary` validates the file once: an unknown key, a category
without terms or a bad severity is one line naming the file and the key.
"""

from __future__ import annotations

import unicodedata
from functools import cached_property, lru_cache
from pathlib import Path

from planvalidator.structs import Frozen

CATEGORY_KEYS = {"label", "terms", "models", "severity", "note", "innocent_after", "innocent_before", "unless_text",
                 "unsure_text", "sure_text", "with_after", "source"}
LIST_KEYS = ("terms", "models", "innocent_after", "innocent_before", "unless_text", "unsure_text", "sure_text",
             "with_after")


class ExpenseVocabularyError(ValueError):
    """schemas/expenses.yaml, or a reference to one of its categories, cannot be read (one Japanese line)."""


class ExpenseVocabulary(Frozen, dict=True):
    """The words around an expense keyword that clear or doubt it (schemas/expenses.yaml)."""
    negations: tuple[str, ...]
    innocent_after: tuple[str, ...]
    unsure_after: tuple[str, ...]
    categories: dict[str, dict]          # id → the category as written (label, terms, severity …)
    path: Path

    def category(self, key: str, where: str = "") -> dict:
        if key not in self.categories:
            raise ExpenseVocabularyError(f"{where + ': ' if where else ''}経費の言葉「{key}」は {self.path.name} にありません"
                                         f"（{'、'.join(list(self.categories)[:8])} …）")
        return self.categories[key]

    @cached_property
    def folded_words(self) -> dict:
        """Every word of the vocabulary in the form keywords are matched in (:mod:`planvalidator.keywords`): each
        category's lists (:data:`LIST_KEYS`) and the shared ``innocent_after`` and ``unsure_after`` as
        :func:`~planvalidator.keywords.fold` and :func:`~planvalidator.keywords.kana` make them, the ``negations``
        only folded (they are read in the text as written). Worked out once per content of the file, of the
        folding code (this module and keywords) and of the Unicode version NFKC follows
        (:func:`planvalidator.datacache.remembered`: some 1,400 words, ~3 ms of a cold check), and once per process."""
        from planvalidator import keywords
        from planvalidator.datacache import remembered

        return remembered(self.path, "keywords", lambda: _fold_words(self), (keywords.__file__, __file__),
                          unicodedata.unidata_version)


def _fold_words(vocabulary: ExpenseVocabulary) -> dict:
    from planvalidator.keywords import fold, kana

    folded = lambda words: [kana(fold(t)) for t in words]  # noqa: E731
    return {"categories": {key: {name: folded(spec.get(name) or ()) for name in LIST_KEYS}
                           for key, spec in vocabulary.categories.items()},
            "negations": [fold(t) for t in vocabulary.negations],
            "innocent_after": folded(vocabulary.innocent_after), "unsure_after": folded(vocabulary.unsure_after)}


@lru_cache(maxsize=None)
def vocabulary(path: Path | None = None) -> ExpenseVocabulary:
    from planvalidator.datacache import load_yaml
    from planvalidator.resources import schemas_dir

    path = Path(path) if path else schemas_dir() / "expenses.yaml"
    try:
        raw = load_yaml(path)
    except Exception as exc:  # noqa: BLE001 — a broken file: one line
        raise ExpenseVocabularyError(f"{path}: 読めません（{type(exc).__name__}）") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("categories"), dict):
        raise ExpenseVocabularyError(f"{path}: categories がありません")
    categories = {}
    for key, spec in raw["categories"].items():
        where = f"{path} の categories.{key}"
        if not isinstance(spec, dict):
            raise ExpenseVocabularyError(f"{where}: 表にしてください")
        unknown = set(spec) - CATEGORY_KEYS
        if unknown:
            raise ExpenseVocabularyError(f"{where}: 「{sorted(unknown)[0]}」という項目はありません")
        if not spec.get("label") or not (spec.get("terms") or spec.get("models")):
            raise ExpenseVocabularyError(f"{where}: label と terms（か models）が必要です")
        if spec.get("severity", "error") not in ("error", "warning"):
            raise ExpenseVocabularyError(f"{where}.severity: error か warning にしてください")
        for name in LIST_KEYS:
            if not isinstance(spec.get(name, []), list) or not all(isinstance(w, str) for w in spec.get(name, [])):
                raise ExpenseVocabularyError(f"{where}.{name}: 語の並びにしてください")
        categories[str(key)] = dict(spec)
    lists = {name: tuple(raw.get(name) or ()) for name in ("negations", "innocent_after", "unsure_after")}
    return ExpenseVocabulary(lists["negations"], lists["innocent_after"], lists["unsure_after"], categories, path)
