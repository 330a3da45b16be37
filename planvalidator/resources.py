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
