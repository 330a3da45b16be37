"""Excel on the web (Office.js): an xlwings Server endpoint for the same check, behind an extra.

    pip install "planvalidator[server]"
    XLWINGS_LICENSE_KEY=... planvalidator serve --port 8000

The add-in's task pane has a 「申請書をチェック」 button; xlwings' Office.js client posts the
book's payload to ``/xlwings/check`` and carries out the actions the answer lists (the same
highlights, notes and チェック結果 sheet as the desktop button). The remote interpreter is part
of xlwings PRO (PolyForm Noncommercial or a commercial licence), so the key must be set; the
desktop button and the command line do not need it.

The server holds against a stranger's request: the body is cut off at
:data:`~planvalidator.limits.MAX_REQUEST_BYTES` (413), a request gets
:data:`~planvalidator.limits.REQUEST_SECONDS` from arrival to answer (503), at most
:data:`~planvalidator.limits.CHECKS_AT_ONCE` checks run at once, a payload that is not a book gets 400 and anything
unexpected 500 — each with one Japanese line, never a traceback. It listens on 127.0.0.1
unless told otherwise, keeps nothing between requests (each book is opened in its own
xlwings app, closed after the answer) and writes nothing to disk.
"""

import json
import logging
import struct
import threading
import time
import zlib
from html import escape

from planvalidator import limits
from planvalidator.package import size_text

XLWINGS_JS = "https://cdn.jsdelivr.net/gh/xlwings/xlwings@{version}/xlwingsjs/dist/xlwings.min.js"
ADDIN_ID = "6b1f1c2e-5a3d-4c59-9a39-8f2f0e6c7a11"
HOST = "127.0.0.1"                   # loopback unless the operator says otherwise

TOO_LARGE = "リクエストが大きすぎます（上限 {limit}）。"
TOO_SLOW = "チェックが制限時間（{seconds:g} 秒）内に終わりませんでした。しばらくしてからもう一度お試しください。"
BAD_JSON = "リクエストの本文が JSON として読めません。"
NOT_A_BOOK = "リクエストが xlwings のブックのデータではありません（{what}）。"
NO_LICENSE = "サーバーに xlwings のライセンスキー（XLWINGS_LICENSE_KEY）が設定されていません。"
FAILED = "サーバーでチェック中に予期しないエラーが起きました（{name}）。"

_DEADLINE = "planvalidator.deadline"     # scope key: time.monotonic() when the request's time is up
log = logging.getLogger("planvalidator.server")


def create_app(*, request_seconds: float = limits.REQUEST_SECONDS, max_request_bytes: int = limits.MAX_REQUEST_BYTES,
               checks_at_once: int = limits.CHECKS_AT_ONCE):
    """The FastAPI app: the check endpoint, the add-in's manifest, task pane and icons."""
    from fastapi import FastAPI, Request
    from fastapi.responses import HTMLResponse, JSONResponse, Response

    app = FastAPI(title="planvalidator", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(Limits, max_bytes=max_request_bytes, seconds=request_seconds)
    checks = Checks(checks_at_once)

    @app.post("/xlwings/check")
    async def check(request: Request):
        body = await request.body()
        deadline = request.scope.get(_DEADLINE, time.monotonic() + request_seconds)
        try:
            status, content = await checks.run(answer, body, deadline=deadline)
        except TimeoutError:
            status, content = 503, detail(TOO_SLOW.format(seconds=request_seconds))
        except Exception as exc:     # the traceback goes to the server's log, never to the client
            log.exception("check failed")
            status, content = 500, detail(FAILED.format(name=type(exc).__name__))
        return JSONResponse(content, status_code=status)

    # async: these answer on the event loop, so they never wait behind checks for a worker thread
    @app.get("/taskpane.html", response_class=HTMLResponse)
    async def taskpane(request: Request):
        return taskpane_html(str(request.base_url).rstrip("/"))

    @app.get("/manifest.xml")
    async def manifest(request: Request):
        return Response(manifest_xml(str(request.base_url).rstrip("/")), media_type="application/xml")

    @app.get("/icon-{size}.png")
    async def icon(size: int):
        return Response(_png(min(max(size, 16), 128)), media_type="image/png")

    return app


def detail(text: str) -> dict:
    """The JSON body of an error answer: one Japanese line."""
    return {"detail": text}


# --- the check ------------------------------------------------------------------------------

def answer(body: bytes) -> tuple[int, dict]:
    """Check one request body: (HTTP status, JSON answer). Runs in a worker thread.

    The book is opened in an xlwings app of its own, removed again afterwards: xlwings' remote
    interpreter otherwise keeps every book it opened (payload and answer) in a process-wide
    list, and its "active book" would be shared by requests running at the same time.
    """
    import xlwings

    from planvalidator.errors import CannotCheck
    from planvalidator.xl import check_book

    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):
        return 400, detail(BAD_JSON)
    problem = payload_problem(payload)
    if problem:
        return 400, detail(NOT_A_BOOK.format(what=problem))
    try:
        app = xlwings.engines["remote"].apps.add(add_book=False)
    except xlwings.LicenseError:
        return 500, detail(NO_LICENSE)
    try:
        try:
            book = app.books.open(json=payload)
        except (KeyError, TypeError, ValueError, xlwings.XlwingsError) as exc:
            return 400, detail(NOT_A_BOOK.format(what=type(exc).__name__))
        check_book(book)
        return 200, book.json()
    except CannotCheck as exc:
        return 400, detail(exc.reason)
    finally:
        app.kill()


