"""``planvalidator serve``: the check page and its JSON API, and Excel on the web (Office.js): an xlwings
Server endpoint, behind an extra.

    pip install ".[server]"          # in planvalidator's folder
    planvalidator serve --port 8000          # the page at http://127.0.0.1:8000/

The page (``GET /``, :mod:`planvalidator.server.page`) is for applicants without Python: drop workbooks,
see each one's verdict, money summary and findings, download the annotated workbook. Beside it:
``POST /api/check`` (multipart field ``file``) answers the JSON of ``planvalidator check --format json`` (a file
that cannot be checked: 415 when it is not a workbook, 422 when it is one that cannot be checked, with its line),
``POST /api/annotate`` the annotated workbook (the same annotation as ``planvalidator annotate``), ``POST /api/fix``
the workbook with the safe fixes applied (the same copy as ``planvalidator fix``; the header
``X-Planvalidator-Fixed`` says how many cells were fixed); all take
``?program=ID:COURSE`` (the page's choice, as ``--program``; without it the workbook's 事業区分 decides).
``GET /rules.html`` explains every rule (the page's rule codes link to it). The same page also runs without
this server, in the static site of ``planvalidator site`` (planvalidator.site), on the same functions.
For ISICO staff, ``GET /intake`` and ``POST /api/intake`` (:mod:`planvalidator.server.intake_api`) take an
intake as one zip and answer what ``planvalidator batch`` writes: the summary workbook and the annotated copies.
The upload is read whole into memory (within the size limit) and parsed there: it is never
spooled to a temporary file, written anywhere or logged. None of this needs an xlwings licence.

The add-in's task pane has a 「申請書をチェック」 button; xlwings' Office.js client posts the
book's payload to ``/xlwings/check`` and carries out the actions the answer lists (the same
highlights, notes and チェック結果 sheet as the desktop button). The remote interpreter is part
of xlwings PRO (PolyForm Noncommercial or a commercial licence), so ``/xlwings/check`` needs the key
(without it: 500 with one Japanese line); the page, its API, the desktop button and the command
line do not.

The server holds against a stranger's requests (each limit in :mod:`planvalidator.limits`): a Host
not on the allow-list gets 421, headers must arrive within their time, the body is cut off at its
size limit (413), a request gets its time from arrival to answer (503) and its check runs in a
worker process that is killed when the time is up, so the next request finds the worker free
(:mod:`planvalidator.server.workers`); past the workers and their queue, 503 with Retry-After.
Bad input gets 400 and anything unexpected 500 — each with one Japanese line, never a traceback.
It listens on 127.0.0.1 unless told otherwise, keeps nothing between requests and writes
nothing to disk.
"""


import logging
import time
from typing import Callable

from planvalidator import limits
from planvalidator.server import intake_work as _intake_work
from planvalidator.server import work as _work
from planvalidator.server.messages import BUSY, CRASHED, NO_LICENSE, TOO_SLOW, detail  # noqa: F401 (NO_LICENSE: tests)
from planvalidator.structs import Frozen

HOST = "127.0.0.1"                   # loopback unless the operator says otherwise
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSM_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.12"
# an upload up to this size is parsed on the event loop (its parse takes less than handing it to a thread);
# a larger one, up to the request limit, in a thread, so that it never holds the other requests up
INLINE_UPLOAD_BYTES = 1 << 20

log = logging.getLogger("planvalidator.server")


class Work(Frozen):
    """What the workers run for each endpoint: module-level functions (a worker imports them by
    name), each taking what the request carried and giving ``(status, content)``."""
    check: Callable = _work.check
    annotate: Callable = _work.annotate
    fix: Callable = _work.fix
    xlwings: Callable = _work.xlwings_book
    intake: Callable = _intake_work.intake


