"""The routes of the page's intake mode: ``GET /intake`` (:mod:`planvalidator.server.intake_page`) and
``POST /api/intake`` (multipart: ``file`` the intake as one zip, ``previous`` optionally a summary
written before), whose work runs in a server worker (:func:`planvalidator.server.intake_work.intake`)
within the server's limits — the body's size and the request's time of
:class:`~planvalidator.server.guard.Guard`, the workers' queue and memory — like the check's.
"""

# (no `from __future__ import annotations`: FastAPI reads the routes' annotations, and Request is imported below)
from planvalidator.server.messages import CRASHED, detail


def add_routes(app, in_worker, json_answer, work) -> None:
    """Add the intake page and its API to the FastAPI ``app`` (``in_worker``, ``json_answer``: create_app's;
    ``work``: the function a worker runs, :func:`planvalidator.server.intake_work.intake` unless a test says)."""
    import anyio
    from fastapi import Request
    from fastapi.responses import HTMLResponse, JSONResponse

    from planvalidator.server.upload import NotAnUpload, uploaded_fields

    @app.get("/intake", response_class=HTMLResponse)
    async def intake_page():
        from planvalidator.server.intake_page import CSP, page_html

        return HTMLResponse(page_html(), headers={"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
                                                  "Referrer-Policy": "no-referrer"})

    @app.post("/api/intake")
    async def api_intake(request: Request):
        body = await request.body()                 # in memory, cut off at the size limit by Guard
        try:
            files = await anyio.to_thread.run_sync(uploaded_fields, request.headers.get("content-type", ""), body,
                                                   ("file", "previous"))
        except NotAnUpload as exc:
            return JSONResponse(detail(str(exc)), status_code=400)
        src = files["file"]
        status, content = await in_worker(request, work, src, files.get("previous"),
                                          crashed=lambda: (400, detail(f"{src.name}: {CRASHED}")))
        answer = json_answer(status, content)
        answer.headers["Cache-Control"] = "no-store"
        return answer
