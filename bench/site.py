"""The static check site (``planvalidator site``) in headless Chromium: how long an applicant waits.

    python bench/site.py [--repeat N]

The site is built once (site/node_modules/pyodide, site/wheels: as .ci/run installs them) and served from
a loopback http.server; each run is a fresh browser (an empty cache, as on a first visit):
- page loaded → the engine ready (runtime, wheels, program data, the 記入例 checked once in the worker);
- the applicant's first check once it is ready (ineligible-expenses.xlsx chosen → its findings shown);
- a file chosen the moment the page has loaded → its findings shown (what a first visitor waits in all);
- the second visit (the same browser, its cache kept) → ready;
against a cold ``planvalidator check`` process on the same file (bench/timing.py), the ratio beside each.
Target (issue 25): the first check ≤ 5 s after the page is loaded.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from timing import ROOT, cold

sys.path.insert(0, str(ROOT / "tests"))
from support.browser import chrome, wait  # noqa: E402

FILE = ROOT / "templates" / "r7" / "invalid" / "ineligible-expenses.xlsx"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _ready(driver) -> float:
    start = time.perf_counter()
    wait(lambda: driver.execute_script("return document.body.dataset.ready"), 300, "the runtime")
    return time.perf_counter() - start


def _checked(driver) -> float:
    start = time.perf_counter()
    driver.find_element("id", "files").send_keys(str(FILE))
    wait(lambda: driver.execute_script("return document.body.dataset.checked"), 300, "the results")
    return time.perf_counter() - start


def main() -> int:
    from planvalidator.site import build

    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        build(Path(tmp), ROOT / "site" / "node_modules" / "pyodide", ROOT / "site" / "wheels")
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=tmp))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_port}/"
        rows = {"ready": [], "check": [], "total": [], "again": []}
        timings = None
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as downloads, chrome(Path(downloads)) as driver:
                driver.get(url)                                   # returns once the page has loaded
                rows["ready"].append(_ready(driver))
                timings = driver.execute_script("return document.body.dataset.timings")
                rows["check"].append(_checked(driver))
                driver.get(url)
                rows["again"].append(_ready(driver))
            with tempfile.TemporaryDirectory() as downloads, chrome(Path(downloads)) as driver:
                driver.get(url)
                rows["total"].append(_checked(driver))
        server.shutdown()
    cli = cold([sys.executable, "-m", "planvalidator", "check", str(FILE)], args.repeat) / 1000
    labels = {"ready": "page loaded → ready (first visit)", "check": "first check once ready",
              "total": "file chosen at page load → findings (first visit)", "again": "page loaded → ready (second visit)"}
    print(f"{'':52} {'median s':>9} {'× cold CLI':>10}")
    for key, label in labels.items():
        median = statistics.median(rows[key])
        print(f"{label:52} {median:9.2f} {median / cli:10.1f}")
    print(f"{'cold planvalidator check (CLI process)':52} {cli:9.2f} {1:10.1f}")
    print(f"worker steps of the last first visit (ms): {timings}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
