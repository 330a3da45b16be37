"""Write a report into the workbook: highlighted cells, notes and a チェック結果 sheet.

One interface (:class:`Annotator`) with two backends: a file (``file.py``, editing only the
package parts it needs) and a live book in Excel (xlwings). :func:`annotate` drives either.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from planvalidator.annotate.results import ResultsSheet, build_results, notes_by_cell
from planvalidator.engine import Report
from planvalidator.results_sheet import RESULTS_SHEET, RESULTS_SHEET_ALT, SUFFIX  # noqa: F401 (its names, as before)


class Annotator(Protocol):
    def clear(self) -> None:
        """Remove a previous annotation: highlights, our notes (the applicant's stay), the results sheet."""

    def highlight(self, sheet: str, cell: str, severity: str) -> None:
        """Give one cell the fill of a severity (error / warning / info)."""

    def note(self, sheet: str, cell: str, text: str) -> None:
        """Attach our note to a cell (next to the applicant's own note, if the cell has one)."""

    def write_results(self, results: ResultsSheet) -> None:
        """Write the results sheet, first in the book and active."""


def annotate(annotator: Annotator, report: Report) -> None:
    """Annotate ``report`` through any backend: clear the old annotation, then mark every finding."""
    annotator.clear()
    for (sheet, cell), (severity, text) in notes_by_cell(report.findings).items():
        annotator.highlight(sheet, cell, severity)
        annotator.note(sheet, cell, text)
    annotator.write_results(build_results(report))



def default_output(path) -> Path:
    """<name>_チェック結果.xlsx beside the input (.xlsm stays .xlsm); an annotated input keeps its name."""
    path = Path(path)
    stem = path.stem[: -len(SUFFIX)] if path.stem.endswith(SUFFIX) else path.stem
    return path.with_name(f"{stem}{SUFFIX}{path.suffix}")


def annotate_file(path, output=None, *, in_place: bool = False, skipped: list | None = None,
                  options=None, attachments: list | None = None, report: Report | None = None) -> tuple[Report, Path]:
    """Check ``path`` and write the annotated workbook; the input is only read unless ``in_place``.

    ``skipped`` (a list) receives the (sheet, cell) whose note was not written because the cell
    holds a threaded comment (it is still highlighted and listed on the results sheet).
    ``report``: the check of ``path`` already made (planvalidator batch), not made again."""
    from planvalidator.annotate.file import FileAnnotator
    from planvalidator.engine import check_file
    from planvalidator.errors import CannotCheck
    from planvalidator.partxml import PackageError
    from planvalidator.workbook import InMemory

    held = isinstance(path, InMemory)          # a workbook in memory (a zip member of a batch): output given
    path = path if held else Path(path)
    stream = hasattr(output, "write")          # a binary stream (the page's intake mode: nothing on disk)
    target = path if in_place else output if stream else Path(output) if output else default_output(path)
    if not in_place and not held and not stream and target.resolve() == path.resolve():
        raise CannotCheck("出力先が入力ファイルと同じです（上書きするなら --in-place、別名なら -o を指定）",
                          file=path.name)
    if report is None:
        report = check_file(path, options, attachments=attachments)
    annotator = None
    try:
        annotator = FileAnnotator(path)
        annotate(annotator, report)
        annotator.save(target)
    except PackageError as exc:                # a part the check read but will not be rewritten (xmltree)
        from planvalidator.workbook import part_reason
        sheet = annotator.sheet_of(exc.part) if annotator is not None else None
        raise CannotCheck(part_reason(exc, sheet=sheet), file=path.name, sheet=sheet) from None
    except OSError as exc:
        raise CannotCheck(f"書き出せません（{exc.strerror or type(exc).__name__}）", file=str(target)) from None
    if skipped is not None:
        skipped.extend(annotator.skipped_notes)
    return report, target
