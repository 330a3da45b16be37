"""The cold and warm check counted in CPU instructions (valgrind's callgrind), against python-calamine counted the same way.

    python bench/instructions.py [--sizes 40,1000] [--rounds 2]

Wall times on a shared 2-core machine move by ±20% from run to run, and a ratio of two of them by almost as
much; the instructions a process executes do not depend on what else the machine is doing. Each figure here
is a ratio of two counts taken in the same run:
- cold: a fresh `planvalidator check` process on the 記入例 against a fresh process that reads the file with
  python-calamine (both with compiled modules and planvalidator's cache as a second run leaves them);
- warm: ``planvalidator.engine.check_file`` in one process against a python-calamine read in another, each
  going round the :data:`sizes.VARIANTS` copies of the input that bench/sizes.py makes (the same findings,
  other bytes in every sheet): a process that runs ``--rounds`` rounds less one that runs none, divided by the
  checks it made, so imports and first calls are left out.
Instructions are not time — a Python dict lookup and a Rust loop differ in cycles per instruction — so the
ratios differ from the wall-time ones of check.py and sizes.py; they move only when the code does. Without
valgrind the script says so and exits 0.
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from timing import CALAMINE, ENV  # noqa: E402

PY = sys.executable
EXAMPLE = ROOT / "templates" / "r7" / "kinyurei-r7.xlsx"


def instructions(argv: list[str]) -> int:
    """The instructions ``argv`` executes from start to exit (callgrind's total)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *argv],
                       capture_output=True, env=ENV, cwd=ROOT, check=True)
        for line in out.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1])
    raise RuntimeError("callgrind gave no total")


def per_round(kind: str, paths: list[Path], rounds: int) -> float:
    """The instructions of one ``kind`` ("check" or "calamine") of one file, in a warm process."""
    def run(n: int) -> int:
        return instructions([PY, __file__, "--child", kind, str(n), *map(str, paths)])
    return (run(rounds) - run(0)) / (rounds * len(paths))


def child(kind: str, rounds: int, paths: list[str]) -> None:
    """Go round ``paths`` once untimed, then ``rounds`` times (what :func:`per_round` counts)."""
    if kind == "check":
        from planvalidator.engine import check_file as work
    else:
        from sizes import calamine_read as work
    for path in paths:
        work(path)
    for path in itertools.islice(itertools.cycle(paths), rounds * len(paths)):
        work(path)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="40,1000")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), args.child[2:])
        return 0
    if shutil.which("valgrind") is None:
        print("valgrind がありません（apt-get install valgrind）: 命令数は数えません")
        return 0
    from sizes import VARIANTS, grown

    check = [PY, "-m", "planvalidator", "check", str(EXAMPLE)]
    subprocess.run(check, capture_output=True, env=ENV, cwd=ROOT)       # (.pyc files and the cache as a second run has them)
    base = instructions([PY, "-c", CALAMINE.format(EXAMPLE)])
    cold = instructions(check)
    print(f"{'what (instructions)':<28} {'check':>9} {'calamine':>9}  ratio")
    print(f"{'cold, 記入例 (process)':<28} {cold / 1e6:8.1f}M {base / 1e6:8.1f}M {cold / base:6.2f}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            paths = [grown(n, Path(tmp) / f"keikaku7-{n}-{v}.xlsx", v) for v in range(VARIANTS)]
            ours, theirs = per_round("check", paths, args.rounds), per_round("calamine", paths, args.rounds)
            print(f"{f'warm, {n:,} rows (per check)':<28} {ours / 1e6:8.1f}M {theirs / 1e6:8.1f}M "
                  f"{ours / theirs:6.2f}", flush=True)
    return 0


if __name__ == "__main__":
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    sys.exit(main())
