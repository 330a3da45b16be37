"""Whether the fiscal periods of some 決算書 are the latest ones at a date (公募要領 6.(3) ②「直近2期分」).

A period is known by the day it ends (planvalidator/attachments.py reads them from the files: the
month a 決算期 ends, or an individual's calendar year 「令和5年分」). At a date, the latest periods are
the ones that ended before it, the newest first, a year apart on the fiscal year's month — the
newest period found gives that month (a company that changed its 決算期 is judged by its present
one; an individual's year ends in December). The newest of them may not be closed yet: a 決算 is
settled and filed some months after the period ends (``closing_months``, program data). Until then
the periods one older are still possibly the latest (EARLY: a warning, never an error).

:func:`judge` judges one day; :func:`judge_between` an application made some day between two
(a 募集期間, when the workbook gives no 提出日): old only if it is old on the first day.
"""

from __future__ import annotations

import datetime as dt

from planvalidator.attachments import HOWS
from planvalidator.structs import Frozen, replace
from planvalidator.wareki import wareki_date, wareki_year

YEAR = 12                    # months in a 事業年度 (a first or changed one may be shorter, never longer)

OK, EARLY, OLD, UNSURE = "ok", "early", "old", "unsure"


class Period(Frozen):
    """A fiscal period found in the files."""
    end: dt.date
    text: str                # as a file writes it: 「令和5年4月1日〜令和6年3月31日」「令和5年分」「2024年3月期」
    exact: bool = True       # False: only a year in a file name (「R5」), read as the latest period it may mean
    files: tuple[str, ...] = ()


class Judgement(Frozen):
    """Whether the 決算期 periods found are the latest ones at a day."""
    status: str                          # OK / EARLY / OLD / UNSURE
    on: dt.date                          # the day it was judged at
    found: tuple[Period, ...]            # the periods found, oldest first
    expected: tuple[dt.date, ...]        # the ends of the latest periods at ``on``, oldest first
    previous: tuple[dt.date, ...]        # the ends of the periods one older (enough while the newest is open)
    closes_on: dt.date                   # until this day (included) the newest expected period may be open
    yearly: bool                         # periods are calendar years (an individual's 「…年分」)
    guessed: bool = False                # judged on years in file names only

    @property
    def missing(self) -> tuple[dt.date, ...]:
        """The expected periods not found."""
        have = {p.end for p in self.found}
        return tuple(end for end in self.expected if end not in have)

    @property
    def stale(self) -> tuple[Period, ...]:
        """The periods found that are not among the expected ones."""
        return tuple(p for p in self.found if p.end not in self.expected)


# --- days --------------------------------------------------------------------------------------

def month_end(year: int, month: int) -> dt.date:
    """The last day of a month; months past December run on into the next years."""
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    if month == 12:                 # (the day before the next month's first: calendar imports locale)
        return dt.date(year, 12, 31)
    return dt.date(year, month + 1, 1) - dt.timedelta(days=1)


