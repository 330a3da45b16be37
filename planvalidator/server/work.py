"""What a server worker does with one request (run in a worker process, :mod:`planvalidator.server.workers`).

Each function takes what the request carried — an uploaded workbook held in memory, or the JSON
of an xlwings book — and gives back ``(HTTP status, content)``, content being the JSON to send,
or for an annotation the file name and bytes of the workbook. Nothing is written to disk.
"""

from __future__ import annotations

import json
import logging

from planvalidator.outcome import Failure, failure
from planvalidator.server.messages import BAD_JSON, NO_LICENSE, NOT_A_BOOK, detail
from planvalidator.workbook import InMemory

log = logging.getLogger("planvalidator.server")


def _check(src: InMemory, course: str | None = None):
    from planvalidator.engine import Options, check
    from planvalidator.reader import read_grid
    from planvalidator.workbook import load_grid

    return check(read_grid(load_grid(src)), Options(course=course) if course else None, file=src.name)


def failed(exc: Exception, name: str | None, doing: str = "チェック") -> Failure:
    """The one line of what a request's work raised (planvalidator.outcome), without the error's own
    text (it may hold paths); an internal error's type is logged, never the workbook or that text."""
    outcome = failure(exc, name, doing, private=True)
    if outcome.internal:
        log.error("%s failed: %s", doing, type(exc).__name__)
    return outcome


def status(outcome: Failure) -> int:
    """400 for a file that cannot be checked, 500 for an error that is not its fault."""
    return 500 if outcome.internal else 400


ZIP_MAGIC = b"PK\x03\x04"          # every .xlsx / .xlsm is a zip package


def check(src: InMemory, course: str | None = None) -> tuple[int, dict]:
    """``/api/check`` (and the page's engine in the browser, Pyodide): the JSON of ``check --format json`` (200);
    ``course``: the program and course the page chose (``--program``), None for the workbook's 事業区分. A file that cannot be checked gets the same
    JSON with its "error" and the line as "detail": 415 when it is not a workbook at all (not a zip package:
    a PDF, a text, an old .xls), 422 when it is one that cannot be checked, 500 when the fault is ours."""
    from planvalidator.formats import Outcome
    from planvalidator.formats.json import outcome_dict

    try:
        return 200, outcome_dict(Outcome(src.name, _check(src, course)))
    except Exception as exc:  # noqa: BLE001 — one line, no traceback, nothing of the error's text (paths …)
        outcome = failed(exc, src.name)
    code = 500 if outcome.internal else 422 if src.data[:4] == ZIP_MAGIC else 415
    return code, {**outcome_dict(Outcome(src.name, error=outcome.reason)), "detail": outcome.line}


def annotate(src: InMemory, course: str | None = None) -> tuple[int, dict | tuple[str, bytes]]:
    """``/api/annotate`` (and the page's engine in the browser): (200, (file name, annotated workbook)), or 400
    with the line why not."""
    import io

    from planvalidator.annotate import SUFFIX
    from planvalidator.annotate import annotate as write
    from planvalidator.annotate.file import FileAnnotator
    from planvalidator.errors import CannotCheck
    from planvalidator.partxml import PackageError
    from planvalidator.workbook import part_reason

    annotator = None
    try:
        try:
            report = _check(src, course)
            annotator = FileAnnotator(src)
            write(annotator, report)
            buffer = io.BytesIO()
            annotator.save(buffer)
        except PackageError as exc:         # a part the check read but lxml will not rewrite
            sheet = annotator.sheet_of(exc.part) if annotator is not None else None
            raise CannotCheck(part_reason(exc, sheet=sheet), file=src.name, sheet=sheet) from None
    except Exception as exc:  # noqa: BLE001 — one line naming the file: 400, or 500 when not its fault
        outcome = failed(exc, src.name, "書き込み")
        return status(outcome), detail(outcome.line)
    stem, dot, suffix = src.name.rpartition(".")
    suffix = "." + suffix.lower() if dot and suffix.lower() in ("xlsx", "xlsm") else ".xlsx"
    return 200, (f"{stem if dot else src.name}{SUFFIX}{suffix}", buffer.getvalue())


def fix(src: InMemory) -> tuple[int, dict | tuple[str, bytes, int]]:
    """``/api/fix``: (200, (file name, the workbook with the safe fixes applied, how many cells were fixed)) —
    the same copy as ``planvalidator fix`` writes — or 400 with the line why not."""
    import io

    from planvalidator.fixes import SUFFIX, fix_file

    try:
        buffer = io.BytesIO()
        result = fix_file(src, stream=buffer)
    except Exception as exc:  # noqa: BLE001 — one line naming the file: 400, or 500 when not its fault
        outcome = failed(exc, src.name, "修正")
        return status(outcome), detail(outcome.line)
    data = buffer.getvalue() or src.data       # (a workbook with nothing to fix is given back as it came)
    stem, dot, suffix = src.name.rpartition(".")
    suffix = "." + suffix.lower() if dot and suffix.lower() in ("xlsx", "xlsm") else ".xlsx"
    return 200, (f"{stem if dot else src.name}{SUFFIX}{suffix}", data, len(result.changes))


def xlwings_book(body: bytes) -> tuple[int, dict]:
    """``/xlwings/check``: check one xlwings book (its JSON) and answer the actions xlwings carries out.

    The book is opened in an xlwings app of its own, removed again afterwards: xlwings' remote
    interpreter otherwise keeps every book it opened (payload and answer) in a process-wide
    list, and its "active book" would be shared by requests running at the same time.
    """
    import xlwings

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
    except Exception as exc:  # noqa: BLE001 — one line: 400, or 500 when not the book's fault
        outcome = failed(exc, None)
        return status(outcome), detail(outcome.reason)
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
