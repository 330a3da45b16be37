"""Days in 和暦 (令和7年6月2日), as the 公募要領 and the template write them.

The modern eras are a table here (first day, 漢字, letter); japanera — slow to import — is
asked only for a day before 大正 or a text that reads as none of them (normalize's rarer forms).
"""

from __future__ import annotations

import datetime as dt

# (first day, name, letter), newest first; each era ends the day before the next one begins
ERAS = (
    (dt.date(2019, 5, 1), "令和", "R"),
    (dt.date(1989, 1, 8), "平成", "H"),
    (dt.date(1926, 12, 25), "昭和", "S"),
    (dt.date(1912, 7, 30), "大正", "T"),
)


def era_of(day: dt.date) -> tuple[str, int] | None:
    """The era's name and year number of a day from 大正 on: 2025-04-01 → ("令和", 7); else None."""
    for first, name, _letter in ERAS:
        if day >= first:
            return name, day.year - first.year + 1
    return None


def wareki_year(day: dt.date) -> str:
    """The 和暦 year of a day: 2025-04-01 → 「令和7年」, 2019-05-01 → 「令和元年」."""
    found = era_of(day)
    if found:
        name, number = found
    else:
        from japanera import EraDate

        era = EraDate.from_date(day)
        name, number = era.strftime("%-K"), int(era.strftime("%-y"))
    return f"{name}{'元' if number == 1 else number}年"


def wareki_date(day: dt.date) -> str:
    """A day in 和暦: 2025-06-02 → 「令和7年6月2日」."""
    return f"{wareki_year(day)}{day.month}月{day.day}日"
