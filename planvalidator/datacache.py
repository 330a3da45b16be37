"""Values worked out from a data file, kept in the user's cache by the hash of the file's bytes.

Parsing YAML (~90 ms for schemas/), validating with pydantic (~150 ms to import and build the models),
reading the official template workbook: each costs more than a whole check of the 記入例, and each
gives the same values for the same bytes. :func:`remembered` keeps those values as JSON in
:func:`planvalidator.resources.cache_dir`, under the sha256 of the file's bytes, of the files the work
also reads (``depends``: the models' source …), of this module and of a ``key``; a changed file, a new
planvalidator or a damaged entry makes them again. Values are plain: dicts with string keys, lists,
strings, numbers, booleans, None, Fractions, dates and datetimes; values JSON cannot give back as they
were (a key that is not a string) are made each time, never kept.

The cache stays small: an entry read by a run is marked as used (its time touched at most once a
day), and whenever an entry is written, entries no run has used for :data:`limits.CACHE_KEEP_DAYS`
days go, and past :data:`limits.MAX_CACHE_ENTRIES` the least recently used do — only files named
as this module names them; nothing else in the folder (the batch results) is touched.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from fractions import Fraction
from pathlib import Path

from planvalidator.patterns import lazy

_ENTRY = lazy(r"[a-z]+-[0-9a-f]{32}\.json")     # how remembered() names its files
_DAY = 24 * 3600


def sha256(data: bytes = b""):
    """A new sha256 hash of ``data``: Python's own (_sha256) where it is built in, as hashlib's would be
    without OpenSSL. What a check hashes is a few hundred KB, and importing hashlib loads OpenSSL, which
    cost more than all of the hashing (~8% of a cold check's import on this machine)."""
    try:
        from _sha256 import sha256 as new
    except ImportError:                         # (an interpreter without it: hashlib's is the same digest)
        from hashlib import sha256 as new
    return new(data)


def digest(path: Path, depends=(), key: str = "") -> str | None:
    """The sha256 of the file's bytes, of ``depends``, of this module and of ``key``; None when one
    cannot be read."""
    h = sha256(key.encode("utf-8"))
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
    if isinstance(value, dt.datetime):
        return {"__datetime__": value.isoformat()}
    if isinstance(value, dt.date):
        return {"__date__": value.isoformat()}
    raise TypeError(type(value).__name__)


def _from_json(pairs: list):
    if len(pairs) == 1:
        key, value = pairs[0]
        if key == "__fraction__":
            return Fraction(*value)
        if key == "__date__":
            return dt.date.fromisoformat(value)
        if key == "__datetime__":
            return dt.datetime.fromisoformat(value)
    return dict(pairs)


def remembered(path: Path, kind: str, make, depends=(), key: str = ""):
    """The values ``make()`` gives for the data file at ``path``, made only when no earlier run made
    them for the same bytes (of the file, ``depends``, this module and ``key``)."""
    import json

    path = Path(path)
    sha = digest(path, depends, key)
    if sha is None:
        return make()
    from planvalidator.resources import cache_dir

    cache = cache_dir() / f"{kind}-{sha[:32]}.json"
    try:
        cached = json.loads(cache.read_text(encoding="utf-8"), object_pairs_hook=_from_json)
        if isinstance(cached, dict) and cached.get("__file__") == sha and "values" in cached:
            _used(cache)
            return cached["values"]
    except (OSError, ValueError, TypeError):
        pass                                    # none yet, or damaged: made again
    values = make()
    try:
        text = json.dumps({"__file__": sha, "values": values}, default=_to_json, ensure_ascii=False)
        same = json.loads(text, object_pairs_hook=_from_json)["values"] == values
    except (TypeError, ValueError):
        return values
    if same:
        try:                                    # a read-only home only costs the next load the same time
            from planvalidator.atomic import write_bytes

            cache.parent.mkdir(parents=True, exist_ok=True)
            write_bytes(cache, text.encode("utf-8"))
        except OSError:
            pass
        else:
            prune(cache.parent, keep=cache.name)
    return values


def _used(entry: Path) -> None:
    """``entry`` marked as read now (its modification time), at most once a day: what prune() keeps."""
    try:
        now = time.time()
        if now - entry.stat().st_mtime > _DAY:
            os.utime(entry, (now, now))
    except OSError:
        pass                                    # a read-only cache: nothing is pruned from it either


def prune(folder: Path, keep: str = "", now: float | None = None) -> list[str]:
    """Remove the entries of ``folder`` unused for :data:`limits.CACHE_KEEP_DAYS` days and, past
    :data:`limits.MAX_CACHE_ENTRIES`, the least recently used (never ``keep``, the one just written);
    the names removed. Only files named as :func:`remembered` names them are looked at."""
    from planvalidator import limits

    now = time.time() if now is None else now
    entries = []
    try:
        with os.scandir(folder) as listing:
            for item in listing:
                if item.name != keep and _ENTRY.fullmatch(item.name) and item.is_file(follow_symlinks=False):
                    entries.append((item.stat(follow_symlinks=False).st_mtime, item.name))
    except OSError:
        return []
    entries.sort(reverse=True)                  # the most recently used first
    room = limits.MAX_CACHE_ENTRIES - (1 if keep else 0)
    gone = [name for n, (mtime, name) in enumerate(entries)
            if n >= room or now - mtime > limits.CACHE_KEEP_DAYS * _DAY]
    removed = []
    for name in gone:
        try:
            os.unlink(Path(folder) / name)
            removed.append(name)
        except OSError:
            pass
    return removed


def load_yaml(path: Path):
    """A data file of schemas/, parsed (libyaml's C loader where installed) once per content: what it
    gives is kept as JSON in the cache (JSON reads ~30× faster than YAML parses: ~60 ms of a cold check)."""
    return remembered(path, "yaml", lambda: _parse_yaml(path))


def _parse_yaml(path: Path):
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=loader)
