"""Write docs/rules.md, the rule catalogue, from the rules themselves (what ``planvalidator rules`` shows).

    python scripts/rules_doc.py           # write docs/rules.md
    python scripts/rules_doc.py --check   # exit 1 when docs/rules.md is not what the rules say now

Each rule's code, name, severity, family, one-line brief, doc, advice (直し方) and clause, rendered with the facts of the
newest template version's program (the same rendering as ``planvalidator rules PV207``).
tests/test_docs.py fails when the file drifts from the rules.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "rules.md"


def render() -> str:
    """The Markdown of the catalogue, as the rules are now."""
    from planvalidator import rules as catalogue
    from planvalidator.layout import known_layouts
    from planvalidator.program import load_program

    layout = next(iter(known_layouts()))          # as `planvalidator rules` without --template
    program = load_program(layout.folder)
    rules = [r.rendered(program, layout) for r in catalogue.all_rules()]
    out = ["# 規則の一覧",
           "",
           "[README](../README.md) ・ [docs の一覧](README.md) ・ [何をチェックするか](checks.md)",
           "",
           "<!-- このファイルは scripts/rules_doc.py が規則から作ります。手で直さず `python scripts/rules_doc.py` を"
           "実行してください。 -->",
           "",
           f"説明の中の助成率・限度額・日付・シート名は {program.name}・様式 {layout.template} の値です"
           "（`planvalidator rules PV207` と同じ）。コマンドでは `planvalidator rules`、`planvalidator rules PV102`。",
           "",
           "| コード | 名前 | 重要度 | 系統 | 内容 |",
           "|---|---|---|---|---|"]
    for r in rules:
        out.append(f"| [{r.code}](#{r.code.lower()}) | `{r.name}` | {r.severity.label} | {r.family} | "
                   f"{_cell(r.brief)} |")
    family = None
    for r in rules:
        if r.family != family:
            family = r.family
            out += ["", f"## {family}"]
        out += ["", f"### {r.code}", "",
                f"`{r.name}` ・ {r.severity.label}（`{r.severity.value}`） ・ {r.family}", "",
                f"**{r.brief}**", ""]
        out += "\n\n".join(line.rstrip() for line in r.doc.splitlines() if line.strip()).split("\n")
        out += ["", f"直し方: {r.advice}"]
        if r.fixes:
            out += ["", f"修正（`planvalidator fix`）: {r.fixes}"]
        out += ["", f"出典: {r.reference}"]
    return "\n".join(out) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if not OUT.is_file() or OUT.read_text(encoding="utf-8") != text:
            print("docs/rules.md が規則と違います: python scripts/rules_doc.py で作り直してください", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(text.splitlines())} 行")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
