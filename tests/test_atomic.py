"""Files planvalidator writes are whole or not there (planvalidator/atomic.py): ``annotate --in-place``
keeps the workbook's permissions and extended attributes, a copy of a private workbook stays
private, a write killed half-way leaves the original as it was and its temporary file is gone after
the next run, and a symlink planted beside the target is never followed."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile

import pytest

from support.helpers import EXAMPLE, parts
from planvalidator.annotate import annotate_file
from planvalidator.atomic import write_bytes

posix = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


@posix
def test_in_place_keeps_the_mode_and_extended_attributes(tmp_path):
    book = tmp_path / "事業計画書.xlsx"
    shutil.copy(EXAMPLE, book)
    os.chmod(book, 0o600)
    try:
        os.setxattr(book, "user.planvalidator-test", b"kept")
        xattrs = True
    except OSError:                             # a file system without user attributes
        xattrs = False
    annotate_file(book, in_place=True)
    assert book.stat().st_mode & 0o777 == 0o600
    assert "チェック結果" in zipfile.ZipFile(book).read("xl/workbook.xml").decode()
    if xattrs:
        assert os.getxattr(book, "user.planvalidator-test") == b"kept"
    assert [p.name for p in tmp_path.iterdir()] == [book.name]


@posix
def test_a_copy_of_a_private_workbook_is_private_and_an_existing_target_keeps_its_mode(tmp_path):
    book = tmp_path / "private.xlsx"
    shutil.copy(EXAMPLE, book)
    os.chmod(book, 0o600)
    _, copy = annotate_file(book)
    assert copy.stat().st_mode & 0o777 == 0o600
    other = tmp_path / "shared.xlsx"
    other.write_bytes(b"old")
    os.chmod(other, 0o640)
    annotate_file(book, other)
    assert other.stat().st_mode & 0o777 == 0o640 and zipfile.is_zipfile(other)


@posix
def test_a_symlink_planted_at_the_old_temporary_name_is_not_followed(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("元のまま")
    book = tmp_path / "事業計画書.xlsx"
    shutil.copy(EXAMPLE, book)
    (tmp_path / "事業計画書.xlsx.tmp").symlink_to(victim)          # the name the old writer used
    annotate_file(book, in_place=True)
    assert victim.read_text() == "元のまま"
    assert zipfile.is_zipfile(book)


def test_two_writers_never_share_a_temporary_file(tmp_path):
    import threading

    target = tmp_path / "out.bin"
    seen = []

    def writer(data):
        write_bytes(target, data)
        seen.append(data)
    threads = [threading.Thread(target=writer, args=(bytes([i]) * 200_000,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    content = target.read_bytes()
    assert len(seen) == 8 and len(set(content)) == 1 and len(content) == 200_000      # one whole write
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


@posix
def test_a_write_killed_half_way_leaves_the_original_and_the_next_run_clears_its_temporary_file(tmp_path):
    """``annotate --in-place`` killed (SIGKILL) while its temporary file is being written: the workbook
    is byte for byte what it was; the next run annotates it and leaves no temporary file behind."""
    import sys as _sys
    _sys.path.insert(0, str(tmp_path))
    big = tmp_path / "大きい.xlsx"
    grown = _grown_workbook(big)
    original = big.read_bytes()
    command = [sys.executable, "-m", "planvalidator", "annotate", "--in-place", str(big)]
    killed_while_writing = False
    for _attempt in range(5):
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while child.poll() is None and time.monotonic() < deadline:
            if any(p.name.endswith(".tmp") for p in tmp_path.iterdir()):
                child.send_signal(signal.SIGKILL)
                killed_while_writing = True
                break
            time.sleep(0.002)
        child.wait()
        if killed_while_writing:
            break
        big.write_bytes(original)              # it finished before the kill: again
    assert killed_while_writing, "the write was never caught in the act"
    assert big.read_bytes() == original
    assert any(p.name.endswith(".tmp") for p in tmp_path.iterdir())      # what the killed writer left
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode in (0, 1), done.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("__")) == [big.name]
    assert "チェック結果" in parts(big)["xl/workbook.xml"].decode() and grown


def _grown_workbook(target):
    """The 記入例 with 3,000 expense rows (bench/sizes.py), so that writing it takes a while."""
    from pathlib import Path

    bench = Path(__file__).resolve().parent.parent / "bench"
    sys.path.insert(0, str(bench))
    try:
        import sizes
    finally:
        sys.path.remove(str(bench))
    return sizes.grown(3000, target)
