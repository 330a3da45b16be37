"""An openpyxl workbook saved into memory, with no temporary file: what the server's fills (plans.fill) and
intake summaries (summary.xlsx) write never touches the disk."""

from __future__ import annotations


def save_workbook(book, stream) -> None:
    """Save an openpyxl workbook into a binary stream without touching the disk (the server's
    fills and intake summaries write nothing to disk).

    ``Workbook.save`` writes each worksheet's XML to a temporary file first (even into a stream):
    here each one goes into a :class:`io.BytesIO` instead, the rest exactly as openpyxl's
    ``save_workbook`` does (the ``ExcelWriter`` of openpyxl 3.1)."""
    import datetime
    import io
    import zipfile

    from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
    from openpyxl.worksheet._writer import WorksheetWriter
    from openpyxl.writer.excel import ExcelWriter

    class InMemoryWriter(ExcelWriter):
        def write_worksheet(self, ws):
            ws._drawing = SpreadsheetDrawing()
            ws._drawing.charts = ws._charts
            ws._drawing.images = ws._images
            writer = WorksheetWriter(ws, out=io.BytesIO())
            writer.write()
            ws._rels = writer._rels
            self._archive.writestr(ws.path[1:], writer.read())
            self.manifest.append(ws)

    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        book.properties.modified = datetime.datetime.now(tz=datetime.timezone.utc).replace(tzinfo=None)
        InMemoryWriter(book, archive).save()
