"""The button through xlwings Lite: ``check_book`` with only what Pyodide has.

xlwings Lite runs the script of ``xlwings_lite/main.py`` in Pyodide and hands it the workbook as an
``xlwings.Book`` on xlwings' remote engine — the same engine tests/test_xl.py drives with a real
payload. Here that payload is checked in a fresh interpreter where the file-only dependencies
(python-calamine, lxml, msoffcrypto, olefile, pebble, pypdfium2) and process pools
(multiprocessing, concurrent.futures' process and thread pools) are absent (``sys.modules[name] = None``: ``import`` fails as for a
package that is not installed, ``find_spec`` finds nothing), and the findings and the actions sent
back to Excel are compared with an unblocked run. A second variant also takes SudachiPy away (a
Rust extension Pyodide does not have): the expense rules fall back to the word lists.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from support.helpers import EXAMPLE
from support.xl_payload import payload

ROOT = Path(__file__).resolve().parents[1]
FILE_ONLY = ["python_calamine", "lxml", "msoffcrypto", "olefile", "pebble", "pypdfium2",
             "multiprocessing", "concurrent.futures.process", "concurrent.futures.thread"]   # (asyncio needs
                                                                     # concurrent.futures itself; Pyodide has it)
SUDACHI = ["sudachipy", "sudachidict_core"]

# tests/test_xl.py's mistakes typed into the 記入例, and lines only the Japanese reading tells apart
TYPED = {"計画様式7": {"F8": "ノートPC（データ解析用）", "N16": "振込手数料を含む", "L6": dt.datetime(2025, 7, 1),
                       "M11": "無"}}
WORDING = {"計画様式7": {"F8": "PC樹脂ペレット", "F9": "パソコン教室向け教材"}}

RUN = r"""
import json, sys
blocked, payload_path, main_py = sys.argv[1].split(",") if sys.argv[1] else [], sys.argv[2], sys.argv[3]
for name in blocked:
    sys.modules[name] = None          # as if not installed: import raises, find_spec gives None
import importlib.util
import xlwings
spec = importlib.util.spec_from_file_location("lite_main", main_py)
lite = importlib.util.module_from_spec(spec)
spec.loader.exec_module(lite)         # xlwings_lite/main.py, as xlwings Lite loads it
from planvalidator.xl import check_book
out = []
for p in json.load(open(payload_path, encoding="utf-8")):
    book = xlwings.Book(json=p)
    report = check_book(book)
    out.append({"findings": [[f.rule, f.severity.value, f.sheet, f.cell, f.message] for f in report.findings],
                "actions": book.json()["actions"]})
