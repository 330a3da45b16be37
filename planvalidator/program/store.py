"""The data files validated once per content: program.yaml and the profiles (schemas/programs/).

pydantic takes ~150 ms to import and build the models: more than a whole check of the 記入例. A file
that passed is remembered by the hash of its bytes and of what its validation reads (the models' source,
the vocabularies, this module), in the user's cache folder, as the validated values in JSON; a changed
file or a new planvalidator validates again.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
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


def _digest(path: Path, depends, key: str = "") -> str | None:
    """The sha256 of the file's bytes, of the files its validation also reads (``depends``: the models'
    source, vocabularies), of this module and of ``key``; None when one cannot be read."""
    import hashlib

    h = hashlib.sha256(key.encode("utf-8"))
    try:
        for part in (path, *depends, Path(__file__)):
            data = Path(part).read_bytes()
            h.update(len(data).to_bytes(8, "big") + data)
    except OSError:
        return None
    return h.hexdigest()


def _to_json(value):
    if isinstance(value, Fraction):
        return {"__fraction__": [value.numerator, value.denominator]}
    if isinstance(value, dt.date):
        return {"__date__": value.isoformat()}
    raise TypeError(type(value).__name__)


def _from_json(pairs: list):
    """A JSON object read back: a Fraction, a date, or a Record (made as it is parsed: no second walk)."""
    if len(pairs) == 1:
        key, value = pairs[0]
        if key == "__fraction__":
            return Fraction(*value)
        if key == "__date__":
            return dt.date.fromisoformat(value)
    return Record(pairs)


def remembered(path: Path, kind: str, validate, depends=(), key: str = "") -> Record:
    """The values ``validate()`` makes of the data file at ``path`` — plain dicts, lists, strings, numbers,
    Fractions and dates — validating only when no earlier run did for the same bytes of it, of ``depends``,
    of this module and the same ``key`` (what else the values follow from, as text). An entry that is missing, damaged or not of these bytes is made again; one whose
    values JSON cannot give back as they were (a key that is not a string) is not kept."""
    import json

    path = Path(path)
    digest = _digest(path, depends, key)
    if digest is None:
        return Record.of(validate())
    from planvalidator.resources import cache_dir

    cache = cache_dir() / f"{kind}-{digest[:32]}.json"
    try:
        cached = json.loads(cache.read_text(encoding="utf-8"), object_pairs_hook=_from_json)
        if isinstance(cached, dict) and cached.get("__file__") == digest and "values" in cached:
            return cached["values"]
    except (OSError, ValueError):
        pass                                    # none yet, or damaged: validate again
    values = validate()
    try:
        text = json.dumps({"__file__": digest, "values": values}, default=_to_json, ensure_ascii=False)
    except (TypeError, ValueError):
        return Record.of(values)
    if json.loads(text, object_pairs_hook=_from_json)["values"] == values:
        try:                                    # a read-only home only costs the next load the same time
            from planvalidator.atomic import write_bytes

            cache.parent.mkdir(parents=True, exist_ok=True)
            write_bytes(cache, text.encode("utf-8"))
        except OSError:
            pass
    return Record.of(values)


def validated(raw, path: Path) -> Record:
    """program.yaml's values validated (pydantic), or as validated before for the same bytes."""
    return remembered(path, "program", lambda: _plain(_spec.validate(raw, path)), (_spec.__file__,))
