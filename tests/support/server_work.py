"""What the test servers' workers run in place of (or around) the real work of
planvalidator.server.work: module-level functions, so that a worker process imports them by name."""

from __future__ import annotations

import os
import sys
import threading
import time
from contextlib import contextmanager

_WRITES: list = []
_ARMED = threading.Event()
_HOOKED = threading.Event()


def slow_unless_quick(body: bytes):
    """b"slow" sleeps far past any test's time limit; anything else is echoed at once."""
    if body == b"slow":
        time.sleep(60)
    return 200, {"body": body.decode()}


def timed_echo(body: bytes):
    """The body, with when this worker started and ended it (to see how many ran at once)."""
    start = time.time()
    time.sleep(0.4)
    return 200, {"body": body.decode(), "start": start, "end": time.time(), "pid": os.getpid()}


def slow(*_args):
    time.sleep(60)
    return 200, {}


def broken(*_args):
    raise RuntimeError("内部の秘密 /home/user/path")


def _broken_engine():
    import planvalidator.engine

    def fail(*args, **kwargs):
        raise RuntimeError("内部の秘密 /home/user/path")
    planvalidator.engine.check = fail


def check_with_broken_engine(src, course=None):
    from planvalidator.server import work
    _broken_engine()
    return work.check(src, course)


def annotate_with_broken_engine(src, course=None):
    from planvalidator.server import work
    _broken_engine()
    return work.annotate(src, course)


def _audit(event, args):
    """Every file opened for writing, created, renamed or removed while armed (in any thread)."""
    if not _ARMED.is_set() or event not in ("open", "os.mkdir", "os.rename", "os.remove", "shutil.copyfile"):
        return
    if event == "open":
        path, mode, flags = args
        writing = (mode and any(m in mode for m in "wax+")) or (
            isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
        if not writing:
            return
        args = (path,)
    _WRITES.append((event, args))


@contextmanager
def recorded_writes():
    """The file writes of this process inside the block (the test's server process, or a worker around its work)."""
    if not _HOOKED.is_set():
        sys.addaudithook(_audit)             # a hook cannot be removed: it records only while armed
        _HOOKED.set()
    _WRITES.clear()
    _ARMED.set()
    try:
        yield _WRITES
    finally:
        _ARMED.clear()


def _audited(func, *args):
    """``func(*args)`` in this worker with every file write recorded; one write fails the request."""
    with recorded_writes() as writes:
        result = func(*args)
    if writes:
        raise AssertionError(f"the worker wrote to disk: {writes}")
    return result


def audited_check(src, course=None):
    from planvalidator.server import work
    return _audited(work.check, src)


def audited_annotate(src, course=None):
    from planvalidator.server import work
    return _audited(work.annotate, src)


def audited_intake(src, previous=None):
    from planvalidator.server import intake_work
    return _audited(intake_work.intake, src, previous)


def audited_fix(src):
    from planvalidator.server import work
    return _audited(work.fix, src)


def audited_xlwings(body):
    from planvalidator.server import work
    return _audited(work.xlwings_book, body)


def xlwings_books_held(body):
    """The real xlwings check, then how many books xlwings' remote interpreter still holds in this worker."""
    import xlwings

    from planvalidator.server import work

    def held():
        return [(id(app), len(app.books)) for app in xlwings.engines["remote"].impl.apps]
    before = held()
    status, content = work.xlwings_book(body)
    return status, dict(content, _kept=held() != before)


def worker_pid(*_args):
    return 200, {"pid": os.getpid()}
