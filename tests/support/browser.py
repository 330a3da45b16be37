"""Debian's headless Chromium driven by Selenium, for the page tests (test_browser.py: the server's page;
test_site.py: the static site). Without chromium / chromedriver / selenium a test is skipped — except in CI
(CI=true), where it fails."""

from __future__ import annotations

import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMEDRIVER = "/usr/bin/chromedriver"


def missing(why: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"the browser test cannot run in CI: {why}")
    pytest.skip(why)


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    return None


@contextmanager
def chrome(downloads: Path, *, network_log: bool = False):
    """A headless Chromium (1200×1600, Japanese), downloads into ``downloads``; ``network_log``: its
    performance log holds every request (Network.* events)."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        missing("selenium is not installed (pip install '.[test]')")
    binary = chromium()
    if binary is None or not os.path.exists(CHROMEDRIVER):
        missing("chromium / chromedriver are not installed (apt-get install chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1200,1600", "--lang=ja-JP", "--hide-scrollbars", "--force-device-scale-factor=1"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {
        "download.default_directory": str(downloads), "download.prompt_for_download": False,
        "safebrowsing.enabled": False, "intl.accept_languages": "ja"})
    if network_log:
        options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
        driver.set_page_load_timeout(60)
        yield driver
    finally:
        driver.quit()


def wait(condition, seconds: float = 60, what: str = ""):
    deadline = time.monotonic() + seconds
    while True:
        result = condition()
        if result:
            return result
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def downloaded(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if not p.name.endswith((".crdownload", ".tmp"))]
