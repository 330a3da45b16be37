"""The changes between two versions of a template: what ``planvalidator.template.diff`` returns."""

from __future__ import annotations

from collections import Counter
from typing import Any

from planvalidator.structs import Struct, field
from planvalidator.template.description import describe

# The kinds of change, in the order they are listed within a sheet.
KINDS = (
    "sheet_added", "sheet_removed", "sheet_renamed", "sheet_reordered", "sheet_state_changed",
    "rows_inserted", "rows_deleted", "columns_inserted", "columns_deleted",
    "label_reworded", "label_moved", "label_added", "label_removed",
    "value_changed", "value_added", "value_removed",
    "formula_changed", "formula_added", "formula_removed",
    "input_cells_added", "input_cells_removed",
    "validation_changed", "validation_added", "validation_removed",
    "merge_added", "merge_removed",
    "protection_changed", "unlocked_cells_added", "unlocked_cells_removed",
    "protected_range_added", "protected_range_removed", "protected_range_changed",
    "defined_name_added", "defined_name_removed", "defined_name_changed",
)
ORDER = {k: i for i, k in enumerate(KINDS)}


class Change(Struct):
    """One change. ``sheet`` is the sheet's new name (old name for a removed sheet; None for the
    workbook); ``cell`` the place in the new sheet (the old one for what was removed)."""
    kind: str
    sheet: str | None = None
    cell: str | None = None
    old: Any = None
    new: Any = None
    detail: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "sheet": self.sheet, "cell": self.cell, "old": self.old,
                "new": self.new, "detail": dict(self.detail)}

    def text(self) -> str:
        return describe(self)


class TemplateDiff(Struct):
    old: str
    new: str
    changes: list[Change] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.changes)

    def __len__(self) -> int:
        return len(self.changes)

    def of(self, kind: str | None = None, sheet: str | None = None) -> list[Change]:
        return [c for c in self.changes if (kind is None or c.kind == kind) and (sheet is None or c.sheet == sheet)]

    def kinds(self) -> Counter:
        return Counter(c.kind for c in self.changes)

    def to_dict(self) -> dict:
        return {"old": self.old, "new": self.new, "count": len(self.changes),
                "summary": dict(sorted(self.kinds().items(), key=lambda kv: ORDER[kv[0]])),
                "changes": [c.to_dict() for c in self.changes]}

    def text(self) -> str:
        """One line per change, grouped by sheet (workbook first, then the new sheets' order,
        then removed sheets), in Japanese."""
        if not self.changes:
            return "変更はありません"
        lines = []
        for sheet, changes in self.by_sheet():
            for change in changes:
                lines.append(f"{sheet or 'ブック'}: {change.text()}")
        return "\n".join(lines)

    def by_sheet(self) -> list[tuple[str | None, list[Change]]]:
        groups: dict[str | None, list[Change]] = {}
        for change in self.changes:
            groups.setdefault(change.sheet, []).append(change)
        return list(groups.items())
