"""The data files validated once per content: program.yaml and the profiles (schemas/programs/).

pydantic takes ~150 ms to import and build the models: more than a whole check of the 記入例. A file
that passed is remembered by the hash of its bytes and of what its validation reads (the models' source,
the vocabularies, this module), in the user's cache folder, as the validated values in JSON; a changed
file or a new planvalidator validates again.
"""

from __future__ import annotations

from pathlib import Path

from planvalidator.program import spec as _spec


class Record(dict):
    """The validated values of program.yaml with attribute access (``spec.period.max_years``); a key
    that is also a dict method (``items``) is read with ``spec["items"]``."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def plain(self) -> dict:
        return _plain(self)

    @classmethod
    def of(cls, value):
        """Dicts (nested, in lists too) as Records."""
        if isinstance(value, dict):
            return cls({k: cls.of(v) for k, v in value.items()})
        if isinstance(value, list):
            return [cls.of(v) for v in value]
        return value


def _plain(value):
    """A validated model (or Record) as plain dicts, lists and values (Fractions and dates kept)."""
    fields = getattr(type(value), "model_fields", None)
    if fields is not None:              # a model: its fields, and the keys an open one keeps as written
        extra = getattr(value, "model_extra", None) or {}
        return {**{name: _plain(getattr(value, name)) for name in fields}, **{k: _plain(v) for k, v in extra.items()}}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def remembered(path: Path, kind: str, validate, depends=(), key: str = "") -> Record:
    """The values ``validate()`` makes of the data file at ``path`` (:func:`planvalidator.datacache.remembered`:
    validated only when no earlier run did for the same bytes), as Records."""
    from planvalidator.datacache import remembered as kept

    return Record.of(kept(path, kind, validate, depends, key))


def validated(raw, path: Path) -> Record:
    """program.yaml's values validated (pydantic), or as validated before for the same bytes."""
    return remembered(path, "program", lambda: _plain(_spec.validate(raw, path)), (_spec.__file__,))