def create_app(*, request_seconds: float = limits.REQUEST_SECONDS, max_request_bytes: int = limits.MAX_REQUEST_BYTES,
               workers: int | None = None, queued: int = limits.MAX_QUEUED_CHECKS,
               quick_seconds: float = limits.QUICK_SECONDS,
               allowed_hosts=("127.0.0.1", "localhost", "::1"), work: Work = Work()):
    """The FastAPI app: the page and its API, the add-in's endpoint, manifest, task pane and icons.
    ``workers``: check processes (default: one a CPU, as memory allows); ``allowed_hosts``: the Host
    names answered (None: any)."""
    from contextlib import asynccontextmanager

    import anyio
    from fastapi import FastAPI, Request
    from fastapi.responses import HTMLResponse, JSONResponse, Response

    from planvalidator.server.guard import DEADLINE, Guard
    from planvalidator.server.upload import NotAnUpload, uploaded
    from planvalidator.server.workers import Busy, Crashed, Workers

    pool = Workers(workers, queued, quick_seconds)

    @asynccontextmanager
    async def lifespan(_app):
        try:
            yield
        finally:
            pool.close()

    app = FastAPI(title="planvalidator", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.add_middleware(Guard, max_bytes=max_request_bytes, seconds=request_seconds,
                       hosts=frozenset(h.strip("[]").lower() for h in allowed_hosts) if allowed_hosts is not None else None)
    app.state.workers = pool

    async def in_worker(request: Request, func, *args, crashed):
        """(status, content) of ``func(*args)`` in a worker, or the answer why not."""
        deadline = request.scope.get(DEADLINE, time.monotonic() + request_seconds)
        try:
            return await pool.run(func, *args, deadline=deadline)
        except TimeoutError:
            return 503, detail(TOO_SLOW.format(seconds=request_seconds))
        except Busy:
            return 503, {**detail(BUSY.format(seconds=pool.retry_after())), "_retry": pool.retry_after()}
        except Crashed:
            return crashed()
        except Exception as exc:  # noqa: BLE001 — neither the workbook nor the error's text goes to the log or the answer
            return 500, detail(_work.failed(exc, None).reason)

    def json_answer(status: int, content: dict) -> JSONResponse:
        retry = content.pop("_retry", None) if isinstance(content, dict) else None
        return JSONResponse(content, status_code=status, headers={"Retry-After": str(retry)} if retry else None)

    def program(request: Request) -> str | None:
        """The program and course the page chose (``?program=shinseihin:7``, as ``--program``), or None."""
        return request.query_params.get("program", "")[:100].strip() or None

    async def upload(request: Request):
        body = await request.body()                  # in memory, cut off at the size limit by Guard
        content_type = request.headers.get("content-type", "")
        try:
            if len(body) <= INLINE_UPLOAD_BYTES:     # a workbook's usual size: parsed in well under a millisecond
                return uploaded(content_type, body)
            return await anyio.to_thread.run_sync(uploaded, content_type, body)
        except NotAnUpload as exc:
            return exc

    @app.post("/xlwings/check")
    async def xlwings_check(request: Request):
        body = await request.body()
        status, content = await in_worker(request, work.xlwings, body, crashed=lambda: (400, detail(CRASHED)))
        return json_answer(status, content)

    @app.post("/api/check")
    async def api_check(request: Request):
        from planvalidator.formats import Outcome
        from planvalidator.formats.json import outcome_dict

        src = await upload(request)
        if isinstance(src, NotAnUpload):
            return JSONResponse(detail(str(src)), status_code=400)
        status, content = await in_worker(request, work.check, src, program(request),
                                          crashed=lambda: (422, {**outcome_dict(Outcome(src.name, error=CRASHED)),
                                                            "detail": f"{src.name}: {CRASHED}"}))
        return json_answer(status, content)

    @app.post("/api/annotate")
    async def api_annotate(request: Request):
        src = await upload(request)
        if isinstance(src, NotAnUpload):
            return JSONResponse(detail(str(src)), status_code=400)
        status, content = await in_worker(request, work.annotate, src, program(request),
                                          crashed=lambda: (400, detail(f"{src.name}: {CRASHED}")))
        if status != 200:
            return json_answer(status, content)
        name, data = content
        return Response(data, media_type=XLSM_TYPE if name.lower().endswith(".xlsm") else XLSX_TYPE,
                        headers={"Content-Disposition": content_disposition(name), "Cache-Control": "no-store"})

    @app.post("/api/fix")
    async def api_fix(request: Request):
        src = await upload(request)
        if isinstance(src, NotAnUpload):
            return JSONResponse(detail(str(src)), status_code=400)
        status, content = await in_worker(request, work.fix, src,
                                          crashed=lambda: (400, detail(f"{src.name}: {CRASHED}")))
        if status != 200:
            return json_answer(status, content)
        name, data, fixed = content
        return Response(data, media_type=XLSM_TYPE if name.lower().endswith(".xlsm") else XLSX_TYPE,
                        headers={"Content-Disposition": content_disposition(name), "Cache-Control": "no-store",
                                 "X-Planvalidator-Fixed": str(fixed)})
    from planvalidator.server.intake_api import add_routes
    add_routes(app, in_worker, json_answer, work.intake)      # GET /intake, POST /api/intake (the staff's intake)

    # async: these answer on the event loop, so they never wait behind checks
    @app.get("/", response_class=HTMLResponse)
    async def page():
        from planvalidator.server.page import CSP, page_html

        return HTMLResponse(page_html(), headers={"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
                                                  "Referrer-Policy": "no-referrer"})

    @app.get("/rules.html", response_class=HTMLResponse)
    async def rules_page():
        from planvalidator.server.page import CSP
        from planvalidator.server.rules_page import rules_html

        return HTMLResponse(rules_html(), headers={"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
                                                   "Referrer-Policy": "no-referrer"})

    @app.get("/taskpane.html", response_class=HTMLResponse)
    async def taskpane(request: Request):
        from planvalidator.server.addin import taskpane_html
        return taskpane_html(str(request.base_url).rstrip("/"))

    @app.get("/manifest.xml")
    async def manifest(request: Request):
        from planvalidator.server.addin import manifest_xml
        return Response(manifest_xml(str(request.base_url).rstrip("/")), media_type="application/xml")

    @app.get("/icon-{size}.png")
    async def icon(size: int):
        from planvalidator.server.addin import png
        return Response(png(min(max(size, 16), 128)), media_type="image/png")

    return app


def content_disposition(name: str) -> str:
    """``attachment`` with the Japanese name (RFC 5987 ``filename*``) and an ASCII fallback."""
    import re
    from urllib.parse import quote

    stem, dot, suffix = name.rpartition(".")
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", stem if dot else name).strip("_") or "planvalidator"
    fallback = stem + ("." + re.sub(r"[^A-Za-z0-9]", "", suffix) if dot else "")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def uvicorn_config(host: str = HOST, port: int = 8000, *, app=None, allow_hosts=(),
                   header_seconds: float = limits.HEADER_SECONDS, **options):
    """The uvicorn configuration :func:`serve` runs: the app, on loopback unless ``host`` says otherwise,
    its Host allow-list derived from ``host`` (and ``allow_hosts``), headers on a time and size limit."""
    import uvicorn

    from planvalidator.server.guard import allowed_hosts, protocol

    if app is None:
        app = create_app(allowed_hosts=allowed_hosts(host, allow_hosts))
    options.setdefault("http", protocol(header_seconds))
    options.setdefault("h11_max_incomplete_event_size", limits.MAX_HEADER_BYTES)
    return uvicorn.Config(app, host=host, port=port, **options)


class JapaneseLog:
    """A logging filter for uvicorn's lines: known messages in Japanese (server.messages.SERVER_LOG)."""

    def filter(self, record) -> bool:
        from planvalidator.server.messages import SERVER_LOG

        text = SERVER_LOG.get(str(record.msg))
        if text is not None:
            record.msg = text
        return True


LOG_CONFIG = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"japanese": {"()": JapaneseLog}},
    "formatters": {"plain": {"format": "planvalidator: サーバー: %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr", "formatter": "plain",
                            "filters": ["japanese"]}},
    "loggers": {"uvicorn": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
                "uvicorn.error": {"level": "WARNING"},
                "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
                "planvalidator.server": {"handlers": ["stderr"], "level": "WARNING", "propagate": False}},
}


def serve(host: str = HOST, port: int = 8000, allow_hosts=()) -> None:
    """Run the server until it is stopped (Ctrl+C); uvicorn's lines through :data:`LOG_CONFIG`, no request logged."""
    import uvicorn

    uvicorn.Server(uvicorn_config(host, port, allow_hosts=allow_hosts, log_config=LOG_CONFIG,
                                  access_log=False)).run()
