"""Checks registered with pandera so the sheet schemas (schemas/*/sheets/*.yaml) can name them.

Every check is element-wise, treats an empty value as passing (required-ness is
``nullable: false``), and reads 全角 the same as 半角.
"""

from __future__ import annotations

import re

import pandas as pd
from pandera import extensions
from stdnum.jp import cn

from planvalidator import normalize

_POSTAL = re.compile(r"\d{3}-?\d{4}")
_PHONE = re.compile(r"0[\d\-()]{8,14}")
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+")
MARKS = frozenset("●○〇◯◎■✓✔")


def _empty(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _text(value) -> str:
    return normalize.canon(value)


def is_postal_code(value) -> bool:
    return _empty(value) or bool(_POSTAL.fullmatch(_text(value).lstrip("〒")))


def is_phone_number(value) -> bool:
    if _empty(value):
        return True
    text = _text(value).replace("‐", "-").replace("−", "-").replace("ー", "-")
    digits = re.sub(r"\D", "", text)
    return bool(_PHONE.fullmatch(text)) and 10 <= len(digits) <= 11


def is_email(value) -> bool:
    return _empty(value) or bool(_EMAIL.fullmatch(_text(value)))


def is_corporate_number(value) -> bool:
    """13 digits whose check digit is right (python-stdnum ``stdnum.jp.cn``)."""
    if _empty(value):
        return True
    text = re.sub(r"[-\s]", "", _text(value))
    return len(text) == 13 and text.isdigit() and cn.is_valid(text)


def is_date_or(value, allowed) -> bool:
    if _empty(value):
        return True
    if _text(value) in {_text(a) for a in allowed}:
        return True
    try:
        return normalize.to_date(value) is not None
    except normalize.Unreadable:
        return False


def is_year_month(value) -> bool:
    if _empty(value):
        return True
    try:
        return normalize.to_year_month(value) is not None
    except normalize.Unreadable:
        return False


def is_mark(value) -> bool:
    return _empty(value) or _text(value) in MARKS


def _register():
    pairs = {
        "postal_code": is_postal_code,
        "phone_number": is_phone_number,
        "email": is_email,
        "corporate_number": is_corporate_number,
        "year_month": is_year_month,
        "mark": is_mark,
    }
    for name, fn in pairs.items():
        def check(x, *, flag=True, _fn=fn):
            return _fn(x) if flag else True
        check.__name__ = name
        extensions.register_check_method(check_type="element_wise", statistics=["flag"])(check)

    def date_or(x, *, allowed=()):
        return is_date_or(x, allowed)
    extensions.register_check_method(check_type="element_wise", statistics=["allowed"])(date_or)


_register()
