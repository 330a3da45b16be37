"""The static check site (``planvalidator site``) in a real browser: Debian's headless Chromium opens the
built site from a loopback static server (the standard library's http.server in a thread), and the
check runs in the page's Web Worker under Pyodide.

One site is built per module (the npm package pyodide of site/node_modules or $PLANVALIDATOR_PYODIDE,
the wheels of planvalidator/site/requirements.txt in site/wheels or $PLANVALIDATOR_SITE_WHEELS:
.ci/run installs both) and one browser is shared by the tests: loading the runtime is the slow part.
Without them, chromium or selenium the tests are skipped — except in CI (CI=true), where they fail.

``PLANVALIDATOR_SCREENSHOT=1`` also writes docs/static-site.png (the findings of the planted example)."""

from __future__ import annotations

import base64
import functools
import http.server
import io
import json
import os
import threading
from pathlib import Path

import pytest

from support.browser import chrome, missing, wait
from support.helpers import EXAMPLE, R7, ROOT

PLANTED = R7 / "invalid" / "ineligible-expenses.xlsx"
PYODIDE = Path(os.environ.get("PLANVALIDATOR_PYODIDE") or ROOT / "site" / "node_modules" / "pyodide")
WHEELS = Path(os.environ.get("PLANVALIDATOR_SITE_WHEELS") or ROOT / "site" / "wheels")
AXE = ROOT / "site" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOT = ROOT / "docs" / "static-site.png"


RECEIVED: list[tuple[str, str, int]] = []          # (method, path, body bytes) of every request the site got


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def log_request(self, code="-", size="-"):
        RECEIVED.append((self.command, self.path, int(self.headers.get("Content-Length") or 0)))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from planvalidator.site import SiteError, build

    out = tmp_path_factory.mktemp("site")
    try:
        build(out, PYODIDE, WHEELS)
    except SiteError as exc:
        missing(f"the static site cannot be built here: {exc}")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield out, f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def page(site, tmp_path_factory):
    """The site's page, open and its runtime loaded (shared by the tests of this module)."""
    _out, url = site
    downloads = tmp_path_factory.mktemp("downloads")
    with chrome(downloads, network_log=True) as driver:
        driver.get(url)
        wait(lambda: driver.execute_script("return document.body.dataset.ready"), 180, "the runtime")
        assert driver.execute_script("return document.body.dataset.ready") == "true", \
            driver.find_element("id", "load-text").text
        yield driver, url, downloads


def _check(driver, path: Path):
    from selenium.webdriver.common.by import By

    runs = driver.execute_script("return Number(document.body.dataset.runs || 0)")
    driver.find_element(By.ID, "files").send_keys(str(path))
    wait(lambda: driver.execute_script("return Number(document.body.dataset.runs || 0)") > runs, 120, "the results")
    cards = driver.find_elements(By.CSS_SELECTOR, "#results article.file.done")
    assert [c.find_element(By.TAG_NAME, "h2").text for c in cards] == [path.name]
    return cards[0]


def _axe(driver) -> list[dict]:
    """axe-core's violations on the page as it is now (its WCAG 2.x A/AA rules)."""
    if not AXE.is_file():
        missing(f"axe-core is not installed ({AXE}: npm ci --prefix site)")
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})"
        ".then(r => done(r.violations.map(v => ({id: v.id, nodes: v.nodes.map(n => n.target.join(' '))}))))"
        ".catch(e => done([{id: 'axe failed', nodes: [String(e)]}]));")
    return result


def _requests(driver) -> list[dict]:
    """Every request the page and its worker sent since the last call (the performance log)."""
    out = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            request = message["params"]["request"]
            out.append({"url": request["url"], "method": request["method"],
                        "body": request.get("hasPostData", False) or bool(request.get("postData"))})
    return out


