"""Output formats: a registry, one module per format.

Each format module has ``write(outcomes, out, *, color)``; :data:`FORMATS` names them for
``--format``. A new format is one module here plus one line in :data:`FORMATS`.
"""

from __future__ import annotations

from importlib import import_module
from typing import IO, TYPE_CHECKING

from planvalidator.structs import Struct, field

if TYPE_CHECKING:                     # the engine is imported by what checks, not by naming the formats (--format)
    from planvalidator.engine import Report

FORMATS = {
    "text": "planvalidator.formats.text",     # a table per file for people (rich), and the まとめ of several
    "json": "planvalidator.formats.json",     # one object per file (keys are a stable interface)
    "sarif": "planvalidator.formats.sarif",   # SARIF 2.1.0 for code scanning (GitHub upload-sarif): results, rules, fingerprints
    "junit": "planvalidator.formats.junit",   # JUnit XML for CI test reports: a suite per file, a test case per rule
    "jsonl": "planvalidator.formats.jsonl",   # one JSON object per finding (and per file that could not be checked)
    "github": "planvalidator.formats.github", # GitHub Actions workflow commands (::error file=…,line=…::…)
}


class Outcome(Struct):
    """What one file came to: its report, or why it could not be checked; for annotate, what was written."""
    file: str
    report: Report | None = None
    error: str | None = None                  # one Japanese line: why the file could not be checked
    output: str | None = None                 # annotate: the workbook written
    annotated: bool = False                   # the outcome of annotate (output and notes_skipped are reported)
    notes_skipped: list[tuple[str, str]] = field(default_factory=list)


def write(name: str, outcomes: list[Outcome], out: IO[str], *, color: bool | None = None) -> None:
    import_module(FORMATS[name]).write(outcomes, out, color=color)
