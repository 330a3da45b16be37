"""The check page in a real browser: Debian's headless Chromium, driven by Selenium, against the
real server (uvicorn on a free loopback port).

A workbook with one planted mistake goes in through the page's file input; the page shows the
finding (cell, rule, message); the annotated workbook comes back through the download button and
checks the same. Without chromium / chromedriver the test is skipped — except in CI (CI=true),
where it fails.

``PLANVALIDATOR_SCREENSHOT=1 pytest tests/test_browser.py`` also writes docs/check-page.png (the
page with findings at 1200×1600 and on a phone, side by side)."""

import io
import os
import time

import pytest

from support.browser import chrome, downloaded as _downloaded, wait as _wait
from support.helpers import ROOT, R7

WRONG = R7 / "invalid" / "wrong-amount.xlsx"
SCREENSHOT = ROOT / "docs" / "check-page.png"


@pytest.fixture(scope="module")
def base_url():
    pytest.importorskip("fastapi")
    pytest.importorskip("uvicorn")
    from test_server_load import serving

    with serving() as (_server, (host, port)):
        yield f"http://{host}:{port}/"


@pytest.fixture
def browser(tmp_path):
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    with chrome(downloads) as driver:
        yield driver, downloads


def test_check_a_workbook_in_the_page_and_download_the_annotated_one(browser, base_url):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    from planvalidator.engine import check_file
    from planvalidator.workbook import load_grid

    driver, downloads = browser
    driver.get(base_url)
    assert driver.find_element(By.TAG_NAME, "h1").text == "事業計画書のチェック"
    # the keyboard reaches the program's choice first, then the file input, and their labels name them
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    assert driver.execute_script("return document.activeElement.id") == "program"
    assert driver.find_element(By.CSS_SELECTOR, "label[for=program]").text == "助成制度・コース"
    driver.switch_to.active_element.send_keys(Keys.TAB)
    assert driver.execute_script("return document.activeElement.id") == "files"
    assert "ドロップ" in driver.find_element(By.CSS_SELECTOR, "label[for=files]").text

    driver.find_element(By.ID, "files").send_keys(str(WRONG))
    _wait(lambda: driver.execute_script("return document.body.dataset.checked"), what="the results")
    card = driver.find_element(By.CSS_SELECTOR, "#results article.file.done")
    assert card.find_element(By.TAG_NAME, "h2").text == "wrong-amount.xlsx"
    assert "エラーが 1 件あります" in card.find_element(By.CSS_SELECTOR, ".verdict").text
    assert "計画様式7（1 件）" in [h.text for h in card.find_elements(By.TAG_NAME, "h3")]
    row = card.find_element(By.CSS_SELECTOR, 'tr[data-rule="PV201"][data-cell="J9"]')
    cells = [td.text for td in row.find_elements(By.TAG_NAME, "td")]
    expected = next(f for f in check_file(WRONG).findings if f.rule == "PV201")
    assert "J9" in cells[0] and cells[1] == "エラー" and cells[3] == "PV201"
    assert cells[2].startswith(expected.message)
    assert cells[4] == expected.reference
    # the rule code leads to its explanation
    assert row.find_element(By.CSS_SELECTOR, "td.rule a").get_attribute("href").endswith("rules.html#PV201")
    assert driver.find_element(By.ID, "engine").text == "サーバーでチェックします"
    money = card.find_element(By.CSS_SELECTOR, "section[aria-label=金額]").text
    assert "助成対象経費" in money and "3,890,000 円" in money and "申請できる上限" in money
    # the engine's own sentence where the JSON has one ("money"."verdict"), else the page's reading of the figures
    from planvalidator.formats import Outcome
    from planvalidator.formats.json import outcome_dict
    said = outcome_dict(Outcome(WRONG.name, check_file(WRONG)))["money"].get("verdict", "上限の範囲内です")
    assert "判定: " + said in money
    assert driver.execute_script("return document.getElementById('status').textContent").endswith("結果は下にあります。")

    if os.environ.get("PLANVALIDATOR_SCREENSHOT"):
        _screenshot(driver)

    # the download button, by keyboard
    button = card.find_element(By.CSS_SELECTOR, "button.download")
    driver.execute_script("arguments[0].focus()", button)
    button.send_keys(Keys.ENTER)
    files = _wait(lambda: _downloaded(downloads), what="the download")
    assert [p.name for p in files] == ["wrong-amount_チェック結果.xlsx"]
    _wait(lambda: "ダウンロードしました" in card.find_element(By.CSS_SELECTOR, ".actions .note").text,
          what="the download message")
    report = check_file(files[0])
    assert [(f.rule, f.sheet, f.cell) for f in report.findings] == [("PV201", "計画様式7", "J9")]
    assert "チェック結果" in load_grid(files[0]).sheet_names


def test_a_file_that_cannot_be_checked_is_said_so_in_the_page(browser, base_url, tmp_path):
    from selenium.webdriver.common.by import By

    driver, _downloads = browser
    note = tmp_path / "メモ.xlsx"
    note.write_bytes(b"not a workbook")
    driver.get(base_url)
    driver.find_element(By.ID, "files").send_keys(f"{note}\n{WRONG}")        # two files at once
    _wait(lambda: driver.execute_script("return document.body.dataset.checked") == "2", what="the results")
    cards = driver.find_elements(By.CSS_SELECTOR, "#results article.file")
    assert [c.find_element(By.TAG_NAME, "h2").text for c in cards] == ["メモ.xlsx", "wrong-amount.xlsx"]
    assert "チェックできません" in cards[0].text and "Excelブック" in cards[0].text
    assert not cards[0].find_elements(By.CSS_SELECTOR, "button.download")
    assert cards[1].find_elements(By.CSS_SELECTOR, 'tr[data-rule="PV201"][data-cell="J9"]')


def _screenshot(driver) -> None:
    """docs/check-page.png: the page with findings on a desktop (1200 wide) and on a phone (390 wide)."""
    from PIL import Image

    driver.execute_script("document.activeElement.blur()")
    bottom = "return Math.ceil(document.querySelector('main').getBoundingClientRect().bottom) + 16"
    tall = driver.execute_script(bottom)
    desktop = Image.open(io.BytesIO(driver.get_screenshot_as_png())).convert("RGB")
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 390, "height": 1600, "deviceScaleFactor": 1, "mobile": True})
    try:
        time.sleep(0.3)
        phone = Image.open(io.BytesIO(driver.get_screenshot_as_png())).convert("RGB")
        phone_tall = driver.execute_script(bottom)
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    phone = phone.crop((0, 0, 390, min(phone.height, phone_tall)))
    desktop = desktop.crop((0, 0, min(desktop.width, 1200), min(desktop.height, tall)))
    gap = 24
    sheet = Image.new("RGB", (desktop.width + gap + phone.width, max(desktop.height, phone.height)), (245, 247, 250))
    sheet.paste((200, 205, 212), (desktop.width, 0, desktop.width + gap, sheet.height))
    sheet.paste(desktop, (0, 0))
    sheet.paste(phone, (desktop.width + gap, 0))
    sheet = sheet.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    SCREENSHOT.parent.mkdir(exist_ok=True)
    sheet.save(SCREENSHOT, optimize=True)
