"""Data files parsed once per content (planvalidator.datacache): the second load reads the kept values,
which are exactly what parsing gives; a changed file, a damaged entry or values JSON cannot hold are
parsed again; nothing is kept where the cache cannot be written."""

import datetime as dt
from fractions import Fraction

import pytest

from planvalidator import datacache


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "planvalidator"


def _parses(monkeypatch) -> list:
    calls = []
    real = datacache._parse_yaml
    monkeypatch.setattr(datacache, "_parse_yaml", lambda path: calls.append(path) or real(path))
    return calls


YAML = """\
program: 新商品・新サービス
earliest_grant_date: 2025-07-01
deadline: 2025-06-30 17:00:00
rate: 0.6667
cap: 10000000
words: [ノートPC, タブレット]
nested: {a: {b: [1, 2.5, true, null]}}
"""


def test_a_file_is_parsed_once_and_read_back_as_it_was(cache, tmp_path, monkeypatch):
    path = tmp_path / "program.yaml"
    path.write_text(YAML, encoding="utf-8")
    calls = _parses(monkeypatch)
    first = datacache.load_yaml(path)
    second = datacache.load_yaml(path)
    assert calls == [path]
    assert first == second
    assert type(second["earliest_grant_date"]) is dt.date and second["earliest_grant_date"] == dt.date(2025, 7, 1)
    assert type(second["deadline"]) is dt.datetime and second["deadline"].hour == 17
    assert second["nested"]["a"]["b"] == [1, 2.5, True, None] and type(second["nested"]["a"]["b"][0]) is int
    second["words"].append("改変")                     # each load is its own copy
    assert datacache.load_yaml(path)["words"] == ["ノートPC", "タブレット"]


def test_a_changed_file_is_parsed_again(cache, tmp_path, monkeypatch):
    path = tmp_path / "program.yaml"
    path.write_text(YAML, encoding="utf-8")
    datacache.load_yaml(path)
    path.write_text(YAML.replace("cap: 10000000", "cap: 5000000"), encoding="utf-8")
    calls = _parses(monkeypatch)
    assert datacache.load_yaml(path)["cap"] == 5_000_000
    assert calls == [path]


@pytest.mark.parametrize("damaged", ["{", "[]", '{"__file__": "x", "values": 1}', '{"values": {}}', "\x00\xff"])
def test_a_damaged_entry_is_parsed_again(cache, tmp_path, monkeypatch, damaged):
    path = tmp_path / "program.yaml"
    path.write_text(YAML, encoding="utf-8")
    expected = datacache.load_yaml(path)
    for entry in cache.glob("yaml-*.json"):
        entry.write_text(damaged, encoding="utf-8")
    calls = _parses(monkeypatch)
    assert datacache.load_yaml(path) == expected
    assert calls == [path]


def test_values_json_cannot_hold_are_never_kept(cache, tmp_path, monkeypatch):
    """An integer key (「1: 一年目」) would come back as the text "1": such a file is parsed every time."""
    path = tmp_path / "years.yaml"
    path.write_text("1: 一年目\n2: 二年目\n", encoding="utf-8")
    calls = _parses(monkeypatch)
    assert datacache.load_yaml(path) == {1: "一年目", 2: "二年目"}
    assert datacache.load_yaml(path) == {1: "一年目", 2: "二年目"}
    assert len(calls) == 2 and not list(cache.glob("yaml-*.json"))


def test_fractions_and_dates_made_by_a_validation_are_kept(cache, tmp_path):
    path = tmp_path / "program.yaml"
    path.write_text(YAML, encoding="utf-8")
    values = {"rate": Fraction(2, 3), "when": dt.date(2025, 7, 1), "at": dt.datetime(2025, 6, 30, 17)}
    assert datacache.remembered(path, "validated", lambda: values) == values
    kept = datacache.remembered(path, "validated", lambda: pytest.fail("made again"))
    assert kept == values and type(kept["rate"]) is Fraction and type(kept["at"]) is dt.datetime


