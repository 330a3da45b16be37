"""The page's intake mode (issue 26): ISICO staff without Python send the intake as one zip to
``planvalidator serve`` (``GET /intake``, ``POST /api/intake``) and get back the summary workbook that
``planvalidator batch`` writes, and the annotated copies as a zip — in memory, within the server's
limits. Driven through the API (TestClient) and in Debian's headless Chromium (as test_browser.py).

The intake is the bundled example (templates/r7/intake, built from the official 記入例), zipped as
Windows' 「送る → 圧縮」 zips a folder: one folder 受付/ holding the applications."""

from __future__ import annotations

import base64
import io
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from support.helpers import ROOT

pytest.importorskip("fastapi")
from test_server import serving_app  # noqa: E402

BUNDLED = ROOT / "templates" / "r7" / "intake"
COMPARED = ("申請一覧", "指摘一覧", "規則別件数", "提出ファイル")


def zipped(folder: Path, root: str = "受付") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, f"{root}/{path.relative_to(folder).as_posix()}")
    return buffer.getvalue()


def sheets(data_or_path) -> dict[str, list[tuple]]:
    """The values of the sheets a staff member reads (not the cover: its time and folder are the run's)."""
    source = io.BytesIO(data_or_path) if isinstance(data_or_path, bytes) else data_or_path
    wb = openpyxl.load_workbook(source)
    return {title: list(wb[title].iter_rows(values_only=True)) for title in COMPARED}


@pytest.fixture(scope="module")
def command_summary(tmp_path_factory):
    """What ``planvalidator batch`` writes for the same intake (copied to a folder named 受付)."""
    from planvalidator.cli import main

    root = tmp_path_factory.mktemp("command")
    intake = root / "受付"
    shutil.copytree(BUNDLED, intake)
    out = root / "受付チェック.xlsx"
    result = CliRunner().invoke(main, ["batch", str(intake), "-o", str(out), "--no-cache", "--jobs", "2",
                                       "--annotate", str(root / "注記済み")])
    assert result.exit_code == 2, result.output
    return out


@pytest.fixture(scope="module")
def client():
    with serving_app() as client:
        yield client


def post(client, intake: bytes, previous: bytes | None = None, name: str = "受付.zip"):
    files = {"file": (name, intake, "application/zip")}
    if previous is not None:
        files["previous"] = ("受付チェック.xlsx", previous, "application/octet-stream")
    return client.post("/api/intake", files=files)


def test_the_intake_mode_answers_the_same_summary_as_the_command(client, command_summary):
    answer = post(client, zipped(BUNDLED))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["applications"] == 10
    assert body["verdicts"] == {"チェック不可": 1, "要修正": 5, "要確認": 1, "問題なし": 3}
    assert body["cannot"] == ["A009_壊れたファイル: zip として壊れています（途中で切れたファイルではありませんか）"]
    assert body["summary"]["name"] == "受付チェック.xlsx"
    summary = base64.b64decode(body["summary"]["data"])
    assert sheets(summary) == sheets(command_summary)
    cover = {r[0]: r[1] for r in openpyxl.load_workbook(io.BytesIO(summary))["受付の概要"].iter_rows(values_only=True)
             if r[0]}
    assert cover["受付フォルダ"] == "受付.zip" and cover["A009_壊れたファイル"].startswith("zip として壊れています")
    # links relative to where staff unzip the intake and the copies, beside the summary
    ws = openpyxl.load_workbook(io.BytesIO(summary))["申請一覧"]
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[header.index("申請")].value == "A002_書類不足")
    assert row[header.index("申請")].hyperlink.target == "受付/A002_書類不足"
    assert row[header.index("注記済みのブック")].hyperlink.target == "注記済み/A002_書類不足_チェック結果.xlsx"
    # the annotated copies, named as the command names them
    copies = zipfile.ZipFile(io.BytesIO(base64.b64decode(body["annotated"]["data"])))
    command_copies = sorted(p.name for p in (command_summary.parent / "注記済み").iterdir())
    assert sorted(n.removeprefix("注記済み/") for n in copies.namelist()) == command_copies
    assert answer.headers["cache-control"] == "no-store"


def test_a_previous_summary_sent_along_gives_back_staffs_notes(client):
    first = base64.b64decode(post(client, zipped(BUNDLED)).json()["summary"]["data"])
    wb = openpyxl.load_workbook(io.BytesIO(first))
    ws = wb["申請一覧"]
    header = [c.value for c in ws[1]]
    for r in range(2, ws.max_row + 1):
        ws.cell(r, header.index("メモ") + 1).value = f"メモ {ws.cell(r, header.index('申請') + 1).value}"
    buffer = io.BytesIO()
    wb.save(buffer)
    again = post(client, zipped(BUNDLED), previous=buffer.getvalue())
    assert again.status_code == 200, again.text
    rows = openpyxl.load_workbook(io.BytesIO(base64.b64decode(again.json()["summary"]["data"])))["申請一覧"]
    notes = {r[header.index("申請")]: r[header.index("メモ")] for r in rows.iter_rows(min_row=2, values_only=True)}
    assert notes and all(note == f"メモ {app}" for app, note in notes.items())


