"""The house a newcomer walks: the layers written as import-linter contracts (pyproject.toml
[tool.importlinter]) hold, no module imports another in a circle, no module holds several jobs'
worth of lines, and every package of the source is one the wheel ships."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "planvalidator"
MAX_LINES = 600          # one job per module: a module past this is several (issue 23)
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _lint(config: Path | None = None) -> subprocess.CompletedProcess:
    """lint-imports over this checkout's source (not an installed copy)."""
    tool = Path(sys.executable).with_name("lint-imports")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = [str(tool), *([str(config)] if config else [])]
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_the_layer_contracts_are_kept():
    contracts = CONFIG["tool"]["importlinter"]["contracts"]
    assert {c["id"] for c in contracts} >= {"layers", "formats", "summaries", "rules-read-plans", "program-data"}
    result = _lint()
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert f"Contracts: {len(contracts)} kept, 0 broken." in result.stdout


def test_a_rule_importing_the_file_reader_breaks_the_contracts(tmp_path):
    """The contracts are not vacuous: the same configuration over a copy of the source where a rule
    module reads a workbook itself is reported broken, naming the import."""
    import shutil

    copy = tmp_path / "src"
    shutil.copytree(SOURCE, copy / "planvalidator", ignore=shutil.ignore_patterns("__pycache__"))
    rule = copy / "planvalidator" / "rules" / "content.py"
    rule.write_text(rule.read_text(encoding="utf-8") + "\nfrom planvalidator.workbook import load_grid  # noqa\n",
                    encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text(encoding="utf-8"), encoding="utf-8")
    tool = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(tool)], cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(copy)},
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    assert "planvalidator.rules.content -> planvalidator.workbook" in result.stdout
    assert "BROKEN" in result.stdout


def _graph():
    import grimp

    return grimp.build_graph("planvalidator", include_external_packages=False)


def cycles(graph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iteratively)."""
    index, low, on, stack, out, counter = {}, {}, set(), [], [], [0]
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter[0]
                    counter[0] += 1
                    stack.append(nxt)
                    on.add(nxt)
                    work.append((nxt, iter(sorted(graph.find_modules_directly_imported_by(nxt)))))
                    break
                if nxt in on:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        out.append(sorted(component))
    return out


def test_no_module_imports_another_in_a_circle():
    assert cycles(_graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    class Graph:
        modules = {"a", "b", "c", "d"}
        edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}

        def find_modules_directly_imported_by(self, m):
            return self.edges.get(m, set())

    assert cycles(Graph()) == [["a", "b", "c"]]


@pytest.mark.parametrize("path", sorted(SOURCE.rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_holds_several_jobs(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)}: {lines} 行（{MAX_LINES} 行まで: 仕事ごとに分けてください）"


def test_every_package_of_the_source_ships_in_the_wheel():
    shipped = set(CONFIG["tool"]["setuptools"]["packages"])
    packages = {".".join(p.parent.relative_to(ROOT).parts) for p in SOURCE.rglob("__init__.py")
                if "__pycache__" not in p.parts}
    assert packages <= shipped, sorted(packages - shipped)


def test_every_folder_of_shipped_data_is_a_package_of_the_wheel():
    """A folder whose files package-data ships (schemas/r7/sheets/*.yaml, templates/r7/invalid/*.xlsx …) is listed
    in ``packages``: setuptools ships it either way but warns, on every install, that it "would be ignored"
    (a new template year's folder, templates/r8, fails here until it is listed)."""
    setup = CONFIG["tool"]["setuptools"]
    shipped = set(setup["packages"])
    folders = {}
    for package, globs in setup["package-data"].items():
        base = ROOT / setup["package-dir"].get(package, package.replace(".", "/"))
        for pattern in globs:
            for path in base.glob(pattern):
                parts = path.parent.relative_to(base).parts
                folders[".".join((package, *parts))] = path
    missing = {name: str(path.relative_to(ROOT)) for name, path in folders.items() if name not in shipped}
    assert folders and not missing, missing


def _developer_section() -> str:
    """The section 「## 開発者向け: 層と構成」 of docs/development.md (moved there from the README, issue 28)."""
    text = (ROOT / "docs" / "development.md").read_text(encoding="utf-8")
    start = text.index("## 開発者向け: 層と構成")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else len(text)]


def test_the_developer_map_names_every_module_and_every_layer():
    """The developers' section (docs/development.md) is the map a newcomer reads: every module and package of
    planvalidator/ is named in it, and every layer of the contract has its line in the picture."""
    import re

    section = _developer_section()
    package = ROOT / "planvalidator"
    names = sorted({p.stem for p in package.glob("*.py") if not p.stem.startswith("__")}
                   | {p.name for p in package.iterdir() if p.is_dir() and (p / "__init__.py").is_file()})
    missing = [n for n in names if not re.search(rf"(?<![A-Za-z_]){re.escape(n)}(?![A-Za-z_])", section)]
    assert not missing, f"docs/development.md の「開発者向け: 層と構成」に書かれていないモジュール: {missing}"
    layers = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]
    layer_list = next(c for c in layers if c["type"] == "layers")["layers"]
    for layer in layer_list:
        for module in re.split(r"\s*[|:]\s*", layer):
            short = module.removeprefix("planvalidator.").split(".")[0]
            assert re.search(rf"(?<![A-Za-z_]){re.escape(short)}(?![A-Za-z_])", section), short
