"""Excel on the web: the xlwings Server endpoint answers a real payload over HTTP, and holds:
size and time limits, one Japanese line for bad input, nothing kept between requests, nothing
written to disk (the same over real HTTP with 20 requests at once, and under attack:
test_server_load.py). Checks run in worker processes: what a worker does in place of a check is in
server_work.py."""

import tempfile
import threading
import time
from contextlib import contextmanager

import pytest

from support import server_work
from support.server_work import recorded_writes
from support.helpers import EXAMPLE
from test_xl import TYPED
from support.xl_payload import payload

fastapi = pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from planvalidator import server  # noqa: E402
from planvalidator.server import Work, create_app  # noqa: E402

LOCAL = "http://127.0.0.1"           # a Host the server answers by default


@contextmanager
def serving_app(**options):
    """A TestClient of an app of its own (its workers stopped afterwards)."""
    base_url = options.pop("base_url", LOCAL)
    with TestClient(create_app(**options), base_url=base_url) as client:
        yield client


@pytest.fixture(scope="module")
def client():
    with serving_app() as client:
        yield client


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
    client = TestClient(create_app(allowed_hosts=["check.example.jp"]), base_url="https://check.example.jp")
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
    client = TestClient(create_app(max_request_bytes=1000), base_url=LOCAL)
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


def test_an_unexpected_error_gets_500_with_one_line_and_no_traceback():
    with serving_app(work=Work(xlwings=server_work.broken)) as client:
        answer = client.post("/xlwings/check", json=payload(EXAMPLE))
    assert answer.status_code == 500
    text = one_line(answer)
    assert "予期しないエラー" in text and "秘密" not in text and "/home" not in text


def test_a_slow_check_gets_503_and_its_worker_is_free_at_once():
    """The slow check's worker is killed when its request's time is up: with one worker, the next
    request is answered at once (it would get 503 too if the slow check still held the worker)."""
    with serving_app(request_seconds=1, workers=1, work=Work(xlwings=server_work.slow_unless_quick)) as client:
        slow = client.post("/xlwings/check", content=b"slow")
        assert slow.status_code == 503 and "時間" in one_line(slow)
        assert client.get("/manifest.xml").status_code == 200
        for _ in range(3):
            quick = client.post("/xlwings/check", content=b"quick")
            assert quick.status_code == 200 and quick.json() == {"body": "quick"}
        slow = client.post("/xlwings/check", content=b"slow")
        assert slow.status_code == 503
        assert client.post("/xlwings/check", content=b"again").json() == {"body": "again"}


def test_requests_beyond_the_workers_wait_for_one_and_beyond_the_queue_get_503_with_retry_after():
    with serving_app(request_seconds=20, workers=2, queued=4,
                     work=Work(xlwings=server_work.timed_echo)) as client:
        results = [None] * 6

        def post(i):
            results[i] = client.post("/xlwings/check", content=str(i).encode())
        threads = [threading.Thread(target=post, args=(i,)) for i in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert [r.json()["body"] for r in results] == [str(i) for i in range(6)]
        spans = [(r.json()["start"], r.json()["end"]) for r in results]
        at_once = max(sum(1 for s, e in spans if s <= t < e) for t, _ in spans)
        assert at_once == 2                                     # two workers, never more
    with serving_app(request_seconds=20, workers=1, queued=1,
                     work=Work(xlwings=server_work.slow_unless_quick)) as client:
        answers = [None] * 3

        def post_slow(i):
            answers[i] = client.post("/xlwings/check", content=b"slow")
        threads = [threading.Thread(target=post_slow, args=(i,)) for i in range(3)]
        for t in threads:
            t.start()
        refused = None
        while refused is None:                                   # one of the three finds the queue full
            refused = next((a for a in answers if a is not None), None)
            time.sleep(0.05)
        assert refused.status_code == 503 and refused.headers["retry-after"].isdigit()
        assert "混み合って" in one_line(refused)
        client.app.state.workers.close()                        # end the two slow ones
        for t in threads:
            t.join(30)


def test_a_host_the_server_does_not_answer_to_gets_421():
    with serving_app(base_url="http://evil.example") as client:
        answer = client.get("/")
        assert answer.status_code == 421 and "evil.example" in one_line(answer)
    with serving_app(base_url="https://check.example.jp", allowed_hosts=["check.example.jp"]) as client:
        assert client.get("/").status_code == 200
    from planvalidator.server.guard import allowed_hosts, host_of
    assert {"127.0.0.1", "localhost", "::1"} <= allowed_hosts("127.0.0.1")
    assert "evil.example" not in allowed_hosts("0.0.0.0") and "evil.example" in allowed_hosts("0.0.0.0", ["evil.example"])
    assert host_of("[::1]:8000") == "::1" and host_of("LocalHost:80") == "localhost" and host_of("::1") == "::1"


def test_binds_to_loopback_by_default():
    import inspect

    from planvalidator.cli import serve as command
    assert inspect.signature(server.serve).parameters["host"].default == "127.0.0.1" == server.HOST
    assert next(p for p in command.params if p.name == "host").default == "127.0.0.1"


def nothing_but_the_fork_server(temp) -> bool:
    """``temp`` is empty but for the folder of the socket multiprocessing's fork server listens on
    (made once, when the first worker starts; it holds that socket and nothing else)."""
    left = [p for p in temp.iterdir() if not (p.name.startswith("pymp-") and p.is_dir())]
    sockets_only = all(f.is_socket() for p in temp.glob("pymp-*") for f in p.iterdir())
    return not left and sockets_only


def test_keeps_nothing_between_requests_and_writes_nothing(monkeypatch, tmp_path):
    """Neither the server nor its worker writes a file during a request (server_work.audited_xlwings
    fails the request on a write in the worker); the same book gets the same answer whatever came
    before; xlwings holds no book of these requests afterwards."""
    work, temp = tmp_path / "cwd", tmp_path / "tmp"          # the working directory and temp dir: empty
    work.mkdir()
    temp.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    flawed = payload(EXAMPLE, edits=TYPED, name="誤りあり.xlsx")
    clean = payload(EXAMPLE, name="記入例.xlsx")
    with serving_app(workers=1, work=Work(xlwings=server_work.audited_xlwings)) as client:
        client.post("/xlwings/check", json=clean)            # warm up: first imports may write .pyc files
        with recorded_writes() as writes:
            answers = [client.post("/xlwings/check", json=p) for p in (flawed, clean, flawed, clean)]
        assert [a.status_code for a in answers] == [200] * 4, answers[0].text
        assert writes == []
    assert list(work.iterdir()) == [] and nothing_but_the_fork_server(temp)
    answers = [a.json() for a in answers]
    assert answers[0] == answers[2] and answers[1] == answers[3]
    assert not any(a["func"] == "addNote" for a in answers[1]["actions"])
    with serving_app(workers=1, work=Work(xlwings=server_work.xlwings_books_held)) as client:
        kept = [client.post("/xlwings/check", json=p).json()["_kept"] for p in (flawed, clean)]
    assert kept == [False, False]                # xlwings' remote interpreter keeps no app or book of a request
