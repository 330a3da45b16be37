"""Program parameters (schemas/<version>/program.yaml): rates, caps and the like."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

import yaml

from planvalidator.normalize import nfkc


@dataclass(frozen=True)
class Category:
    code: str          # "7" / "8"
    name: str
    rate: Fraction
    cap: int
    source: str

    @property
    def rate_text(self) -> str:
        return f"{self.rate.numerator}/{self.rate.denominator}"


@dataclass(frozen=True)
class Program:
    name: str
    categories: dict[str, Category]
    estimate_rounding: int
    raw: dict

    def category(self, value) -> Category | None:
        """The 事業区分 a 計画様式1 value names (「7 中小企業等…」, 「７」, 「区分8」)."""
        if value is None:
            return None
        text = nfkc(str(value)).strip()
        for code, cat in self.categories.items():
            if text.startswith(code) or text == f"区分{code}" or text == f"事業区分{code}":
                return cat
        return None


@lru_cache(maxsize=None)
def load_program(folder: Path) -> Program:
    raw = yaml.safe_load((folder / "program.yaml").read_text(encoding="utf-8"))
    cats = {
        str(code): Category(str(code), c["name"], Fraction(*c["rate"]), int(c["cap"]), c.get("source", ""))
        for code, c in raw["categories"].items()
    }
    return Program(raw["program"], cats, int(raw.get("estimate_rounding", 1)), raw)