_SCALARS = (str, int, float, bool, type(None))


def payload_problem(payload) -> str | None:
    """What keeps ``payload`` from being a book for xlwings' remote interpreter (Japanese), or None."""
    if not isinstance(payload, dict):
        return "JSON のオブジェクトではありません"
    if not isinstance(payload.get("version"), str):
        return "version がありません"
    book = payload.get("book")
    if not isinstance(book, dict) or not isinstance(book.get("name"), str):
        return "book.name がありません"
    sheets = payload.get("sheets")
    if not isinstance(sheets, list):
        return "sheets がありません"
    for i, sheet in enumerate(sheets):
        if not isinstance(sheet, dict) or not isinstance(sheet.get("name"), str):
            return f"sheets[{i}].name がありません"
        values = sheet.get("values")
        if not isinstance(values, list) or not all(
                isinstance(row, list) and all(isinstance(v, _SCALARS) for v in row) for row in values):
            return f"シート「{sheet['name'][:31]}」の values が値の表ではありません"
    return None


class Checks:
    """Runs checks in worker threads, at most ``size`` at once.

    A Python thread cannot be stopped. When a request's time is up it is answered 503 at once,
    but its thread goes on with the check to the end (check_book is bounded by the limits on
    what one workbook may hold) and the result is thrown away. The thread keeps its slot until
    then, so timed-out work counts against ``size`` and cannot pile up; a request that finds
    every slot taken waits for one, within its own time limit. A request that has gone before
    its thread got a slot is skipped.
    """

    def __init__(self, size: int):
        self._slots = threading.BoundedSemaphore(size)

    async def run(self, func, *args, deadline: float):
        """``func(*args)`` in a worker thread; TimeoutError when no slot comes free by ``deadline``."""
        from anyio import to_thread

        gone = threading.Event()
        try:
            return await to_thread.run_sync(self._work, gone, deadline, func, args, abandon_on_cancel=True)
        finally:
            gone.set()

    def _work(self, gone: threading.Event, deadline: float, func, args):
        if not self._slots.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise TimeoutError
        try:
            if gone.is_set():
                return None
            return func(*args)
        finally:
            self._slots.release()


# --- the limits on every request --------------------------------------------------------------

class BodyTooLarge(Exception):
    """The request body passed the size limit while it was read."""


