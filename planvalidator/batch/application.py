"""One application, in a worker: its workbook and attachments read from the intake, checked (and a copy
annotated when asked), the result turned into its row of the staff summary (:class:`Application`)."""

from __future__ import annotations

import posixpath
from pathlib import Path

from planvalidator.batch.names import annotated_name, annotated_stems
from planvalidator.errors import CannotCheck
from planvalidator.intake import Source, files_of, split
from planvalidator.summary import CANNOT_CHECK, Application
from planvalidator.workbook import InMemory


def check_application(source: Source, options=None, annotate_dir: Path | None = None,
                      annotated_stem: str | None = None, copies: dict | None = None) -> dict:
    """Check one application: its workbook with its attachments read; annotate a copy when asked
    (in ``annotate_dir``, named from ``annotated_stem``, see :func:`annotated_stems`; with ``copies``
    the copy is not written but put in it, {path under annotate_dir: bytes} — the page's intake mode).
    Returns :class:`Application` as a dict (what crosses the process boundary and the cache)."""
    from planvalidator.outcome import failure

    app = Application(id=source.id, source=str(source.path))
    try:
        files = files_of(source)
        book, others = split(files)
        app.attachments = [f.name for f in others]
        if book is None:
            raise CannotCheck("事業計画書（.xlsx / .xlsm）が見つかりません", file=source.id)
        app.workbook = book.name
        # a zip member is read in memory: never written to disk under a name from the zip
        workbook = book.path if book.path is not None else InMemory(posixpath.basename(book.name), book.read())
        _check(app, source, workbook, others, options, annotate_dir, annotated_stem, copies)
    except Exception as exc:  # noqa: BLE001 — one application's failure is its own row
        app.error = failure(exc, source.id).reason
        app.verdict = CANNOT_CHECK
    return app.to_dict()


def _check(app: Application, source: Source, path, others, options, annotate_dir, annotated_stem, copies=None) -> None:
    from planvalidator.attachments import read_attachment
    from planvalidator.engine import check
    from planvalidator.program import load_program
    from planvalidator.reader import read

    plan = read(path)
    attachments = None
    if source.kind != "workbook":               # a lone workbook: its attachments are not known
        vocabulary = load_program(plan.layout.folder).attachments
        attachments = [read_attachment(f.name, f.read(), vocabulary) for f in others]
    report = check(plan, options, file=f"{source.id}/{app.workbook}" if source.kind != "workbook" else source.id,
                   attachments=attachments)
    if annotate_dir is not None:
        from planvalidator.annotate import annotate_file

        stem = annotated_stem or annotated_stems([source])[source.id]
        target = Path(annotate_dir) / annotated_name(stem, app.workbook)
        if copies is None:
            annotate_file(path, target, report=report)
        else:
            import io

            buffer = io.BytesIO()
            annotate_file(path, buffer, report=report)
            copies[target.as_posix()] = buffer.getvalue()
        app.annotated = str(target)
    fill_row(app, report)


def fill_row(app: Application, report) -> None:
    """The summary row of a checked application (what the staff summary shows of it), from its report."""
    from planvalidator import places

    plan, context = report.plan, report.context
    app.template = report.template
    app.verdict = report.verdict
    app.applicant = _text(plan.value("applicant", "name"))
    app.city = places.municipality(context.program.region, plan.value("applicant", "address"))
    app.category = _text(plan.value("applicant", "category"))
    app.project_name = _text(plan.value("applicant", "project_name"))
    if report.money is not None:
        money = report.money
        app.eligible, app.requested, app.cap, app.limit = money.eligible, money.requested, money.cap, money.limit
    counts = report.counts
    app.errors, app.warnings, app.infos = counts["error"], counts["warning"], counts["info"]
    app.accepted = len(report.accepted)
    app.findings = [f.to_dict() for f in report.findings]
    app.missing_documents = missing_documents(report)


def missing_documents(report) -> list[str]:
    """The documents the attachment rules found missing (PV403), each named once."""
    from planvalidator.rules.attachments import MISSING

    names: list[str] = []
    for f in report.open_findings:
        if f.rule == MISSING.code:
            for name in (f.expected if isinstance(f.expected, (list, tuple)) else [f.expected or f.message]):
                if name not in names:
                    names.append(str(name))
    return names


def _text(value) -> str | None:
    return None if value is None else str(value)
