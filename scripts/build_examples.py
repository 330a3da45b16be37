"""Build the invalid examples in templates/r7/invalid/ from the official 記入例.

Each example is the valid 記入例 with a few mistakes applicants really make, saved by
openpyxl (so, like any file a tool wrote, it carries no cached formula values), and a
JSON file beside it listing the findings it must produce (rule, severity, sheet, cell).

    python scripts/build_examples.py          # rewrite the examples
    python scripts/build_examples.py --check  # fail if they are out of date
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
R7 = ROOT / "templates" / "r7"
SOURCE = R7 / "kinyurei-r7.xlsx"
OUT = R7 / "invalid"

# name: (what it shows, {sheet: {cell: new value}}, [expected findings])
EXAMPLES = {
    "wrong-amount": (
        "計画様式7 の 4 行目の金額を手入力で誤った（3 × 80,000 = 240,000 のところ 250,000）",
        {"計画様式7": {"J9": 250000}},
        [("PV201", "error", "計画様式7", "J9")],
    ),
    "form-errors": (
        "書式・選択肢・型の誤り: 法人番号の打ち間違い、メールの書き損じ、選択肢にない経費内訳と年度、"
        "読めない数量、負の単価、空欄の必須項目",
        {
            "計画様式1": {"D13": "1200001012346", "D36": "hanako@", "D8": None},
            "計画様式7": {"E10": "人件費", "C11": "令和7年度", "G12": "約200", "I13": -300},
        },
        [
            ("PV001", "error", "計画様式1", "D8"),
            ("PV006", "error", "計画様式1", "D13"),
            ("PV005", "error", "計画様式1", "D36"),
            ("PV101", "error", "計画様式7", "E10"),
            ("PV003", "error", "計画様式7", "C11"),
            ("PV002", "error", "計画様式7", "G12"),
            ("PV004", "error", "計画様式7", "I13"),
        ],
    ),
    "overwritten-totals": (
        "計算式を数値で上書きした: 計画様式8 の 1年目 助成対象経費と、計画様式1 の助成金申請額",
        {"計画様式8": {"C6": 1900000}, "計画様式1": {"D24": 2600000}},
        [
            ("PV205", "error", "計画様式1", "D24"),
            ("PV203", "error", "計画様式8", "C6"),
        ],
    ),
    "ineligible-expenses": (
        "助成対象外の経費: 事務用のノートPC（汎用品）、振込手数料（間接経費）、交付決定前の発注、見積書のない行"
        "（発注予定日は文字列の和暦）",
        {"計画様式7": {"F8": "ノートPC（データ解析用）", "N16": "振込手数料を含む", "L6": "令和7年7月1日",
                       "M11": "無"}},
        [
            ("PV106", "error", "計画様式7", "L6"),
            ("PV014", "info", "計画様式7", "L6"),
            ("PV102", "error", "計画様式7", "F8"),
            ("PV110", "warning", "計画様式7", "M11"),
            ("PV103", "error", "計画様式7", "N16"),
        ],
    ),
    "ineligible-applicant": (
        "対象者の要件: 従業員 12 名で事業区分8（小規模企業者）を選び、大企業が出資の 6 割を持つ（みなし大企業）",
        {"計画様式1": {"D18": "8 小規模企業者による社会課題解決に向けた新商品・新サービスの開発・販路開拓支援"},
         "計画様式2": {"B24": "北陸大手商事株式会社", "G24": "該当"},
         "計画様式8": {"D6": 750000, "E6": 1250000, "D7": 750000, "E7": 1140000}},
        [
            ("PV303", "error", "計画様式1", "D18"),
            ("PV302", "error", "計画様式2", "G24"),
        ],
    ),
}


def build(name: str, edits: dict, target: Path) -> None:
    book = openpyxl.load_workbook(SOURCE)
    for sheet, cells in edits.items():
        for cell, value in cells.items():
            book[sheet][cell].value = value
    book.save(target)


def main(argv: list[str]) -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    stale = []
    for name, (about, edits, expected) in EXAMPLES.items():
        meta = {
            "about": about,
            "built_from": SOURCE.name,
            "edits": {s: {c: v for c, v in cells.items()} for s, cells in edits.items()},
            "expected": [dict(zip(("rule", "severity", "sheet", "cell"), e)) for e in expected],
        }
        meta_path = OUT / f"{name}.json"
        text = json.dumps(meta, ensure_ascii=False, indent=2) + "\n"
        if "--check" in argv:
            if not meta_path.exists() or meta_path.read_text(encoding="utf-8") != text:
                stale.append(name)
            continue
        build(name, edits, OUT / f"{name}.xlsx")
        meta_path.write_text(text, encoding="utf-8")
    if stale:
        print("out of date:", ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
