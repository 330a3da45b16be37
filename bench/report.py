"""Every speed figure in one run, written to docs/speed.md (the figures the README and docs quote).

    python bench/report.py [--quick] [--out docs/speed.md]

Runs each benchmark of this folder as its own process, one after another, and keeps what each prints:
every figure there is a ratio to a baseline measured in the same run (a python-calamine read of the
same file, or an openpyxl load), so the table means the same on a faster or a busier machine.
``--quick`` runs fewer repetitions (a rough table in a few minutes). The machine (CPU count, load
average before and after) is written beside the tables: a busy machine shows in the ratios less than
in the milliseconds, but it shows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# (title, script, arguments, quick arguments, the goal it is read against)
BENCHES = [
    ("cold check（新しいプロセス）", "check.py", [], ["--repeat", "5"],
     "cold check ≤ 3× a calamine-read process (issue 24)"),
    ("表の大きさ（40 / 1,000 / 3,000 / 10,000 行）", "sizes.py", ["--sizes", "40,1000,3000,10000"],
     ["--sizes", "40,1000,10000", "--repeat", "2"], "warm ≤ 5× a calamine read; 10,000 rows ≤ 6×"),
    ("命令数（valgrind: 負荷でぶれない数え方）", "instructions.py", [], ["--rounds", "1"],
     "the cold and warm goals, counted in CPU instructions"),
    ("batch（受付の一括チェック）", "batch.py", [], ["--applications", "150", "--repeat", "1"],
     "≥ 80 applications/s with 2 jobs"),
    ("チェックのページ（1 / 4 / 20 クライアント）", "page.py", [], ["--requests", "40"],
     "≥ 45 checks/s at 20 clients on 2 cores, p95 ≤ 1 s"),
    ("書き込み（annotate）", "annotate.py", [], [], "a fraction of an openpyxl load and save"),
    ("Excel のボタン（xlwings）", "button.py", [], [], "—"),
    ("静的なサイト（ブラウザーの中の Pyodide）", "site.py", [], ["--repeat", "2"], "first check ≤ 5 s after the page is loaded"),
    ("SudachiPy のない読み取り（ブラウザー・xlwings Lite）", "sudachi.py", [], [], "as the command line"),
]


def load() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "speed.md")
    parser.add_argument("--only", help="comma-separated script names (check.py,page.py …)")
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else None
    started = load()
    sections = []
    for title, script, full, quick, goal in BENCHES:
        if only and script not in only:
            continue
        argv = [sys.executable, str(HERE / script), *(quick if args.quick else full)]
        print(f"== {script}", flush=True)
        done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
        text = done.stdout.strip() or "(no output)"
        if done.returncode:
            text += f"\n(exit {done.returncode}: {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ''})"
        print(text, flush=True)
        sections.append(f"## {title}\n\n`python bench/{script} {' '.join(quick if args.quick else full)}`"
                        f" — 目標: {goal}\n\n```\n{text}\n```\n")
    head = (f"# 速さ（`bench/report.py` の出力）\n\n[README](../README.md) ・ [docs の一覧](README.md)\n\n"
            f"{dt.date.today().isoformat()}、{platform.machine()} {os.cpu_count()} コア、Python "
            f"{platform.python_version()}、負荷（1/5/15 分）開始時 {started}・終了時 {load()}"
            f"{'（--quick: 繰り返しを減らした概算）' if args.quick else ''}。\n\n"
            "数字はどれも同じ実行の中で測った基準（同じファイルを python-calamine で読む時間、または openpyxl で"
            "開く時間）との比です。2 コアのマシンでは実行ごとに ±20% ほどぶれます。テストは時間を測りません。\n\n")
    args.out.write_text(head + "\n".join(sections), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
