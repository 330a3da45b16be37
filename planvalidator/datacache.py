"""Values worked out from a data file, kept in the user's cache by the hash of the file's bytes.

Parsing YAML (~90 ms for schemas/), validating with pydantic (~150 ms to import and build the models),
reading the official template workbook: each costs more than a whole check of the 記入例, and each
gives the same values for the same bytes. :func:`remembered` keeps those values as JSON in
:func:`planvalidator.resources.cache_dir`, under the sha256 of the file's bytes, of the files the work
also reads (``depends``: the models' source …), of this module and of a ``key``; a changed file, a new
planvalidator or a damaged entry makes them again. Each file's own sha256 is kept with its stamp
(``stamps.json``: device, inode, size, modification and change times), as Python's .pyc is: a file
unchanged since a run hashed it is not read again (a cold check read and hashed ~150 KB each time).
Values are plain: dicts with string keys, lists, strings, numbers, booleans, None, Fractions, dates and
datetimes; values JSON cannot give back as they were (a key that is not a string) are made each time,
never kept.

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
from functools import lru_cache
from pathlib import Path

import msgspec

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
    """The sha256 of ``key``, of the file's bytes, of ``depends`` and of this module (each file by its own
    sha256: :func:`file_digest`); None when one cannot be read."""
    h = sha256(len(key).to_bytes(8, "big") + key.encode("utf-8"))
    folder = _stamps_folder()
    try:
        for part in (path, *depends):
            h.update(file_digest(part, folder))
    except OSError:
        return None
    finally:
        _save_stamps(folder)
    h.update(_own_digest())
    return h.hexdigest()


def file_digest(path, folder: str | None = None) -> bytes:
    """The sha256 of the file's bytes, read and hashed only when the file is new to the user's cache or
    changed since: as Python's .pyc does, the digest is kept with the file's stamp (device, inode, size,
    modification and change times in ns; :data:`_STAMPS`), and a file whose stamp is the same is not read.
    A stamp is kept only once the file was last written more than :data:`_SETTLED_NS` ago, so that a write
    within the same tick of the file system's clock (same size, same time) can never go unseen."""
    name = os.fspath(path)
    stamps = _stamps(folder)
    known = stamps.get(name)
    if known is not None:
        st = os.stat(name)
        if known[:5] == [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]:
            return bytes.fromhex(known[5])
    before = time.time_ns()
    with open(name, "rb") as fh:                # the stamp of the bytes read: fstat of the file opened
        st = os.fstat(fh.fileno())
        data = fh.read()
    value = sha256(data).digest()
    if before - st.st_mtime_ns > _SETTLED_NS:
        stamps.pop(name, None)                  # (re)inserted last: the oldest go first past the limit
        stamps[name] = [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns, value.hex()]
        while len(stamps) > _MAX_STAMPS:
            del stamps[next(iter(stamps))]
        _CHANGED.add(folder)
    elif known is not None:
        del stamps[name]
        _CHANGED.add(folder)
    return value


_SETTLED_NS = 2_000_000_000     # a file written less than 2 s ago is hashed again by the next run
_MAX_STAMPS = 500               # files whose digests the cache keeps (the shipped data files are ~30)
_MAX_STAMP_BYTES = 1 << 20      # a stamps.json larger than this is not read (every file is hashed again)
STAMP_FILE = "stamps.json"      # in the cache folder (not an entry: prune() never looks at it)
_STAMPS: dict[str | None, dict] = {}    # cache folder → {path: [dev, ino, size, mtime_ns, ctime_ns, sha256]}
_CHANGED: set[str] = set()      # the folders whose stamps this process changed and has not written yet


@lru_cache(maxsize=1)
def _own_digest() -> bytes:
    """This module's sha256, once per process (the code running is the code read)."""
    return sha256(Path(__file__).read_bytes()).digest()


def _stamps_folder() -> str | None:
    from planvalidator.resources import cache_dir

    try:
        return os.fspath(cache_dir())
    except (RuntimeError, KeyError, OSError):   # no home folder: nothing is kept
        return None


