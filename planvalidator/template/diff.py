"""What changed between two versions of a template (``TemplateSnapshot``): ``diff(old, new)``.

The sheets are paired (same name, or renamed: most labels equal) and each pair's rows and
columns aligned (:mod:`planvalidator.template.alignment`), so that rows or columns inserted or
deleted are one change each; every cell is then compared through that mapping
(:mod:`planvalidator.template.comparison`), and each change tells itself in Japanese
(:mod:`planvalidator.template.description`). Here: the workbook as a whole — the sheets added,
removed and reordered, and the workbook's defined names.
"""

from __future__ import annotations

from planvalidator.template.alignment import Translator, match_sheets, pair_sheets
from planvalidator.template.changes import Change, TemplateDiff
from planvalidator.template.comparison import names, sheet_changes
from planvalidator.template.snapshot import SheetSnapshot, TemplateSnapshot


def _sheet_summary(sheet: SheetSnapshot) -> dict:
    return {"index": sheet.index, "labels": len(sheet.labels), "formulas": len(sheet.formulas),
            "inputs": len(sheet.inputs)}


def diff(old: TemplateSnapshot, new: TemplateSnapshot) -> TemplateDiff:
    """Every change from ``old`` to ``new``."""
    out = TemplateDiff(old=old.path, new=new.path)
    changes = out.changes
    matched = match_sheets(old, new)
    renames = {o: n for o, n in matched.items() if o != n}
    pairs = {o: pair_sheets(old.sheet(o), new.sheet(n)) for o, n in matched.items()}
    translate = Translator(pairs, renames)

    # workbook level: sheet order, defined names
    order_old = [matched[s.name] for s in old.sheets if s.name in matched]
    order_new = [s.name for s in new.sheets if s.name in matched.values()]
    if order_old != order_new:
        changes.append(Change("sheet_reordered", None, old=order_old, new=order_new,
                              detail={"old_order": old.sheet_names, "new_order": new.sheet_names}))
    changes.extend(names(old.defined_names, new.defined_names, None, None, translate))

    back = {n: o for o, n in matched.items()}
    for sheet in new.sheets:
        if sheet.name in back:
            changes.extend(sheet_changes(pairs[back[sheet.name]], translate))
        else:
            changes.append(Change("sheet_added", sheet.name, detail=_sheet_summary(sheet)))
    for sheet in old.sheets:
        if sheet.name not in matched:
            changes.append(Change("sheet_removed", sheet.name, detail=_sheet_summary(sheet)))
    return out
