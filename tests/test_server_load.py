"""The real server (uvicorn) on loopback: 20 requests at once, each with its own workbook, each
answered with exactly its own findings; an over-size body is cut off over real HTTP."""

import copy
import json
import os
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
import xlwings

from support.helpers import EXAMPLE
from planvalidator import limits
from planvalidator.findings import cell_key
from planvalidator.xl import check_book
from support.xl_payload import payload

httpx = pytest.importorskip("httpx")
uvicorn = pytest.importorskip("uvicorn")
pytest.importorskip("fastapi")
from planvalidator.server import create_app, uvicorn_config  # noqa: E402

REQUESTS = 20
SHEET = "計画様式7"
FIRST_ROW = 6                        # the 記入例's 12 items: 計画様式7 rows 6–17


@contextmanager
def serving(header_seconds: float = limits.HEADER_SECONDS, **app_options):
    """The server as ``planvalidator serve`` runs it (default host), on a free port, in a thread."""
    app = create_app(**app_options) if app_options else None
    server = uvicorn.Server(uvicorn_config(port=0, app=app, log_level="warning", access_log=False,
                                           header_seconds=header_seconds))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60     # (a wait, not a timing: generous, so a busy CI machine still starts it)
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.01)
    try:
        yield server, server.servers[0].sockets[0].getsockname()[:2]
    finally:
        server.should_exit = True
        thread.join(10)
        assert not thread.is_alive()


@pytest.fixture(scope="module")
def running():
    with serving() as (server, (host, port)):
        yield server, f"http://{host}:{port}"


def planted(base: dict, i: int) -> tuple[dict, str]:
    """The 記入例 with request ``i``'s own mistake, and the cell the mistake is flagged at.

    Requests 0–11 change an item's 数量 (the 金額 no longer matches: PV201 at J), requests 12–19
    write a general-purpose item into 品名 (PV102 at F): 20 different cells."""
    p = copy.deepcopy(base)
    p["book"]["name"] = f"申請{i:02d}.xlsx"
    values = next(s for s in p["sheets"] if s["name"] == SHEET)["values"]
    if i < 12:
        row = FIRST_ROW + i
        r, c = cell_key(f"G{row}")
        values[r - 1][c - 1] += 1 + i
        return p, f"J{row}"
    row = FIRST_ROW + i - 12
    r, c = cell_key(f"F{row}")
    values[r - 1][c - 1] = f"ノートPC（データ解析用・{i}）"
    return p, f"F{row}"


def reference(p: dict) -> dict:
    """The answer for ``p`` computed in this process, one book at a time."""
    book = xlwings.Book(json=copy.deepcopy(p))
    try:
        check_book(book)
        return book.json()
    finally:
        book.close()


def noted(answer: dict, sheets: list[str]) -> set[str]:
    """Cells of 計画様式7 that got a note."""
    position = sheets.index(SHEET)
    return {a["args"][0].replace("$", "") for a in answer["actions"]
            if a["func"] == "addNote" and a["sheet_position"] == position}


def test_twenty_requests_at_once_each_get_their_own_findings(running):
    server, url = running
    assert server.servers[0].sockets[0].getsockname()[0] == "127.0.0.1"     # loopback by default
    base = payload(EXAMPLE)
    sheets = [s["name"] for s in base["sheets"]]
    books = [planted(base, i) for i in range(REQUESTS)]
    assert len({cell for _, cell in books}) == REQUESTS
    expected = [reference(p) for p, _ in books]
    bodies = [json.dumps(p).encode() for p, _ in books]

    ready = threading.Barrier(REQUESTS)

    def post(i):
        ready.wait()
        start = time.perf_counter()
        answer = client.post("/xlwings/check", content=bodies[i], headers={"content-type": "application/json"})
        return answer, time.perf_counter() - start

    with httpx.Client(base_url=url, timeout=30) as client, ThreadPoolExecutor(REQUESTS) as pool:
        start = time.perf_counter()
        results = list(pool.map(post, range(REQUESTS)))
        total = time.perf_counter() - start

    latencies = sorted(t for _, t in results)
    print(f"\n{REQUESTS} requests at once: {total:.2f} s in all; per request "
          f"min {latencies[0] * 1000:.0f} ms, median {latencies[REQUESTS // 2] * 1000:.0f} ms, "
          f"max {latencies[-1] * 1000:.0f} ms")
    planted_cells = {cell for _, cell in books}
    for i, ((answer, _), (_, cell)) in enumerate(zip(results, books)):
        assert answer.status_code == 200, answer.text
        got = answer.json()
        assert got == expected[i]                                   # exactly its own answer
        assert noted(got, sheets) & planted_cells == {cell}         # its own mistake, no one else's
        results_sheet = next(a["values"] for a in got["actions"] if a["func"] == "setValues")
        assert f"申請{i:02d}.xlsx" in next(row for row in results_sheet if row[0] == "ファイル")