def test_the_site_folder_holds_the_page_the_runtime_the_wheels_and_the_prebuilt_cache(site):
    from planvalidator.site import requirements

    out, _url = site
    page = (out / "index.html").read_text(encoding="utf-8")
    assert 'data-engine="browser"' in page and "connect-src 'self'" in page and "://" not in page
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    wheels = [f["path"] for f in manifest["files"] if f["kind"] == "wheel"]
    assert [w.split("/")[1].split("-")[0].replace("_", "-").lower() for w in wheels] == [n for n, _v in requirements()]
    assert all((out / f["path"]).stat().st_size == f["bytes"] for f in manifest["files"])
    assert {f["path"].split("/")[1].split("-")[0] for f in manifest["files"] if f["kind"] == "cache"} >= {"program", "profile"}
    assert (out / "pyodide" / "pyodide.asm.wasm").is_file() and 'id="PV102"' in (out / "rules.html").read_text(encoding="utf-8")


def _pycs(names) -> list[str]:
    return sorted(n for n in names if n.endswith(".pyc"))


def _unchecked_hash(pyc: bytes) -> bool:
    """A PEP 552 pyc its importer loads without looking at the source (flags: hash-based, unchecked)."""
    return int.from_bytes(pyc[4:8], "little") == 0b01


def test_the_site_s_python_is_compiled_for_its_runtime_beside_its_source(site):
    import shutil
    import zipfile

    from planvalidator.site import RUNTIME_FILES

    if shutil.which("node") is None:
        missing("Node.js is not installed: the site is built without bytecode")
    out, _url = site
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    archive = zipfile.ZipFile(out / next(f["path"] for f in manifest["files"] if f["kind"] == "zip"))
    names = set(archive.namelist())
    sources = sorted(n for n in names if n.endswith(".py"))
    assert any(n.startswith("yaml/") for n in sources) and "planvalidator/engine.py" in sources
    tag = _runtime_tag()
    for source in sources:                      # every module of the archive, as the runtime's importer names it
        folder, _, module = source.rpartition("/")
        assert f"{folder}/__pycache__/{module[:-3]}.{tag}.pyc" in names, source
    assert all(_unchecked_hash(archive.read(n)) for n in _pycs(names))
    stdlib = zipfile.ZipFile(out / "pyodide" / "python_stdlib.zip")
    runtime = zipfile.ZipFile(PYODIDE / "python_stdlib.zip")
    assert set(stdlib.namelist()) >= set(runtime.namelist())       # the sources all kept
    compiled = _pycs(stdlib.namelist())
    assert {"dataclasses.pyc", "re/__init__.pyc", "zipfile/__init__.pyc"} <= set(compiled)
    assert all(n[:-1] in runtime.namelist() for n in compiled)     # each beside its source, as zipimport reads it
    assert all(_unchecked_hash(stdlib.read(n)) for n in compiled)
    assert manifest["runtime_bytes"] == sum((out / "pyodide" / n).stat().st_size for n in RUNTIME_FILES
                                            if n != "package.json")


def _runtime_tag() -> str:
    """The runtime's pyc tag (``cpython-314`` for Python 3.14), from its lock file."""
    major, minor = json.loads((PYODIDE / "pyodide-lock.json").read_text(encoding="utf-8"))["info"]["python"].split(".")[:2]
    return f"cpython-{major}{minor}"


@pytest.mark.parametrize("node, why", [(None, "Node.js がありません"),
                                       ("/bin/false", "Node.js の Pyodide でコンパイルできませんでした")])
