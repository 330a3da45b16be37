"""The checks of the server, each in a worker process that is ended when its time is up.

A thread cannot be stopped: a check that ran past the time limit kept its slot until it ended, so
four slow uploads could make every later one wait. Here each check runs in a process of a pebble
pool (the one batch uses); when the request's time is up its worker is killed, the request is
answered 503, and pebble starts a fresh worker in its place — the slot is free again at once and
nothing of the slow check stays in memory. A worker that dies (its memory ceiling, a native
crash) fails only its own request.

Workers are started from a fork server that has already imported the check (on Linux), so a new
worker is ready in tens of milliseconds; elsewhere they are spawned. Their number follows the
machine: one a CPU, no more than the memory holds at :data:`~planvalidator.limits.WORKER_MEMORY_BYTES`
each. Requests beyond them wait in a bounded queue; past it they are answered 503 with
Retry-After.
"""

from __future__ import annotations

import asyncio
import threading
import time

from planvalidator import limits
from planvalidator.processes import fitting, limit_memory

# imported in the fork server once, so that every worker starts warm
PRELOAD = ["planvalidator.server.warm"]


class Busy(Exception):
    """Every worker is taken and the queue is full."""


class Crashed(Exception):
    """The worker died while checking (a memory ceiling, a native crash)."""


def _context():
    import multiprocessing

    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


class Workers:
    """At most ``size`` checks at once in worker processes, at most ``queued`` more waiting; and one
    worker always kept for quick checks.

    A check still running after :data:`~planvalidator.limits.QUICK_SECONDS` is a slow one (a real
    application takes a fraction of a second; a hostile one takes up to its time limit). At most
    ``size - 1`` slow checks run at once: a check that turns slow when they are all taken is
    stopped and waits for a slow worker, to start again there. So however many slow uploads
    arrive, and from however many clients (behind a proxy they all have one address), a good upload
    finds a worker within a few seconds; the slow ones share the rest, each within its own time.
    """

    def __init__(self, size: int | None = None, queued: int = limits.MAX_QUEUED_CHECKS,
                 quick_seconds: float = limits.QUICK_SECONDS):
        self.size = fitting(size)
        self.queued = queued
        self.quick_seconds = quick_seconds
        self.slow_workers = max(1, self.size - 1)
        self._pool = None
        self._lock = threading.Lock()
        self._taken = 0                     # running and waiting
        self._running = 0
        self._slow = 0                      # running past quick_seconds
        self._free: asyncio.Condition | None = None
        self._loop = None

    def _started(self):
        with self._lock:
            if self._pool is None:
                from pebble import ProcessPool

                self._pool = ProcessPool(max_workers=self.size, initializer=limit_memory, context=_context())
            return self._pool

    async def _changed(self):
        async with self._free:
            self._free.notify_all()

    async def _wait(self, ready, deadline: float) -> None:
        async with self._free:
            try:
                await asyncio.wait_for(self._free.wait_for(ready), timeout=max(0.0, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                raise TimeoutError from None

    async def run(self, func, *args, deadline: float):
        """``func(*args)`` in a worker, answered by ``deadline`` (time.monotonic()): TimeoutError past it
        (the worker is killed), Busy when the queue is full, Crashed when the worker died."""
        if self._taken >= self.size + self.queued:
            raise Busy
        loop = asyncio.get_running_loop()
        if self._free is None or self._loop is not loop:
            self._free, self._loop = asyncio.Condition(), loop
        self._taken += 1
        try:
            slow = False                    # True: waits for (and runs as) a slow check from the start
            while True:
                await self._wait(lambda: self._running < self.size and (not slow or self._slow < self.slow_workers),
                                 deadline)
                self._running += 1
                self._slow += slow
                counted = {"slow": slow}        # whether this run holds a slow worker (it may turn slow)
                try:
                    outcome = await self._attempt(func, args, deadline, counted)
                finally:
                    self._running -= 1
                    self._slow -= counted["slow"]
                    await self._changed()
                if outcome is not _AGAIN:
                    return outcome
                slow = True
        finally:
            self._taken -= 1

    async def _attempt(self, func, args, deadline: float, counted: dict):
        """One run of the check; _AGAIN when it turned slow with every slow worker taken (it is stopped)."""
        from concurrent.futures import CancelledError as FutureCancelled
        from concurrent.futures import TimeoutError as FutureTimeout

        from pebble import ProcessExpired

        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        future = self._started().schedule(func, args=args, timeout=left)
        waiting = asyncio.wrap_future(future)
        try:
            if not counted["slow"]:
                done, _ = await asyncio.wait({waiting}, timeout=min(self.quick_seconds, left))
                if not done:                                    # it turned slow
                    if self._slow >= self.slow_workers:
                        future.cancel()                         # stopped: it starts again as a slow one
                        return _AGAIN
                    self._slow += 1
                    counted["slow"] = True
            return await asyncio.wait_for(waiting, timeout=max(0.0, deadline - time.monotonic()))
        except (asyncio.TimeoutError, TimeoutError, FutureTimeout):
            future.cancel()             # a running task: pebble ends its worker and starts another
            raise TimeoutError from None
        except asyncio.CancelledError:
            future.cancel()             # the client went away
            raise
        except FutureCancelled:
            raise TimeoutError from None
        except ProcessExpired:
            raise Crashed from None

    def retry_after(self) -> int:
        """Seconds a refused client is told to wait (Retry-After)."""
        return max(1, round(limits.REQUEST_SECONDS / 4))

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.stop()
            pool.join(timeout=10)


_AGAIN = object()
