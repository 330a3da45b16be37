"""How much a PDF's compressed streams come to, measured before PDFium inflates them.

PDFium inflates a page's content stream whole when it parses the page, with no ceiling of its
own: a 100 KB PDF whose content stream inflates without end takes its process to its memory
limit. Before a PDF is handed to it, each compressed stream the page parser may inflate (a
content stream, a form, an embedded font — not an image, which text extraction never decodes)
is inflated here a chunk at a time, with zlib's own output cap, and the PDF is refused once
one stream passes :data:`~planvalidator.limits.MAX_PDF_STREAM_BYTES` or all of them
:data:`MAX_TOTAL` together.

This is a measurement, not a PDF reader: it finds each ``stream`` keyword, the dictionary that
ends just before it (matched back through its nested ``<< >>``), that dictionary's ``/Filter``
and ``/Subtype``, and the bytes after the keyword. A filter chain it cannot measure (LZW or
RunLength, or Flate behind another filter) counts at the most that filter can expand to, so a
chain like that on a large stream is refused rather than trusted. A stream that calls itself an
image is not measured (a scan's page images are large and never decoded for text); should one be
used as a page's content all the same, the worker's memory ceiling
(:data:`~planvalidator.limits.WORKER_MEMORY_BYTES`) is what stops it.
"""

from __future__ import annotations

import re
import zlib

from planvalidator import limits

MAX_TOTAL = 8 * limits.MAX_PDF_STREAM_BYTES      # all streams of one PDF together
_CHUNK = 1 << 20
_KEYWORD = re.compile(rb">>\s*stream\r?\n")
_IMAGE = re.compile(rb"/Subtype\s*/Image\b")
_FILTER = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[A-Za-z0-9]+)")
_WORST = {b"/LZWDecode": 2730, b"/LZW": 2730, b"/RunLengthDecode": 64, b"/RL": 64}


class TooLarge(Exception):
    """A stream inflates past the limit; ``str()`` is the Japanese reason."""


def check(data: bytes) -> None:
    """Raise :class:`TooLarge` when the PDF's streams inflate past the limits."""
    total = 0
    for m in _KEYWORD.finditer(data):
        head = _dictionary(data, m.start())
        if head is None or _IMAGE.search(head):
            continue
        found = _FILTER.search(head)
        if not found:
            continue
        filters = re.findall(rb"/[A-Za-z0-9]+", found.group(1))
        total += _measure(data, m.end(), filters, total)
        if total > MAX_TOTAL:
            raise TooLarge("PDF の中身を展開すると大きすぎます（ファイルが壊れているか、細工されている可能性があります）")


def _dictionary(data: bytes, end: int) -> bytes | None:
    """The dictionary whose closing 「>>」 is at ``end``: walked back to its matching 「<<」."""
    depth, i, floor = 0, end, max(0, end - 65_536)
    while i >= floor:
        pair = data[i:i + 2]
        if pair == b">>":
            depth += 1
            i -= 1
        elif pair == b"<<":
            depth -= 1
            if depth == 0:
                return data[i + 2:end]
            i -= 1
        i -= 1
    return None


def _measure(data: bytes, start: int, filters: list[bytes], used: int) -> int:
    """The bytes one stream inflates to (at most the limit, past which it raises)."""
    cap = limits.MAX_PDF_STREAM_BYTES
    if filters[:1] in ([b"/FlateDecode"], [b"/Fl"]):
        inflater = zlib.decompressobj()
        out, at = 0, start
        try:
            while out <= cap:
                chunk = data[at:at + _CHUNK]
                at += _CHUNK
                piece = inflater.decompress(inflater.unconsumed_tail + chunk if inflater.unconsumed_tail else chunk,
                                            cap + 1 - out)
                out += len(piece)
                if inflater.eof or (not chunk and not inflater.unconsumed_tail):
                    break
        except zlib.error:
            return 0                      # not a zlib stream after all (encrypted, damaged): PDFium decides
        if out > cap:
            raise TooLarge("PDF のページの内容を展開すると大きすぎます（ファイルが細工されている可能性があります）")
        return out
    worst = max((_WORST.get(f, 0) for f in filters), default=0)
    if worst or any(f in (b"/FlateDecode", b"/Fl") for f in filters):
        end = data.find(b"endstream", start)
        size = (end if end >= 0 else len(data)) - start
        if size * max(worst, 1032) > cap:
            raise TooLarge("PDF に大きさを確かめられない圧縮の中身があります（ファイルが細工されている可能性があります）")
        return size * max(worst, 1032)
    return 0
