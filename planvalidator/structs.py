"""The project's value classes — findings, cells, places, program data — as msgspec Structs.

Why not dataclasses: a dataclass is made by writing its methods out as source and compiling them (``exec``)
when its module is imported — the ~90 classes a check imports cost ~34 ms of a ~110 ms cold check, more than
everything the check then does with the 記入例. A Struct's class is made in C (~15 µs), and its ``__init__``,
``__eq__``, ``__hash__`` and ``__repr__`` are C too (a frozen dataclass's ``__init__`` goes through
``object.__setattr__`` field by field). msgspec is also what Pyodide and xlwings Lite ship.

How this project writes them (what differs from dataclasses):

- ``class Place(Frozen):`` — immutable and hashable (``@dataclass(frozen=True)``); ``class Table(Struct):``
  — fields that may be set (``@dataclass``: compared, not hashable).
- ``field(default_factory=list)`` as in dataclasses; an empty ``[]``/``{}`` default is copied per instance too.
  There is no ``compare=False``: a class compared on some of its fields only says which with
  ``__eq__, __hash__ = compared_on(...)``. There is no ``init=False``: what a class remembers of itself is a
  field with a default that no caller gives (left out of ``compared_on``), or lives in its ``__dict__``
  (``dict=True``, which ``functools.cached_property`` needs).
- ``replace(value, name=...)`` as ``dataclasses.replace``; inside ``__post_init__`` a frozen one's field is
  set with ``force_setattr`` (``object.__setattr__`` is refused). ``__post_init__`` runs again when a value is
  unpickled or replaced: it must give the same result when run on its own result.
- ``asdict`` as ``dataclasses.asdict``: Structs inside (in lists, tuples and dicts too) become dicts; other
  values are the same objects, not copies.
"""

from __future__ import annotations

from operator import attrgetter

from msgspec import Struct, field
from msgspec.structs import force_setattr, replace

__all__ = ["Frozen", "Struct", "field", "replace", "asdict", "force_setattr", "compared_on"]


class Frozen(Struct, frozen=True):
    """An immutable value: its fields cannot be set once made, and equal values hash alike."""


def asdict(value: Struct) -> dict:
    """A Struct's fields as a dict, Structs inside it (in lists, tuples and dicts too) as dicts."""
    return {name: _as_plain(getattr(value, name)) for name in value.__struct_fields__}


def _as_plain(value):
    if isinstance(value, Struct):
        return asdict(value)
    if isinstance(value, (list, tuple)) and not hasattr(value, "_fields"):      # (a namedtuple stays as it is)
        return type(value)(_as_plain(v) for v in value)
    if isinstance(value, dict):
        return type(value)((k, _as_plain(v)) for k, v in value.items())
    return value


def compared_on(*names: str, hashable: bool = True):
    """``(__eq__, __hash__)`` over these fields only (the others — what a rule read, the reviewer's note, what
    a value remembers of itself — do not make two values different): ``__eq__, __hash__ = compared_on("rule",
    "cell")``; ``hashable=False`` for a Struct whose fields may be set (its ``__hash__`` is None)."""
    key = attrgetter(*names)

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return key(self) == key(other)

    def __hash__(self):
        return hash(key(self))

    return __eq__, (__hash__ if hashable else None)
