"""How close another wording of a label is to the layout's: the one matcher for a reworded label.

ISICO revises its template by rewording labels — 括弧書きの追加 (「助成事業名」 → 「助成事業の名称」),
言い換え, 全角/半角 — so a label the layout names may be in a workbook in other words. Both
``planvalidator template verify`` (which names the wording a candidate template uses) and reading a
filled workbook (:mod:`planvalidator.nearlabel`, which reads the field there) ask this module whether
a text is that label reworded; they choose *which* cells to ask about themselves.

Texts are compared in :func:`planvalidator.normalize.label_canon` form, so a change of width or
spacing or of the leading numbering is no rewording at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from difflib import SequenceMatcher

from planvalidator.normalize import label_canon

CLOSE = 0.6          # difflib ratio: a label reworded, not another label
GROWN = CLOSE - 0.1  # a label that grew (「助成事業名」 → 「助成事業の名称」) still shares most of itself …
SHARED = 2           # … and at least this many characters


def _closeness(wanted: str, text: str) -> float:
    return SequenceMatcher(None, wanted, text).ratio()


def closeness(label: str, text: str) -> float | None:
    """How close ``text`` is to ``label`` as a rewording of it (difflib ratio of their comparable
    forms), or None when it is not close enough to be the label in other words."""
    wanted, seen = label_canon(label), label_canon(text)
    if not wanted or not seen:
        return None
    score = _closeness(wanted, seen)
    if score >= CLOSE or (score >= GROWN and len(set(wanted) & set(seen)) >= SHARED):
        return score
    return None


def nearest(label: str, texts: Iterable[str]) -> str | None:
    """Of ``texts``, the one closest to ``label`` if it is close enough to be the label reworded.

    The closest text decides: a text that only passes as a grown label (``GROWN``) counts only when
    no text is closer, so a near wording is never passed over for a longer one that shares more."""
    wanted = label_canon(label)
    best: tuple[float, str] | None = None
    for text in texts:
        seen = label_canon(text)
        if not wanted or not seen:
            continue
        key = (_closeness(wanted, seen), seen)
        if best is None or key > (best[0], label_canon(best[1])):
            best = (key[0], text)
    if best is None:
        return None
    return best[1] if closeness(label, best[1]) is not None else None
