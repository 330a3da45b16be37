"""The README is the front door and docs/ the rest (issue 28): the README stays short and keeps the two
set-up commands, every relative link in README.md and docs/*.md reaches a file, and docs/rules.md is what
scripts/rules_doc.py makes from the rules now (so the catalogue cannot drift from the code)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
MAX_README_LINES = 160

COMMAND_A = ("python3 -m venv .venv && .venv/bin/pip install -q . && .venv/bin/planvalidator check "
             "templates/r7/kinyurei-r7.xlsx templates/r7/invalid/wrong-amount.xlsx")
COMMAND_B = "bash .ci/run"


def _rules_doc():
    spec = importlib.util.spec_from_file_location("rules_doc", ROOT / "scripts" / "rules_doc.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_rule_catalogue_is_generated_from_the_rules():
    module = _rules_doc()
    expected = module.render()
    actual = (DOCS / "rules.md").read_text(encoding="utf-8") if (DOCS / "rules.md").is_file() else ""
    assert actual == expected, ("docs/rules.md が規則と違います: `python scripts/rules_doc.py` を実行して"
                                "作り直してください")
    from planvalidator import rules as catalogue

    for rule in catalogue.all_rules():
        assert f"### {rule.code}\n" in actual, rule.code


def test_the_readme_is_short():
    lines = len(README.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_README_LINES, f"README.md が {lines} 行です（{MAX_README_LINES} 行まで: 詳しいことは docs/ へ）"


def test_the_readme_keeps_the_two_setup_commands():
    text = README.read_text(encoding="utf-8")
    assert f"```sh\n{COMMAND_A}\n```" in text
    assert f"```sh\n{COMMAND_B}\n```" in text
    assert "2 コアのマシンで約 15 分" in text          # what (b) takes, as the README says it


LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def _pages() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


def _without_code(text: str) -> str:
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    return re.sub(r"`[^`\n]*`", "", text)


def test_every_relative_link_points_at_a_file():
    broken = []
    for page in _pages():
        for target in LINK.findall(_without_code(page.read_text(encoding="utf-8"))):
            if re.match(r"[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
                continue                     # http(s), mailto …; a link within the page
            path = unquote(target.split("#", 1)[0])
            if not (page.parent / path).exists():
                broken.append(f"{page.relative_to(ROOT)}: {target}")
    assert not broken, broken


def test_the_links_are_really_read():
    """The link pattern finds the README's links (a test of the test: not vacuous)."""
    links = LINK.findall(_without_code(README.read_text(encoding="utf-8")))
    assert "docs/applicants.md" in links and "docs/development.md" in links
    assert any(t == "check-page.png" for t in LINK.findall((DOCS / "applicants.md").read_text(encoding="utf-8")))


def test_every_docs_page_is_listed_in_the_readme_and_the_index():
    readme = README.read_text(encoding="utf-8")
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    for page in sorted(DOCS.glob("*.md")):
        assert f"](docs/{page.name})" in readme, page.name
        if page.name != "README.md":
            assert f"]({page.name})" in index, page.name
