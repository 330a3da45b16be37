"""The page's intake mode, in a server worker: an intake sent as one zip checked as ``planvalidator
batch`` checks it, answered with the same summary workbook and the annotated copies as a zip.

Everything stays in memory (the request's bytes, the applications unpacked from them within
:mod:`planvalidator.limits`, the copies, the summary); nothing is written to disk or logged. The
applications are checked one after another in this one worker, within the request's time; a
summary written before (``previous``) gives back what staff wrote in it, as ``batch -o`` does.
"""

from __future__ import annotations

import base64
import io
import zipfile
from pathlib import PurePosixPath

from planvalidator.server.messages import detail
from planvalidator.workbook import InMemory

SUMMARY_NAME = "受付チェック.xlsx"
ANNOTATED_FOLDER = "注記済み"                 # the annotated copies' folder, in their zip and in the summary's links
ANNOTATED_NAME = f"{ANNOTATED_FOLDER}.zip"
NO_APPLICATIONS = ("{name}: 申請が見つかりません（申請ごとのフォルダか zip、または事業計画書を入れた受付フォルダを"
                   "zip にして送ってください）")


def intake(upload: InMemory, previous: InMemory | None = None) -> tuple[int, dict]:
    """``/api/intake``: (200, {summary, annotated, applications, verdicts, cannot}) — the summary and the
    copies' zip as {name, data (base64)}; 400 with the line why not (the zip, or the previous summary)."""
    import datetime as dt

    from planvalidator.batch import annotated_stems, check_application
    from planvalidator.intake import unpack
    from planvalidator.server.work import failed, status
    from planvalidator.summary import Application, Run, program_text
    from planvalidator.summary.columns import verdict
    from planvalidator.summary.staff import read_previous
    from planvalidator.summary.xlsx import build, to_bytes

    started = dt.datetime.now().astimezone()
    try:
        before = read_previous(previous.name, previous.data) if previous is not None else None
        sources, skipped = unpack(upload.data, upload.name)
    except Exception as exc:  # noqa: BLE001 — one line naming the file: 400, or 500 when not its fault
        outcome = failed(exc, upload.name, "読み込み")
        return status(outcome), detail(outcome.line)
    if not sources:
        return 400, detail(NO_APPLICATIONS.format(name=upload.name))
    stems = annotated_stems(sources)
    copies: dict[str, bytes] = {}
    applications = []
    for source in sources:
        app = Application.from_dict(check_application(source, None, PurePosixPath(ANNOTATED_FOLDER), stems[source.id],
                                                      copies))
        app.fingerprint = source.digest()
        applications.append(app)
    run = Run(started=started, intake=upload.name, program=program_text(None, applications), skipped=skipped,
              previous=before)
    try:
        summary = to_bytes(build(applications, PurePosixPath("."), run))   # links relative to where it is saved
    except Exception as exc:  # noqa: BLE001 — one line, no traceback
        outcome = failed(exc, SUMMARY_NAME, "書き出し")
        return status(outcome), detail(outcome.line)
    annotated = None
    if copies:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in sorted(copies.items()):
                zf.writestr(name, data)
        annotated = _file(ANNOTATED_NAME, buffer.getvalue())
    verdicts: dict[str, int] = {}
    for app in applications:
        verdicts[verdict(app)] = verdicts.get(verdict(app), 0) + 1
    return 200, {"summary": _file(SUMMARY_NAME, summary), "annotated": annotated,
                 "applications": len(applications), "verdicts": verdicts,
                 "cannot": [f"{a.id}: {a.error}" for a in applications if a.error is not None],
                 "skipped": skipped}


def _file(name: str, data: bytes) -> dict:
    return {"name": name, "data": base64.b64encode(data).decode("ascii")}
