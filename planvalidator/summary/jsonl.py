"""The summary as JSON Lines: one application a line (the objects of :mod:`.json`), nothing else."""

from __future__ import annotations

from pathlib import Path

from planvalidator.summary import Application
from planvalidator.summary.json import application, dumps, emit


def write(applications: list[Application], out: Path | None) -> None:
    emit("".join(dumps(application(a)) + "\n" for a in applications), out)
