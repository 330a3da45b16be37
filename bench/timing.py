"""What the benchmarks share: whole-process timing against a python-calamine read of the same file."""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# a process that only reads a workbook (``.format(path)``): the baseline every ratio is taken against
CALAMINE = ("from python_calamine import CalamineWorkbook as W; b = W.from_path(r'{0}');"
            "[b.get_sheet_by_name(n).to_python() for n in b.sheet_names]")

# as after `pip install`, which compiles every module: the first run writes the .pyc files
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def cold(argv: list[str], repeat: int, env: dict | None = None) -> float:
    """The median milliseconds of a fresh process, start to exit (one untimed run first: the OS file
    cache warm, the .pyc files written, planvalidator's cache filled); ``env``: variables set for it."""
    env = {**ENV, **(env or {})}
    subprocess.run(argv, capture_output=True, env=env, cwd=ROOT)
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, capture_output=True, env=env, cwd=ROOT)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs) * 1000


def warm(fn, repeat: int) -> float:
    """The median milliseconds of ``fn()`` in this process (one untimed call first)."""
    fn()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs) * 1000
