"""`planvalidator batch` on a generated intake of N applications with their PDFs.

    python bench/batch.py [--applications 500] [--repeat 3] [--keep DIR]

The intake cycles through the applications of ``tests/support/intake_factory.py`` (法人・個人事業主・グループ,
complete and incomplete attachments, a scanned and an encrypted PDF, a zip, a broken workbook, a lone
workbook): about 5 PDFs per application. Measured, in the same run:
- applications per second of a whole `planvalidator batch INTAKE -o FILE --no-cache` process with
  --jobs 1 and --jobs 2 (start-up, workers, the summary workbook included);
- the reuse run: the same intake a second time with the cache of the first;
- per application, in this process: checking it (workbook read, attachments read, rules) against a
  python-calamine read of the same workbook (the ratio).
Target (issue 13): ≥ 80 applications/s with 2 jobs on this 2-core machine.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from timing import ENV, warm  # noqa: E402


def make_intake(root: Path, n: int) -> Path:
    """N applications: the factory's, numbered, each built once and copied."""
    import shutil

    from support.intake_factory import APPLICATIONS, build, workbooks

    if root.exists() and sum(1 for _ in root.iterdir()) == n:
        return root                              # --keep: made by an earlier run
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    models = Path(tempfile.mkdtemp(prefix="pv-models-"))
    books = workbooks()
    built = {spec.id: build(spec, models, books[spec.id]) for spec in APPLICATIONS}
    for i in range(n):
        spec = APPLICATIONS[i % len(APPLICATIONS)]
        model = built[spec.id]
        name = f"{i:04d}_{model.name}"
        if model.is_dir():
            shutil.copytree(model, root / name)
        else:
            shutil.copyfile(model, root / name)
    shutil.rmtree(models)
    return root


def batch_seconds(intake: Path, out: Path, jobs: int, repeat: int, cache: Path | None) -> float:
    argv = [sys.executable, "-m", "planvalidator", "batch", str(intake), "-o", str(out), "--jobs", str(jobs)]
    argv += ["--cache", str(cache)] if cache else ["--no-cache"]
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, capture_output=True, env=ENV, cwd=ROOT)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def per_application(intake: Path) -> tuple[float, float]:
    """Median ms of checking one application in this process, and of a calamine read of its workbook."""
    from python_calamine import CalamineWorkbook

    from planvalidator.batch import check_application
    from planvalidator.intake import discover, files_of, split

    sources = [s for s in discover(intake)[0] if s.kind == "folder"][:10]
    checks, reads = [], []
    for source in sources:
        book, _ = split(files_of(source))
        if book is None:
            continue
        checks.append(warm(lambda: check_application(source), 5))

        def read(path=book.path):
            wb = CalamineWorkbook.from_path(str(path))
            return [wb.get_sheet_by_name(n).to_python() for n in wb.sheet_names]

        try:
            reads.append(warm(read, 5))
        except Exception:  # noqa: BLE001 — the broken workbook has no read to compare with
            checks.pop()
    return statistics.median(checks), statistics.median(reads)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="make (or reuse) the intake here")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pv-bench-batch-"))
    intake = make_intake(args.keep or work / "intake", args.applications)
    n = args.applications
    out = work / "受付チェック.xlsx"
    subprocess.run([sys.executable, "-m", "planvalidator", "batch", str(intake), "-o", str(out), "--no-cache",
                    "--jobs", "2"], capture_output=True, env=ENV, cwd=ROOT)          # untimed: OS cache, .pyc
    one = batch_seconds(intake, out, 1, args.repeat, None)
    two = batch_seconds(intake, out, 2, args.repeat, None)
    cache = work / "cache"
    batch_seconds(intake, out, 2, 1, cache)                                           # fills the cache
    reuse = batch_seconds(intake, out, 2, args.repeat, cache)
    check_ms, read_ms = per_application(intake)
    print(f"intake: {n} applications ({intake})")
    print(f"--jobs 1: {one:6.2f} s  {n / one:6.1f} applications/s")
    print(f"--jobs 2: {two:6.2f} s  {n / two:6.1f} applications/s   (target ≥ 80)")
    print(f"reuse:    {reuse:6.2f} s  {n / reuse:6.1f} applications/s   (every result from the first run)")
    print(f"per application, warm: check {check_ms:.1f} ms, calamine read {read_ms:.1f} ms, "
          f"ratio {check_ms / read_ms:.1f}×")


if __name__ == "__main__":
    main()