def test_an_over_size_body_is_cut_off_over_http_and_the_server_answers_on(running):
    _, url = running
    too_much = limits.MAX_REQUEST_BYTES + 1
    with httpx.Client(base_url=url, timeout=30) as client:
        declared = client.post("/xlwings/check", content=b" " * too_much)
        assert declared.request.headers["content-length"] == str(too_much)
        assert declared.status_code == 413 and "大きすぎ" in declared.json()["detail"]

        chunk = b" " * (1024 * 1024)
        chunked = client.post("/xlwings/check", content=(chunk for _ in range(too_much // len(chunk) + 1)))
        assert "content-length" not in chunked.request.headers
        assert chunked.request.headers["transfer-encoding"] == "chunked"
        assert chunked.status_code == 413 and "大きすぎ" in chunked.json()["detail"]

        after = client.post("/xlwings/check", json=payload(EXAMPLE))
        assert after.status_code == 200
        assert not any(a["func"] == "addNote" for a in after.json()["actions"])


def test_a_client_that_stops_sending_is_answered_503_in_time():
    # Content-Length promises more than is sent: the time limit covers reading the body too
    with serving(request_seconds=0.5) as (_, (host, port)), socket.create_connection((host, port), timeout=30) as sock:
        sock.sendall(b"POST /xlwings/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 1000\r\n\r\n{\"version\": ")
        answer = b""
        while not answer.endswith(b"}"):                  # the status line, headers, then the JSON body
            answer += sock.recv(65536) or b"}"
        assert answer.startswith(b"HTTP/1.1 503") and "時間".encode() in answer


def _rss_mib() -> float | None:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return None


def test_the_page_keeps_serving_under_attack(tmp_path):
    """While four uploads of the slowest workbook a check accepts (tests/support/hostile.py, 190,000 cells), two
    bodies of 100,000 parts and a hundred connections that never finish their headers are in flight,
    a good upload gets its own finding while slow uploads are still running; the hanging connections
    are closed; afterwards the server answers as before and has not grown (the checks ran in workers)."""
    from support import hostile

    heavy = hostile.build("cells-190000-numbers", tmp_path).read_bytes()
    wrong = (EXAMPLE.parent / "invalid" / "wrong-amount.xlsx").read_bytes()
    parts = b"--b\r\n" + b"".join(b'Content-Disposition: form-data; name="f%d"\r\n\r\nx\r\n--b\r\n' % i
                                   for i in range(100_000)) + b"--"
    with serving(header_seconds=2, request_seconds=20, workers=2) as (server, (host, port)):
        url = f"http://{host}:{port}"
        with httpx.Client(base_url=url, timeout=60) as client:
            client.post("/api/check", files={"file": ("warm.xlsx", wrong)})          # the workers are up
            rss_before = _rss_mib()
            hanging = []
            for _ in range(100):
                sock = socket.create_connection((host, port), timeout=30)
                sock.sendall(b"POST /api/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-")
                hanging.append(sock)
            done: list[str] = []
            answers: dict[str, httpx.Response] = {}

            def post(name, **request):
                answers[name] = client.post("/api/check", **request)
                done.append(name)

            threads = [threading.Thread(target=post, args=(f"heavy{i}",),
                                        kwargs={"files": {"file": (f"heavy{i}.xlsx", heavy)}}) for i in range(4)]
            threads += [threading.Thread(target=post, args=(f"parts{i}",),
                                         kwargs={"content": parts,
                                                 "headers": {"content-type": "multipart/form-data; boundary=b"}})
                        for i in range(2)]
            for t in threads:
                t.start()
            # the heavy uploads reach the workers first
            deadline = time.monotonic() + 30
            while not (server_workers(server)._running >= 2 or time.monotonic() > deadline):
                time.sleep(0.05)
            good = client.post("/api/check", files={"file": ("good.xlsx", wrong)})
            heavy_running = [n for n in (f"heavy{i}" for i in range(4)) if n not in done]
            assert good.status_code == 200 and ("PV201", "計画様式7", "J9") in {
                (f["rule"], f["sheet"], f["cell"]) for f in good.json()["findings"]}
            assert heavy_running, "a good upload waited for every slow one"
            for t in threads:
                t.join(90)
            assert all(answers[f"parts{i}"].status_code == 400 for i in range(2))
            assert all(answers[f"heavy{i}"].status_code in (200, 503) for i in range(4))
            for sock in hanging:                                  # closed by the server, not by us
                try:
                    assert sock.recv(1024) == b""
                finally:
                    sock.close()
            after = client.post("/api/check", files={"file": ("after.xlsx", wrong)})
            assert after.status_code == 200 and after.json()["findings"]
            rss_after = _rss_mib()
            if rss_before is not None:
                assert rss_after - rss_before < 150, f"the server grew by {rss_after - rss_before:.0f} MiB"


def server_workers(server):
    """The Workers of the app a uvicorn server runs (through FastAPI's middleware stack)."""
    app = server.config.loaded_app
    while not hasattr(app, "state"):
        app = app.app
    return app.state.workers
