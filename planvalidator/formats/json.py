"""JSON: one file → its object; several → ``{"files": [...]}``. The keys are a stable interface."""

from __future__ import annotations

import json
from typing import IO

from planvalidator.engine import analyser, analyser_note
from planvalidator.findings import Severity
from planvalidator.outcome import advice


def outcome_dict(outcome) -> dict:
    if outcome.report is not None:
        d = outcome.report.to_dict()
    else:
        d = {"file": outcome.file, "template": None, "error": outcome.error,   # the same keys as a checked file
             "summary": {s.value: 0 for s in Severity}, "accepted": 0, "incomplete": False, "findings": [],
             "money": None, "next_steps": None, "advice": advice(outcome.error),   # what the applicant does
             "analyser": analyser(), "analyser_note": analyser_note()}
    if outcome.annotated:
        d["output"] = outcome.output
        if outcome.report is not None:
            d["notes_skipped"] = [f"{sheet}!{cell}" for sheet, cell in outcome.notes_skipped]
    return d


def write(outcomes, out: IO[str], *, color=None) -> None:
    items = [outcome_dict(o) for o in outcomes]
    out.write(json.dumps(items[0] if len(items) == 1 else {"files": items}, ensure_ascii=False, indent=2) + "\n")
