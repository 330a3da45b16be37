"""Excel on the web: the xlwings Server endpoint answers a real payload over HTTP, and holds:
size and time limits, one Japanese line for bad input, nothing kept between requests, nothing
written to disk (the same over real HTTP with 20 requests at once: test_server_load.py)."""

import os
import sys
import tempfile
import threading
import time
from contextlib import contextmanager

import pytest
import xlwings

from helpers import EXAMPLE
from test_xl import TYPED
from xl_payload import payload

fastapi = pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from planvalidator import server  # noqa: E402
from planvalidator.server import create_app  # noqa: E402


@pytest.fixture
def client():
    return TestClient(create_app())


def test_check_endpoint_returns_the_actions(client):
    answer = client.post("/xlwings/check", json=payload(EXAMPLE, edits=TYPED))
    assert answer.status_code == 200
    acts = answer.json()["actions"]
    notes = [a["args"][0] for a in acts if a["func"] == "addNote"]
    assert notes == ["$L$6", "$F$8", "$M$11", "$N$16"]
    assert sum(a["func"] == "addConditionalFormat" for a in acts) == 4
    assert any(a["func"] == "addSheet" and a["args"] == [0, "チェック結果"] for a in acts)


def test_a_book_that_is_not_the_template_gets_a_clear_answer(client):
    p = payload(EXAMPLE)
    p["sheets"] = p["sheets"][:1]
    p["sheets"][0]["values"] = [["メモ"]]
    answer = client.post("/xlwings/check", json=p)
    assert answer.status_code == 400 and "様式" in answer.json()["detail"]


def test_manifest_and_task_pane():
    client = TestClient(create_app(), base_url="https://check.example.jp")
    manifest = client.get("/manifest.xml").text
    assert "<SourceLocation DefaultValue=\"https://check.example.jp/taskpane.html\"/>" in manifest
    pane = client.get("/taskpane.html").text
    assert "申請書をチェック" in pane and "https://check.example.jp/xlwings/check" in pane
    icon = client.get("/icon-32.png")
    assert icon.status_code == 200 and icon.content.startswith(b"\x89PNG")


# --- the server holds: size, time, bad input, nothing kept, nothing written -----------------


def one_line(answer) -> str:
    text = answer.json()["detail"]
    assert isinstance(text, str) and "\n" not in text and "Traceback" not in text
    return text


def test_a_body_over_the_limit_gets_413_whether_or_not_it_says_its_length():
    client = TestClient(create_app(max_request_bytes=1000))
    declared = client.post("/xlwings/check", content=b"x" * 1001, headers={"content-type": "application/json"})
    assert declared.status_code == 413 and "大きすぎ" in one_line(declared)
    chunked = client.post("/xlwings/check", content=(b"x" * 300 for _ in range(4)))   # no Content-Length
    assert chunked.status_code == 413 and "大きすぎ" in one_line(chunked)
    small = client.post("/xlwings/check", content=b"[" * 10)                          # under the limit: read
    assert small.status_code == 400


def test_the_default_limits_come_from_limits_py():
    from planvalidator import limits
    assert create_app.__kwdefaults__["max_request_bytes"] == limits.MAX_REQUEST_BYTES
    assert create_app.__kwdefaults__["request_seconds"] == limits.REQUEST_SECONDS


