"""The one finding model every check produces and every report and annotation reads."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def label(self) -> str:
        return {"error": "エラー", "warning": "警告", "info": "情報"}[self.value]

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


def cell_key(cell: str | None) -> tuple[int, int]:
    """Sort key for an A1 address: row first, then column."""
    from planvalidator.workbook import parse_a1
    return parse_a1(cell) or (0, 0)


@dataclass(frozen=True)
class Finding:
    rule: str          # PVnnn
    name: str          # kebab-case
    severity: Severity
    sheet: str | None
    cell: str | None   # A1 style
    message: str       # Japanese
    reference: str     # clause of the source document

    def to_dict(self) -> dict:
        d = asdict(self)
        d["severity"] = self.severity.value
        return d

    @property
    def where(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or ""


def sort_findings(findings, sheet_order: list[str] | None = None) -> list[Finding]:
    order = {name: i for i, name in enumerate(sheet_order or [])}
    return sorted(
        set(findings),
        key=lambda f: (order.get(f.sheet or "", len(order)), f.sheet or "",
                       cell_key(f.cell), f.severity.rank, f.rule, f.message),
    )
