"""``planvalidator batch``: every application of an intake checked, attachments included, each in a
worker process that may crash, hang or abort without stopping the batch; results of unchanged
applications reused from earlier runs.

The workers are pebble's process pool: a task past its time limit is stopped with its process, and a
worker that dies (a native crash, an abort, the memory limit) fails only its own task — pebble starts
a new one and the pool goes on, which ``concurrent.futures.ProcessPoolExecutor`` does not do (one dead
worker breaks the whole pool).
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from planvalidator import __version__, limits
from planvalidator.errors import CannotCheck
from planvalidator.intake import Source, files_of, split
from planvalidator.processes import limit_memory
from planvalidator.summary import CANNOT_CHECK, Application
from planvalidator.workbook import InMemory


@dataclass(frozen=True)
class BatchOptions:
    options: object = None                    # engine.Options (rule selection)
    annotate_dir: Path | None = None          # write an annotated copy of each workbook here
    jobs: int = 1                             # worker processes
    timeout: float = limits.APPLICATION_SECONDS
    cache_dir: Path | None = None             # reuse results of unchanged applications (None: never)


# --- one application (in a worker) ------------------------------------------------------------------

def annotated_stems(sources: list[Source]) -> dict[str, str]:
    """The name each application's annotated copy starts with: its name without .zip / .xlsx, or, when two
    applications would share it (a folder 「A社」 and 「A社.zip」), its whole name."""
    from collections import Counter

    stems = {s.id: file_name(Path(s.id).stem if s.kind in ("workbook", "zip") else s.id) for s in sources}
    twice = {stem for stem, n in Counter(stems.values()).items() if n > 1}
    return {id: file_name(id).replace(".", "_") if stem in twice else stem for id, stem in stems.items()}


def file_name(text: str) -> str:
    """A name as a file can carry it on every system: control characters and 「\\ / : * ? " < > |」 as 「_」."""
    import re
    return re.sub(r'[\x00-\x1f\x7f\\/:*?"<>|]', "_", text).strip(" .") or "_"


def annotated_name(stem: str, workbook: str) -> str:
    """The annotated copy's file name: the application's stem, then _チェック結果, the workbook's suffix."""
    from planvalidator.annotate import SUFFIX

    return f"{stem}{SUFFIX}{Path(workbook).suffix.lower()}"


