"""program.yaml validated once per file content.

pydantic takes ~150 ms to import and build the models: more than a whole check of the 記入例. A file
that passed is remembered by the hash of its bytes and of the models (spec.py, this module), in the
user's cache folder, as the validated values in JSON; a changed file or a new planvalidator validates again.
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
    if fields is not None:
        return {name: _plain(getattr(value, name)) for name in fields}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _cache_file(path: Path) -> Path | None:
    import hashlib

    from planvalidator.resources import cache_dir

    try:
        models = Path(_spec.__file__).read_bytes() + Path(__file__).read_bytes()
        digest = hashlib.sha256(path.read_bytes() + models).hexdigest()[:32]
    except OSError:
        return None
    return cache_dir() / f"program-{digest}.json"


def _to_json(value):
    if isinstance(value, Fraction):
        return {"__fraction__": [value.numerator, value.denominator]}
    if isinstance(value, dt.date):
        return {"__date__": value.isoformat()}
    raise TypeError(type(value).__name__)


def _from_json(d: dict):
    if set(d) == {"__fraction__"}:
        return Fraction(*d["__fraction__"])
    if set(d) == {"__date__"}:
        return dt.date.fromisoformat(d["__date__"])
    return d


def _fingerprint(raw) -> str:
    """A digest of the YAML as read: a cache entry whose file content it does not match (a damaged or
    hand-edited cache) is not used."""
    import hashlib
    import json

    return hashlib.sha256(json.dumps(raw, default=str, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:32]


def validated(raw, path: Path) -> Record:
    """program.yaml's values validated (pydantic), or as validated before for the same bytes."""
    import json

    cache = _cache_file(path)
    if cache is not None:
        try:
            cached = json.loads(cache.read_text(encoding="utf-8"), object_hook=_from_json)
            if isinstance(cached, dict) and cached.get("__raw__") == _fingerprint(raw):
                return Record.of(cached["values"])
        except (OSError, ValueError):
            pass                                # none yet, or damaged: validate again
    values = _plain(_spec.validate(raw, path))
    if cache is not None:
        try:                                    # a read-only home only costs the next load the same time
            from planvalidator.atomic import write_bytes

            cache.parent.mkdir(parents=True, exist_ok=True)
            write_bytes(cache, json.dumps({"__raw__": _fingerprint(raw), "values": values}, default=_to_json,
                                          ensure_ascii=False).encode("utf-8"))
        except OSError:
            pass
    return Record.of(values)