book = xlwings.Book(json=json.load(open(payload_path, encoding="utf-8"))[0])
lite.check_application(book)          # the script itself: prints its one-line summary
out.append({"script_actions": len(book.json()["actions"])})
loaded = sorted(m for m, mod in sys.modules.items() if mod is not None)
print(json.dumps({"runs": out, "loaded": loaded}, ensure_ascii=False, default=str))
"""


def _run(blocked: list[str], payloads_file: Path) -> dict:
    env = {**os.environ, "XLWINGS_LICENSE_KEY": os.environ.get("XLWINGS_LICENSE_KEY", "noncommercial"),
           "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", RUN, ",".join(blocked), str(payloads_file),
                           str(ROOT / "xlwings_lite" / "main.py")],
                          capture_output=True, text=True, encoding="utf-8", env=env, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    *printed, result = done.stdout.strip().splitlines()
    data = json.loads(result)
    data["printed"] = printed
    return data


def _findings(run):
    return [[tuple(f) for f in r["findings"]] for r in run["runs"][:-1]]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    path = tmp_path_factory.mktemp("lite") / "payloads.json"
    path.write_text(json.dumps([payload(EXAMPLE, edits=TYPED), payload(EXAMPLE), payload(EXAMPLE, edits=WORDING)],
                               ensure_ascii=False), encoding="utf-8")
    return {"full": _run([], path), "lite": _run(FILE_ONLY, path), "no_sudachi": _run(FILE_ONLY + SUDACHI, path)}


def test_without_the_file_only_dependencies_the_same_findings_and_actions(runs):
    full, lite = runs["full"], runs["lite"]
    assert "python_calamine" in full["loaded"]   # unblocked, the template's merged labels come through calamine
    assert not set(FILE_ONLY) & set(lite["loaded"])
    assert _findings(lite) == _findings(full)
    assert [r.get("actions") for r in lite["runs"]] == [r.get("actions") for r in full["runs"]]
    typed, clean, _ = _findings(lite)
    assert {(rule, cell) for rule, _s, _sh, cell, _m in typed} == {("PV102", "F8"), ("PV103", "N16"),
                                                                   ("PV106", "L6"), ("PV110", "M11")}
    assert clean == []


def test_the_script_checks_the_book_and_says_so_in_japanese(runs):
    for run in runs.values():
        assert run["runs"][-1]["script_actions"] > 0
        assert run["printed"] == ["要修正（エラー 3 件・警告 1 件・情報 0 件）。先頭の「チェック結果」シートと、"
                                  "色の付いたセルのメモを見てください。"]


def test_without_sudachipy_the_check_runs_on_the_word_lists(runs):
    lite, bare = runs["lite"], runs["no_sudachi"]
    assert "sudachipy" in lite["loaded"] and "sudachipy" not in bare["loaded"]
    typed, clean, wording = _findings(bare)
    lite_typed, lite_clean, lite_wording = _findings(lite)
    assert typed == lite_typed and clean == lite_clean == []   # the typed mistakes are told apart either way
    # the words alone: 「パソコン」 inside 「パソコン教室」 (teaching material is bought) is counted as bought — one
    # more finding, as docs/applicants.md (xlwings Lite) says; 「PC樹脂ペレット」 stays unflagged (the word list knows 「PC樹脂」)
    assert lite_wording == []
    assert [(rule, cell) for rule, _s, _sh, cell, _m in wording] == [("PV102", "F9")]
    assert "「パソコン」は汎用品" in wording[0][4]


# --- the same script under Pyodide itself (Node and the npm package pyodide, offline) -------------------------

PYODIDE = Path(os.environ.get("PLANVALIDATOR_PYODIDE") or ROOT / "site" / "node_modules" / "pyodide")
WHEELS = Path(os.environ.get("PLANVALIDATOR_SITE_WHEELS") or ROOT / "site" / "wheels")
LITE_WHEELS = ("xlwings", "openpyxl", "et_xmlfile")          # what xlwings Lite itself brings, and openpyxl (a requirement)


def test_the_requirements_give_pyodide_only_what_the_live_path_imports():
    """What micropip would install for planvalidator on Pyodide (pyproject.toml's markers evaluated for
    sys_platform emscripten): exactly what the live path imports, pydantic at the floor PyPI has a
    pyemscripten pydantic-core for."""
    import tomllib

    from packaging.requirements import Requirement

    deps = [Requirement(d) for d in tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]]
    env = {"sys_platform": "emscripten", "platform_system": "Emscripten", "python_version": "3.14"}
    there = {r.name.lower(): str(r.specifier) for r in deps if r.marker is None or r.marker.evaluate(env)}
    assert there == {"pyyaml": ">=6", "msgspec": ">=0.19", "pydantic": ">=2.14", "japanera": ">=2.1", "openpyxl": ">=3.1"}


def test_main_py_runs_under_pyodide_on_a_real_payload(tmp_path):
    import shutil

    from planvalidator.site import find_wheels, package_archive, prebuilt_cache

    node = shutil.which("node")
    lite = sorted(p for p in WHEELS.glob("*.whl") if p.name.split("-")[0].lower() in LITE_WHEELS)
    if node is None or not (PYODIDE / "pyodide.mjs").is_file() or len(lite) != len(LITE_WHEELS):
        why = f"node, the npm package pyodide ({PYODIDE}) or the wheels of {LITE_WHEELS} ({WHEELS}) are missing"
        if os.environ.get("CI") == "true":
            pytest.fail(why)
        pytest.skip(why)
    # what micropip gives planvalidator on Pyodide: not python-calamine (a file-path requirement, marked off)
    wheels = [w for w in find_wheels(WHEELS) if not w.name.startswith("python_calamine")] + lite
    archive = tmp_path / "planvalidator.zip"
    archive.write_bytes(package_archive())
    cache = tmp_path / "cache"
    cache.mkdir()
    for name, data in prebuilt_cache().items():
        (cache / name).write_bytes(data)
    payloads = tmp_path / "payloads.json"
    payloads.write_text(json.dumps([payload(EXAMPLE, edits=TYPED), payload(EXAMPLE)], ensure_ascii=False), encoding="utf-8")
    done = subprocess.run([node, str(ROOT / "scripts" / "pyodide_check.mjs"), str(payloads),
                           str(ROOT / "xlwings_lite" / "main.py"), str(archive), *map(str, wheels), "--cache", str(cache)],
                          capture_output=True, text=True, encoding="utf-8", timeout=600,
                          env={**os.environ, "PYODIDE_DIR": str(PYODIDE)})
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["platform"] == "emscripten" and result["python"].startswith("3.14")
    typed, clean = result["runs"]
    assert {(rule, cell) for rule, _s, _sh, cell in typed["findings"]} == {("PV102", "F8"), ("PV103", "N16"),
                                                                           ("PV106", "L6"), ("PV110", "M11")}
    assert typed["actions"] > 0 and typed["printed"].startswith("要修正（エラー 3 件・警告 1 件・情報 0 件）")
    assert clean["findings"] == [] and clean["printed"].startswith("問題は見つかりませんでした")
    assert result["imported"] == []
