"""The summary as JSON Lines: one application a line (the objects of :mod:`.json`), nothing else."""

from __future__ import annotations

from pathlib import Path

from planvalidator.summary import Application, application_object, dumps, emit


def write(applications: list[Application], out: Path | None, run=None) -> None:
    emit("".join(dumps(application_object(a)) + "\n" for a in applications), out)
