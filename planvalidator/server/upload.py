"""The workbook of a page upload (``multipart/form-data``), read in memory within limits.

Parsed by ``multipart`` (defnull/multipart, MIT): a push parser that does no I/O of its own, so
nothing is spooled to a temporary file (as a framework's UploadFile would past 1 MB), and that
enforces the limits a stranger's body needs before any work proportional to it — the parts
(:data:`~planvalidator.limits.MAX_UPLOAD_PARTS`), the headers of each part and their size
(:data:`~planvalidator.limits.MAX_PART_HEADER_BYTES`: a Content-Disposition with tens of thousands
of parameters cannot be read slowly, it is refused), the body against its Content-Length. The
standard library's email parser did none of that (its defect collection is quadratic).
This runs on the request, before a check worker is taken.
"""

from __future__ import annotations

from planvalidator import limits
from planvalidator.server.messages import NOT_AN_UPLOAD, NOTHING_UPLOADED
from planvalidator.workbook import InMemory


class NotAnUpload(Exception):
    """The request is not a multipart upload with a ``file`` field; ``str()`` is the Japanese line."""


def uploaded(content_type: str, body: bytes) -> InMemory:
    """The workbook in the ``file`` field, as :class:`~planvalidator.workbook.InMemory`. The name is
    the uploaded file's own name without any folder."""
    return uploaded_fields(content_type, body, ("file",))["file"]


def uploaded_fields(content_type: str, body: bytes, names: tuple[str, ...]) -> dict[str, InMemory]:
    """The files of the fields ``names`` (the first of each); the first name is required, the others
    are left out when not sent."""
    from multipart import MultipartError, ParserLimitReached, PushMultipartParser, parse_options_header

    kind, options = parse_options_header(content_type[:limits.MAX_PART_HEADER_BYTES]) if content_type else ("", {})
    if kind.lower() != "multipart/form-data":
        raise NotAnUpload(NOT_AN_UPLOAD.format(what="Content-Type が multipart/form-data ではありません"))
    boundary = options.get("boundary")
    if not boundary or "\r" in content_type or "\n" in content_type:
        raise NotAnUpload(NOT_AN_UPLOAD.format(what="Content-Type に boundary がありません"))
    found: dict[str, tuple] = {}
    try:
        with PushMultipartParser(boundary, content_length=len(body), max_header_size=limits.MAX_PART_HEADER_BYTES,
                                 max_header_count=8, max_segment_count=limits.MAX_UPLOAD_PARTS, strict=True) as parser:
            current = None
            for event in parser.parse(body):
                if event is None:
                    current = None
                elif isinstance(event, (bytes, bytearray)):
                    if current is not None:
                        current[1].append(bytes(event))
                elif event.name in names and event.name not in found:
                    found[event.name] = current = (event, [])
    except ParserLimitReached as exc:
        what = "部品の見出しが多すぎるか大きすぎます" if "header" in str(exc).lower() else "部品が多すぎます"
        raise NotAnUpload(NOT_AN_UPLOAD.format(what=what)) from None
    except MultipartError:
        raise NotAnUpload(NOT_AN_UPLOAD.format(what="本文が multipart として読めません")) from None
    if names[0] not in found or not found[names[0]][1]:
        raise NotAnUpload(NOTHING_UPLOADED)
    return {name: InMemory(upload_name(segment.filename), b"".join(data))
            for name, (segment, data) in found.items() if data}


def upload_name(name) -> str:
    """An uploaded file's name, safe to show and to send back: no folder, no control characters."""
    name = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()[:200]
    return name or "事業計画書.xlsx"