def test_without_a_node_that_runs_the_site_is_the_same_site_from_source_only(tmp_path, monkeypatch, node, why):
    import zipfile

    from planvalidator.site import SiteError, bytecode, build

    monkeypatch.setattr(bytecode.shutil, "which", lambda name: node)
    try:
        built = build(tmp_path / "out", PYODIDE, WHEELS)
    except SiteError as exc:
        missing(f"the static site cannot be built here: {exc}")
    out = tmp_path / "out"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    archive = zipfile.ZipFile(out / next(f["path"] for f in manifest["files"] if f["kind"] == "zip"))
    assert built.bytecode == 0 and built.not_compiled.startswith(why)
    assert _pycs(archive.namelist()) == [] and "planvalidator/engine.py" in archive.namelist()
    assert (out / "pyodide" / "python_stdlib.zip").read_bytes() == (PYODIDE / "python_stdlib.zip").read_bytes()
    assert all((out / f["path"]).stat().st_size == f["bytes"] for f in manifest["files"])


@pytest.mark.parametrize("args, says", [
    (["--pyodide", "{tmp}/none", "--wheels", "{tmp}"], "Pyodide の実行環境（npm のパッケージ pyodide）が見つかりません"),
    (["--wheels", "{tmp}/none"], "の wheel（pyemscripten 用か純粋な Python）がありません"),
])
def test_a_site_that_cannot_be_built_is_one_japanese_line_and_exit_2(tmp_path, args, says):
    import subprocess
    import sys

    if "--pyodide" not in args:
        if not (PYODIDE / "pyodide.mjs").is_file():
            missing(f"the npm package pyodide is not installed ({PYODIDE})")
        args = ["--pyodide", str(PYODIDE), *args]
    done = subprocess.run([sys.executable, "-m", "planvalidator", "site", str(tmp_path / "out"),
                           *[a.format(tmp=tmp_path) for a in args]], capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and says in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_the_page_says_the_check_runs_in_the_browser_and_offers_every_course(page):
    from selenium.webdriver.common.by import By

    from planvalidator.profiles import profiles

    driver, _url, _downloads = page
    assert driver.find_element(By.TAG_NAME, "body").get_attribute("data-engine") == "browser"
    assert driver.find_element(By.ID, "engine").text == "このパソコンの中でチェックします（ファイルは送信されません）"
    assert "準備ができました" in driver.find_element(By.ID, "load-text").text
    options = [o.get_attribute("value") for o in driver.find_elements(By.CSS_SELECTOR, "#program option")]
    assert options == [""] + [c.id for p in profiles().values() for c in p.courses.values()]
    assert _axe(driver) == []                               # the empty state


def test_a_planted_mistake_is_found_in_the_browser_as_on_the_command_line(page, tmp_path):
    from selenium.webdriver.common.by import By

    from planvalidator.engine import check_file

    driver, url, _downloads = page
    _requests(driver)                                       # what loading the runtime asked for is not this check's
    card = _check(driver, PLANTED)
    assert card.find_element(By.TAG_NAME, "h2").text == PLANTED.name
    assert "エラーが 3 件あります" in card.find_element(By.CSS_SELECTOR, ".verdict").text
    # the browser has no SudachiPy: the page says how its reading of expense lines differs from the command's
    from planvalidator.engine import FALLBACK_NOTE
    assert card.find_element(By.CSS_SELECTOR, "p.analyser").text == FALLBACK_NOTE
    expected = check_file(PLANTED)
    rows = card.find_elements(By.CSS_SELECTOR, "tr[data-rule]")
    assert [(r.get_attribute("data-rule"), r.get_attribute("data-cell")) for r in rows] == \
        [(f.rule, f.cell) for f in expected.findings]
    planted = card.find_element(By.CSS_SELECTOR, 'tr[data-rule="PV102"][data-cell="F8"]')
    cells = [td.text for td in planted.find_elements(By.TAG_NAME, "td")]
    pv102 = next(f for f in expected.findings if f.rule == "PV102")
    assert "F8" in cells[0] and cells[1] == "エラー" and cells[2].startswith(pv102.message) and cells[3] == "PV102"
    assert planted.find_element(By.CSS_SELECTOR, "td.rule a").get_attribute("href") == url + "rules.html#PV102"
    # the money verdict agrees with the expected 減額 (never 「上限の範囲内です」 beside it)
    money = card.find_element(By.CSS_SELECTOR, "section[aria-label=金額]").text
    assert "786,334 円" in money and "上限の範囲内です" not in money
    # nothing left the origin, nothing carried the workbook: the check sent no request at all
    sent = _requests(driver)
    assert all(r["url"].startswith((url, "data:", "blob:")) for r in sent), sent
    assert not [r for r in sent if r["method"] != "GET" or r["body"]], sent
    assert _axe(driver) == []                               # the findings state
    if os.environ.get("PLANVALIDATOR_SCREENSHOT"):
        from PIL import Image

        driver.execute_script("document.activeElement.blur()")
        shot = Image.open(io.BytesIO(driver.get_screenshot_as_png())).convert("RGB")
        shot = shot.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        shot.save(SCREENSHOT, optimize=True)

    # the printable report: A4, the program, the file, the date, the findings
    from selenium.webdriver.common.print_page_options import PrintOptions
    from pypdf import PdfReader

    options = PrintOptions()
    options.page_width, options.page_height = 21.0, 29.7
    pdf = PdfReader(io.BytesIO(base64.b64decode(driver.print_page(options))))
    text = "".join(p.extract_text() for p in pdf.pages)
    box = pdf.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)
    from planvalidator.formats import Outcome
    from planvalidator.formats.json import outcome_dict

    place = next(f["place"] for f in outcome_dict(Outcome(PLANTED.name, check_file(PLANTED)))["findings"]
                 if f["rule"] == "PV102")                 # the field's name with its cell, as the CLI's JSON has it
    flat = "".join(text.split())                          # (a table cell's text wraps onto lines in the PDF)
    for shown in (PLANTED.name, "令和", "制度・コース", "中小企業等による社会課題解決", "PV102", "".join(place.split()),
                  "786,334"):
        assert shown in flat, shown
    assert "ファイルを選ぶ" not in text                      # the controls are not printed