def months_between(earlier: dt.date, later: dt.date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def latest_end(on: dt.date, month: int) -> dt.date:
    """The end of the newest period that ended before ``on``, for a fiscal year ending in ``month``."""
    end = month_end(on.year, month)
    return end if end < on else month_end(on.year - 1, month)


def start_of(end: dt.date) -> dt.date:
    """The first day of the whole year ending on ``end`` (a period's start, as expected ones are written)."""
    return month_end(end.year - 1, end.month) + dt.timedelta(days=1)


# --- the periods of some files -----------------------------------------------------------------

def found_periods(attachments, *, yearly: bool = False) -> tuple[Period, ...]:
    """The distinct periods some files name, by the day each ends, oldest first, each as the most telling
    of the files writes it. A year in a file name only (「決算書R5.pdf」) is an individual's calendar year,
    or, for anyone else, the latest period it may mean (March of the next year: 「令和5年度」), not exact;
    such years count only when no file names an exact period. Periods without a date (「第12期」) are left out."""
    exact: dict[dt.date, list] = {}
    named: dict[dt.date, list] = {}
    for a in attachments:
        for w in a.written:
            end, sure = _end(w, yearly)
            if end is not None:
                (exact if sure else named).setdefault(end, []).append((w, a.name))
    chosen = exact or named
    out = []
    for end, entries in sorted(chosen.items()):
        best = min(entries, key=lambda e: HOWS.index(e[0].how))[0]
        files = tuple(dict.fromkeys(name for _, name in entries))
        out.append(Period(end, best.text, chosen is exact, files))
    return tuple(out)


def _end(w, yearly: bool) -> tuple[dt.date | None, bool]:
    """(the day a written period ends, whether that day is sure)."""
    key = w.key
    if len(key) == 7 and key[4] == "-":
        return month_end(int(key[:4]), int(key[5:])), True
    if len(key) == 4 and key.isdigit():
        if w.how == "year" or yearly:                   # 「令和5年分」: a calendar year
            return month_end(int(key), 12), True
        return month_end(int(key) + 1, 3), False         # 「R5」「2023年度」: at the latest, 令和6年3月期
    return None, False


def label(end: dt.date, *, yearly: bool, western: bool = False) -> str:
    """An expected period as the files would write it: 「令和6年4月1日〜令和7年3月31日」, an individual's
    「令和6年分」; in 西暦 when ``western`` (「2024年4月1日〜2025年3月31日」「2024年分」)."""
    if yearly:
        return f"{end.year}年分" if western else f"{wareki_year(end)}分"
    start = start_of(end)
    return f"{day_label(start, western)}〜{day_label(end, western)}"


def day_label(day: dt.date, western: bool = False) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if western else wareki_date(day)


def written_in_western(periods) -> bool:
    """Whether the files write their periods in 西暦 (「2023年4月1日〜…」): then the expected ones are too."""
    return bool(periods) and all(p.text[:4].isdigit() for p in periods)


# --- judging -----------------------------------------------------------------------------------

def judge(found, on: dt.date, *, periods: int, closing_months: int, yearly: bool = False) -> Judgement | None:
    """How the periods found stand at ``on``: OK (the newest is the latest period, and the ones before it
    follow a year apart), EARLY (one period older while the latest may still be open), else OLD.
    None when no period was found. (Fewer periods than ``periods`` is not judged here: PV404.)"""
    found = tuple(sorted(found, key=lambda p: p.end))
    if not found:
        return None
    ends = sorted({p.end for p in found}, reverse=True)
    newest = ends[0]
    month = 12 if yearly else newest.month
    latest = latest_end(on, month)
    expected = tuple(month_end(latest.year - k, month) for k in reversed(range(periods)))
    previous = tuple(month_end(end.year - 1, month) for end in expected)
    closes_on = month_end(latest.year, latest.month + closing_months)
    behind = 0 if newest >= latest else -(-months_between(newest, latest) // YEAR)
    following = 1                          # the periods from the newest back, each a year or less before the next
    for later, earlier in zip(ends, ends[1:]):
        if not 0 < months_between(earlier, later) <= YEAR:
            break
        following += 1
    complete = following >= min(periods, len(ends))
    if behind == 0 and complete:
        status = OK
    elif behind == 1 and on <= closes_on and complete:
        status = EARLY
    else:
        status = OLD
    guessed = not all(p.exact for p in found)
    if guessed and status == OLD:
        status = UNSURE
    return Judgement(status, on, found, expected, previous, closes_on, yearly, guessed)


def judge_between(found, first: dt.date | None, last: dt.date, **rule) -> Judgement | None:
    """How the periods stand for an application made some day from ``first`` to ``last`` (the same day
    when it is known; ``first`` None: not known): OLD only when they are old on the first day; old on
    the last day only, UNSURE; else as they stand on the last day (EARLY or OK)."""
    at_last = judge(found, last, **rule)
    if at_last is None or at_last.status != OLD or first == last:
        return at_last
    at_first = judge(found, first, **rule) if first is not None else None
    if at_first is not None and at_first.status == OLD:
        return at_first
    return _as(at_last, UNSURE)


def _as(j: Judgement, status: str) -> Judgement:
    return replace(j, status=status)
