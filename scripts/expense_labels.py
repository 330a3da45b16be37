"""The precision/recall figures of docs/checks.md (「何をチェックするか」) for PV102–PV105 on the labelled
expense rows.

    .venv/bin/python scripts/expense_labels.py             # the Markdown table
    .venv/bin/python scripts/expense_labels.py --mistakes  # and every row a rule gets wrong
    .venv/bin/python scripts/expense_labels.py --counts    # and the number of rows by label

The rows are tests/data/expense_items.yaml; the measuring is tests/support/expense_labels.py, the same code
tests/test_expense_labels.py holds to its floors.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from support.expense_labels import DATA, clean_text, label_counts, markdown, measure, mistakes, mistakes_text  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the labelled list (default: %(default)s)")
    parser.add_argument("--mistakes", action="store_true", help="list the rows whose outcome differs from the label")
    parser.add_argument("--counts", action="store_true", help="the number of rows by label")
    args = parser.parse_args()
    items, observed, scores = measure(args.data)
    print(markdown(scores, items))
    print(clean_text(items, observed))
    if args.counts:
        print()
        print("| label | rows |\n| --- | --- |")
        for label, n in label_counts(items).items():
            print(f"| {label} | {n} |")
    if args.mistakes:
        wrong = mistakes(items, observed)
        print(f"\n{len(wrong)} rule outcomes differ from the labels:")
        print(mistakes_text(wrong))
    return 0


if __name__ == "__main__":
    sys.exit(main())