def test_every_request_of_the_page_and_its_worker_stays_on_the_site(page):
    """From opening the page to the runtime ready: the site's own files only (the page's requests in
    Chromium's network log, the worker's in its Resource Timing), none sent with a body."""
    driver, url, _downloads = page
    RECEIVED.clear()
    driver.get(url)
    wait(lambda: driver.execute_script("return document.body.dataset.ready"), 180, "the runtime")
    sent = [r["url"] for r in _requests(driver)]
    fetched = json.loads(driver.execute_script("return document.body.dataset.fetched"))
    assert any(u.endswith("worker.js") for u in sent)
    assert any(u.endswith("pyodide.asm.wasm") for u in fetched) and any("/wheels/planvalidator-" in u for u in fetched)
    assert all(u.startswith((url, "data:", "blob:")) for u in sent + fetched), sent + fetched
    assert {(method, size) for method, _path, size in RECEIVED} == {("GET", 0)}
    assert any(path.endswith(".whl") for _m, path, _s in RECEIVED)


def test_a_clean_workbook_gets_what_comes_next(page):
    from selenium.webdriver.common.by import By

    driver, _url, _downloads = page
    wait(lambda: driver.execute_script("return document.body.dataset.ready"), 180, "the runtime")
    card = _check(driver, EXAMPLE)
    assert "エラーはありません" in card.find_element(By.CSS_SELECTOR, ".verdict").text
    assert not card.find_elements(By.CSS_SELECTOR, "tr[data-rule]")
    assert _axe(driver) == []                               # the clean state


def test_a_file_that_is_not_a_workbook_is_said_so(page, tmp_path):
    from selenium.webdriver.common.by import By

    driver, _url, _downloads = page
    note = tmp_path / "メモ.xlsx"
    note.write_bytes(b"not a workbook")
    card = _check(driver, note)
    assert "チェックできません" in card.text and "Excelブック" in card.text
    assert not card.find_elements(By.CSS_SELECTOR, "button.download")