@pytest.mark.parametrize("body, says", [
    (b"{not json", "JSON"),
    (b"\xff\xfe\x00", "JSON"),
    (b"[" * 100_000 + b"]" * 100_000, "JSON"),                # nested past the recursion limit
    (b"[1, 2]", "オブジェクト"),
    (b'{"version": "1", "book": {"name": "a.xlsx"}}', "sheets"),
    (b'{"version": "1", "book": {"name": "a.xlsx"}, "sheets": [{"name": "S", "values": [1, 2]}]}', "values"),
    (b'{"version": "1", "book": {"name": "a.xlsx"}, "sheets": [{"name": "S", "values": [[{"a": 1}]]}]}', "values"),
])
def test_a_body_that_is_not_a_book_gets_400_with_one_line(client, body, says):
    answer = client.post("/xlwings/check", content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 400 and says in one_line(answer)


def test_an_unexpected_error_gets_500_with_one_line_and_no_traceback(client, monkeypatch):
    import planvalidator.xl

    def broken(book):
        raise RuntimeError("内部の秘密 /home/user/path")
    monkeypatch.setattr(planvalidator.xl, "check_book", broken)
    answer = client.post("/xlwings/check", json=payload(EXAMPLE))
    assert answer.status_code == 500
    text = one_line(answer)
    assert "予期しないエラー" in text and "秘密" not in text and "/home" not in text


def test_a_slow_check_gets_503_and_the_server_keeps_answering(monkeypatch):
    release, finished = threading.Event(), threading.Event()

    def fake(body):
        if body == b"slow":
            release.wait(10)
            finished.set()
        return 200, {"body": body.decode()}
    monkeypatch.setattr(server, "answer", fake)
    client = TestClient(create_app(request_seconds=0.3, checks_at_once=1))

    start = time.perf_counter()
    slow = client.post("/xlwings/check", content=b"slow")
    assert slow.status_code == 503 and "時間" in one_line(slow)
    assert time.perf_counter() - start < 2
    assert client.get("/manifest.xml").status_code == 200              # answers while the slow work runs
    # the timed-out work still holds the one slot (a thread cannot be stopped): the next check waits, in vain
    assert client.post("/xlwings/check", content=b"quick").status_code == 503
    release.set()
    assert finished.wait(5)
    deadline = time.monotonic() + 5
    while (answer := client.post("/xlwings/check", content=b"quick")).status_code != 200:
        assert time.monotonic() < deadline
    assert answer.json() == {"body": "quick"}


def test_a_request_beyond_capacity_waits_for_a_slot(monkeypatch):
    running, most = [0], [0]
    lock = threading.Lock()

    def fake(body):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.1)
        with lock:
            running[0] -= 1
        return 200, {"body": body.decode()}
    monkeypatch.setattr(server, "answer", fake)
    client = TestClient(create_app(request_seconds=5, checks_at_once=2))
    results = [None] * 6

    def post(i):
        results[i] = client.post("/xlwings/check", content=str(i).encode())
    threads = [threading.Thread(target=post, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.json() for r in results] == [{"body": str(i)} for i in range(6)]
    assert most[0] == 2


def test_binds_to_loopback_by_default():
    import inspect

    from planvalidator.cli import serve as command
    assert inspect.signature(server.serve).parameters["host"].default == "127.0.0.1" == server.HOST
    assert next(p for p in command.params if p.name == "host").default == "127.0.0.1"


_WRITES: list = []
_ARMED, _HOOKED = threading.Event(), threading.Event()


def _audit(event, args):
    """Every file opened for writing, created, renamed or removed while armed (in any thread)."""
    if not _ARMED.is_set() or event not in ("open", "os.mkdir", "os.rename", "os.remove", "shutil.copyfile"):
        return
    if event == "open":
        path, mode, flags = args
        writing = (mode and any(m in mode for m in "wax+")) or (
            isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
        if not writing:
            return
        args = (path,)
    _WRITES.append((event, args))


@contextmanager
def recorded_writes():
    """The file writes of the process inside the block."""
    if not _HOOKED.is_set():
        sys.addaudithook(_audit)             # a hook cannot be removed: it records only while armed
        _HOOKED.set()
    _WRITES.clear()
    _ARMED.set()
    try:
        yield _WRITES
    finally:
        _ARMED.clear()


def test_keeps_nothing_between_requests_and_writes_nothing(client, monkeypatch, tmp_path):
    system_temp = tempfile.gettempdir()
    before = set(os.listdir(system_temp))
    work, temp = tmp_path / "cwd", tmp_path / "tmp"          # the working directory and temp dir: empty
    work.mkdir()
    temp.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    remote = xlwings.engines["remote"].impl
    apps_before = [(app, len(app.books)) for app in remote.apps]

    flawed = payload(EXAMPLE, edits=TYPED, name="誤りあり.xlsx")
    clean = payload(EXAMPLE, name="記入例.xlsx")
    client.post("/xlwings/check", json=clean)                # warm up: first imports may write .pyc files
    with recorded_writes() as writes:
        answers = [client.post("/xlwings/check", json=p).json() for p in (flawed, clean, flawed, clean)]
    assert writes == []
    assert list(work.iterdir()) == [] and list(temp.iterdir()) == []
    assert not {n for n in set(os.listdir(system_temp)) - before if "planvalidator" in n or n.endswith(".xlsx")}
    # the same book gets the same answer, whatever came before; the clean one has no findings
    assert answers[0] == answers[2] and answers[1] == answers[3]
    assert not any(a["func"] == "addNote" for a in answers[1]["actions"])
    # xlwings' remote interpreter holds no book of these requests
    assert [(app, len(app.books)) for app in remote.apps] == apps_before
