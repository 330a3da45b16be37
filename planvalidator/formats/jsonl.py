"""JSON Lines: one object per finding (``file`` and ``template``, then the keys of the json format's
findings: Finding.to_dict()), accepted ones included with ``accepted`` true; one ``{"file", "error"}``
line per file that could not be checked. A file checked without findings writes no line."""

from __future__ import annotations

import json
from typing import IO


def lines(outcomes) -> list[dict]:
    out = []
    for outcome in outcomes:
        if outcome.report is None:
            out.append({"file": outcome.file, "error": outcome.error})
            continue
        for f in outcome.report.findings:
            out.append({"file": outcome.report.file, "template": outcome.report.template, **f.to_dict()})
    return out


def write(outcomes, out: IO[str], *, color=None) -> None:
    for item in lines(outcomes):
        out.write(json.dumps(item, ensure_ascii=False) + "\n")
