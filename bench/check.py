"""A cold `planvalidator check` process on the 記入例, against baselines run the same way.

    python bench/check.py [--repeat N]

Each row is a fresh Python process (the interpreter of this venv), timed from start to exit,
with compiled modules cached as `pip install` leaves them (PYTHONDONTWRITEBYTECODE is unset
for the runs):
- an empty interpreter (`python -c pass`);
- a process that only reads the same file with python-calamine (baseline, ratio 1.00);
- a process that only loads it with openpyxl (what reading used to cost);
- `planvalidator check` on the 記入例 (the whole command: imports, read, schemas, 43 rules, output),
  with the user's cache of validated program files (program.yaml, schemas/programs/) as a second run
  leaves it;
- the same with no cache to read or write (XDG_CACHE_HOME=/dev/null): every data file validated
  (pydantic) as on the very first run or after an upgrade;
- `planvalidator rules` (the catalogue; imports no reader).
Target (issue 5): a cold `planvalidator check` ≤ 1 s on this machine.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from timing import CALAMINE, cold

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "templates" / "r7" / "kinyurei-r7.xlsx"
PY = sys.executable

OPENPYXL = "import openpyxl; openpyxl.load_workbook(r'{0}')"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=11)
    args = parser.parse_args()
    rows = [
        ("python -c pass", [PY, "-c", "pass"]),
        ("python-calamine reads the file (baseline)", [PY, "-c", CALAMINE.format(EXAMPLE)]),
        ("openpyxl loads the file", [PY, "-c", OPENPYXL.format(EXAMPLE)]),
        ("planvalidator check 記入例", [PY, "-m", "planvalidator", "check", str(EXAMPLE)]),
        ("planvalidator check 記入例, no cache", [PY, "-m", "planvalidator", "check", str(EXAMPLE)],
         {"XDG_CACHE_HOME": "/dev/null"}),
        ("planvalidator rules", [PY, "-m", "planvalidator", "rules"]),
    ]
    times = {row[0]: cold(row[1], args.repeat, *row[2:]) for row in rows}
    baseline = times[rows[1][0]]
    for title, ms in times.items():
        print(f"{title:<44} {ms:7.0f} ms   {ms / baseline:5.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
