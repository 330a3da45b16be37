"""The summary as one JSON document: ``{"applications": [...], "rules": [...]}``.

Each application is :meth:`Application.to_dict` plus ``top_findings``; ``rules`` is
:func:`rule_counts`. UTF-8, not ASCII-escaped, indented.
"""

from __future__ import annotations

from pathlib import Path

from planvalidator.summary import Application, application_object, dumps, emit, rule_counts


def write(applications: list[Application], out: Path | None, run=None) -> None:
    document = {"applications": [application_object(a) for a in applications], "rules": rule_counts(applications)}
    emit(dumps(document, indent=2) + "\n", out)