def test_a_cache_that_cannot_be_written_costs_only_time(tmp_path, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("", encoding="utf-8")           # XDG_CACHE_HOME is a file: no folder can be made in it
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    path = tmp_path / "program.yaml"
    path.write_text(YAML, encoding="utf-8")
    assert datacache.load_yaml(path)["cap"] == 10_000_000
    assert datacache.load_yaml(path)["cap"] == 10_000_000


def test_a_missing_file_is_not_found():
    with pytest.raises(FileNotFoundError):
        datacache.load_yaml(datacache.Path("/nonexistent/program.yaml"))


def _entry(cache, name: str, days_old: float, now: float):
    import os
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / name
    path.write_text("{}", encoding="utf-8")
    os.utime(path, (now - days_old * 86400, now - days_old * 86400))
    return path


def test_writing_an_entry_removes_entries_no_run_has_used_for_a_month(cache, tmp_path):
    import time
    now = time.time()
    stale = _entry(cache, "yaml-" + "a" * 32 + ".json", 31, now)
    recent = _entry(cache, "profile-" + "b" * 32 + ".json", 29, now)
    path = tmp_path / "program.yaml"
    path.write_text(YAML, encoding="utf-8")
    datacache.load_yaml(path)                       # a new entry is written: the stale one goes
    assert not stale.exists() and recent.exists()
    assert len(list(cache.glob("yaml-*.json"))) == 1


def test_an_entry_a_run_reads_is_kept_however_old_it_was(cache, tmp_path, monkeypatch):
    import os
    import time
    path = tmp_path / "program.yaml"
    path.write_text(YAML, encoding="utf-8")
    datacache.load_yaml(path)
    (entry,) = cache.glob("yaml-*.json")
    old = time.time() - 40 * 86400
    os.utime(entry, (old, old))
    calls = _parses(monkeypatch)
    datacache.load_yaml(path)                       # read from the cache: marked as used
    assert calls == [] and entry.stat().st_mtime > old + 39 * 86400
    other = tmp_path / "other.yaml"
    other.write_text("cap: 1\n", encoding="utf-8")
    datacache.load_yaml(other)                      # the next write keeps it
    assert entry.exists()


def test_past_the_entry_limit_the_least_recently_used_go(cache, monkeypatch):
    import time
    from planvalidator import limits
    monkeypatch.setattr(limits, "MAX_CACHE_ENTRIES", 3)
    now = time.time()
    names = [f"yaml-{n:032x}.json" for n in range(5)]
    for age, name in enumerate(names):
        _entry(cache, name, age, now)               # names[0] the most recently used
    removed = datacache.prune(cache, keep=names[4], now=now)
    assert sorted(removed) == sorted(names[2:4])
    assert sorted(p.name for p in cache.iterdir()) == sorted([names[0], names[1], names[4]])


def test_only_the_caches_own_files_are_pruned(cache):
    import time
    now = time.time()
    (cache / "batch").mkdir(parents=True)
    theirs = [_entry(cache, "notes.json", 400, now), _entry(cache, "yaml-short.json", 400, now),
              _entry(cache / "batch", "yaml-" + "c" * 32 + ".json", 400, now)]
    ours = _entry(cache, "yaml-" + "d" * 32 + ".json", 400, now)
    assert datacache.prune(cache, now=now) == [ours.name]
    assert all(p.exists() for p in theirs)


def test_a_folder_that_cannot_be_listed_prunes_nothing(tmp_path):
    assert datacache.prune(tmp_path / "missing") == []


def test_the_sha256_without_openssl_is_hashlibs():
    import hashlib

    from planvalidator.datacache import sha256

    from pathlib import Path

    data = (Path(__file__).resolve().parent.parent / "templates" / "r7" / "kinyurei-r7.xlsx").read_bytes()
    assert sha256(data).hexdigest() == hashlib.sha256(data).hexdigest()
    h = sha256(b"key")
    h.update(data)
    assert h.hexdigest() == hashlib.sha256(b"key" + data).hexdigest()


# --- stamps: a file unchanged since it was hashed is not read again --------------------------------------

def _settled(path, seconds_ago: float = 3600) -> int:
    """``path`` last written ``seconds_ago`` (past datacache's settling time); its mtime in ns."""
    import os
    import time
    ns = time.time_ns() - int(seconds_ago * 1e9)
    os.utime(path, ns=(ns, ns))
    return ns


def _new_process():
    """What a new process knows of the stamps: only what the cache folder keeps."""
    datacache._STAMPS.clear()
    datacache._CHANGED.clear()


def _reads(monkeypatch) -> list:
    """The data files datacache opens to hash (not the cache's own files)."""
    opened = []
    real = open
    monkeypatch.setattr(datacache, "open", lambda name, *a, **k: opened.append(name) or real(name, *a, **k),
                        raising=False)
    return opened


def test_a_file_unchanged_since_a_run_hashed_it_is_not_read_again(cache, tmp_path, monkeypatch):
    path = tmp_path / "program.yaml"
    path.write_text(YAML, encoding="utf-8")
    _settled(path)
    expected = datacache.load_yaml(path)
    assert (cache / "stamps.json").is_file()
    _new_process()
    opened, calls = _reads(monkeypatch), _parses(monkeypatch)
    assert datacache.load_yaml(path) == expected
    assert opened == [] and calls == []


@pytest.mark.parametrize("same_mtime", [False, True], ids=["mtime changed", "mtime set back"])
def test_a_file_changed_to_the_same_size_is_parsed_again(cache, tmp_path, monkeypatch, same_mtime):
    """Same size, and a new modification time or the old one set back (``cp -p``, ``touch -d``): the stamp
    (inode, size, modification and change times) differs, so the bytes are hashed and the file parsed."""
    path = tmp_path / "program.yaml"
    path.write_text(YAML, encoding="utf-8")
    first = _settled(path, 7200)
    assert datacache.load_yaml(path)["cap"] == 10_000_000
    _new_process()
    path.write_text(YAML.replace("cap: 10000000", "cap: 20000000"), encoding="utf-8")
    if same_mtime:
        import os
        os.utime(path, ns=(first, first))
    else:
        _settled(path)
    calls = _parses(monkeypatch)
    assert datacache.load_yaml(path)["cap"] == 20_000_000
    assert calls == [path]


def test_a_file_written_just_now_is_hashed_by_every_run(cache, tmp_path, monkeypatch):
    """A write in the same tick of the file system's clock could leave size and times as they were: a stamp
    is kept only for a file last written seconds ago."""
    path = tmp_path / "program.yaml"
    path.write_text(YAML, encoding="utf-8")
    datacache.load_yaml(path)
    _new_process()
    opened = _reads(monkeypatch)
    datacache.load_yaml(path)
    assert opened == [str(path)]


@pytest.mark.parametrize("damaged", ["{", "[]", '{"x": [1, 2, 3]}', "\x00\xff"])
def test_damaged_stamps_only_cost_the_hashing(cache, tmp_path, monkeypatch, damaged):
    path = tmp_path / "program.yaml"
    path.write_text(YAML, encoding="utf-8")
    _settled(path)
    expected = datacache.load_yaml(path)
    (cache / "stamps.json").write_text(damaged, encoding="utf-8")
    _new_process()
    opened, calls = _reads(monkeypatch), _parses(monkeypatch)
    assert datacache.load_yaml(path) == expected
    assert opened == [str(path)] and calls == []


def test_a_stamps_file_past_its_bound_is_not_read(cache, tmp_path, monkeypatch):
    """A stamps.json larger than any the cache writes (a stray or planted file) is not decoded: the data
    files are hashed again and the values are the same."""
    path = tmp_path / "program.yaml"
    path.write_text(YAML, encoding="utf-8")
    _settled(path)
    expected = datacache.load_yaml(path)
    (cache / "stamps.json").write_bytes(b"{" + b" " * (datacache._MAX_STAMP_BYTES + 1) + b"}")
    _new_process()
    import msgspec

    decoded = []
    real = msgspec.json.decode
    monkeypatch.setattr(msgspec.json, "decode", lambda data, **kw: decoded.append(len(data)) or real(data, **kw))
    opened = _reads(monkeypatch)
    assert datacache.load_yaml(path) == expected
    assert opened == [str(path)]                    # hashed again: its stamp was not read
    assert all(n <= datacache._MAX_STAMP_BYTES for n in decoded)


@pytest.mark.parametrize("typed", [[["nope", "rate"]], [["fraction", "rate", "x"]], [["date", "missing"]], "x", None])
def test_an_entry_whose_typed_places_are_damaged_is_made_again(cache, tmp_path, typed):
    """An entry notes where its Fractions and dates are (decoded by msgspec, those places made values
    again): places that do not fit make the values again, never a wrong value."""
    import json

    path = tmp_path / "program.yaml"
    path.write_text(YAML, encoding="utf-8")
    values = {"rate": Fraction(2, 3), "when": dt.date(2025, 7, 1), "nested": [{"at": dt.datetime(2025, 6, 30, 17)}]}
    datacache.remembered(path, "validated", lambda: values)
    (entry,) = cache.glob("validated-*.json")
    kept = json.loads(entry.read_text(encoding="utf-8"))
    assert sorted(kept["typed"]) == [["date", "when"], ["datetime", "nested", 0, "at"], ["fraction", "rate"]]
    kept["typed"] = typed
    entry.write_text(json.dumps(kept), encoding="utf-8")
    made = []
    assert datacache.remembered(path, "validated", lambda: made.append(1) or values) == values and made == [1]
