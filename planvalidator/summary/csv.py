"""申請一覧 as CSV: the columns of the workbook's first sheet plus 指摘件数.

A file is UTF-8 with a BOM (utf-8-sig) so that Excel reads the Japanese; stdout (``out`` None) gets
plain UTF-8, for pipes. Text that Excel would take for a formula (starting with = + - @, a tab or a
carriage return) gets a leading 「'」 (OWASP's CSV injection advice); numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

from planvalidator.summary import Application
from planvalidator.summary.columns import APPLICATION_COLUMNS, annotated_target

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defuse(text: str) -> str:
    """Text that a spreadsheet reads as text, never as a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def cell(value, *, text: bool):
    if value is None:
        return ""
    if text or isinstance(value, str):
        return defuse(str(value))
    return value


def rows(applications: list[Application], base: Path | None) -> list[list]:
    columns = [c for c in APPLICATION_COLUMNS if c.csv]
    out = [[c.header for c in columns]]
    for no, app in enumerate(applications, 1):
        out.append([cell(annotated_target(app, base) if c.kind == "link" else c.get(no, app),
                         text=c.kind in ("text", "wrap", "link")) for c in columns])
    return out


def write(applications: list[Application], out: Path | None, run=None) -> None:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows(applications, Path(out).parent if out else None))
    text = buffer.getvalue()
    if out is None:
        stream = getattr(sys.stdout, "buffer", None)
        if stream is not None:
            sys.stdout.flush()
            stream.write(text.encode("utf-8"))
            stream.flush()
        else:
            sys.stdout.write(text)
        return
    from planvalidator.atomic import write_bytes

    write_bytes(out, text.encode("utf-8-sig"))
