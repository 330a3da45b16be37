"""The day an application was made, as far as it is known: what the latest 決算期 are judged at (PV407).

1. the 提出日 the workbook gives (計画様式1);
2. else the program's 募集期間: the window of the profile ``--program`` names (schemas/programs/, where
   its document states one), or of the template's own program (program.yaml ``application_window``);
3. else today, as a last resort: the latest day it may have been made (the first is not known).

The finding says which of them it used (:attr:`ApplicationDate.said`).
"""

from __future__ import annotations

import datetime as dt

from planvalidator.normalize import date_or_none
from planvalidator.structs import Frozen
from planvalidator.wareki import wareki_date

SUBMITTED, WINDOW, TODAY = "submitted", "window", "today"


class ApplicationDate(Frozen):
    """The days an application was made between, and what they are known from."""
    first: dt.date | None      # the earliest day it may have been made (None: not known)
    last: dt.date              # the latest day
    basis: str                 # SUBMITTED / WINDOW / TODAY
    said: str                  # how a message names it: 「提出日（令和7年6月2日）」

    def on(self, day: dt.date) -> str:
        """How a message names one day of it: 「提出日（令和7年6月2日）」「募集期間（…）の初日（令和7年4月21日）」."""
        if self.basis != WINDOW:
            return self.said
        which = "初日" if day == self.first else "最終日" if day == self.last else "日"
        return f"{self.said}の{which}（{wareki_date(day)}）"


def today() -> dt.date:
    """Today's date (a function of its own, so that a test can fix it)."""
    return dt.date.today()


def application_date(plan, program, course=None) -> ApplicationDate:
    """When the application was made: its 提出日, else the 募集期間 of the program checked against, else today."""
    submitted = date_or_none(plan.value("applicant", "submitted_on"))
    if submitted is not None:
        return ApplicationDate(submitted, submitted, SUBMITTED, f"提出日（{wareki_date(submitted)}）")
    window = window_of(program, course)
    if window is not None:
        return ApplicationDate(window.start, window.end, WINDOW, f"募集期間（{window.written}）")
    day = today()
    return ApplicationDate(None, day, TODAY, f"今日（{wareki_date(day)}。提出日が書かれておらず、制度の募集期間も分からないため）")


def window_of(program, course=None):
    """The 募集期間 (planvalidator.program.ApplicationWindow) of the program a plan is checked against: the
    course's profile's, else — when the course is of the template's own program, or there is none — the
    program.yaml one; None when neither document states one."""
    from planvalidator.profiles import profile

    if course is not None:
        own = profile(course.profile)          # the course's profile alone
        if own is not None and own.window is not None:
            return own.window
        if course.profile != program.spec.get("profile"):
            return None                          # another program's: the template's window is not its own
    return program.application_window