def _stamps(folder: str | None) -> dict:
    """The stamps the cache at ``folder`` keeps, read once per process."""
    stamps = _STAMPS.get(folder)
    if stamps is None:
        stamps = _STAMPS[folder] = {}
        if folder is not None:
            try:
                path = Path(folder, STAMP_FILE)
                if path.stat().st_size > _MAX_STAMP_BYTES:     # (not ours: 500 stamps are ~80 KB)
                    return stamps
                kept = msgspec.json.decode(path.read_bytes())
                if isinstance(kept, dict):
                    stamps.update((k, v) for k, v in kept.items() if _is_stamp(v))
            except (OSError, ValueError):
                pass                            # none yet, or damaged: every file is hashed again
    return stamps


def _is_stamp(value) -> bool:
    return (isinstance(value, list) and len(value) == 6 and all(type(v) is int for v in value[:5])
            and isinstance(value[5], str) and len(value[5]) == 64)


def _save_stamps(folder: str | None) -> None:
    if folder is None or folder not in _CHANGED:
        return
    _CHANGED.discard(folder)
    try:
        from planvalidator.atomic import write_bytes

        os.makedirs(folder, exist_ok=True)
        write_bytes(Path(folder, STAMP_FILE), msgspec.json.encode(_STAMPS[folder]))
    except OSError:
        pass                                    # a read-only cache: files are hashed each run


def _plain(value, path: tuple, typed: list):
    """``value`` as JSON holds it: each Fraction, date and datetime as a list or text, its kind and place
    noted in ``typed`` (a kept entry is decoded by msgspec, ~2× faster than json with a hook called for
    every object, and only the noted places are made values again)."""
    if isinstance(value, dict):
        return {k: _plain(v, (*path, k), typed) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, (*path, n), typed) for n, v in enumerate(value)]
    if isinstance(value, Fraction):
        typed.append(["fraction", *path])
        return [value.numerator, value.denominator]
    if isinstance(value, (dt.datetime, dt.date)):
        typed.append(["datetime" if isinstance(value, dt.datetime) else "date", *path])
        return value.isoformat()
    return value


_TYPED = {"fraction": lambda plain: Fraction(*plain), "date": dt.date.fromisoformat,
          "datetime": dt.datetime.fromisoformat}


def _values(entry):
    """The values of a decoded entry, the places :func:`_plain` noted made Fractions, dates, datetimes again."""
    values = entry["values"]
    for kind, *path in entry["typed"]:
        if not path:
            return _TYPED[kind](values)
        holder = values
        for step in path[:-1]:
            holder = holder[step]
        holder[path[-1]] = _TYPED[kind](holder[path[-1]])
    return values


def remembered(path: Path, kind: str, make, depends=(), key: str = ""):
    """The values ``make()`` gives for the data file at ``path``, made only when no earlier run made
    them for the same bytes (of the file, ``depends``, this module and ``key``)."""
    path = Path(path)
    sha = digest(path, depends, key)
    if sha is None:
        return make()
    from planvalidator.resources import cache_dir

    cache = cache_dir() / f"{kind}-{sha[:32]}.json"
    try:
        cached = msgspec.json.decode(cache.read_bytes())
        if isinstance(cached, dict) and cached.get("__file__") == sha and "values" in cached:
            values = _values(cached)
            _used(cache)
            return values
    except (OSError, ValueError, TypeError, LookupError, AttributeError, ArithmeticError):
        pass                                    # none yet, or damaged: made again
    values = make()
    try:
        typed: list = []
        data = msgspec.json.encode({"__file__": sha, "values": _plain(values, (), typed), "typed": typed})
        same = _values(msgspec.json.decode(data)) == values
    except (TypeError, ValueError, OverflowError, msgspec.EncodeError):
        return values
    if same:
        try:                                    # a read-only home only costs the next load the same time
            from planvalidator.atomic import write_bytes

            cache.parent.mkdir(parents=True, exist_ok=True)
            write_bytes(cache, data)
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