def test_choosing_another_course_checks_again_with_it(page):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    from planvalidator.engine import Options, check_file

    driver, _url, _downloads = page
    _check(driver, PLANTED)
    runs = driver.execute_script("return Number(document.body.dataset.runs)")
    Select(driver.find_element(By.ID, "program")).select_by_value("shinseihin:8")
    wait(lambda: driver.execute_script("return Number(document.body.dataset.runs)") > runs, 60, "the new check")
    card = driver.find_element(By.CSS_SELECTOR, "#results article.file.done")
    expected = check_file(PLANTED, Options(course="shinseihin:8"))
    assert [(r.get_attribute("data-rule"), r.get_attribute("data-cell"))
            for r in card.find_elements(By.CSS_SELECTOR, "tr[data-rule]")] == [(f.rule, f.cell) for f in expected.findings]
    assert f"{expected.money.limit:,} 円" in card.find_element(By.CSS_SELECTOR, ".money").text
    runs = driver.execute_script("return Number(document.body.dataset.runs)")
    Select(driver.find_element(By.ID, "program")).select_by_value("")       # back to the 事業区分: checked again
    wait(lambda: driver.execute_script("return Number(document.body.dataset.runs)") > runs, 60, "the check again")


def test_the_annotated_workbook_downloads_from_the_static_page(page):
    """Annotation runs in the browser on the standard library's XML (planvalidator/xmltree.py: no lxml there);
    the CLI then checks the downloaded copy with the same findings."""
    from selenium.webdriver.common.by import By

    from planvalidator.engine import check_file
    from support.browser import downloaded

    driver, _url, downloads = page
    card = _check(driver, PLANTED)
    card.find_element(By.CSS_SELECTOR, "button.download").click()
    line = card.find_element(By.CSS_SELECTOR, ".actions .note")
    wait(lambda: "ダウンロードしました" in line.text or "でき" in line.text, 60, "the download")
    assert "ダウンロードしました" in line.text, line.text
    files = wait(lambda: downloaded(downloads), 30, "the file")
    assert [(f.rule, f.sheet, f.cell) for f in check_file(files[0]).findings] == \
        [(f.rule, f.sheet, f.cell) for f in check_file(PLANTED).findings]


def test_the_fixed_workbook_downloads_from_the_static_page(page):
    """The fix button runs the fix writer in the browser (worker.py pv_fix: the copy planvalidator fix writes, on the
    standard library's XML): on wrong-amount.xlsx the downloaded copy has no PV201 any more, and nothing was sent."""
    from selenium.webdriver.common.by import By

    from planvalidator.engine import check_file
    from planvalidator.server.fix_button import FIX_LABEL
    from support.browser import downloaded

    wrong = R7 / "invalid" / "wrong-amount.xlsx"
    assert "PV201" in {f.rule for f in check_file(wrong).findings}
    driver, url, downloads = page
    _requests(driver)                                       # (what came before is not this fix's)
    card = _check(driver, wrong)
    button = wait(lambda: card.find_elements(By.CSS_SELECTOR, "button.fix"), 30, "the fix button")[0]
    assert button.text == FIX_LABEL == "安全な修正を適用したブックをダウンロード"
    button.click()
    line = button.find_element(By.XPATH, "following-sibling::p[1]")
    wait(lambda: "ダウンロードしました" in line.text or "でき" in line.text or "失敗" in line.text, 60, "the fix")
    assert "1 か所を直した「wrong-amount_修正案.xlsx」をダウンロードしました" in line.text, line.text
    files = wait(lambda: [p for p in downloaded(downloads) if p.name == "wrong-amount_修正案.xlsx"], 30, "the file")
    assert "PV201" not in {f.rule for f in check_file(files[0]).findings}
    sent = _requests(driver)                                # the workbook never left the browser
    assert all(r["url"].startswith((url, "data:", "blob:")) for r in sent), sent
    assert not [r for r in sent if r["method"] != "GET" or r["body"]], sent
