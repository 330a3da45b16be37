"""The JSON Schema of plans as data: schemas/<版>/plan.schema.json, generated from the layout and the
sheet schemas (planvalidator.plans.json_schema), one per template version that has a blank workbook.

    python scripts/plan_schema.py            # write the schema files
    python scripts/plan_schema.py --check    # exit 1, with a diff, when a schema file is out of date or missing
"""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from planvalidator.layout import known_layouts  # noqa: E402
from planvalidator.plans import schema_path, schema_text  # noqa: E402


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = 0
    for layout in known_layouts():
        if not layout.reference:
            continue
        path, text = schema_path(layout), schema_text(layout)
        old = path.read_text(encoding="utf-8") if path.is_file() else None
        if old == text:
            continue
        if check:
            stale += 1
            shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
            if old is None:
                print(f"{shown}: ありません（python scripts/plan_schema.py で作ってください）")
            else:
                sys.stdout.writelines(difflib.unified_diff(old.splitlines(True), text.splitlines(True),
                                                           f"{shown}（今のファイル）", f"{shown}（生成した内容）"))
        else:
            path.write_text(text, encoding="utf-8")
            print(f"{path} を書きました")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
