"""Golden files: the complete findings of each example workbook, as a user sees them.

For each example in templates/ — the 記入例 (templates/<版>/kinyurei-*.xlsx) and the invalid examples
(templates/<版>/invalid/*.xlsx; not the intake examples, which batch checks) — the JSON that
``planvalidator check --format json <example>`` prints from the repository's root (every finding with
its rule, severity, sheet, cell, field, message, clause, value read and expected, and the money), is
kept in templates/<版>/golden/<example>.json. tests/test_golden.py fails, with a diff, when any of it
changes. The path is written relative to the repository's root with forward slashes, so nothing in a
golden file depends on the machine. (templates/<版>/invalid/*.json are build_examples.py's: what each
invalid example is and the findings it must give at least; these files pin every word.)

When a change of the findings is intended (a rule, a message, a clause, the program's values):

    python scripts/golden.py            # rewrite the golden files (review the diff before committing)
    python scripts/golden.py --check    # exit 1, with a diff, when a golden file is out of date
                                        # (or missing, or left over from an example that is gone)
"""

from __future__ import annotations

import difflib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"


def examples() -> list[Path]:
    """The example workbooks: each version's 記入例 and its invalid examples."""
    found = []
    for version in sorted(p for p in TEMPLATES.iterdir() if p.is_dir()):
        found += sorted(version.glob("kinyurei-*.xlsx")) + sorted((version / "invalid").glob("*.xlsx"))
    return found


def golden_path(example: Path) -> Path:
    version = example.relative_to(TEMPLATES).parts[0]
    return TEMPLATES / version / "golden" / f"{example.stem}.json"


def render(example: Path) -> str:
    """What ``check --format json`` prints for the example, given as a path relative to the root."""
    from planvalidator.engine import check_file
    from planvalidator.formats import Outcome
    from planvalidator.formats.json import outcome_dict

    relative = example.relative_to(ROOT).as_posix()
    report = check_file(example, file=relative)
    return json.dumps(outcome_dict(Outcome(relative, report)), ensure_ascii=False, indent=2) + "\n"


def diff(example: Path) -> str:
    """A unified diff from the golden file to what the example gives now ("" when they agree)."""
    path = golden_path(example)
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    new = render(example)
    if old == new:
        return ""
    name = path.relative_to(ROOT).as_posix()
    return "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True),
                                        f"{name}（ゴールデン）", f"{name}（今の結果）"))


def stale() -> list[Path]:
    """Golden files whose example is gone."""
    wanted = {golden_path(e) for e in examples()}
    return sorted(p for p in TEMPLATES.glob("*/golden/*.json") if p not in wanted)


def main(argv: list[str]) -> int:
    sys.path.append(str(ROOT))          # the package of this checkout when it is not installed
    check = "--check" in argv
    failed = False
    for example in examples():
        change = diff(example)
        if not change:
            continue
        if check:
            failed = True
            print(change)
        else:
            path = golden_path(example)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(render(example), encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT).as_posix()}")
    for path in stale():
        if check:
            failed = True
            print(f"{path.relative_to(ROOT).as_posix()}: その例はもうありません（python scripts/golden.py で消します）")
        else:
            path.unlink()
            print(f"removed {path.relative_to(ROOT).as_posix()}")
    if failed:
        print("ゴールデンファイルが古くなっています。意図した変更なら python scripts/golden.py で書き直してください。")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
