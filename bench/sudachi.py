"""PV102–PV105 with and without SudachiPy: precision and recall on the labelled expense rows
(tests/data/expense_items.yaml, measured by tests/support/expense_labels.py as tests/test_expense_labels.py does).

    python bench/sudachi.py            # the Markdown table of both (docs/checks.md「SudachiPy がないとき」)
    python bench/sudachi.py --json     # the figures as JSON

Each reading runs in its own process: one as installed (SudachiPy and SudachiDict-core), one with SudachiPy
blocked (``sys.modules["sudachipy"] = None``: planvalidator.japanese.installed() is False and the keyword rules
match the words alone — what the browser's Pyodide engine and xlwings Lite run, having no SudachiPy wheel).
No timings: the figures are counts of rows.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BLOCK = "PLANVALIDATOR_BENCH_NO_SUDACHI"


def _measure() -> dict:
    if os.environ.get(BLOCK):
        sys.modules["sudachipy"] = None          # as in a Python without the package
    sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
    from support.expense_labels import clean_rows, measure

    from planvalidator.japanese import installed

    items, observed, scores = measure()
    return {"analyser": "sudachi" if installed() else "fallback", "rows": len(items),
            "clean": list(clean_rows(items, observed)),
            "rules": {rule: {"labelled": s.positives, "flagged": s.flagged, "precision": s.precision,
                             "recall": s.recall, "exact_precision": s.exact_precision, "exact_recall": s.exact_recall}
                      for rule, s in scores.items()}}


def run(blocked: bool) -> dict:
    env = {k: v for k, v in os.environ.items() if k != BLOCK} | ({BLOCK: "1"} if blocked else {})
    out = subprocess.run([sys.executable, __file__, "--child"], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def table(results: list[dict]) -> str:
    pct = lambda x: f"{x * 100:.1f}%"  # noqa: E731
    lines = ["| 規則 | 読み方 | 指摘すべき行 | 指摘した行 | 適合率 | 再現率 | 適合率（重要度まで） | 再現率（重要度まで） |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for rule in results[0]["rules"]:
        for r in results:
            s = r["rules"][rule]
            lines.append(f"| {rule} | {r['analyser']} | {s['labelled']} | {s['flagged']} | {pct(s['precision'])} | "
                         f"{pct(s['recall'])} | {pct(s['exact_precision'])} | {pct(s['exact_recall'])} |")
    for r in results:
        total, quiet, _ = r["clean"]
        lines.append(f"\n{r['analyser']}: 指摘なしが正解の {total} 行のうち {quiet} 行に何も指摘しません")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_measure()))
        return 0
    results = [run(False), run(True)]
    print(json.dumps(results, ensure_ascii=False, indent=2) if args.json else table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
