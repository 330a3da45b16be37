"""The summary as one JSON document: ``{"applications": [...], "rules": [...]}``.

Each application is :meth:`Application.to_dict` plus ``top_findings``; ``rules`` is
:func:`rule_counts`. UTF-8, not ASCII-escaped, indented.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from planvalidator.summary import Application, rule_counts

# JSON allows these raw inside strings, but they end lines for some readers (str.splitlines, JavaScript)
_LINE_BREAKS = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def application(app: Application) -> dict:
    d = app.to_dict()
    d["top_findings"] = app.top_findings
    return finite(d)


def finite(value):
    """NaN and infinities (not JSON) as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


def dumps(value, **kwargs) -> str:
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, default=str, **kwargs)
    for raw, escaped in _LINE_BREAKS.items():
        text = text.replace(raw, escaped)      # only ever inside strings
    return text


def emit(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        Path(out).write_text(text, encoding="utf-8", newline="\n")


def write(applications: list[Application], out: Path | None) -> None:
    document = {"applications": [application(a) for a in applications], "rules": rule_counts(applications)}
    emit(dumps(document, indent=2) + "\n", out)
