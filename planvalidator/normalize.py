"""Turn what applicants really type into typed values.

Each parser takes a raw cell value (what openpyxl or xlwings hands over: str, int,
float, datetime, bool or None) and returns the typed value, ``None`` for an empty
cell, or raises :class:`Unreadable` with a short Japanese reason.

- 全角/半角: ``unicodedata`` NFKC (「２４０，０００」→「240,000」, 半角カナ → 全角).
- 和暦: 大正〜令和 by wareki.ERAS (「令和7年10月1日」, 「R7.10.1」, 「令和元年5月1日」); japanera,
  imported only then, for any other form it reads.
- Excel serial dates (1900 date system).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from functools import lru_cache

from planvalidator.patterns import lazy
from planvalidator.wareki import ERAS


class Unreadable(ValueError):
    """The value cannot be read as the expected type."""


# --- remembering by value ------------------------------------------------------

_KEYED = frozenset({str, int, float, bool, dt.date, dt.datetime, type(None)})


def value_key(value) -> object | None:
    """A cell value as the key a pure function of it is remembered by within a check (a table repeats its
    values thousands of times): (its kind, itself), so that 1, 1.0 and True are three keys — a text is its
    own key (no other key equals a str). None for a value that must not share an outcome with an equal one:
    0.0 (equal to -0.0, which shows as 「-0」), NaN (equal to nothing), a date-time with a time zone (equal to
    another zone's same moment), any other kind."""
    kind = value.__class__
    if kind is str:
        return value
    if kind not in _KEYED or (kind is float and (value == 0 or value != value)) or (
            kind is dt.datetime and value.tzinfo is not None):
        return None
    return kind, value


def by_value(memo: dict, value, make, *args):
    """``make(*args, value)``, remembered in ``memo`` by :func:`value_key` (made each time for a value
    without a key): one dict per pure function and column, within one check."""
    key = value_key(value)
    if key is None:
        return make(*args, value)
    try:
        return memo[key]
    except KeyError:
        made = memo[key] = make(*args, value)
        return made


def each_by_value(values, make, *args) -> list:
    """``[make(*args, value) for value in values]``, each distinct value (:func:`value_key`) made once:
    :func:`by_value` over a whole column, without a call per value (a text, most of a table, is its own
    key; the rest ask :func:`value_key`)."""
    memo: dict = {}
    out = []
    unseen = memo.get
    for value in values:
        key = value if value.__class__ is str else value_key(value)
        if key is None:
            out.append(make(*args, value))
            continue
        made = unseen(key, memo)            # (the memo itself: a value no make returns)
        if made is memo:
            made = memo[key] = make(*args, value)
        out.append(made)
    return out


# --- text -----------------------------------------------------------------

_SPACES = re.compile(r"[\s\u3000]+")
_LEADING_NUMBERING = re.compile(r"^(?:\d{1,2}[\.．、]|\(\d{1,2}\)|\d{1,2}\))\s*")
_CIRCLED = re.compile(r"^[\u2460-\u2473\u24ea]\s*")


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def canon(text: str) -> str:
    """The form two strings are compared in: NFKC, no white space, case-folded."""
    return _canon(text if isinstance(text, str) else str(text))


def fold(text: str) -> str:
    """:func:`canon` without its cache, for a long text seen once (the text of a PDF)."""
    return _SPACES.sub("", nfkc(text)).casefold()


_canon = lru_cache(maxsize=1 << 16)(fold)    # (a table repeats its texts: each is folded once)


def means(value, choice: str) -> bool:
    """Whether a cell's value is the choice (「有」「無」…), however it was written; False if empty."""
    return value is not None and canon(value) == canon(choice)


def label_canon(text: str) -> str:
    """A label's comparable form: :func:`canon` without leading numbering (「１．」「①」「(1)」)."""
    return _label_canon(text if isinstance(text, str) else str(text))


@lru_cache(maxsize=1 << 16)
def _label_canon(text: str) -> str:
    text = _CIRCLED.sub("", text.strip())
    return canon(_LEADING_NUMBERING.sub("", nfkc(text).strip()))


def is_blank(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def to_text(value) -> str | None:
    """Free text: stripped; numbers without a spurious ``.0``; dates as ISO."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def to_choice(value, choices) -> str | None:
    """A list value: the canonical choice when the text matches one up to width and spaces."""
    text = to_text(value)
    if text is None:
        return None
    wanted = canon(text)
    for choice in choices:
        if canon(choice) == wanted:
            return choice
    return text


# --- numbers --------------------------------------------------------------

_NUMBER = lazy(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def to_number(value) -> float | None:
    """A number as applicants write it: 「２４０，０００円」, 「¥240,000」, 「240,000-」, 「△1,000」."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise Unreadable("数値ではありません")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise Unreadable("数値ではありません")
        return float(value)
    if isinstance(value, (dt.date, dt.datetime)):
        raise Unreadable("日付が入力されています（数値が必要です）")
    text = _SPACES.sub("", nfkc(str(value)))
    negative = False
    if text.startswith(("△", "▲")):
        negative, text = True, text[1:]
    text = text.replace(",", "").replace("¥", "").replace("\\", "").replace("$", "")
    for suffix in ("円", "人", "名", "%", "-"):
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
    if not _NUMBER.fullmatch(text):
        raise Unreadable("数値として読めません")
    number = float(text)
    return -number if negative else number


def to_int(value) -> int | None:
    """A whole number (円, 人, 千円)."""
    number = to_number(value)
    if number is None:
        return None
    if not float(number).is_integer():
        raise Unreadable("小数が入力されています（1円単位の整数で入力してください）")
    return int(number)


# --- dates ----------------------------------------------------------------

_EXCEL_EPOCH = dt.date(1899, 12, 30)
# the 西暦 forms %Y年%m月%d日, %Y/%m/%d, %Y-%m-%d and %Y.%m.%d as datetime.strptime reads them (its
# regular expressions for %Y, %m and %d; the text matched from its start, then all of it read): strptime's
# first call imports _strptime, calendar and locale and builds its locale's patterns, a tenth of a cold check
_MONTH, _DAY = r"(1[0-2]|0[1-9]|[1-9])", r"(3[0-1]|[1-2]\d|0[1-9]|[1-9]| [1-9])"
_WESTERN = lazy(rf"(\d\d\d\d)(?:年{_MONTH}月{_DAY}日|([/.-]){_MONTH}\4{_DAY})", re.IGNORECASE)
_ERA_KANJI = ("%-K%-y年%m月%d日",)
_ERA_LETTER = ("%-h%-y.%m.%d", "%-h%-y/%m/%d", "%-h%-y-%m-%d", "%-h%-y年%m月%d日")
_ERA_KANJI_YM = ("%-K%-y年%m月",)
_ERA_LETTER_YM = ("%-h%-y.%m", "%-h%-y/%m", "%-h%-y年%m月")
_ERA_FULL = _ERA_KANJI + _ERA_LETTER
# the full-date forms above for the eras of wareki.ERAS (letters R and H only: japanera reads an
# "S" as 西暦 first); a text that matches but is no day of its era goes on to japanera
_MODERN = re.compile(r"(令和|平成|昭和|大正)(\d{1,2})年(\d{1,2})月(\d{1,2})日"
                     r"|([RH])(\d{1,2}|元)(?:([./-])(\d{1,2})\7(\d{1,2})|年(\d{1,2})月(\d{1,2})日)")
_DIGIT_RUNS = re.compile(r"\d+")
_ERA_START = {key: (first, ERAS[i - 1][0] if i else None)
              for i, (first, name, letter) in enumerate(ERAS) for key in (name, letter)}


def from_serial(serial: float) -> dt.date:
    if not 1 <= serial < 2958466:
        raise Unreadable("日付として読めません")
    return _EXCEL_EPOCH + dt.timedelta(days=int(serial))


def _modern(text: str) -> dt.date | None:
    """A full 和暦 date of 大正〜令和 in one of :data:`_ERA_FULL`'s forms, without japanera."""
    m = _MODERN.fullmatch(text)
    if not m:
        return None
    g = m.groups()
    era, year, month, day = g[0:4] if g[0] else (g[4], g[5], g[7] or g[9], g[8] or g[10])
    first, following = _ERA_START[era]
    try:
        year = "1" if year == "元" else year            # (「R元.5.1」: 元年 alone was made 1年 above)
        found = dt.date(first.year + int(year) - 1, int(month), int(day))
    except ValueError:
        return None
    if int(year) < 1 or found < first or (following and found >= following):
        return None
    return found


def _era_text(text: str) -> str:
    """元年 as 1年, an era letter in capitals (「r7.10.1」 → 「R7.10.1」): as both readers of 和暦 want it."""
    text = text.replace("元年", "1年")
    return text[0].upper() + text[1:] if text[:1].isascii() and text[:1].isalpha() else text


def _era(text: str, formats) -> dt.date | None:
    text = _era_text(text)
    if formats is _ERA_FULL:
        found = _modern(text)
        if found or text[:1].isdigit() or len(_DIGIT_RUNS.findall(text.replace("元", "1"))) < 3:
            return found        # (a form japanera cannot read either: no era first, or no year, month and day)
    return _japanera(text, formats)


def _japanera(text: str, formats) -> dt.date | None:
    """``text`` (see :func:`_era_text`) read by japanera in the first of ``formats`` that fits."""
    from japanera import EraDate

    for fmt in formats:
        try:
            found = EraDate.strptime(text, fmt)
        except (ValueError, TypeError, KeyError, IndexError):
            continue
        if found:
            return found[0].to_date() if hasattr(found[0], "to_date") else dt.date(
                found[0].year, found[0].month, found[0].day)
    return None


def to_date(value) -> dt.date | None:
    """A date: a real date cell, an Excel serial number, 西暦 or 和暦 text."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise Unreadable("日付として読めません")
    if isinstance(value, (int, float)):
        return from_serial(float(value))
    text = str(value)
    found = _remembered_date(text) if len(text) <= _DATE_TEXT_KEPT else _text_date(text)
    if found is None:
        raise Unreadable("日付として読めません（例: 2025/10/1、令和7年10月1日）")
    return found


def _text_date(value: str) -> dt.date | None:
    """The date a text reads as (None: none)."""
    text = _SPACES.sub("", nfkc(value))
    if re.fullmatch(r"\d+(\.0+)?", text) and len(text.split(".")[0]) <= 5:
        return from_serial(float(text))
    found = _western(text)
    return found or _era(text, _ERA_FULL) or None


def _western(text: str) -> dt.date | None:
    """``text`` in one of the 西暦 forms of :data:`_WESTERN` (None: not, or no such day)."""
    m = _WESTERN.match(text)
    if m is None or m.end() != len(text):
        return None
    year, month, day = m.group(1), m.group(2) or m.group(5), m.group(3) or m.group(6)
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


# each check reads the same date texts of the form again (令和7年10月1日 …), and every format strptime
# tries and fails raises: remembered by text, texts no longer than a date is written (kept bounded)
_DATE_TEXT_KEPT = 40
_remembered_date = lru_cache(maxsize=1 << 12)(_text_date)


def date_or_none(value) -> dt.date | None:
    """A date when the value reads as one, else None (for rules that only act on real dates)."""
    try:
        return to_date(value)
    except Unreadable:
        return None


def to_year_month(value) -> tuple[int, int] | None:
    """A year and month: 「2024年3月」, 「R6.3」, 「2024/3」, or any full date."""
    if is_blank(value):
        return None
    try:
        day = to_date(value)
        return (day.year, day.month) if day else None
    except Unreadable:
        pass
    text = _SPACES.sub("", nfkc(str(value)))
    m = re.fullmatch(r"(\d{4})(?:年|/|-|\.)(\d{1,2})月?", text)
    if m and 1 <= int(m.group(2)) <= 12:
        return int(m.group(1)), int(m.group(2))
    found = _era(text + ("1日" if text.endswith("月") else ".1"),
                 _ERA_FULL) or _era(text, _ERA_KANJI_YM + _ERA_LETTER_YM)
    if found:
        return found.year, found.month
    raise Unreadable("年月として読めません（例: 2024年3月、R6.3）")
