"""Where an address is: inside the program's prefecture or not, and its 市区町村.

Read from the address as people write it (with or without 〒 and the prefecture, full-width or
not); the places themselves are program data (program.yaml ``region``).
"""

from __future__ import annotations

import re

from planvalidator.normalize import nfkc
from planvalidator.patterns import lazy

_POSTAL = re.compile(r"^〒?\s*\d{3}-?\d{4}\s*")
# 市区町村 as the first part of an address after the prefecture: 「金沢市」「野々市市」「能美郡川北町」「東京都千代田区」
_COUNTY = lazy(r"^[^市区町村]{1,5}郡")
_CITY = lazy(r"^(.+?郡.+?[町村]|.+?市.*?区|.+?[市区町村])")


def address_text(address) -> str:
    """The address without 〒 and spaces, NFKC-folded."""
    return _POSTAL.sub("", nfkc(str(address or "")).strip()).replace(" ", "").replace("\u3000", "")


def where(region, address) -> str:
    """"in" (in the program's prefecture), "out" (another prefecture) or "unknown"."""
    text = address_text(address)
    if not text:
        return "unknown"
    for pref in region.prefectures:
        if text.startswith(pref):
            return "in" if pref == region.prefecture else "out"
    if any(text.startswith(m) for m in region.municipalities):
        return "in"
    if any(m in text for m in region.municipalities) or region.prefecture in text:
        return "in"
    return "unknown"


def municipality(region, address) -> str | None:
    """The 市区町村 of an address (「金沢市」, 「野々市市」, 「能美郡川北町」), or None when it does not say."""
    text = address_text(address)
    for pref in region.prefectures:
        if text.startswith(pref):
            text = text[len(pref):]
            break
    town = _COUNTY.sub("", text)          # 「能美郡川北町」: the town is what staff call it
    known = sorted((m for m in region.municipalities if text.startswith(m) or town.startswith(m)), key=len, reverse=True)
    if known:
        return known[0]
    found = _CITY.match(text)
    return found.group(1) if found and len(found.group(1)) <= 12 else None
