"""Where the shipped data lives: schemas/ and templates/, installed or in a checkout.

Installed, they are package data inside ``planvalidator/`` (see pyproject.toml); in a
checkout they are the top-level folders next to the package.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@lru_cache(maxsize=None)
def data_dir(name: str) -> Path:
    installed = _PACKAGE / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name


def schemas_dir() -> Path:
    return data_dir("schemas")


def templates_dir() -> Path:
    return data_dir("templates")


def cache_dir() -> Path:
    """Where planvalidator keeps what it worked out before (validated program files, batch results):
    $XDG_CACHE_HOME/planvalidator, by default ~/.cache/planvalidator."""
    import os

    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "planvalidator"