class Limits:
    """Pure ASGI middleware: the body-size limit and the time limit of every HTTP request.

    The size is checked on Content-Length first, then counted as the body arrives, so a client
    that sends no Content-Length (a chunked body) is cut off too: 413. The time runs from the
    request's arrival (reading the body included) to the answer: 503.
    """

    def __init__(self, app, *, max_bytes: int, seconds: float):
        self.app, self.max_bytes, self.seconds = app, max_bytes, seconds

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        import anyio

        too_large = TOO_LARGE.format(limit=size_text(self.max_bytes))
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await _send_json(send, 413, detail(too_large))
            return
        read, over, started = 0, False, False

        async def receive_counted():
            nonlocal read, over
            message = await receive()
            if message["type"] == "http.request":
                read += len(message.get("body", b""))
                if read > self.max_bytes:
                    over = True
                    raise BodyTooLarge
            return message

        async def send_tracked(message):
            nonlocal started
            if over and not started:          # whatever the app made of the cut-off body: ours is 413
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        scope[_DEADLINE] = time.monotonic() + self.seconds
        try:
            with anyio.fail_after(self.seconds):
                await self.app(scope, receive_counted, send_tracked)
        except BodyTooLarge:
            pass
        except TimeoutError:
            if not started:
                await _send_json(send, 503, detail(TOO_SLOW.format(seconds=self.seconds)))
            return
        if over and not started:
            await _send_json(send, 413, detail(too_large))


def _content_length(scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None                   # the server rejects it; the count still applies
    return None


async def _send_json(send, status: int, content: dict) -> None:
    body = json.dumps(content, ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


# --- the add-in -------------------------------------------------------------------------------

def taskpane_html(base: str) -> str:
    import xlwings

    return f"""<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>planvalidator</title>
<script src="https://appsforoffice.microsoft.com/lib/1/hosted/office.js"></script>
<script src="{XLWINGS_JS.format(version=xlwings.__version__)}"></script></head>
<body style="font-family: sans-serif">
<h3>事業計画書のチェック</h3>
<p>新商品・新サービス開発支援事業助成金の事業計画書をチェックし、指摘をこのブックに書き込みます
（セルの色・メモ・「チェック結果」シート）。</p>
<button id="check" style="font-size: 1.1em; padding: .5em 1em">申請書をチェック</button>
<script>
Office.onReady(() => {{
  document.getElementById("check").onclick = () =>
    xlwings.runPython("{escape(base)}/xlwings/check", {{ auth: "planvalidator" }});
}});
</script></body></html>"""


def manifest_xml(base: str) -> str:
    base = escape(base)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<OfficeApp xmlns="http://schemas.microsoft.com/office/appforoffice/1.1"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="TaskPaneApp">
  <Id>{ADDIN_ID}</Id>
  <Version>1.0.0.0</Version>
  <ProviderName>planvalidator</ProviderName>
  <DefaultLocale>ja-JP</DefaultLocale>
  <DisplayName DefaultValue="planvalidator 事業計画書チェック"/>
  <Description DefaultValue="新商品・新サービス開発支援事業助成金の事業計画書をチェックします"/>
  <IconUrl DefaultValue="{base}/icon-32.png"/>
  <HighResolutionIconUrl DefaultValue="{base}/icon-64.png"/>
  <AppDomains><AppDomain>{base}</AppDomain></AppDomains>
  <Hosts><Host Name="Workbook"/></Hosts>
  <Requirements><Sets DefaultMinVersion="1.1"><Set Name="ExcelApi" MinVersion="1.9"/></Sets></Requirements>
  <DefaultSettings><SourceLocation DefaultValue="{base}/taskpane.html"/></DefaultSettings>
  <Permissions>ReadWriteDocument</Permissions>
</OfficeApp>
"""


def _png(size: int) -> bytes:
    """A plain square icon (the add-in manifest needs one), written without an imaging library."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    row = b"\x00" + bytes((0x44, 0x54, 0x6A)) * size
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * size)) + chunk(b"IEND", b""))


def uvicorn_config(host: str = HOST, port: int = 8000, *, app=None, **options):
    """The uvicorn configuration :func:`serve` runs: the app, on loopback unless ``host`` says otherwise."""
    import uvicorn

    return uvicorn.Config(app or create_app(), host=host, port=port, **options)


def serve(host: str = HOST, port: int = 8000) -> None:
    """Run the server until it is stopped (Ctrl+C)."""
    import uvicorn

    uvicorn.Server(uvicorn_config(host, port)).run()
