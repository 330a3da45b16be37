"""What a server worker does with one request (run in a worker process, :mod:`planvalidator.server.workers`).

Each function takes what the request carried — an uploaded workbook held in memory, or the JSON
of an xlwings book — and gives back ``(HTTP status, content)``, content being the JSON to send,
or for an annotation the file name and bytes of the workbook. Nothing is written to disk.
"""

from __future__ import annotations

import json
import logging

from planvalidator.server.messages import (
    BAD_JSON,
    FAILED,
    NO_LICENSE,
    NOT_A_BOOK,
    detail,
)
from planvalidator.workbook import InMemory

log = logging.getLogger("planvalidator.server")


def _check(src: InMemory):
    from planvalidator.engine import check
    from planvalidator.reader import read_grid
    from planvalidator.workbook import load_grid

    return check(read_grid(load_grid(src)), file=src.name)


def check(src: InMemory) -> tuple[int, dict]:
    """``/api/check``: the JSON of ``check --format json``; a workbook that cannot be checked is 200 with "error"."""
    from planvalidator.errors import CannotCheck, unexpected
    from planvalidator.formats import Outcome
    from planvalidator.formats.json import outcome_dict

    try:
        outcome = Outcome(src.name, _check(src))
    except CannotCheck as exc:
        outcome = Outcome(src.name, error=exc.reason)
    except Exception as exc:          # one line, no traceback, and nothing of the error's text (paths …)
        log.error("page check failed: %s", type(exc).__name__)
        outcome = Outcome(src.name, error=unexpected("チェック", exc) if isinstance(exc, ModuleNotFoundError)
                          else FAILED.format(name=type(exc).__name__))
    return 200, outcome_dict(outcome)


def annotate(src: InMemory) -> tuple[int, dict | tuple[str, bytes]]:
    """``/api/annotate``: (200, (file name, annotated workbook)), or 400 with the line why not."""
    import io

    from planvalidator.annotate import SUFFIX
    from planvalidator.annotate import annotate as write
    from planvalidator.annotate.file import FileAnnotator
    from planvalidator.errors import CannotCheck
    from planvalidator.partxml import PackageError
    from planvalidator.workbook import part_reason

    try:
        report = _check(src)
        annotator = FileAnnotator(src)
        write(annotator, report)
        buffer = io.BytesIO()
        annotator.save(buffer)
    except CannotCheck as exc:
        return 400, detail(f"{src.name}: {exc.reason}")
    except PackageError as exc:
        return 400, detail(f"{src.name}: {part_reason(exc)}")
    stem, dot, suffix = src.name.rpartition(".")
    suffix = "." + suffix.lower() if dot and suffix.lower() in ("xlsx", "xlsm") else ".xlsx"
    return 200, (f"{stem if dot else src.name}{SUFFIX}{suffix}", buffer.getvalue())


def xlwings_book(body: bytes) -> tuple[int, dict]:
    """``/xlwings/check``: check one xlwings book (its JSON) and answer the actions xlwings carries out.

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
