"""Build the example intake templates/r7/intake/ from the official 記入例 (tests/support/intake_factory.py).

Ten applications as ISICO receives them: subfolders and a zip holding the 事業計画書 and its PDFs,
and a lone workbook. Valid ones and ones with planted defects (missing or one-period 決算書, a scanned
and an encrypted PDF, a group member without statements, an ineligible expense, a broken file).
expected.json beside them lists the findings each must produce (tests/test_batch.py checks them).

    python scripts/build_intake.py          # rewrite templates/r7/intake/
    python scripts/build_intake.py --check  # fail if the intake's applications or expectations are out of date

Each edited workbook is saved by LibreOffice after openpyxl's edits, as an applicant's Excel saves it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from support.intake_factory import APPLICATIONS, build_intake  # noqa: E402  (needs LibreOffice: see its workbooks())

OUT = ROOT / "templates" / "r7" / "intake"


def expected() -> dict:
    return {"applications": [
        {"id": spec.id if spec.kind != "zip" else f"{spec.id}.zip", "what": spec.what, "cannot_check": spec.error,
         "findings": [{"rule": r, "sheet": s, "cell": c, "severity": v} for r, s, c, v in sorted(spec.expect, key=repr)],
         "missing_documents": list(spec.missing)} for spec in APPLICATIONS]}


def readme() -> str:
    lines = ["# 受付の例（planvalidator batch の例）", "",
             "`planvalidator batch templates/r7/intake -o 受付チェック.xlsx` で一覧を作れます。",
             "公式の記入例から `python scripts/build_intake.py` で作っています（PDF は IPA ゴシックで書いた架空の書類）。", "",
             "| 申請 | 内容 |", "|---|---|"]
    lines += [f"| {spec.id}{'.zip' if spec.kind == 'zip' else ''} | {spec.what} |" for spec in APPLICATIONS]
    return "\n".join(lines) + "\n"


def main() -> int:
    if "--check" in sys.argv:
        names = sorted(spec.id + (".zip" if spec.kind == "zip" else "") for spec in APPLICATIONS)
        have = sorted(p.name for p in OUT.iterdir() if p.name not in ("expected.json", "README.md"))
        current = json.loads((OUT / "expected.json").read_text(encoding="utf-8"))
        if names != have or current != expected():
            print("templates/r7/intake/ is out of date: run python scripts/build_intake.py", file=sys.stderr)
            return 1
        return 0
    build_intake(OUT)
    (OUT / "expected.json").write_text(json.dumps(expected(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (OUT / "README.md").write_text(readme(), encoding="utf-8")
    print(f"{OUT}: {len(APPLICATIONS)} applications")
    return 0


if __name__ == "__main__":
    sys.exit(main())
