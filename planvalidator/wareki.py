"""Days in 和暦 (令和7年6月2日), as the 公募要領 and the template write them."""

from __future__ import annotations

import datetime as dt


def wareki_year(day: dt.date) -> str:
    """The 和暦 year of a day: 2025-04-01 → 「令和7年」, 2019-05-01 → 「令和元年」."""
    from japanera import EraDate

    era = EraDate.from_date(day)
    number = int(era.strftime("%-y"))
    return f"{era.strftime('%-K')}{'元' if number == 1 else number}年"


def wareki_date(day: dt.date) -> str:
    """A day in 和暦: 2025-06-02 → 「令和7年6月2日」."""
    return f"{wareki_year(day)}{day.month}月{day.day}日"
