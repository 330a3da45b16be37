"""Where the shipped data lives: schemas/ and templates/, installed or in a checkout."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path


@lru_cache(maxsize=None)
def data_dir(name: str) -> Path:
    """``schemas`` or ``templates``: the package data when installed, else the checkout's folder."""
    try:
        path = Path(str(resources.files(f"planvalidator.{name}")))
        if path.is_dir():
            return path
    except ModuleNotFoundError:
        pass
    return Path(__file__).resolve().parent.parent / name


def schemas_dir() -> Path:
    return data_dir("schemas")


def templates_dir() -> Path:
    return data_dir("templates")
