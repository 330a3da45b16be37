"""Regular expressions compiled when first used: :func:`lazy`.

A module-level ``re.compile`` runs in every process that imports the module; of the patterns the check
path's modules compiled at import, more than half served only findings a clean 記入例 never has (dates in
attachment names, corporate forms, formulas …) yet cost ~15% of a cold check's import. A :func:`lazy`
pattern compiles on its first use and is then the compiled pattern's own methods.
"""

from __future__ import annotations

import re

# what a lazy pattern answers once compiled: the methods and attributes of re.Pattern
_ATTRIBUTES = ("match", "fullmatch", "search", "sub", "subn", "split", "findall", "finditer",
               "scanner", "pattern", "flags", "groups", "groupindex")


class LazyPattern:
    """``re.compile(pattern, flags)``, made on first use: each attribute of :data:`_ATTRIBUTES` is then
    the compiled pattern's own, set on the instance (so later calls cost what a compiled pattern's do)."""

    def __init__(self, pattern: str | bytes, flags: int = 0):
        self._source = (pattern, flags)

    def __getattr__(self, name: str):           # only for names not set yet: the first use
        if name not in _ATTRIBUTES:
            raise AttributeError(name)
        compiled = re.compile(*self._source)
        for attribute in _ATTRIBUTES:
            setattr(self, attribute, getattr(compiled, attribute))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy({self._source[0]!r}, {self._source[1]!r})"


def lazy(pattern: str | bytes, flags: int = 0) -> LazyPattern:
    """The regular expression ``pattern``, compiled when first used (a pattern most runs never use)."""
    return LazyPattern(pattern, flags)
