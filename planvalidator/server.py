"""The check page and its JSON API, and Excel on the web (Office.js): an xlwings Server endpoint, behind an extra.

    pip install "planvalidator[server]"
    planvalidator serve --port 8000          # the page at http://127.0.0.1:8000/

The page (``GET /``, :mod:`planvalidator.page`) is for applicants without Python: drop workbooks,
see each one's verdict, money summary and findings, download the annotated workbook. Beside it:
``POST /api/check`` (multipart field ``file``) answers the JSON of ``planvalidator check --format json``,
``POST /api/annotate`` the annotated workbook (the same annotation as ``planvalidator annotate``).
The upload is read whole into memory (within the size limit) and parsed there: it is never
spooled to a temporary file, written anywhere or logged. None of this needs an xlwings licence.

The add-in's task pane has a 「申請書をチェック」 button; xlwings' Office.js client posts the
book's payload to ``/xlwings/check`` and carries out the actions the answer lists (the same
highlights, notes and チェック結果 sheet as the desktop button). The remote interpreter is part
of xlwings PRO (PolyForm Noncommercial or a commercial licence), so ``/xlwings/check`` needs the key
(without it: 500 with one Japanese line); the page, its API, the desktop button and the command
line do not.

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
NOT_AN_UPLOAD = "リクエストがファイルのアップロード（multipart/form-data の file 欄）ではありません（{what}）。"
NOTHING_UPLOADED = "ファイルが送られていません（multipart/form-data の file 欄に 1 つのブックを入れてください）。"

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSM_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.12"

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

    async def upload(request: Request, work):
        """Run ``work(content_type, body)`` for an upload in a worker thread: (status, content) or an error answer."""
        body = await request.body()                  # in memory, cut off at the size limit by Limits
        deadline = request.scope.get(_DEADLINE, time.monotonic() + request_seconds)
        try:
            return await checks.run(work, request.headers.get("content-type", ""), body, deadline=deadline)
        except TimeoutError:
            return 503, detail(TOO_SLOW.format(seconds=request_seconds))
        except Exception as exc:     # neither the workbook nor the message of the error goes to the log
            log.error("page request failed: %s", type(exc).__name__)
            return 500, detail(FAILED.format(name=type(exc).__name__))

    @app.post("/api/check")
    async def api_check(request: Request):
        status, content = await upload(request, check_upload)
        return JSONResponse(content, status_code=status)

    @app.post("/api/annotate")
    async def api_annotate(request: Request):
        status, content = await upload(request, annotate_upload)
        if status != 200:
            return JSONResponse(content, status_code=status)
        name, data = content
        return Response(data, media_type=XLSM_TYPE if name.lower().endswith(".xlsm") else XLSX_TYPE,
                        headers={"Content-Disposition": content_disposition(name), "Cache-Control": "no-store"})

    # async: these answer on the event loop, so they never wait behind checks for a worker thread
    @app.get("/", response_class=HTMLResponse)
    async def page():
        from planvalidator.page import CSP, page_html

        return HTMLResponse(page_html(), headers={"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
                                                  "Referrer-Policy": "no-referrer"})

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


# --- the page's API: one uploaded workbook, in memory only ------------------------------------

class NotAnUpload(Exception):
    """The request is not a multipart upload with a ``file`` field; ``str()`` is the Japanese line."""


def uploaded(content_type: str, body: bytes):
    """The workbook of a ``multipart/form-data`` body, as :class:`~planvalidator.workbook.InMemory`.

    Parsed in memory with the standard library's MIME parser (nothing spooled to disk, unlike a
    framework's UploadFile). The name is the uploaded file's own name without any folder."""
    from email import policy
    from email.parser import BytesParser

    from planvalidator.workbook import InMemory

    if not content_type.lower().startswith("multipart/form-data"):
        raise NotAnUpload(NOT_AN_UPLOAD.format(what="Content-Type が multipart/form-data ではありません"))
    if "\r" in content_type or "\n" in content_type:
        raise NotAnUpload(NOT_AN_UPLOAD.format(what="Content-Type が読めません"))
    try:
        message = BytesParser(policy=policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body)
        parts = list(message.iter_parts()) if message.is_multipart() else []
    except Exception:
        raise NotAnUpload(NOT_AN_UPLOAD.format(what="本文が読めません")) from None
    if not message.is_multipart() or message.defects:
        raise NotAnUpload(NOT_AN_UPLOAD.format(what="本文が multipart として読めません"))
    for part in parts:
        if part.get_param("name", header="content-disposition") != "file":
            continue
        data = part.get_payload(decode=True)
        if not data:
            break
        return InMemory(upload_name(part.get_filename()), bytes(data))
    raise NotAnUpload(NOTHING_UPLOADED)


def upload_name(name) -> str:
    """An uploaded file's name, safe to show and to send back: no folder, no control characters."""
    name = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()[:200]
    return name or "事業計画書.xlsx"


def check_upload(content_type: str, body: bytes) -> tuple[int, dict]:
    """``/api/check``: the JSON of ``check --format json``; a workbook that cannot be checked is 200 with "error"."""
    from planvalidator.errors import CannotCheck, unexpected
    from planvalidator.formats import Outcome
    from planvalidator.formats.json import outcome_dict

    try:
        src = uploaded(content_type, body)
    except NotAnUpload as exc:
        return 400, detail(str(exc))
    try:
        outcome = Outcome(src.name, _check(src))
    except CannotCheck as exc:
        outcome = Outcome(src.name, error=exc.reason)
    except Exception as exc:          # as the command line does: one line, no traceback
        log.error("page check failed: %s", type(exc).__name__)
        outcome = Outcome(src.name, error=unexpected("チェック", exc))
    return 200, outcome_dict(outcome)


def annotate_upload(content_type: str, body: bytes) -> tuple[int, dict | tuple[str, bytes]]:
    """``/api/annotate``: (200, (file name, annotated workbook)), or 400 with the line why not."""
    import io

    from planvalidator.annotate import SUFFIX, annotate
    from planvalidator.annotate.file import FileAnnotator
    from planvalidator.errors import CannotCheck

    try:
        src = uploaded(content_type, body)
    except NotAnUpload as exc:
        return 400, detail(str(exc))
    try:
        report = _check(src)
        annotator = FileAnnotator(src)
        annotate(annotator, report)
        buffer = io.BytesIO()
        annotator.save(buffer)
    except CannotCheck as exc:
        return 400, detail(f"{src.name}: {exc.reason}")
    stem, dot, suffix = src.name.rpartition(".")
    suffix = "." + suffix.lower() if dot and suffix.lower() in ("xlsx", "xlsm") else ".xlsx"
    return 200, (f"{stem if dot else src.name}{SUFFIX}{suffix}", buffer.getvalue())


def _check(src):
    from planvalidator.engine import check
    from planvalidator.reader import read_grid
    from planvalidator.workbook import load_grid

    return check(read_grid(load_grid(src)), file=src.name)


def content_disposition(name: str) -> str:
    """``attachment`` with the Japanese name (RFC 5987 ``filename*``) and an ASCII fallback."""
    import re
    from urllib.parse import quote

    stem, dot, suffix = name.rpartition(".")
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", stem if dot else name).strip("_") or "planvalidator"
    fallback = stem + ("." + re.sub(r"[^A-Za-z0-9]", "", suffix) if dot else "")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


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