def check_application(source: Source, options=None, annotate_dir: Path | None = None,
                      annotated_stem: str | None = None) -> dict:
    """Check one application: its workbook with its attachments read; annotate a copy when asked
    (in ``annotate_dir``, named from ``annotated_stem``, see :func:`annotated_stems`).
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
        _check(app, source, workbook, others, options, annotate_dir, annotated_stem)
    except Exception as exc:  # noqa: BLE001 — one application's failure is its own row
        app.error = failure(exc, source.id).reason
        app.verdict = CANNOT_CHECK
    return app.to_dict()


def _check(app: Application, source: Source, path, others, options, annotate_dir, annotated_stem) -> None:
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
        annotate_file(path, target, report=report)
        app.annotated = str(target)
    fill(app, report)


def fill(app: Application, report) -> None:
    """What the summary shows of a checked application, from its report."""
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
    summary = report.summary
    app.errors, app.warnings, app.infos = summary["error"], summary["warning"], summary["info"]
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


# --- reuse ----------------------------------------------------------------------------------------

def _schemas_digest() -> str:
    """The program and layout data every check reads (all versions): a result is reused only under the same."""
    from planvalidator.resources import schemas_dir

    h = hashlib.sha256()
    root = schemas_dir()
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in (".yaml", ".yml", ".json", ".md"):
            h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


class ResultCache:
    """Results of earlier runs, one JSON file each, keyed by the application's content and by what checked it
    (planvalidator's version, the program data, the rule selection, and — when copies are annotated —
    where this application's copy goes).

    Only what the content decides is taken from an entry: the application's name, folder and annotated
    copy always come from the run that reads it (:meth:`get`), so seven folders holding one workbook
    are seven rows of their own names, and a renamed folder comes back under its new name. Each entry
    carries an HMAC of itself under a key kept in the cache folder; an entry that does not match it
    (edited by hand, copied from elsewhere, cut short) is checked again. The folder is the user's own
    (0700, the key 0600)."""

    def __init__(self, folder: Path, options, annotate_dir: Path | None):
        self.folder = Path(folder)
        selection = getattr(options, "selection", None)
        setting = repr((getattr(selection, "select", None), getattr(selection, "ignore", None),
                        sorted((getattr(selection, "severity", None) or {}).items()),
                        getattr(options, "accept", None), str(annotate_dir) if annotate_dir else None))
        self._salt = f"{__version__}\0{_schemas_digest()}\0{setting}".encode()
        self._key: bytes | None = None

    def key(self, source: Source, stem: str | None = None) -> str:
        """The entry of ``source``'s content (and, when copies are annotated, of the name its copy is given)."""
        return hashlib.sha256(self._salt + b"\0" + source.digest().encode() + b"\0" + (stem or "").encode()).hexdigest()

    def _file(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def _secret(self) -> bytes:
        """The key the entries are signed with, made on first use (0600, in a 0700 folder)."""
        if self._key is None:
            private_folder(self.folder)
            path = self.folder / "key"
            try:
                key = path.read_bytes()
            except OSError:
                key = b""
            if len(key) != 32:
                key = os.urandom(32)
                try:
                    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
                    with os.fdopen(fd, "wb") as fh:
                        fh.write(key)
                except OSError:
                    pass                        # a cache that cannot be written only costs time next run
            self._key = key
        return self._key

    def _sign(self, text: str) -> str:
        import hmac
        return hmac.new(self._secret(), text.encode("utf-8"), hashlib.sha256).hexdigest()

    def get(self, key: str, source: Source, annotate_dir: Path | None = None, stem: str | None = None) -> Application | None:
        """The earlier result of ``source``, as this run names it; None when there is none to trust."""
        import hmac

        try:
            entry = json.loads(self._file(key).read_text(encoding="utf-8"))
            body, mac = entry["application"], entry["hmac"]
            if not isinstance(body, str) or not hmac.compare_digest(str(mac), self._sign(body)):
                return None
            app = Application.from_dict({**json.loads(body), "id": source.id, "source": str(source.path)})
        except (OSError, ValueError, TypeError, KeyError):
            return None
        annotated = None
        if annotate_dir is not None and app.workbook and app.error is None:
            annotated = str(Path(annotate_dir) / annotated_name(stem or source.id, app.workbook))
            if not Path(annotated).is_file():
                return None                     # the annotated copy is gone: check (and write it) again
        app.id, app.source, app.annotated = source.id, str(source.path), annotated
        return app

    def put(self, key: str, app: Application) -> None:
        data = {k: v for k, v in app.to_dict().items() if k not in ("id", "source", "reused")}
        body = json.dumps(data, ensure_ascii=False)
        path = self._file(key)
        try:
            private_folder(self.folder)
            path.parent.mkdir(mode=0o700, exist_ok=True)
            from planvalidator.atomic import write_bytes
            write_bytes(path, json.dumps({"application": body, "hmac": self._sign(body)}).encode("utf-8"))
        except OSError:
            pass                                # a cache that cannot be written only costs time next run


def private_folder(folder: Path) -> None:
    """``folder`` made (0700) or, if it is ours already, made private."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        if not hasattr(os, "getuid") or folder.stat().st_uid == os.getuid():
            os.chmod(folder, 0o700)
    except OSError:
        pass


def default_cache_dir() -> Path:
    from planvalidator.resources import cache_dir

    return cache_dir() / "batch"


# --- the run ---------------------------------------------------------------------------------------

def _failed(source: Source, reason: str) -> Application:
    return Application(id=source.id, source=str(source.path), error=reason, verdict=CANNOT_CHECK)


def run(sources: list[Source], batch: BatchOptions, progress: Callable[[Application], None] | None = None,
        ) -> tuple[list[Application], int]:
    """Check every application; returns them in the intake's order and how many were reused."""
    import multiprocessing

    from pebble import ProcessExpired, ProcessPool

    cache = ResultCache(batch.cache_dir, batch.options, batch.annotate_dir) if batch.cache_dir else None
    if batch.annotate_dir is not None:
        Path(batch.annotate_dir).mkdir(parents=True, exist_ok=True)
    results: list[Application | None] = [None] * len(sources)
    keys: dict[int, str] = {}
    todo = []
    reused = 0
    stems = annotated_stems(sources)
    for i, source in enumerate(sources):
        if cache is not None:
            stem = stems[source.id] if batch.annotate_dir else None
            try:
                keys[i] = cache.key(source, stem)
            except OSError:
                keys[i] = None
            if keys[i] and (app := cache.get(keys[i], source, batch.annotate_dir, stem)) is not None:
                app.reused = True
                results[i] = app
                reused += 1
                if progress:
                    progress(app)
                continue
        todo.append(i)
    if todo:
        context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
        with ProcessPool(max_workers=max(1, batch.jobs), initializer=limit_memory, context=context) as pool:
            futures = {pool.schedule(check_application, args=(sources[i], batch.options, batch.annotate_dir,
                                                              stems[sources[i].id]),
                                     timeout=batch.timeout): i for i in todo}
            from concurrent.futures import as_completed

            for future in as_completed(futures):
                i = futures[future]
                source = sources[i]
                keep = True
                try:
                    app = Application.from_dict(future.result())
                except FutureTimeout:
                    app, keep = _failed(source, f"{batch.timeout:g} 秒以内にチェックが終わらないため打ち切りました"), False
                except ProcessExpired as exc:
                    app, keep = _failed(source, f"チェック中に処理が異常終了しました（終了コード {exc.exitcode}）。"
                                                f"ファイルが壊れているか、細工されている可能性があります"), False
                except Exception as exc:  # noqa: BLE001 — a result that cannot come back is its row
                    app, keep = _failed(source, f"チェックの結果を受け取れませんでした（{type(exc).__name__}）"), False
                results[i] = app
                if cache is not None and keep and keys.get(i):
                    cache.put(keys[i], app)
                if progress:
                    progress(app)
    return [r for r in results if r is not None], reused
