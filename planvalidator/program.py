"""Program parameters (schemas/<version>/program.yaml): rates, caps, periods, expense lists, keywords.

Everything a rule needs to know about the program lives in that file, with the clause it comes
from; this module only gives it types.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property, lru_cache
from pathlib import Path

from planvalidator.normalize import canon, nfkc
from planvalidator.resources import load_yaml


@dataclass(frozen=True)
class Category:
    code: str          # "7" / "8"
    name: str
    rate: Fraction
    cap: int
    source: str
    org_types: tuple[str, ...] = ()
    max_employees: int | None = None

    @property
    def rate_text(self) -> str:
        return f"{self.rate.numerator}/{self.rate.denominator}"


@dataclass(frozen=True)
class SmeLimit:
    capital: int
    employees: int


@dataclass(frozen=True)
class Document:
    id: str
    name: str
    keywords: tuple[str, ...]
    when: str          # always / group / innovation_plan / partnership

    def matches(self, title: str | None) -> bool:
        text = canon(title or "")
        return any(canon(k) in text for k in self.keywords)


def _fraction(pair) -> Fraction:
    return Fraction(*pair)


@dataclass(frozen=True)
class Program:
    name: str
    categories: dict[str, Category]
    estimate_rounding: int
    raw: dict = field(repr=False, hash=False, compare=False)

    def category(self, value) -> Category | None:
        """The 事業区分 a 計画様式1 value names (「7 中小企業等…」, 「７」, 「区分8」)."""
        if value is None:
            return None
        text = nfkc(str(value)).strip()
        for code, cat in self.categories.items():
            if text.startswith(code) or text == f"区分{code}" or text == f"事業区分{code}":
                return cat
        return None

    # --- 事業実施期間 --------------------------------------------------------
    @property
    def earliest_grant_date(self) -> dt.date:
        return _date(self.raw["period"]["earliest_grant_date"])

    @property
    def max_years(self) -> int:
        return int(self.raw["period"]["max_years"])

    def fiscal_year(self, year_label: str | None) -> tuple[dt.date, dt.date] | None:
        """First and last day of 「1年目」「2年目」…: 1年目 = the fiscal year of the first 交付決定."""
        if not year_label:
            return None
        m = re.fullmatch(r"\s*(\d+)\s*年目\s*", nfkc(str(year_label)))
        if not m:
            return None
        start = int(self.raw["period"]["first_fiscal_year"]) + int(m.group(1)) - 1
        return dt.date(start, 4, 1), dt.date(start + 1, 3, 31)

    # --- 申請者 -----------------------------------------------------------------
    @cached_property
    def sme_limits(self) -> dict[str, SmeLimit]:
        return {canon(k): SmeLimit(int(v["capital"]), int(v["employees"]))
                for k, v in self.raw["sme"]["industries"].items()}

    def sme_limit(self, industry: str | None) -> SmeLimit | None:
        return self.sme_limits.get(canon(industry or ""))

    def org_type(self, key: str) -> str:
        return self.raw["org_types"][key]

    # --- 経費 -------------------------------------------------------------------
    @cached_property
    def expense_items(self) -> dict[str, tuple[str, ...]]:
        return {k: tuple(v) for k, v in self.raw["expense_categories"]["items"].items()}

    @cached_property
    def documents(self) -> list[Document]:
        return [Document(d["id"], d["name"], tuple(d["keywords"]), d["when"])
                for d in self.raw["documents"]["list"]]

    @cached_property
    def _keyword_sets(self) -> dict:
        return {}

    def keywords(self, family: str):
        """The compiled keyword list of one family (汎用品, 間接経費 …), built once per program."""
        from planvalidator.keywords import KeywordSet

        sets = self._keyword_sets
        if family not in sets:
            sets[family] = KeywordSet.from_program(self.raw["keywords"], family)
        return sets[family]

    def share(self, key: str, section: str | None = None) -> Fraction:
        data = self.raw[section] if section else self.raw
        return _fraction(data[key])


def _date(value) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


@lru_cache(maxsize=None)
def load_program(folder: Path) -> Program:
    raw = load_yaml(folder / "program.yaml")
    cats = {
        str(code): Category(str(code), c["name"], _fraction(c["rate"]), int(c["cap"]), c.get("source", ""),
                            tuple(c.get("org_types", ())), c.get("max_employees"))
        for code, c in raw["categories"].items()
    }
    return Program(raw["program"], cats, int(raw.get("estimate_rounding", 1)), raw)