def test_an_intake_zipped_without_its_folder_or_with_it_is_the_same_applications():
    from planvalidator.intake import discover, unpack

    on_disk, skipped = discover(BUNDLED)
    for data in (zipped(BUNDLED), _flat(BUNDLED)):
        held, left_out = unpack(data, "受付.zip")
        assert [(s.id, s.kind) for s in held] == [(s.id, s.kind) for s in on_disk]
        assert [s.digest() for s in held] == [s.digest() for s in on_disk]      # 変更あり compares the same
        assert left_out == skipped == ["README.md", "expected.json"]
        assert all(str(s.path) == f"受付/{s.id}" for s in held)


def _flat(folder: Path) -> bytes:
    """The applications zipped at the top of the zip (selected inside the folder and sent as one zip)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


def only_a_note() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("受付簿.txt", "申請はまだありません")
    return buffer.getvalue()


@pytest.mark.parametrize("intake, says", [
    (b"this is not a zip", "zip として開けません"),
    (only_a_note(), "申請が見つかりません"),
])
def test_what_is_not_an_intake_gets_400_with_one_line(client, intake, says):
    answer = post(client, intake)
    assert answer.status_code == 400
    line = answer.json()["detail"]
    assert says in line and line.startswith("受付.zip") and "\n" not in line and "Traceback" not in line


def test_a_previous_file_that_is_not_a_summary_gets_400_with_one_line(client):
    answer = post(client, zipped(BUNDLED), previous=(ROOT / "templates" / "r7" / "kinyurei-r7.xlsx").read_bytes())
    assert answer.status_code == 400
    assert "「申請一覧」のシートがありません" in answer.json()["detail"]


def test_the_intake_mode_writes_nothing_to_disk(monkeypatch, tmp_path):
    """Neither the server nor its worker writes a file for an intake (server_work.audited_intake fails the
    request on a write in the worker): the applications, the copies and the summary stay in memory."""
    import tempfile

    from support import server_work
    from support.server_work import recorded_writes
    from planvalidator.server import Work
    from test_server import nothing_but_the_fork_server

    work, temp = tmp_path / "cwd", tmp_path / "tmp"
    work.mkdir()
    temp.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    intake = zipped(BUNDLED)
    with serving_app(workers=1, work=Work(intake=server_work.audited_intake)) as client:
        post(client, intake)                                  # warm up: first imports may write .pyc files
        with recorded_writes() as writes:
            answer = post(client, intake)
        assert answer.status_code == 200, answer.text
        assert writes == []
    assert list(work.iterdir()) == [] and nothing_but_the_fork_server(temp)


def test_the_intake_page_and_a_link_to_it_from_the_check_page(client):
    page = client.get("/intake")
    assert page.status_code == 200 and "受付の一括チェック" in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert 'href="intake"' in client.get("/").text


# --- in a real browser ----------------------------------------------------------------------------

from test_browser import base_url, browser  # noqa: E402,F401 — the browser and the real server, as the check page's test


def test_the_intake_page_in_chromium_gives_the_same_summary_as_the_command(browser, base_url, tmp_path,  # noqa: F811
                                                                          command_summary):
    from selenium.webdriver.common.by import By

    from test_browser import _downloaded, _wait

    driver, downloads = browser
    intake = tmp_path / "受付.zip"
    intake.write_bytes(zipped(BUNDLED))
    driver.get(base_url + "intake")
    assert driver.find_element(By.TAG_NAME, "h1").text == "受付の一括チェック"
    driver.find_element(By.ID, "intake").send_keys(str(intake))
    driver.find_element(By.ID, "send").click()
    _wait(lambda: driver.execute_script("return document.body.dataset.done"), 90, "the summary")
    assert driver.find_element(By.ID, "counts").text == "申請 10 件: 問題なし 3 件、要修正 5 件、要確認 1 件、チェック不可 1 件"
    assert "A009_壊れたファイル" in driver.find_element(By.ID, "cannot").text
    for link in driver.find_elements(By.CSS_SELECTOR, "a.download"):
        link.click()
    files = _wait(lambda: (found := _downloaded(downloads)) and len(found) == 2 and found, 60, "the downloads")
    by_name = {p.name: p for p in files}
    assert set(by_name) == {"受付チェック.xlsx", "注記済み.zip"}
    assert sheets(by_name["受付チェック.xlsx"]) == sheets(command_summary)
    assert len(zipfile.ZipFile(by_name["注記済み.zip"]).namelist()) == 9       # all but the broken one
