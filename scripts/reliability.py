"""The reliability figures of docs/reliability.md (「信頼性」): ``planvalidator check`` and ``annotate`` on every
hostile and broken workbook of tests/support/hostile.py, one child process each, one after another.

    .venv/bin/python scripts/reliability.py            # a Markdown table and the totals
    .venv/bin/python scripts/reliability.py --details  # and each file's reason or findings

Each file is copied alone into a fresh folder and checked there exactly as tests/test_hostile.py
does (the same runner): exit code, wall time, the child's own CPU time and its peak resident memory,
both measured by wait4.
A crash is a run killed by a signal, an exit code other than 0/1/2, or a Python traceback.
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from support.hostile import build_corpus, run_check  # noqa: E402


def _exit_text(code: int) -> str:
    if code < 0:
        try:
            return f"{code} ({signal.Signals(-code).name})"
        except ValueError:
            return str(code)
    return str(code)


def _detail(run, path: Path) -> str:
    if run.exit_code == 2:
        lines = run.stderr.replace(f"{path.parent}/", "").strip().splitlines()
        return lines[-1] if lines else "(no reason)"
    try:
        findings = json.loads(run.stdout)["findings"]
    except (ValueError, KeyError, TypeError):
        return run.stderr.strip()[-300:] or "(no output)"
    return ", ".join(f"{f['rule']} {f['severity']} {f['sheet']}!{f['cell']}" for f in findings) or "(no findings)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--details", action="store_true", help="print each file's reason or findings")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="pv-reliability-") as tmp:
        tmp = Path(tmp)
        cases = build_corpus(tmp / "corpus")
        rows, crashes, skipped, exits = [], [], [], Counter()
        print("| case | exit | seconds | CPU s | peak MiB | annotate exit | CPU s | peak MiB |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for number, case in enumerate(cases):
            if case.skip:
                skipped.append(case)
                continue
            folder = tmp / "runs" / str(number)
            folder.mkdir(parents=True)
            path = folder / case.path.name
            shutil.copyfile(case.path, path)
            run = run_check(path)
            annotated = run_check(path, command=["annotate", "-o", str(tmp / "runs" / f"{number}.out.xlsx")])
            rows.append((case, run, path))
            rows.append((case, annotated, path))
            exits[run.exit_code] += 1
            if run.crashed or run.timed_out or annotated.crashed or annotated.timed_out:
                crashes.append(case.name)
            print(f"| {case.name} | {_exit_text(run.exit_code)} | {run.seconds:.2f} | {run.cpu_seconds:.2f} | "
                  f"{run.peak_mib:.0f} | {_exit_text(annotated.exit_code)} | {annotated.cpu_seconds:.2f} | "
                  f"{annotated.peak_mib:.0f} |", flush=True)

    slowest = max(rows, key=lambda row: row[1].cpu_seconds)
    largest = max(rows, key=lambda row: row[1].peak_mib)
    print()
    print(f"- inputs tried: {len(rows) // 2}, each checked and annotated"
          + (f" (skipped: {', '.join(f'{c.name} — {c.skip}' for c in skipped)})" if skipped else ""))
    print("- exit codes: " + ", ".join(f"{_exit_text(code)}: {n}" for code, n in sorted(exits.items())))
    print(f"- crashes (signals, other exit codes, tracebacks, timeouts): {len(crashes)}"
          + (f" ({', '.join(crashes)})" if crashes else ""))
    print(f"- max CPU seconds: {slowest[1].cpu_seconds:.2f} ({slowest[0].name}; wall {slowest[1].seconds:.2f})")
    print(f"- max peak MiB: {largest[1].peak_mib:.0f} ({largest[0].name})")
    if args.details:
        print()
        for case, run, path in rows[::2]:
            print(f"- {case.name}: {_detail(run, path)}")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
