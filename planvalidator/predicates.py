"""planvalidator's own predicates for pandera custom checks, named in the sheet schemas (schemas/*/sheets/*.yaml).

Every check is element-wise, treats an empty value as passing (required-ness is
``nullable: false``), and reads 全角 the same as 半角. :data:`CUSTOM` maps each check's name
to its predicate; :func:`register_with_pandera` registers them all with pandera, so the
same YAML also deserializes as pandera schemas.
"""

from __future__ import annotations

import re

from planvalidator import normalize

_POSTAL = re.compile(r"\d{3}-?\d{4}")
_PHONE = re.compile(r"0[\d\-()]{8,14}")
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+")
MARKS = frozenset("●○〇◯◎■✓✔")


def is_empty(value) -> bool:
    """None, NaN, or pandas' NA / NaT (checked by type name: pandas need not be loaded)."""
    return (value is None or (isinstance(value, float) and value != value)
            or type(value).__name__ in ("NAType", "NaTType"))


def _text(value) -> str:
    return normalize.canon(value)


def is_postal_code(value) -> bool:
    return is_empty(value) or bool(_POSTAL.fullmatch(_text(value).lstrip("〒")))


def is_phone_number(value) -> bool:
    if is_empty(value):
        return True
    text = _text(value).replace("‐", "-").replace("−", "-").replace("ー", "-")
    digits = re.sub(r"\D", "", text)
    return bool(_PHONE.fullmatch(text)) and 10 <= len(digits) <= 11


def is_email(value) -> bool:
    return is_empty(value) or bool(_EMAIL.fullmatch(_text(value)))


def is_corporate_number(value) -> bool:
    """13 digits whose check digit is right (:func:`corporate_check_digit`)."""
    if is_empty(value):
        return True
    text = re.sub(r"[-\s]", "", _text(value))
    return (len(text) == 13 and all(c in _DIGITS for c in text)
            and corporate_check_digit(text[1:]) == text[0])


_DIGITS = frozenset("0123456789")


def corporate_check_digit(base: str) -> str:
    """The 法人番号's check digit (its first digit) for its other twelve digits.

    9 − (Σ digit × weight) mod 9, the weights 1, 2, 1, 2, … from the rightmost digit
    (国税庁「法人番号の指定等に関する省令」第2条; what python-stdnum's ``stdnum.jp.cn`` computes).
    """
    total = sum(int(d) * (1 if i % 2 == 0 else 2) for i, d in enumerate(reversed(base)))
    return str(9 - total % 9)


def is_date_or(value, allowed) -> bool:
    if is_empty(value):
        return True
    if _text(value) in {_text(a) for a in allowed}:
        return True
    try:
        return normalize.to_date(value) is not None
    except normalize.Unreadable:
        return False


def is_year_month(value) -> bool:
    if is_empty(value):
        return True
    try:
        return normalize.to_year_month(value) is not None
    except normalize.Unreadable:
        return False


def is_mark(value) -> bool:
    return is_empty(value) or _text(value) in MARKS


def _flagged(predicate):
    """A check written ``name: true`` in the YAML (``false`` turns it off)."""
    return lambda value, flag=True: predicate(value) if flag else True


CUSTOM = {
    # name: (predicate(value, argument), the statistic pandera keeps the argument under)
    "postal_code": (_flagged(is_postal_code), "flag"),
    "phone_number": (_flagged(is_phone_number), "flag"),
    "email": (_flagged(is_email), "flag"),
    "corporate_number": (_flagged(is_corporate_number), "flag"),
    "year_month": (_flagged(is_year_month), "flag"),
    "mark": (_flagged(is_mark), "flag"),
    "date_or": (lambda value, allowed=(): is_date_or(value, allowed), "allowed"),
}

_registered = False


def register_with_pandera() -> None:
    """Register :data:`CUSTOM` as pandera element-wise checks (once per process)."""
    global _registered
    if _registered:
        return
    from pandera import extensions

    for name, (predicate, statistic) in CUSTOM.items():
        if statistic == "flag":
            def check(x, *, flag=True, _p=predicate):
                return _p(x, flag)
        else:
            def check(x, *, allowed=(), _p=predicate):
                return _p(x, allowed)
        check.__name__ = name
        extensions.register_check_method(check_type="element_wise", statistics=[statistic])(check)
    _registered = True

