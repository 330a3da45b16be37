"""The fixed workbook from the check page: ``POST /api/fix`` answers the copy ``planvalidator fix`` writes
(from memory, nothing written to disk), and the page's 「安全な修正を適用したブック」 button downloads it
(a real browser, headless Chromium, as tests/test_browser.py)."""

import re
from urllib.parse import unquote

import pytest

from support.helpers import EXAMPLE, R7, parts
from test_browser import _downloaded, _wait, base_url, browser  # noqa: F401 (fixtures)
from test_page import client, one_line, upload  # noqa: F401 (the module's client fixture)

pytest.importorskip("fastapi")

from planvalidator import server  # noqa: E402
from planvalidator.engine import check_file  # noqa: E402
from planvalidator.fixes import fix_file  # noqa: E402

WRONG = R7 / "invalid" / "wrong-amount.xlsx"
TOTALS = R7 / "invalid" / "overwritten-totals.xlsx"


def test_fix_answers_the_workbook_planvalidator_fix_writes(client, tmp_path):  # noqa: F811
    answer = client.post("/api/fix", files=upload(TOTALS))
    assert answer.status_code == 200 and answer.headers["content-type"] == server.XLSX_TYPE
    assert answer.headers["x-planvalidator-fixed"] == "2"
    star = re.search(r"filename\*=UTF-8''([^;]+)", answer.headers["content-disposition"]).group(1)
    assert unquote(star) == "overwritten-totals_修正案.xlsx"
    got = tmp_path / "got.xlsx"
    got.write_bytes(answer.content)
    assert not check_file(got).findings                                   # both overwritten totals fixed
    fix_file(TOTALS, tmp_path / "cli.xlsx")
    assert parts(got) == parts(tmp_path / "cli.xlsx")                      # the same copy as the command's


def test_the_worker_writes_nothing_to_disk_while_fixing(tmp_path, monkeypatch):
    from support import server_work
    from test_server import serving_app
    from planvalidator.server import Work

    monkeypatch.chdir(tmp_path)
    with serving_app(workers=1, work=Work(fix=server_work.audited_fix)) as audited:
        audited.post("/api/fix", files=upload(WRONG))           # warm up: first imports may write .pyc files
        answer = audited.post("/api/fix", files=upload(WRONG))  # a write in the worker fails the request
    assert answer.status_code == 200 and answer.headers["x-planvalidator-fixed"] == "1"
    assert list(tmp_path.iterdir()) == []


def test_a_workbook_with_nothing_to_fix_comes_back_as_it_was(client):  # noqa: F811
    answer = client.post("/api/fix", files=upload(EXAMPLE))
    assert answer.status_code == 200 and answer.headers["x-planvalidator-fixed"] == "0"


def test_a_file_that_cannot_be_fixed_gets_400_with_one_line(client):  # noqa: F811
    answer = client.post("/api/fix", files=upload(WRONG, "メモ.xlsx", b"not a workbook"))
    assert answer.status_code == 400 and "メモ.xlsx" in one_line(answer)
    assert client.post("/api/fix", files={"other": ("a.xlsx", WRONG.read_bytes())}).status_code == 400


def test_the_page_offers_the_fixed_workbook(client):  # noqa: F811
    from planvalidator.server.fix_button import FIX_LABEL

    html = client.get("/").text
    assert FIX_LABEL == "安全な修正を適用したブックをダウンロード" and FIX_LABEL in html and '"api/fix"' in html


def test_the_fix_button_downloads_the_fixed_workbook(browser, base_url):  # noqa: F811
    from selenium.webdriver.common.by import By

    driver, downloads = browser
    driver.get(base_url)
    driver.find_element(By.ID, "files").send_keys(str(WRONG))
    _wait(lambda: driver.execute_script("return document.body.dataset.checked"), what="the results")
    card = driver.find_element(By.CSS_SELECTOR, "#results article.file.done")
    button = _wait(lambda: card.find_elements(By.CSS_SELECTOR, "button.fix"), what="the fix button")[0]
    assert button.text == "安全な修正を適用したブックをダウンロード"
    button.click()
    files = _wait(lambda: _downloaded(downloads), what="the download")
    assert [p.name for p in files] == ["wrong-amount_修正案.xlsx"]
    _wait(lambda: "1 か所を直した" in card.text, what="the message")
    assert check_file(files[0]).findings == []                            # PV201 at J9 is fixed
