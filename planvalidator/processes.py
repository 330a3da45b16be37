"""Worker processes (``batch``, the check page): the memory each may take and how many this machine holds."""

from __future__ import annotations

import os

from planvalidator import limits


def limit_memory() -> None:
    """In a worker: an address-space ceiling, so a hostile file ends its worker, not the machine."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limits.WORKER_MEMORY_BYTES, limits.WORKER_MEMORY_BYTES))
    except (ImportError, ValueError, OSError):
        pass


def cpus() -> int:
    """The CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def physical_memory() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def fitting(wanted: int | None = None, memory_bytes: int | None = None) -> int:
    """Workers to start: ``wanted`` (default one a CPU), no more than the memory holds at
    :data:`~planvalidator.limits.WORKER_MEMORY_BYTES` each, at least one."""
    count = wanted if wanted else cpus()
    memory = memory_bytes if memory_bytes is not None else physical_memory()
    if memory:
        count = min(count, max(1, memory // limits.WORKER_MEMORY_BYTES))
    return max(1, count)
